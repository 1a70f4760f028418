"""Issue 22: read-only mode by the requests az really sends, and the secret class, with the real az 2.91 and the
emulator's request log as the witness."""
import json

import pytest

from tests.emulator import data
from tests.harness.shell import run_guarded_script

DEV, PROD = data.CONTOSO_DEV, data.CONTOSO_PROD
REFUSED_NO_TERMINAL, REFUSED_READ_ONLY = 42, 47

# Each says "read" by its words; each starts work, changes a setting or hands out a credential.
REFUSED = [
    "sql db export -g rg1 -s sql1 -n db1 --storage-key-type StorageAccessKey --storage-key k0 "
    "--storage-uri https://contosoweb.blob.core.windows.net/bak/db1.bacpac --admin-user dba --admin-password pw0",
    "redis export -g rg1 -n cache1 --prefix nightly --container https://contosoweb.blob.core.windows.net/bak",
    "webapp log config -g rg1 -n app1 --application-logging filesystem",
    "aks get-credentials -g rg1 -n aks1",
    "storage account keys list -g rg1 -n contosoweb",
    "account get-access-token",
]
# Reads, one of them a POST action that only reads (a name check).
ALLOWED = [
    ("group list", "GET", "/resourcegroups"),
    ("vm show -g rg1 -n vm1", "GET", "/virtualmachines/vm1"),
    ("resource list", "GET", "/resources"),
    ("eventhubs namespace exists --name contoso-events", "POST", "/checknameavailability"),
]


def _script(commands):
    return "".join(f'az {command} -o none; echo "status=$?"\n' for command in commands)


def _statuses(result):
    return [int(line.split("=")[1]) for line in result.stdout.splitlines() if line.startswith("status=")]


def test_read_only_mode_refuses_them_and_nothing_is_sent(user_az, emulator):
    result = run_guarded_script(user_az, _script(REFUSED), TOKENGUARD_MODE="read-only")
    assert _statuses(result) == [REFUSED_READ_ONLY] * len(REFUSED), result.stderr
    refusals = [line for line in result.stderr.splitlines() if line.startswith("tokenguard: refused: read-only")]
    assert len(refusals) == len(REFUSED), result.stderr
    assert sum("returns credentials" in line for line in refusals) == 3  # aks, storage keys, access token
    assert "--allow-secrets true" in refusals[-1]
    assert emulator.requests() == []  # az never ran: nothing reached ARM, Entra ID or anything else


def test_read_only_mode_lets_reads_and_a_read_only_post_through(user_az, emulator):
    commands = [command for command, _method, _path in ALLOWED]
    result = run_guarded_script(user_az, _script(commands), TOKENGUARD_MODE="read-only")
    assert _statuses(result) == [0] * len(ALLOWED), result.stderr
    sent = [(r["method"], r["path"].lower()) for r in emulator.requests(service="arm")]
    for _command, method, path in ALLOWED:
        assert any(m == method and p.endswith(path) for m, p in sent), (path, sent)
    assert {m for m, _p in sent} <= {"GET", "POST"}  # nothing was changed
    assert all(p.endswith("/checknameavailability") for m, p in sent if m == "POST")


def test_classify_reports_the_secret_class_and_the_decision(user_az):
    text = "az storage account keys list -n contosoweb; az aks get-credentials -g rg1 -n aks1; az group list"
    result = user_az.run("tokenguard", "classify", "--command", text, "-o", "json", check=False,
                         env={"TOKENGUARD_MODE": "read-only"})
    assert result.returncode == REFUSED_READ_ONLY
    found = [(e["class"], e["decision"]) for e in result.json()]
    assert found == [("secret", "deny"), ("secret", "deny"), ("read", "allow")]
    assert "returns credentials" in result.json()[0]["reason"]


def test_allowing_secrets_needs_a_confirmed_command_and_then_read_only_mode_runs_them(user_az):
    user_az.run("tokenguard", "policy", "set", "--mode", "read-only", "-o", "none")
    # In read-only mode the policy cannot be changed through the guard at all; outside it, only confirmed.
    refused = run_guarded_script(user_az, "az tokenguard policy set --allow-secrets true -o none")
    assert refused.returncode == REFUSED_READ_ONLY, refused.stderr
    # Nothing in read-only mode lifts it: a person edits the policy file, outside the agent's session.
    policy_file = user_az.config_dir / "tokenguard" / "policy.json"
    policy_file.write_text(json.dumps({**json.loads(policy_file.read_text()), "mode": "normal"}))
    unconfirmed = run_guarded_script(user_az, "az tokenguard policy set --allow-secrets true -o none")
    assert unconfirmed.returncode == REFUSED_NO_TERMINAL, unconfirmed.stderr
    assert user_az.json("tokenguard", "policy", "show")["allowSecrets"] is False
    confirmed = run_guarded_script(user_az, "az tokenguard policy set --allow-secrets true -o none",
                                   TOKENGUARD_CONFIRM=DEV.subscription_id)
    assert confirmed.returncode == 0, confirmed.stderr
    assert user_az.json("tokenguard", "policy", "show")["allowSecrets"] is True
    result = run_guarded_script(user_az, "az account get-access-token --query tokenType -o tsv",
                                TOKENGUARD_MODE="read-only")
    assert result.returncode == 0 and result.stdout == "Bearer\n", result.stderr  # az ran and gave the token
    still = run_guarded_script(user_az, _script([REFUSED[2]]), TOKENGUARD_MODE="read-only")
    assert _statuses(still) == [REFUSED_READ_ONLY]  # allowing secrets allows no write


@pytest.mark.parametrize("command", ["aks get-credentials -g rg1 -n aks1"])
def test_in_a_protected_subscription_a_secret_needs_confirmation(user_az, emulator, command):
    user_az.run("tokenguard", "protect", "--subscription", DEV.display_name, "-o", "none")
    result = run_guarded_script(user_az, f"az {command} -o none")
    assert result.returncode == REFUSED_NO_TERMINAL, result.stderr
    assert 'refused secret command "aks get-credentials"' in result.stderr
    assert emulator.requests(service="arm") == []
