"""`az tokenguard exec`: the command it wraps, and the resources it may get tokens for.

How stock clients fare over several token lifetimes, and the endpoint's protocol details: test_exec_clients.py.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

JOB = Path(__file__).resolve().parents[1] / "clients" / "python_job.py"


def test_the_childs_exit_code_comes_back_and_verbose_never_shows_a_token(sp_az, emulator):
    result = sp_az.run("tokenguard", "exec", "--verbose", "--", sys.executable, str(JOB), "azure-identity", "loop",
                       "2", "3", check=False, env={"TG_TEST_ARM_URL": emulator.url})
    assert result.returncode == 3, result.stderr  # the child's exit code comes back through exec
    report = json.loads(result.stdout)
    assert report["calls"] and set(report["calls"]) == {200}
    assert "Token endpoint for the child listens on http://127.0.0.1:" in result.stderr
    assert "Issued a token for https://management.azure.com, valid until" in result.stderr
    assert "eyJ" not in result.stderr  # --verbose names resource and expiry, never the token


def test_exec_refuses_nesting_and_needs_a_command(sp_az):
    missing = sp_az.run("tokenguard", "exec", check=False)
    assert missing.returncode != 0 and "No command to run" in missing.stderr
    nested = sp_az.run("tokenguard", "exec", "--", "true", check=False, env={"TOKENGUARD_EXEC": "1"})
    assert nested.returncode != 0 and "Already inside" in nested.stderr


def test_exec_allow_list_refuses_other_resources(sp_az):
    script = ("import os, urllib.request, urllib.error\n"
              "def get(resource):\n"
              "    url = os.environ['IDENTITY_ENDPOINT'] + '?api-version=2019-08-01&resource=' + resource\n"
              "    request = urllib.request.Request(url, headers={'X-IDENTITY-HEADER': os.environ['IDENTITY_HEADER']})\n"
              "    try:\n"
              "        return urllib.request.urlopen(request).status\n"
              "    except urllib.error.HTTPError as error:\n"
              "        return error.code\n"
              "print(get('https://vault.azure.net'), get('https://graph.microsoft.com'))\n")
    result = sp_az.run("tokenguard", "exec", "--resource", "keyvault", "--", sys.executable, "-c", script)
    assert result.stdout.split() == ["200", "403"]


# A child that reads the initial environment of every ancestor it may read (/proc/<pid>/environ), up to pid 1,
# and prints, per ancestor, whether it could read it and which of the given values it found there.
ANCESTOR_ENVIRONS = """
import json, os, sys
secrets = sys.argv[1:]
found, pid = [], os.getppid()
while pid > 1:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            environ = handle.read().decode("utf-8", "replace")
        read = True
    except OSError:
        environ, read = "", False
    with open(f"/proc/{pid}/stat") as handle:
        parent = int(handle.read().rsplit(")", 1)[1].split()[1])
    found.append({"pid": pid, "read": read, "found": [s for s in secrets if s in environ]})
    pid = parent
print(json.dumps(found))
"""
PASSPHRASE = "correct horse battery staple"
SECRETS = {"TOKENGUARD_VAULT_PASSPHRASE": PASSPHRASE, "AZURE_CLIENT_SECRET": "not-for-the-child-1",
           "AZURE_PASSWORD": "not-for-the-child-2"}


def ancestors_holding_secrets(result):
    ancestors = json.loads(result.stdout)
    assert ancestors and ancestors[0]["read"], ancestors  # az, exec's parent, was read
    return [a for a in ancestors if a["found"]]


def test_exec_s_child_finds_no_passphrase_in_any_ancestor_s_environ(sp_az):
    """/proc/<pid>/environ shows a process's environment as it was started: exec starts itself again without
    the passphrase (and the other secret-valued variables) before it starts the child."""
    result = sp_az.run("tokenguard", "exec", "--", sys.executable, "-c", ANCESTOR_ENVIRONS, *SECRETS.values(),
                       env=SECRETS)
    assert ancestors_holding_secrets(result) == []


def test_through_the_shim_the_child_finds_no_passphrase_either(sp_az, tmp_path):
    """The shim executes az in its own process: the same pid, whose environ must not show it either."""
    directory = tmp_path / "shim"
    sp_az.run("tokenguard", "shell-init", "--shim", str(directory))
    env = {**sp_az.env, **SECRETS, "PATH": f"{directory}{os.pathsep}{sp_az.env['PATH']}"}
    result = subprocess.run([str(directory / "az"), "tokenguard", "exec", "--", sys.executable, "-c",
                             ANCESTOR_ENVIRONS, *SECRETS.values()], capture_output=True, text=True, env=env,
                            cwd=sp_az.env["HOME"], timeout=180, check=True)
    assert ancestors_holding_secrets(result) == []


AZURE_MGMT_CLIENT = """import os, sys
from azure.identity import ManagedIdentityCredential
from azure.mgmt.resource.subscriptions import SubscriptionClient
# The client's own default scope, https://management.azure.com/.default, as in real Azure.
client = SubscriptionClient(ManagedIdentityCredential(), base_url=sys.argv[1],
                            connection_verify=os.environ['REQUESTS_CA_BUNDLE'])
