"""The guard in front of every az command, in real bash and zsh on a pseudo-terminal, against the emulator."""

import pytest

from tests.emulator import data
from tests.harness.shell import GuardedShell, run_guarded_script

PROD = data.CONTOSO_PROD
DEV = data.CONTOSO_DEV
REFUSED_BY_USER, REFUSED_NO_TERMINAL, REFUSED_BY_PIN = 41, 42, 43


@pytest.fixture(params=["bash", "zsh"])
def shell(request, user_az):
    guarded = GuardedShell(request.param, user_az.env)
    yield guarded
    guarded.close()


def deletes(emulator, subscription=DEV):
    return [r for r in emulator.requests(service="arm", method="DELETE")
            if subscription.subscription_id in r["path"]]


def test_a_delete_typed_at_the_shell_shows_the_context_and_asks(shell, emulator):
    shell.type_command("az group delete -n rg1")
    shown = shell.expect("Run it? [y/N] ")
    assert "tokenguard: DESTRUCTIVE command: az group delete -n rg1" in shown
    assert f"contoso-dev ({DEV.subscription_id})" in shown
    assert "Contoso" in shown and data.CONTOSO.tenant_id in shown
    assert "alice@contoso.example" in shown
    assert "rg1" in shown  # the target it can see
    shell.sendline("n")
    shell.until_prompt()
    assert shell.exit_status() == REFUSED_BY_USER
    assert deletes(emulator) == []  # answering no leaves ARM without a DELETE


def test_yes_lets_it_through_to_az_and_arm(shell, emulator):
    shell.type_command("az group delete -n rg1 --yes")
    shown = shell.expect("Run it? [y/N] ")
    assert "does not skip tokenguard" in shown
    shell.sendline("y")
    shell.until_prompt()
    assert shell.exit_status() == 0
    assert len(deletes(emulator)) == 1


def test_a_protected_subscription_needs_its_name_typed(shell, emulator):
    shell.run("az tokenguard protect --subscription '*-prod' -o none")
    shell.type_command("az group delete -n rg1 --subscription contoso-prod --yes")
    shown = shell.expect('Type its name "contoso-prod" to run it')
    assert f"contoso-prod ({PROD.subscription_id})" in shown  # --subscription changes what the prompt names
    assert f"contoso-dev ({DEV.subscription_id})" not in shown
    shell.sendline("y")  # a plain yes is not enough here
    shell.until_prompt()
    assert deletes(emulator, PROD) == []
    shell.type_command("az group delete -n rg1 --subscription contoso-prod --yes")
    shell.expect('Type its name "contoso-prod" to run it')
    shell.sendline("contoso-prod")
    shell.until_prompt()
    assert shell.exit_status() == 0
    assert len(deletes(emulator, PROD)) == 1


def test_az_output_is_byte_for_byte_the_same_with_the_guard(shell, user_az):
    home = user_az.env["HOME"]
    shell.run(f"az account show -o json > {home}/guarded.json")
    shell.run(f"command az account show -o json > {home}/plain.json")
    guarded = open(f"{home}/guarded.json", "rb").read()
    assert guarded == open(f"{home}/plain.json", "rb").read() and b'"contoso-dev"' in guarded
    shell.run("az group show -n nope -o json > /dev/null 2>&1")
    assert shell.exit_status() == 3  # az's own exit status comes through the function


def test_arguments_reach_az_unchanged(shell, user_az):
    home = user_az.env["HOME"]
    shell.run(f"printf '%s' contoso-prod > {home}/name.txt")
    query = """'[?name==`contoso-prod`].{"with space": name, "line\\nbreak": state}'"""
    for args in (f"account list --query {query} -o json", f"account show --subscription @{home}/name.txt -o json"):
        shell.run(f"az {args} > {home}/guarded.out")
        shell.run(f"command az {args} > {home}/plain.out")
        guarded = open(f"{home}/guarded.out", "rb").read()
        assert guarded == open(f"{home}/plain.out", "rb").read()
        assert b"contoso-prod" in guarded or b"Enabled" in guarded


def test_a_pinned_shell_refuses_another_subscription(shell, emulator):
    shell.run('eval "$(az tokenguard pin --subscription contoso-dev)"')
    out = shell.run("az group list --subscription contoso-prod -o none")
    assert shell.exit_status() == REFUSED_BY_PIN
    assert "pinned" in out
    assert "unset TOKENGUARD_EXPECT_SUBSCRIPTION" in out and "pin --clear" in out  # both ways to unpin
    assert not [r for r in emulator.requests(service="arm") if PROD.subscription_id in r["path"]]
    shell.run("az group list -o none")
    assert shell.exit_status() == 0
    shell.run('eval "$(az tokenguard pin --clear)"')
    shell.run("az group list --subscription contoso-prod -o none")
    assert shell.exit_status() == 0


def test_a_script_without_a_terminal_is_refused_unless_confirmed_for_that_subscription(user_az, emulator):
    refused = run_guarded_script(user_az, "az group delete -n rg1 --yes")
    assert refused.returncode == REFUSED_NO_TERMINAL
    assert "no terminal to confirm on" in refused.stderr and "TOKENGUARD_CONFIRM" in refused.stderr
    assert deletes(emulator) == []
    wrong = run_guarded_script(user_az, "az group delete -n rg1 --yes", TOKENGUARD_CONFIRM="contoso-prod")
    assert wrong.returncode == REFUSED_NO_TERMINAL and deletes(emulator) == []
    confirmed = run_guarded_script(user_az, "az group delete -n rg1 --yes", TOKENGUARD_CONFIRM=DEV.subscription_id)
    assert confirmed.returncode == 0, confirmed.stderr
    assert len(deletes(emulator)) == 1


