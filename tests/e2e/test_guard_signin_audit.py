"""The prompt segment, the device-code and CI sign-in guards, and the audit trail, against the emulator."""
import json

import pytest

from tests.emulator import data
from tests.harness.shell import GuardedShell, run_guarded_script

REFUSED_BY_USER, REFUSED_NO_TERMINAL, REFUSED_BY_PIN, REFUSED_BY_POLICY = 41, 42, 43, 46
DEV = data.CONTOSO_DEV


@pytest.fixture(params=["bash", "zsh"])
def shell(request, user_az):
    guarded = GuardedShell(request.param, {**user_az.env, "NO_COLOR": "1"})
    yield guarded
    guarded.close()


def segment(shell):
    return shell.run('echo "segment=<$__tokenguard_ps1>"').split("segment=<")[-1].split(">")[0]


def test_the_prompt_segment_follows_the_active_subscription(shell):
    shell.run("true")  # one prompt, so the segment has been computed
    assert segment(shell) == "[contoso-dev] "
    shell.run("az tokenguard protect --subscription '*-prod' -o none")
    shell.run("az account set --subscription contoso-prod")
    assert segment(shell) == "[contoso-prod!] "  # protected ("!" when colour is off; red otherwise)
    shell.run("az account set --subscription fabrikam-sandbox")
    assert segment(shell) == "[fabrikam-sandbox @Fabrikam] "  # not alice's home tenant


def prompt_shows(shell, line):
    """What the shell printed between running line and its next prompt, ending with the prompt's segment."""
    return shell.run(line).rstrip("\n")


def test_the_prompt_function_in_ps1_recomputes_only_on_change_and_follows_azure_config_dir(shell, user_az):
    # Without the precmd hook (as under a prompt framework that replaces PROMPT_COMMAND): the function alone.
    shell.run("setopt promptsubst; add-zsh-hook -d precmd __tokenguard_prompt_update" if shell.shell == "zsh"
              else "unset PROMPT_COMMAND")
    shell.run("PS1='$(__tokenguard_prompt)TG-''PROMPT> '; PROMPT=$PS1")
    assert prompt_shows(shell, "true").endswith("[contoso-dev] ")
    # With the guard's Python gone, an unchanged profile still shows the segment: nothing was run for it.
    shell.run("saved=$__tokenguard_python; __tokenguard_python=/nonexistent")
    assert prompt_shows(shell, "true").endswith("[contoso-dev] ")
    assert prompt_shows(shell, "true").endswith("[contoso-dev] ")
    shell.run(f"touch {user_az.config_dir}/azureProfile.json")  # a change: now it must ask the guard again
    assert not prompt_shows(shell, "true").endswith("] ")
    shell.run("__tokenguard_python=$saved")
    shell.run(f"touch {user_az.config_dir}/azureProfile.json")
    assert prompt_shows(shell, "true").endswith("[contoso-dev] ")
    empty = user_az.env["HOME"] + "/no-login"
    assert prompt_shows(shell, f"export AZURE_CONFIG_DIR={empty}").endswith("[az: not signed in] ")
    assert prompt_shows(shell, f"export AZURE_CONFIG_DIR={user_az.config_dir}").endswith("[contoso-dev] ")
    assert "$__tokenguard_ps1" not in prompt_shows(shell, "echo $PS1")  # shell-init left PS1 to the user


def devicecode_requests(emulator):
    return [r for r in emulator.requests(service="entra") if r["path"].endswith("/devicecode")]


def test_device_code_sign_in_warns_and_asks(shell, emulator):
    shell.type_command("az login --use-device-code -o none")
    shown = shell.expect("Did you start this sign-in yourself, on this machine? [y/N] ")
    assert "device code sign-in can be phished" in shown
    assert "continue only if you started this sign-in yourself, on this machine" in shown
    shell.sendline("n")
    shell.until_prompt()
    assert shell.exit_status() == REFUSED_BY_USER and devicecode_requests(emulator) == []
    shell.type_command("az login --use-device-code -o none")
    shell.expect("[y/N] ")
    shell.sendline("y")
    shell.expect("Type a number or Enter for no changes")  # az's own subscription picker: sign-in went through
    shell.sendline("")
    shell.until_prompt()
    assert shell.exit_status() == 0 and len(devicecode_requests(emulator)) == 1


def audit_records(az):
    log = az.config_dir / "tokenguard" / "audit.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_a_device_code_policy_of_deny_refuses_with_the_reason(user_az, emulator):
    user_az.run("tokenguard", "policy", "set", "--device-code", "deny")
    result = run_guarded_script(user_az, "az login --use-device-code")
    assert result.returncode == REFUSED_BY_POLICY
    assert "device code sign-in is forbidden on this machine" in result.stderr
    assert devicecode_requests(emulator) == []
    assert [(r["decision"], r["how"]) for r in audit_records(user_az)] == [("refused", "device-code policy")]


def test_device_code_without_a_terminal_needs_an_explicit_go_ahead(user_az, emulator):
    refused = run_guarded_script(user_az, "az login --use-device-code -o none", CI="true")
    assert refused.returncode == REFUSED_NO_TERMINAL and "TOKENGUARD_ALLOW_DEVICE_CODE=1" in refused.stderr
    assert "can be phished" in refused.stderr and devicecode_requests(emulator) == []
    allowed = run_guarded_script(user_az, "az login --use-device-code -o none", TOKENGUARD_ALLOW_DEVICE_CODE="1")
    assert allowed.returncode == 0 and len(devicecode_requests(emulator)) == 1
    assert [(r["decision"], r["how"]) for r in audit_records(user_az)] == [
        ("refused", "no terminal"), ("confirmed", "TOKENGUARD_ALLOW_DEVICE_CODE")]


