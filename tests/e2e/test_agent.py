"""`az tokenguard agent`: reads work through the proxy, everything else is refused before it leaves the
machine, and nothing inside the sandbox is a credential that the emulator's ARM accepts.

The emulator's request log is the witness: a refused request is one the emulator never saw, and a request
that goes around the proxy reaches it with a placeholder only, which it rejects (401).
"""
import json
import re
import subprocess
import sys
from pathlib import Path

from tests.emulator import data

AZ_BIN = str(Path(sys.executable).parent / "az")
SUBSCRIPTION = data.SUBSCRIPTIONS[0].subscription_id
GROUP_PATH = f"/subscriptions/{SUBSCRIPTION}/resourcegroups/rg1"
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def agent(az, *command, mode=None, env=None):
    options = ["--mode", mode] if mode else []
    return az.run("tokenguard", "agent", *options, "--", *command, check=False, env=env)


def arm_changes(emulator):
    """Requests that would change ARM and that ARM accepted (any status below 400)."""
    return [entry for entry in emulator.requests(service="arm")
            if entry["method"] not in ("GET", "HEAD") and entry["status"] < 400]


def test_az_reads_work_inside_the_agent(sp_az, emulator):
    groups = agent(sp_az, AZ_BIN, "group", "list", "-o", "json")
    assert groups.returncode == 0, groups.stderr
    assert [group["name"] for group in json.loads(groups.stdout)] == ["rg1"]
    account = agent(sp_az, AZ_BIN, "account", "show", "-o", "json")
    assert account.returncode == 0, account.stderr
    shown = json.loads(account.stdout)
    assert shown["id"] == sp_az.json("account", "show")["id"]  # the parent's default subscription
    assert shown["user"] == {"name": "systemAssignedIdentity", "type": "servicePrincipal",
                             "assignedIdentityInfo": "MSI"}
    rest = agent(sp_az, AZ_BIN, "rest", "--method", "get", "--url",
                 f"{emulator.url}/subscriptions?api-version=2022-12-01")
    assert rest.returncode == 0, rest.stderr
    assert {s["subscriptionId"] for s in json.loads(rest.stdout)["value"]} >= {SUBSCRIPTION}
    reads = emulator.requests(service="arm")
    assert reads and all(entry["method"] == "GET" and entry["status"] == 200 for entry in reads)


