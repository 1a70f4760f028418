"""Commands that destroy data without being called delete, and tokenguard's own unprotect, need confirmation."""
import pytest

from tests.emulator import data
from tests.harness.shell import GuardedShell, run_guarded_script

PROD = data.CONTOSO_PROD
DEV = data.CONTOSO_DEV
REFUSED_BY_USER, REFUSED_NO_TERMINAL = 41, 42

# Each one deletes, overwrites or cuts off data or access, and none is called delete.
NOT_CALLED_DELETE = [
    "storage blob sync -c site -s ./public --account-name contosoweb",  # --delete-destination defaults to true
    "netappfiles volume revert -g rg1 -a files -p pool1 -v vol1 -s snap1",
    "redis force-reboot -g rg1 -n cache1 --reboot-type AllNodes",
    "vm user reset-ssh -g rg1 -n vm1",
    "staticwebapp secrets reset-api-key -g rg1 -n site1",
    "storage account revoke-delegation-keys -g rg1 -n contosoweb",
    "disk revoke-access -g rg1 -n disk1",
    "eventhubs georecovery-alias fail-over -g rg1 --namespace-name ns1 -a alias1",
    "storage container lease break -c site --account-name contosoweb",
    "security alerts-suppression-rule delete_scope --rule-name r1 --field entities.ip",
    "vm simulate-eviction -g rg1 -n vm1",
    "cosmosdb offline-region -g rg1 -n db1 --region westus",
]


def protected_patterns(az):
    return az.json("tokenguard", "policy", "show")["protected"]


def test_classify_calls_each_of_them_destructive(user_az, tmp_path):
    script = tmp_path / "maintenance.sh"
    script.write_text("".join(f"az {command}\n" for command in NOT_CALLED_DELETE))
    results = user_az.json("tokenguard", "classify", "--file", str(script))
    assert [(r["line"], r["class"]) for r in results] == [
        (line, "destructive") for line in range(1, len(NOT_CALLED_DELETE) + 1)], results


def test_a_script_runs_none_of_them_unconfirmed(user_az, emulator):
    script = "".join(f'az {command} -o none; echo "status=$?"\n' for command in NOT_CALLED_DELETE)
    result = run_guarded_script(user_az, script)
    statuses = [int(line.split("=")[1]) for line in result.stdout.splitlines() if line.startswith("status=")]
    assert statuses == [REFUSED_NO_TERMINAL] * len(NOT_CALLED_DELETE), result.stderr
    assert result.stderr.count("no terminal to confirm on") == len(NOT_CALLED_DELETE)
    assert emulator.requests() == []  # az never ran: nothing reached ARM or anything else


def test_confirmed_for_the_subscription_it_does_reach_arm(user_az, emulator):
    # The witness above means something: confirmed, the same command does send its POST.
    command = "az redis force-reboot -g rg1 -n cache1 --reboot-type AllNodes -o none"
    run_guarded_script(user_az, command, TOKENGUARD_CONFIRM=DEV.subscription_id)
    posts = emulator.requests(method="POST")
    assert [r["path"] for r in posts if r["path"].lower().endswith("/forcereboot")], emulator.requests()


def test_force_reboot_typed_at_bash_asks_and_no_runs_nothing(user_az, emulator):
    shell = GuardedShell("bash", user_az.env)
    try:
        shell.type_command("az redis force-reboot -g rg1 -n cache1 --reboot-type AllNodes")
        shown = shell.expect("Run it? [y/N] ")
        assert "tokenguard: DESTRUCTIVE command: az redis force-reboot" in shown
        assert "force-reboot" in shown.split("why:")[1].splitlines()[0]
        shell.sendline("n")
        shell.until_prompt()
        assert shell.exit_status() == REFUSED_BY_USER
    finally:
        shell.close()
    assert emulator.requests() == []


def test_unprotect_in_a_script_needs_a_confirmation_for_that_subscription(user_az):
    user_az.run("tokenguard", "protect", "--subscription", "contoso-prod", "-o", "none")
    refused = run_guarded_script(user_az, "az tokenguard unprotect --subscription contoso-prod -o none")
    assert refused.returncode == REFUSED_NO_TERMINAL, refused.stderr
    assert "no terminal to confirm on" in refused.stderr
    assert protected_patterns(user_az) == ["contoso-prod"]  # a script cannot lift the protection silently
    confirmed = run_guarded_script(user_az, "az tokenguard unprotect --subscription contoso-prod -o none",
                                   TOKENGUARD_CONFIRM=PROD.subscription_id)
    assert confirmed.returncode == 0, confirmed.stderr
    assert protected_patterns(user_az) == []


@pytest.mark.parametrize("shell_name", ["bash", "zsh"])
def test_unprotect_typed_at_the_shell_needs_the_protected_name(user_az, shell_name):
    user_az.run("tokenguard", "protect", "--subscription", "contoso-prod", "-o", "none")
    shell = GuardedShell(shell_name, user_az.env)
    try:
        shell.type_command("az tokenguard unprotect --subscription contoso-prod -o none")
        shown = shell.expect('Type its name "contoso-prod" to run it')
        assert "tokenguard: DESTRUCTIVE command: az tokenguard unprotect --subscription contoso-prod" in shown
        shell.sendline("y")  # a plain yes is not enough to lift a protection
        shell.until_prompt()
        assert shell.exit_status() == REFUSED_BY_USER
    finally:
        shell.close()
    assert protected_patterns(user_az) == ["contoso-prod"]