def test_answers_at_the_terminal_are_recorded(shell, user_az):
    shell.type_command("az group delete -n rg1 --yes --no-wait")
    shell.expect("Run it? [y/N] ")
    shell.sendline("n")
    shell.until_prompt()
    shell.type_command("az group delete -n rg1 --yes --no-wait")
    shell.expect("Run it? [y/N] ")
    shell.sendline("y")
    shell.until_prompt()
    assert shell.exit_status() == 0
    shell.type_command("az login --use-device-code -o none")
    shell.expect("[y/N] ")
    shell.sendline("n")
    shell.until_prompt()
    records = audit_records(user_az)
    assert [(r["decision"], r["how"], r["command"]) for r in records] == [
        ("refused", "answered at the terminal", "az group delete -n rg1 --yes --no-wait"),
        ("confirmed", "answered at the terminal", "az group delete -n rg1 --yes --no-wait"),
        ("refused", "answered at the terminal", "az login --use-device-code -o none")]
    assert all(r["subscription"] == "contoso-dev" and r["identity"] == "alice@contoso.example" for r in records)


def test_a_user_login_on_a_ci_agent_is_warned_about_then_refused_by_policy(user_az, sp_az):
    warned = run_guarded_script(user_az, "az group list -o none", GITHUB_ACTIONS="true")
    assert warned.returncode == 0
    assert "user (alice@contoso.example) is signed in on a CI agent (GITHUB_ACTIONS is set)" in warned.stderr
    assert "service principal, a managed identity or workload identity federation" in warned.stderr
    status = user_az.run("tokenguard", "status", env={"TF_BUILD": "True"})
    assert "signed in on a CI agent" in status.stderr and status.json()["identity"]["type"] == "user"
    assert "CI agent" not in run_guarded_script(sp_az, "az group list -o none", CI="true").stderr  # SPs are fine

    user_az.run("tokenguard", "policy", "set", "--ci-user-login", "deny")
    refused = run_guarded_script(user_az, "az group list -o none", CI="true")
    assert refused.returncode == REFUSED_BY_POLICY and "refused: a user" in refused.stderr
    status = user_az.run("tokenguard", "status", check=False, env={"CI": "true"})
    assert status.returncode != 0 and "signed in on a CI agent" in status.stderr and "Traceback" not in status.stderr
    assert run_guarded_script(user_az, "az group list -o none").returncode == 0  # not on CI: no rule applies


def test_every_decision_lands_in_the_audit_log_with_secrets_redacted(user_az):
    run_guarded_script(user_az, "az group delete -n rg1 --yes")
    run_guarded_script(user_az, "az group delete -n rg1 --yes", TOKENGUARD_CONFIRM=DEV.subscription_id)
    run_guarded_script(user_az, "az group list --subscription contoso-prod", TOKENGUARD_EXPECT_SUBSCRIPTION=DEV.subscription_id)
    run_guarded_script(user_az, "az vm delete -g rg1 -n vm1 --password Hunter2-Secret --admin-password=Pw2-Secret --yes")
    log = user_az.config_dir / "tokenguard" / "audit.log"
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["decision"], r["how"]) for r in records] == [
        ("refused", "no terminal"), ("confirmed", "TOKENGUARD_CONFIRM"), ("refused", "pin"), ("refused", "no terminal")]
    assert records[0]["subscription"] == "contoso-dev" and records[0]["tenantId"] == data.CONTOSO.tenant_id
    assert records[0]["command"] == "az group delete -n rg1 --yes"
    assert "Hunter2-Secret" not in log.read_text() and "Pw2-Secret" not in log.read_text()
    assert "--password '***' '--admin-password=***'" in records[3]["command"]

    refused = user_az.json("tokenguard", "audit", "show", "--since", "1h", "--decision", "refused")
    assert len(refused) == 3 and {r["decision"] for r in refused} == {"refused"}
    table = user_az.run("tokenguard", "audit", "show", "--since", "1h", "--decision", "refused", "-o", "table").stdout
    assert table.splitlines()[0].split() == ["Time", "Decision", "How", "Subscription", "Command"]
    assert len(table.splitlines()) == 2 + 3 and "pin" in table and "TOKENGUARD_CONFIRM" not in table
    assert "Hunter2-Secret" not in table
    assert user_az.json("tokenguard", "audit", "show", "--since", "2099-01-01T00:00:00Z") == []


def test_a_corrupt_or_huge_audit_log_never_breaks_the_guard(user_az):
    log = user_az.config_dir / "tokenguard" / "audit.log"
    log.parent.mkdir(mode=0o700, exist_ok=True)
    log.write_bytes(b"\x00garbage\n{not json\n" + b"x" * (2 * 1024 * 1024))
    result = run_guarded_script(user_az, "az group delete -n rg1 --yes", TOKENGUARD_CONFIRM="contoso-dev")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    rotated = log.with_name("audit.log.1")
    assert rotated.exists() and json.loads(log.read_text())["decision"] == "confirmed"  # rotated at the limit
    shown = user_az.run("tokenguard", "audit", "show")
    assert "Skipped" in shown.stderr and len(shown.json()) == 1
