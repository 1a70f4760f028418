"""The guard reads options as az's own parser does (az's option table, guard/options.py), against the real az:
an abbreviation counts as the one option it abbreviates for that command, a command word may come from a
file, and the emulator's request log proves that no DELETE reached ARM unconfirmed."""
import pytest

from tests.e2e.test_context_truth import REFUSED_NO_TERMINAL, assert_named_where_az_went, observe, rid
from tests.e2e.test_guard_signin_audit import audit_records, devicecode_requests
from tests.emulator import data
from tests.harness.shell import GuardedShell, run_guarded_script

DEV, PROD = data.CONTOSO_DEV, data.CONTOSO_PROD
REFUSED_BY_USER, REFUSED_BY_POLICY = 41, 46


@pytest.fixture
def bash(user_az):
    shell = GuardedShell("bash", user_az.env)
    yield shell
    shell.close()


def deletes(emulator):
    return list(emulator.requests(service="arm", method="DELETE"))


@pytest.mark.parametrize("method", ["--m delete", "--me=DELETE", "--method delete"])
def test_az_rest_with_an_abbreviated_method_delete_is_confirmed(bash, user_az, emulator, method):
    """`--m` is `az rest`'s --method (its only option starting so): a DELETE, asked for like one."""
    url = f"/subscriptions/{DEV.subscription_id}/resourcegroups/rg1?api-version=2024-11-01"
    bash.type_command(f"az rest {method} --url '{url}'")
    shown = bash.expect("Run it? [y/N] ")
    assert "tokenguard: DESTRUCTIVE command: az rest" in shown and "az rest --method DELETE" in shown
    assert f"contoso-dev ({DEV.subscription_id})" in shown
    bash.sendline("n")
    bash.until_prompt()
    assert bash.exit_status() == REFUSED_BY_USER and deletes(emulator) == []
    refused = run_guarded_script(user_az, f"az rest {method} --url '{url}'")
    assert refused.returncode == REFUSED_NO_TERMINAL and deletes(emulator) == []
    confirmed = run_guarded_script(user_az, f"az rest {method} --url '{url}'",
                                   TOKENGUARD_CONFIRM=DEV.subscription_id)
    assert confirmed.returncode == 0, confirmed.stderr
    assert [r["path"].lower() for r in deletes(emulator)] == [url.split("?", maxsplit=1)[0].lower()]


@pytest.mark.parametrize("option", ["--resource-id", "--res", "--resource-id="])
def test_tag_delete_on_a_resource_of_another_subscription_names_that_one(bash, user_az, emulator, option):
    """The shell's default is contoso-dev; the resource is in contoso-prod, and so is the DELETE."""
    target = rid(PROD)
    spelled = f"{option}{target}" if option.endswith("=") else f"{option} {target}"
    bash.type_command(f"az tag delete {spelled} --yes")
    shown = bash.expect("Run it? [y/N] ")
    assert f"contoso-prod ({PROD.subscription_id})" in shown, shown
    assert DEV.subscription_id not in shown.split("DESTRUCTIVE command:")[1].split("\n", 1)[1]
    bash.sendline("n")
    bash.until_prompt()
    assert bash.exit_status() == REFUSED_BY_USER and deletes(emulator) == []
    refused = observe(user_az, emulator, f"az tag delete {spelled} --yes", TOKENGUARD_CONFIRM=DEV.display_name)
    assert refused.returncode == REFUSED_NO_TERMINAL and refused.landed == []
    confirmed = observe(user_az, emulator, f"az tag delete {spelled} --yes", TOKENGUARD_CONFIRM=PROD.display_name)
    assert confirmed.returncode == 0, confirmed.stderr
    assert_named_where_az_went(confirmed, PROD)
    assert [r["path"].lower() for r in deletes(emulator)] == [
        f"{target}/providers/Microsoft.Resources/tags/default".lower()]


@pytest.mark.parametrize("spelling", ["--s contoso-prod", "--su=contoso-prod"])
def test_an_abbreviated_subscription_of_a_delete_is_where_it_lands(user_az, emulator, spelling):
    refused = observe(user_az, emulator, f"az group delete -n rg1 --yes {spelling}",
                      TOKENGUARD_CONFIRM=DEV.display_name)
    assert refused.returncode == REFUSED_NO_TERMINAL and refused.landed == []
    confirmed = observe(user_az, emulator, f"az group delete -n rg1 --yes {spelling}",
                        TOKENGUARD_CONFIRM=PROD.display_name)
    assert confirmed.returncode == 0, confirmed.stderr
    assert_named_where_az_went(confirmed, PROD)


def test_an_ambiguous_abbreviation_is_context_unknown_and_az_runs_nothing(user_az, emulator):
    """`--n` is --name or --no-wait in `group delete`: argparse refuses it, and the guard does not pretend."""
    observed = observe(user_az, emulator, "az group delete --n rg1 --yes", TOKENGUARD_CONFIRM=DEV.display_name)
    assert observed.unknown and "--n is ambiguous for az group delete" in observed.line
    assert observed.returncode == REFUSED_NO_TERMINAL and observed.landed == []


@pytest.mark.parametrize("flag", ["--use-device-code", "--use-d"])
def test_device_code_sign_in_named_through_a_file_is_refused_by_policy(user_az, emulator, flag):
    """az reads `@file` before it looks up the command: a file holding `login` makes this az login."""
    user_az.run("tokenguard", "policy", "set", "--device-code", "deny")
    result = run_guarded_script(user_az, f"printf 'login\\n' > $HOME/l; az @$HOME/l {flag}")
    assert result.returncode == REFUSED_BY_POLICY, result.stderr
    assert "device code sign-in is forbidden on this machine" in result.stderr
    assert devicecode_requests(emulator) == []
    assert [(r["decision"], r["how"]) for r in audit_records(user_az)] == [("refused", "device-code policy")]