print(sorted(s.display_name for s in client.subscriptions.list()))
"""


def test_exec_resource_arm_serves_an_azure_mgmt_client_asking_for_management_azure_com(sp_az, emulator):
    result = sp_az.run("tokenguard", "exec", "--resource", "arm", "--verbose", "--", sys.executable, "-c",
                       AZURE_MGMT_CLIENT, emulator.url, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['contoso-dev', 'contoso-prod']"
    assert "Issued a token for https://management.azure.com, valid until" in result.stderr
    subscriptions_calls = [r for r in emulator.requests(service="arm") if r["path"] == "/subscriptions"]
    assert subscriptions_calls  # the client reached ARM with the token exec gave it


def test_exec_without_double_dash_says_where_the_command_goes(sp_az):
    result = sp_az.run("tokenguard", "exec", sys.executable, "-c", "print(1)", check=False)
    assert result.returncode == 2
    assert ("'-c' is not an option of az tokenguard exec: put the command to run after --, e.g. "
            "az tokenguard exec -- python3 -c '...'") in result.stderr


# The child's own az, tried the ways a script or an SDK runs it; each line says the exit status and output.
CHILD_AZ_TRIES = """
try() { out=$("$@" 2>&1); echo "$? $*: $out"; }
try az account get-access-token
try az ACCOUNT Get-Access-Token --resource https://vault.azure.net
try az account get-access-token --query accessToken -o tsv
try az account show --query user.name -o tsv
echo "first on PATH: ${PATH%%:*}"
"""


def test_the_childs_az_refuses_get_access_token_in_any_spelling_and_runs_the_rest(user_az, emulator):
    """An older DefaultAzureCredential's fallback, az account get-access-token, gets no token of the user's."""
    granted = len([r for r in emulator.requests(service="entra") if r.get("grant_type")])
    result = user_az.run("tokenguard", "exec", "--verbose", "--", "sh", "-c", CHILD_AZ_TRIES)
    assert "The child's PATH starts with exec's own az (and azd, when there is one)" in result.stderr
    lines = result.stdout.splitlines()
    refusal = "az tokenguard exec refused 'az account get-access-token' in its child"
    assert [line.split(": ", 1)[0] for line in lines[:3]] == [
        "1 az account get-access-token", "1 az ACCOUNT Get-Access-Token --resource https://vault.azure.net",
        "1 az account get-access-token --query accessToken -o tsv"]
    assert all(refusal in line and "eyJ" not in line for line in lines[:3])
    assert lines[3] == "0 az account show --query user.name -o tsv: alice@contoso.example"  # the real az
    assert len([r for r in emulator.requests(service="entra") if r.get("grant_type")]) == granted
    child_directory = lines[4].split(": ", 1)[1]
    assert "tokenguard-exec-" in child_directory and not os.path.exists(child_directory)  # removed at the end


def test_the_childs_azd_refuses_auth_token_and_only_when_there_is_an_azd(sp_az, tmp_path):
    """AzureDeveloperCliCredential runs azd auth token; a stand-in azd plays the user's signed-in azd."""
    stand_in = tmp_path / "bin" / "azd"
    stand_in.parent.mkdir()
    stand_in.write_text('#!/bin/sh\necho "the real azd: $*"\n')
    stand_in.chmod(0o700)
    tries = "try azd auth token --output json --scope https://vault.azure.net/.default; try azd version"
    path = f"{sp_az.env['PATH']}{os.pathsep}{stand_in.parent}"
    result = sp_az.run("tokenguard", "exec", "--", "sh", "-c", CHILD_AZ_TRIES.split("\n")[1] + "\n" + tries,
                       env={"PATH": path})
    refused, passed = result.stdout.splitlines()
    assert refused.startswith("1 azd auth token") and "az tokenguard exec refused 'azd auth token'" in refused
    assert passed == "0 azd version: the real azd: version"
    without = sp_az.run("tokenguard", "exec", "--", "sh", "-c", "command -v azd || echo none")
    assert without.stdout.strip() == "none"  # no azd on PATH: the child gets none either


def test_with_the_shim_first_on_path_the_childs_az_is_still_guarded(sp_az, tmp_path):
    """The child's az runs the az that PATH found, here the shim: a delete is still confirmed, not let through."""
    directory = tmp_path / "shim"
    sp_az.run("tokenguard", "shell-init", "--shim", str(directory))
    env = {**sp_az.env, "PATH": f"{directory}{os.pathsep}{sp_az.env['PATH']}"}
    script = "az group delete --name rg-app --yes; echo $?; az account get-access-token; echo $?"
    result = subprocess.run([str(directory / "az"), "tokenguard", "exec", "--", "sh", "-c", script],
                            capture_output=True, text=True, env=env, cwd=sp_az.env["HOME"], timeout=180,
                            stdin=subprocess.DEVNULL, check=True)
    deleted, token = result.stdout.split()
    assert deleted != "0" and 'refused destructive command "group delete"' in result.stderr
    assert token == "1" and "az tokenguard exec refused 'az account get-access-token'" in result.stderr