def test_script_output_has_no_context_line_in_pipes(user_az):
    result = run_guarded_script(user_az, "az account show --query name -o tsv")
    assert result.stdout == "contoso-dev\n" and "tokenguard" not in result.stderr


@pytest.mark.parametrize("command", [
    "group delete -n rg1", "group create -n rg9 -l westus", "group list", "rest --method DELETE --url /x",
    "rest -m put --url /x", "account clear", "keyvault purge -n kv", "role assignment delete --ids x",
    "deployment group create -g rg1 --mode Complete --template-file t.json", "group show -n rg1 -h",
])
def test_classify_agrees_with_the_guard(user_az, command):
    expected = user_az.json("tokenguard", "classify", "--command", command)[0]["class"]
    result = run_guarded_script(user_az, f"az {command} -o none")
    asked = "no terminal to confirm on" in result.stderr
    assert asked == (expected == "destructive"), (command, expected, result.stderr)


@pytest.mark.parametrize("columns", [80, 120])
def test_the_context_line_fits_one_line_of_the_terminal(user_az, columns):
    shell = GuardedShell("bash", user_az.env, columns=columns)  # the guard measures the terminal
    try:
        shown = shell.run("az group list -o none")
    finally:
        shell.close()
    (line,) = [line for line in shown.splitlines() if line.startswith("az context: ")]
    assert len(line) <= columns, line
    assert DEV.display_name in line and "alice@contoso" in line
    assert DEV.subscription_id not in line  # ids give way first; `status` keeps them


def test_status_keeps_the_full_ids_the_narrow_line_leaves_out(user_az):
    shown = user_az.run("tokenguard", "status", "-o", "table", env={"COLUMNS": "80"}).stdout
    assert DEV.subscription_id in shown and data.CONTOSO.tenant_id in shown


def test_policy_reset_asks_once_for_the_protected_names_and_no_keeps_them(user_az):
    user_az.run("tokenguard", "protect", "--subscription", PROD.display_name)
    shell = GuardedShell("bash", user_az.env)
    try:
        shell.type_command("az tokenguard policy reset -o none")
        shown = shell.expect("(anything else cancels): ")
        assert f"policy reset lifts the protection of {PROD.display_name}. Type its name" in shown
        assert "Run it?" not in shown  # one question: the guard leaves it to the command
        shell.sendline("y")
        assert "Not confirmed; the policy was not changed." in shell.until_prompt()
        assert shell.exit_status() == REFUSED_BY_USER  # the guard's "no"
        assert user_az.json("tokenguard", "policy", "show")["protected"] == [PROD.display_name]
        shell.type_command("az tokenguard policy reset -o none")
        shell.expect("(anything else cancels): ")
        shell.sendline(PROD.display_name)
        shell.until_prompt()
        assert shell.exit_status() == 0
    finally:
        shell.close()
    policy = user_az.json("tokenguard", "policy", "show")
    assert policy["protected"] == []
    assert [p.name for p in (user_az.config_dir / "tokenguard").glob("policy.json*")] == ["policy.json"]


def test_policy_reset_without_a_terminal_needs_yes_or_the_names(user_az):
    user_az.run("tokenguard", "protect", "--subscription", PROD.display_name)
    refused = run_guarded_script(user_az, "az tokenguard policy reset")
    assert refused.returncode != 0
    assert f'Run with --yes, or set TOKENGUARD_CONFIRM="{PROD.display_name}"' in refused.stderr
    assert user_az.json("tokenguard", "policy", "show")["protected"] == [PROD.display_name]
    wrong = run_guarded_script(user_az, "az tokenguard policy reset", TOKENGUARD_CONFIRM=DEV.display_name)
    assert wrong.returncode != 0
    confirmed = run_guarded_script(user_az, "az tokenguard policy reset -o none",
                                   TOKENGUARD_CONFIRM=PROD.display_name)
    assert confirmed.returncode == 0, confirmed.stderr
    user_az.run("tokenguard", "protect", "--subscription", PROD.display_name)
    assert run_guarded_script(user_az, "az tokenguard policy reset --yes -o none").returncode == 0
    assert user_az.json("tokenguard", "policy", "show")["protected"] == []


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_one_question_per_command_az_gets_its_own_yes_after_tokenguard_asked(user_az, emulator, shell_name):
    shell = GuardedShell(shell_name, user_az.env)
    try:
        shell.type_command("az group delete -n rg1")
        shell.expect("Run it? [y/N] ")
        shell.sendline("y")
        shown = shell.until_prompt()
        assert "Are you sure" not in shown  # az's own question is answered: it was tokenguard's
        assert shell.exit_status() == 0
    finally:
        shell.close()
    assert len(deletes(emulator)) == 1


def test_a_script_confirmed_by_tokenguard_confirm_does_not_stop_at_azs_no_tty(user_az, emulator):
    result = run_guarded_script(user_az, "az group delete -n rg1", TOKENGUARD_CONFIRM=DEV.subscription_id)
    assert result.returncode == 0, result.stderr
    assert "no tty" not in result.stderr.lower()
    assert len(deletes(emulator)) == 1


def test_the_prompt_says_not_signed_in_after_az_logout(user_az):
    user_az.run("logout")
    shell = GuardedShell("bash", user_az.env)
    try:
        assert "<[az: not signed in] >" in shell.run('echo "<$(__tokenguard_prompt)>"')
        assert "context unknown: not signed in (run az login)" in shell.run("az group list -o none")
    finally:
        shell.close()
