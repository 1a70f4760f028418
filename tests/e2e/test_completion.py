"""Tab completion of tokenguard's options through az's own argcomplete, as az's completion script asks for it."""
import subprocess

from tests.emulator import data
from tests.harness.az import AZ


def completions(az, line):
    """What argcomplete offers for ``line`` (the cursor at its end), as the shell's completion function gets it."""
    env = {**az.env, "COMP_LINE": line, "COMP_POINT": str(len(line)), "_ARGCOMPLETE": "1",
           "_ARGCOMPLETE_IFS": "\n"}
    result = subprocess.run(["bash", "-c", f"{AZ} 8>&1 9>/dev/null"], env=env, cwd=az.env["HOME"],
                            capture_output=True, text=True, timeout=120, check=False)
    return [word.strip() for word in result.stdout.split("\n")]  # a lone match ends with a space


def test_resource_completes_the_aliases(user_az):
    assert {"arm", "graph", "keyvault", "storage"} <= set(completions(user_az, "az tokenguard get-token --resource "))
    assert "graph" in completions(user_az, "az tokenguard exec --resource gr")


def test_subscription_completes_the_names_az_knows(user_az):
    offered = completions(user_az, "az tokenguard use --subscription contoso")
    assert {data.CONTOSO_DEV.display_name, data.CONTOSO_PROD.display_name} <= set(offered)
    assert data.FABRIKAM_SANDBOX.display_name not in offered  # only what the prefix starts
