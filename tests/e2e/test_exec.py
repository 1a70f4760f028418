"""`az tokenguard exec`: a long job using azure-identity keeps getting fresh tokens from a local endpoint."""
import json
import sys
from pathlib import Path

from tests.conftest import login

CHILD = Path(__file__).with_name("exec_child.py")


def test_a_three_minute_job_with_70_second_tokens_never_fails(new_az, emulator):
    emulator.set_token_lifetime(70)
    az = new_az()
    login(az, "servicePrincipal")
    result = az.run("tokenguard", "exec", "--min-validity", "60s", "--verbose", "--",
                    sys.executable, str(CHILD), "185", "3", check=False, env={"TG_TEST_ARM_URL": emulator.url},
                    timeout=400)
    assert result.returncode == 3, result.stderr  # the child's exit code comes back through exec
    report = json.loads(result.stdout)
    assert len(report["calls"]) >= 30 and set(report["calls"]) == {200}
    assert report["without_header"] == 401
    assert report["endpoint"].startswith("http://127.0.0.1:")
    issued = [line for line in result.stderr.splitlines() if "Issued a token for https://management.azure.com" in line]
    assert len(issued) >= 3  # 70-second tokens were renewed along the way
    token_requests = [r for r in emulator.requests(service="entra") if r.get("grant_type") == "client_credentials"]
    assert len(token_requests) >= 3
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