def test_the_subscription_option_sets_the_agents_default(sp_az):
    other = data.SUBSCRIPTIONS[1]
    result = sp_az.run("tokenguard", "agent", "--subscription", other.display_name, "--", AZ_BIN, "account", "show",
                       "--query", "name", "-o", "tsv", check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == other.display_name


SDK_SCRIPT = """
import sys
from azure.identity import DefaultAzureCredential, ManagedIdentityCredential
from azure.mgmt.resource import ResourceManagementClient
import requests
arm = sys.argv[1]
credential = ManagedIdentityCredential()
token = credential.get_token("https://management.azure.com/.default").token
plain = requests.get(arm + "/subscriptions?api-version=2022-12-01", headers={"Authorization": "Bearer " + token})
client = ResourceManagementClient(DefaultAzureCredential(), sys.argv[2], base_url=arm,
                                  credential_scopes=["https://management.azure.com/.default"])
print(plain.status_code, ",".join(group.name for group in client.resource_groups.list()))
"""


def test_python_sdk_reads_work_inside_the_agent(sp_az, emulator):
    result = agent(sp_az, sys.executable, "-c", SDK_SCRIPT, emulator.url, SUBSCRIPTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "rg1"]


def test_writes_deletes_and_credential_actions_are_refused_before_azure(sp_az, emulator):
    delete = agent(sp_az, AZ_BIN, "group", "delete", "-n", "rg1", "--yes")
    create = agent(sp_az, AZ_BIN, "group", "create", "-n", "made-by-agent", "-l", "westeurope")
    post = agent(sp_az, AZ_BIN, "rest", "--method", "post", "--url",
                 f"{emulator.url}{GROUP_PATH}/providers/Microsoft.Storage/storageAccounts/s/listKeys"
                 "?api-version=2023-01-01")
    for result in (delete, create, post):
        assert result.returncode != 0
        assert "TokenguardRefused" in result.stderr and "Traceback" not in result.stderr
    assert "deletes are refused, as the agent runs read-only" in delete.stderr
    assert "returns credentials" in post.stderr
    assert [e for e in emulator.requests(service="arm") if e["method"] != "GET"] == []  # none reached ARM
    assert [g["name"] for g in sp_az.json("group", "list")] == ["rg1"]


def test_get_access_token_yields_only_a_placeholder_and_other_resources_are_refused(sp_az, emulator):
    arm = agent(sp_az, AZ_BIN, "account", "get-access-token", "--query", "accessToken", "-o", "tsv")
    assert arm.returncode == 0, arm.stderr
    assert emulator.arm_get("/subscriptions?api-version=2022-12-01", arm.stdout.strip()) == 401
    vault = agent(sp_az, AZ_BIN, "account", "get-access-token", "--resource", "https://vault.azure.net")
    assert vault.returncode != 0 and "Azure Resource Manager only" in vault.stderr


def test_nothing_inside_loosens_the_policy(sp_az, emulator, egress):
    bypasses = {
        "proxy variables unset": ["env", "-u", "HTTPS_PROXY", "-u", "https_proxy", "NO_PROXY=*", AZ_BIN],
        "the parent's config dir": ["env", f"AZURE_CONFIG_DIR={sp_az.config_dir}", AZ_BIN],
        "command az": ["sh", "-c", 'command az "$@"', "az"],
        "python -m azure.cli": [sys.executable, "-m", "azure.cli"],
        "env -i": ["env", "-i", AZ_BIN],
    }
    for name, prefix in bypasses.items():
        result = agent(sp_az, *prefix, "group", "delete", "-n", "rg1", "--yes")
        assert result.returncode != 0, name
    # az in an empty config dir (the parent's, under its tmpfs) checks for a newer az: that host is not the
    # cloud's, so the proxy passes it through untouched, to the parent's own proxy.
    assert set(egress.take()) <= {"CONNECT azcliprod.blob.core.windows.net:443"}
    curl = agent(sp_az, "sh", "-c", 'curl -s -o /dev/null -w "%{http_code} " -X DELETE --noproxy "*" '
                 '--cacert "$REQUESTS_CA_BUNDLE" -H "Authorization: Bearer $(az account get-access-token '
                 '--query accessToken -o tsv)" "$1"', "sh", f"{emulator.url}{GROUP_PATH}?api-version=2024-11-01")
    assert curl.stdout.strip() == "401"  # around the proxy, the placeholder is all the agent has
    assert arm_changes(emulator) == []
    assert [g["name"] for g in sp_az.json("group", "list")] == ["rg1"]


SWEEP_SCRIPT = r"""
import glob, json, os, sys, urllib.request
out, parent_config = sys.argv[1], sys.argv[2]
texts = [json.dumps(dict(os.environ))]
listed = sorted(os.listdir(parent_config)) if os.path.isdir(parent_config) else None
roots = [os.path.dirname(parent_config), os.path.expanduser("~"), os.environ["AZURE_CONFIG_DIR"], "/dev/shm",
         *glob.glob("/tmp/tokenguard-*"), *glob.glob(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent") + "/*")]
for root in roots:
    for directory, _, files in os.walk(root):
        for name in files:
            try:
                with open(os.path.join(directory, name), "rb") as handle:
                    texts.append(handle.read(1 << 20).decode("utf-8", "replace"))
            except OSError:
                pass
pids = [p for p in os.listdir("/proc") if p.isdigit()]
for pid in pids:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            texts.append(handle.read().decode("utf-8", "replace"))
    except OSError:
        pass
for resource in ("https://management.azure.com", "https://graph.microsoft.com", "https://vault.azure.net"):
    request = urllib.request.Request(os.environ["IDENTITY_ENDPOINT"] + "?api-version=2019-08-01&resource=" + resource,
                                     headers={"X-IDENTITY-HEADER": os.environ["IDENTITY_HEADER"]})
    try:
        texts.append(urllib.request.urlopen(request).read().decode())
    except Exception as error:
        texts.append(str(error))
with open(out, "w") as handle:
    json.dump({"texts": texts, "parent_config": listed, "pids": pids}, handle)
"""


def _real_secrets(config_dir):
    """Every secret az keeps in the parent's config dir: access and refresh tokens, client secrets."""
    cache = json.loads((config_dir / "msal_token_cache.json").read_text())
    found = [entry["secret"] for section in cache.values() for entry in section.values() if "secret" in entry]
    store = config_dir / "service_principal_entries.json"
    entries = json.loads(store.read_text()) if store.exists() else []
    return found + [entry["client_secret"] for entry in entries if entry.get("client_secret")]


def test_a_sweep_inside_finds_nothing_that_arm_accepts(logged_in_az, emulator, tmp_path):
    """For a service principal (client secret on disk) and a user (refresh token on disk)."""
    logged_in_az.run("group", "list")  # the parent holds a fresh ARM token in its cache
    secrets = _real_secrets(logged_in_az.config_dir)
    assert secrets
    out = tmp_path / "sweep.json"
    result = agent(logged_in_az, sys.executable, "-c", SWEEP_SCRIPT, str(out), str(logged_in_az.config_dir),
                   env={"AZURE_CLIENT_SECRET": data.DEPLOY_BOT.secret, "TOKENGUARD_VAULT_PASSPHRASE": "hunter2"})
    assert result.returncode == 0, result.stderr
    sweep = json.loads(out.read_text())
    assert sweep["parent_config"] == []  # a tmpfs over the parent's config dir
    assert len(sweep["pids"]) < 5  # its own PID namespace: no ancestor's /proc in sight
    everything = "\n".join(sweep["texts"])
    assert not [secret for secret in secrets + [data.DEPLOY_BOT.secret, "hunter2"] if secret in everything]
    tokens = set(JWT.findall(everything))
    assert tokens  # the placeholders at least
    assert {emulator.arm_get("/subscriptions?api-version=2022-12-01", token) for token in tokens} == {401}


def test_refusals_and_reads_are_audited_per_run(sp_az):
    result = agent(sp_az, "sh", "-c", f'{AZ_BIN} group list -o none; {AZ_BIN} group delete -n rg1 --yes; exit 7')
    assert result.returncode == 7  # the command's exit status comes back
    run = re.search(r"agent run ([0-9a-f]+)", result.stderr).group(1)
    records = sp_az.json("tokenguard", "audit", "show", "--run", run)
    assert {(r["decision"], r["class"]) for r in records} >= {("allowed", "read"), ("refused", "delete"),
                                                               ("allowed", "token")}
    assert all(r["run"] == run and r["how"] == "agent" for r in records)


def test_ask_mode_without_a_terminal_means_no(sp_az, emulator):
    # A new session has no controlling terminal, so the parent's question cannot be put: no.
    result = subprocess.run([AZ_BIN, "tokenguard", "agent", "--mode", "ask", "--", AZ_BIN, "group", "delete", "-n",
                             "rg1", "--yes"], env=sp_az.env, cwd=sp_az.env["HOME"], capture_output=True, text=True,
                            timeout=180, start_new_session=True, check=False)
    assert result.returncode != 0 and "not confirmed at the terminal" in result.stderr
    assert arm_changes(emulator) == []


def test_ask_mode_puts_each_write_to_the_terminal(sp_az, emulator):
    import pexpect
    session = pexpect.spawn(AZ_BIN, ["tokenguard", "agent", "--mode", "ask", "--", AZ_BIN, "group", "delete", "-n",
                                     "rg1", "--yes"], env={**sp_az.env, "TERM": "dumb"}, cwd=sp_az.env["HOME"],
                            encoding="utf-8", timeout=120, dimensions=(60, 400))
    session.expect("Allow this request\\? \\[y/N\\]")
    question = session.before
    assert f"DELETE /subscriptions/{SUBSCRIPTION}/resourcegroups/rg1" in question
    assert f"subscription: {data.SUBSCRIPTIONS[0].display_name} ({SUBSCRIPTION})" in question
    assert "agent command: " in question and "group delete -n rg1 --yes" in question
    session.sendline("y")
    session.expect(pexpect.EOF)
    session.close()
    assert session.exitstatus == 0
    assert [(e["method"], e["status"]) for e in emulator.requests(service="arm", method="DELETE")] == [("DELETE", 202)]
    assert sp_az.json("group", "list") == []


def test_without_bubblewrap_or_inside_an_agent_nothing_starts(sp_az, emulator):
    no_bwrap = agent(sp_az, "true", env={"PATH": str(Path(sys.executable).parent)})
    assert no_bwrap.returncode != 0 and "Traceback" not in no_bwrap.stderr
    assert "bubblewrap (bwrap) is not installed. The agent is not started without a sandbox." in no_bwrap.stderr
    assert "apt-get install bubblewrap" in no_bwrap.stderr
    nested = agent(sp_az, "true", env={"TOKENGUARD_AGENT": "1"})
    assert nested.returncode != 0 and "Already inside" in nested.stderr
    missing = sp_az.run("tokenguard", "agent", check=False)
    assert missing.returncode != 0 and "No command to run" in missing.stderr
    assert emulator.requests(service="arm") == []
