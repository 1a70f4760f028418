"""The context line never names a place az does not go: the guard against the real az, case by case.

Each case runs one az command through the guard (bash, no terminal, context line on), lets az run, and
compares the subscription and tenant the guard named with those of the ARM requests az made (the
emulator's request log is the witness). Where az cannot run (an unknown subscription, a malformed id, a
cloud without accounts) the guard must say "context unknown", never a subscription.
"""
import re
from dataclasses import dataclass, field

import pytest

from tests.conftest import login
from tests.emulator import data
from tests.harness.shell import run_guarded_script

DEV, PROD, SANDBOX = data.CONTOSO_DEV, data.CONTOSO_PROD, data.FABRIKAM_SANDBOX
REFUSED_NO_TERMINAL = 42
REFUSED_BY_SELECTION = 43
CONTEXT = re.compile(r"^az context: (.*)$", re.MULTILINE)
NAMED = re.compile(r"(?:^| \| )(tenant|subscription|also subscription) [^|]*?\(?([0-9a-f-]{36})\)?(?: \[PROTECTED\])?(?= \||$)")
SUBSCRIPTION_IN_PATH = re.compile(r"^/subscriptions/([^/]+)(/.*)?$")
PROVIDER_LOOKUP = re.compile(r"^/subscriptions/[^/]+/providers/[^/]+$")
GROUP = "resourceGroups/rg1"


def rid(subscription, name="w1"):
    return f"/subscriptions/{subscription.subscription_id}/{GROUP}/providers/Microsoft.Web/sites/{name}"


@dataclass
class Observed:
    line: str
    unknown: bool
    tenant: str = ""
    subscriptions: list = field(default_factory=list)  # the one named first, then "also subscription"
    landed: list = field(default_factory=list)          # (subscription, tenant) of each ARM request
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""


def observe(az, emulator, command, **env):
    """Run `command` (a bash line holding one guarded az call) and read what the guard named and where az went."""
    emulator.reset()
    result = run_guarded_script(az, command, TOKENGUARD_CONTEXT_LINE="always", **env)
    lines = CONTEXT.findall(result.stderr)
    assert len(lines) == 1, result.stderr  # one context line for one command
    line = lines[0]
    observed = Observed(line, line.startswith("context unknown"), returncode=result.returncode,
                        stdout=result.stdout, stderr=result.stderr)
    for label, value in NAMED.findall(line):
        if label == "tenant":
            observed.tenant = value
        elif not observed.unknown:
            observed.subscriptions.append(value)
    for request in emulator.requests():
        match = SUBSCRIPTION_IN_PATH.match(request["path"].lower())
        # az resource looks up the provider's api-versions in the current subscription first: metadata only.
        if request["service"] != "entra" and match and not PROVIDER_LOOKUP.match(request["path"].lower()):
            observed.landed.append((match.group(1), request.get("tenant")))
    return observed


def assert_named_where_az_went(observed, subscription, tenant=None, also=()):
    """The guard named `subscription` (and `also`), and every ARM request az made went there."""
    expected = [subscription.subscription_id] + [s.subscription_id for s in also]
    assert not observed.unknown, observed.stderr
    assert observed.subscriptions == expected, observed.line
    tenant = tenant or subscription.tenant_id
    assert observed.tenant == tenant, observed.line
    assert observed.landed, f"az made no ARM request: {observed.stderr}"
    assert {sub for sub, _tenant in observed.landed} <= set(expected), (observed.line, observed.landed)
    primary_tenants = {t for sub, t in observed.landed if sub == subscription.subscription_id}
    assert primary_tenants == {tenant}, (observed.line, observed.landed)


def assert_unknown_and_az_went_nowhere(observed):
    assert observed.unknown and observed.subscriptions == [], observed.line
    assert observed.landed == [], observed.landed


# ------------------------------------------------------------------ the subscription option

SUBSCRIPTION_SPELLINGS = {
    "by name": f"--subscription {PROD.display_name}",
    "by id": f"--subscription {PROD.subscription_id}",
    "name in upper case": f"--subscription {PROD.display_name.upper()}",
    "id in upper case": f"--subscription {PROD.subscription_id.upper()}",
    "with =": f"--subscription={PROD.display_name}",
    "abbreviated --s": f"--s {PROD.display_name}",
    "abbreviated --su": f"--su {PROD.display_name}",
    "abbreviated --subscr=": f"--subscr={PROD.subscription_id}",
    "given twice, last wins": f"--subscription {DEV.display_name} --subscription {PROD.display_name}",
    "before the command's own options": f"--subscription {PROD.display_name} --query name",
    "from @file": "--subscription @$HOME/sub.txt",
    "from =@file": "--subscription=@$HOME/sub.txt",
}


@pytest.mark.parametrize("spelling", SUBSCRIPTION_SPELLINGS.values(), ids=SUBSCRIPTION_SPELLINGS.keys())
def test_every_spelling_of_subscription_az_accepts(user_az, emulator, spelling):
    observed = observe(user_az, emulator, f"printf 'contoso-prod\\n' > $HOME/sub.txt; az group show -n rg1 {spelling} -o none")
    assert observed.returncode == 0, observed.stderr
    assert_named_where_az_went(observed, PROD)


def test_the_profile_default_and_az_account_set_between_commands(user_az, emulator):
    assert_named_where_az_went(observe(user_az, emulator, "az group show -n rg1 -o none"), DEV)
    user_az.run("account", "set", "-s", PROD.display_name)
    assert_named_where_az_went(observe(user_az, emulator, "az group show -n rg1 -o none"), PROD)


@pytest.mark.parametrize("option", ["-s", "--subscription", "--name", "-n", "--n", "--subscription="])
def test_account_show_names_what_az_shows(user_az, emulator, option):
    value = PROD.display_name
    spelled = f"{option}{value}" if option.endswith("=") else f"{option} {value}"
    observed = observe(user_az, emulator, f"az account show {spelled} --query id -o tsv")
    assert observed.stdout.strip() == PROD.subscription_id
    assert observed.subscriptions == [PROD.subscription_id], observed.line


def test_an_unknown_subscription_is_unknown_and_az_fails(user_az, emulator):
    observed = observe(user_az, emulator, "az group show -n rg1 --subscription nosuch -o none")
    assert observed.returncode != 0
    assert_unknown_and_az_went_nowhere(observed)


# ------------------------------------------------------------------ resource ids and URLs

def test_ids_in_another_subscription(user_az, emulator):
    observed = observe(user_az, emulator, f"az resource show --ids {rid(PROD)} -o none")
    assert_named_where_az_went(observed, PROD)


def test_ids_win_over_subscription(user_az, emulator):
    observed = observe(user_az, emulator, f"az resource show --ids {rid(PROD)} --subscription {DEV.display_name} -o none")
    assert_named_where_az_went(observed, PROD)


def test_several_ids_in_several_subscriptions_are_all_named(user_az, emulator):
    observed = observe(user_az, emulator, f"az resource delete --ids {rid(DEV)} {rid(PROD, 'w2')}",
                       TOKENGUARD_CONFIRM=DEV.subscription_id)
    # Confirmed for the first subscription only: a command that also lands in another is not confirmed.
    assert observed.returncode == REFUSED_NO_TERMINAL and observed.landed == []
    assert observed.subscriptions == [DEV.subscription_id, PROD.subscription_id]
    observed = observe(user_az, emulator, f"az resource show --ids {rid(DEV)} {rid(PROD, 'w2')} -o none")
    assert_named_where_az_went(observed, DEV, also=[PROD])


def test_a_malformed_subscription_in_an_id_is_unknown(user_az, emulator):
    bad = f"/subscriptions/not-a-guid/{GROUP}/providers/Microsoft.Web/sites/w1"
    observed = observe(user_az, emulator, f"az resource show --ids {bad} -o none")
    assert observed.unknown, observed.line
    assert {sub for sub, _t in observed.landed} <= {"not-a-guid"}  # az asks ARM for it; it is no known place


@pytest.mark.parametrize("url, subscription_option, landing", [
    (f"/subscriptions/{PROD.subscription_id}/resourcegroups?api-version=2024-11-01", "", PROD),
    (f"/subscriptions/{PROD.subscription_id}/resourcegroups?api-version=2024-11-01", "--subscription contoso-dev", PROD),
    ("/subscriptions/{subscriptionId}/resourcegroups?api-version=2024-11-01", "", DEV),
    ("/subscriptions/{subscriptionId}/resourcegroups?api-version=2024-11-01", "--subscription contoso-prod", PROD),
], ids=["url names it", "url wins over --subscription", "placeholder: default", "placeholder: --subscription"])
def test_az_rest_urls(user_az, emulator, url, subscription_option, landing):
    observed = observe(user_az, emulator, f"az rest --url '{url}' {subscription_option} -o none")
    assert observed.returncode == 0, observed.stderr
    assert_named_where_az_went(observed, landing)


def test_az_rest_with_the_full_arm_url(user_az, emulator):
    url = f"{emulator.url}/subscriptions/{PROD.subscription_id}/resourcegroups?api-version=2024-11-01"
    assert_named_where_az_went(observe(user_az, emulator, f"az rest -u '{url}' -o none"), PROD)


# ------------------------------------------------------------------ things that look like defaults

LOOKALIKES = {
    "AZURE_DEFAULTS_SUBSCRIPTION": ("", {"AZURE_DEFAULTS_SUBSCRIPTION": PROD.display_name}),
    "az config defaults.subscription": ("az config set defaults.subscription=contoso-prod --only-show-errors", {}),
    "local .azure/config in the working directory": (
        "mkdir -p proj/.azure && printf '[defaults]\\nsubscription = contoso-prod\\n' > proj/.azure/config && cd proj", {}),
    "AZURE_SUBSCRIPTION_ID": ("", {"AZURE_SUBSCRIPTION_ID": PROD.subscription_id}),
    "ARM_SUBSCRIPTION_ID": ("", {"ARM_SUBSCRIPTION_ID": PROD.subscription_id}),
}


@pytest.mark.parametrize("setup, env", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_settings_that_look_like_defaults_are_ignored_as_az_ignores_them(user_az, emulator, setup, env):
    command = (f"command az {setup}; " if setup.startswith("az ") else f"{setup}; " if setup else "")
    command += "az group show -n rg1 -o none"
    observed = observe(user_az, emulator, command, **env)
    assert_named_where_az_went(observed, DEV)


def test_a_destructive_command_with_an_ignored_default_needs_the_real_subscription(user_az, emulator):
    user_az.run("config", "set", "defaults.subscription=contoso-prod", "--only-show-errors")
    refused = observe(user_az, emulator, "az group delete -n rg1 --yes", TOKENGUARD_CONFIRM=PROD.display_name)
    assert refused.returncode == REFUSED_NO_TERMINAL and refused.landed == []
    confirmed = observe(user_az, emulator, "az group delete -n rg1 --yes", TOKENGUARD_CONFIRM=DEV.display_name)
    assert confirmed.returncode == 0, confirmed.stderr
    assert_named_where_az_went(confirmed, DEV)


# ------------------------------------------------------------------ config dirs, clouds and identities

def test_azure_config_dir_chooses_whose_profile(user_az, sp_az, emulator):
    observed = observe(user_az, emulator, "az group show -n rg1 -o none", AZURE_CONFIG_DIR=str(sp_az.config_dir))
    assert_named_where_az_went(observed, DEV)
    assert f"service principal {data.DEPLOY_BOT.app_id}" in observed.line
    assert set(_callers(emulator)) == {data.DEPLOY_BOT.object_id}


def _callers(emulator):
    return [r.get("caller") for r in emulator.requests(service="arm")]


def test_a_change_of_cloud(user_az, emulator):
    user_az.run("cloud", "register", "-n", "OtherEmulator", "--endpoint-active-directory", emulator.url,
                "--endpoint-resource-manager", emulator.url, "--only-show-errors")
    observed = observe(user_az, emulator, "az group show -n rg1 -o none", AZURE_CLOUD_NAME="OtherEmulator")
    assert observed.returncode != 0  # nobody is signed in to that cloud
    assert_unknown_and_az_went_nowhere(observed)
    user_az.run("cloud", "set", "-n", "OtherEmulator", "--only-show-errors")
    assert_unknown_and_az_went_nowhere(observe(user_az, emulator, "az group show -n rg1 -o none"))
    observed = observe(user_az, emulator, "az group show -n rg1 -o none", AZURE_CLOUD_NAME="TokenguardEmulator")
    assert observed.returncode == 0, observed.stderr
    assert_named_where_az_went(observed, DEV)
    assert "cloud TokenguardEmulator" in observed.line


def test_an_unregistered_cloud_name_is_unknown(user_az, emulator):
    """az warns, falls back to AzureCloud and saves that in its config: the guard does not pretend to know."""
    observed = observe(user_az, emulator, "az group show -n rg1 -o none", AZURE_CLOUD_NAME="NoSuchCloud")
    assert_unknown_and_az_went_nowhere(observed)
    assert "not registered" in observed.line


def test_a_user_and_a_service_principal_signed_in_together(user_az, emulator):
    login(user_az, "servicePrincipal")  # the service principal's subscriptions now shadow the user's
    observed = observe(user_az, emulator, "az group show -n rg1 -o none")
    assert_named_where_az_went(observed, DEV)
    assert f"service principal {data.DEPLOY_BOT.app_id}" in observed.line
    assert set(_callers(emulator)) == {data.DEPLOY_BOT.object_id}
    observed = observe(user_az, emulator, f"az group show -n rg1 --subscription {SANDBOX.display_name} -o none")
    assert_named_where_az_went(observed, SANDBOX)  # only alice has this one, in another tenant
    assert f"user {data.ALICE.username}" in observed.line
    assert set(_callers(emulator)) == {data.ALICE.object_id}


# ------------------------------------------------------------------ the confirmation follows the same truth

@pytest.mark.parametrize("spelling", ["--s contoso-prod", "--subscription=@$HOME/sub.txt", f"--subscription {PROD.subscription_id.upper()}"])
def test_a_delete_is_confirmed_only_for_where_it_lands(user_az, emulator, spelling):
    prepare = "printf 'contoso-prod\\n' > $HOME/sub.txt; "
    refused = observe(user_az, emulator, prepare + f"az group delete -n rg1 --yes {spelling}",
                      TOKENGUARD_CONFIRM=DEV.display_name)
    assert refused.returncode == REFUSED_NO_TERMINAL and refused.landed == []
    confirmed = observe(user_az, emulator, prepare + f"az group delete -n rg1 --yes {spelling}",
                        TOKENGUARD_CONFIRM=PROD.display_name)
    assert confirmed.returncode == 0, confirmed.stderr
    assert_named_where_az_went(confirmed, PROD)


def test_a_subscription_read_from_stdin_is_unknown_and_a_delete_still_asks(user_az, emulator):
    observed = observe(user_az, emulator, "printf 'contoso-prod' | az group delete -n rg1 --yes --subscription @-",
                       TOKENGUARD_CONFIRM=DEV.display_name)
    assert observed.unknown and observed.returncode == REFUSED_NO_TERMINAL and observed.landed == []


def test_a_command_word_from_a_file_is_classified_as_az_will_run_it(user_az, emulator):
    observed = observe(user_az, emulator, "printf 'delete\\n' > $HOME/verb.txt; az group @$HOME/verb.txt -n rg1 --yes")
    assert observed.returncode == REFUSED_NO_TERMINAL and observed.landed == []
    assert "DESTRUCTIVE" in observed.stderr or "no terminal to confirm on" in observed.stderr


# ------------------------------------------------------------------ classify agrees with itself

@pytest.mark.parametrize("text", [
    "resource delete --ids $(az resource show -g rg1 -n w1 --resource-type Microsoft.Web/sites --query id -o tsv)",
    'group delete -n "$(az group list --query [0].name -o tsv)" --yes',
    "group delete -n `az group list --query [0].name -o tsv`",
])
def test_classify_command_and_file_agree_on_nested_calls(user_az, text):
    script = user_az.config_dir.parent / "nested.sh"
    script.write_text("az " + text + "\n")
    from_command = user_az.json("tokenguard", "classify", "--command", text)
    from_file = user_az.json("tokenguard", "classify", "--file", str(script))
    assert [(e["command"], e["class"]) for e in from_command] == [(e["command"], e["class"]) for e in from_file]
    assert "destructive" in [e["class"] for e in from_command]


@pytest.mark.parametrize("flag", ["--only-show-errors", "--debug", "--subscription contoso-prod"])
def test_an_option_before_the_command_words_is_unknown_and_az_runs_nothing(user_az, emulator, flag):
    """az 2.91 takes the option for a command word, finds no command and fails: no place to name."""
    observed = observe(user_az, emulator, f"az {flag} group show -n rg1 -o none")
    assert observed.returncode == 2
    assert_unknown_and_az_went_nowhere(observed)


def test_unprotect_is_confirmed_for_the_subscription_it_names(user_az, emulator):
    user_az.run("tokenguard", "protect", "--subscription", PROD.display_name)
    refused = run_guarded_script(user_az, f"az tokenguard unprotect -s {PROD.display_name}",
                                 TOKENGUARD_CONFIRM=DEV.subscription_id)
    assert refused.returncode == REFUSED_NO_TERMINAL
    assert user_az.json("tokenguard", "policy", "show")["protected"] == [PROD.display_name]
    confirmed = run_guarded_script(user_az, f"az tokenguard unprotect -s {PROD.display_name}",
                                   TOKENGUARD_CONFIRM=PROD.subscription_id)
    assert confirmed.returncode == 0, confirmed.stderr
    assert user_az.json("tokenguard", "policy", "show")["protected"] == []


# ------------------------------------------------------------------ ids and URLs spelled so that ARM reads them otherwise

def _delete_url(path):
    return f"{path}/resourcegroups/rg1?api-version=2024-11-01"


A, B = DEV.subscription_id, PROD.subscription_id
# Each lands in B (protected) when az runs it; a reader that takes the first segment after /subscriptions/
# literally sees A, or no subscription at all (then az's default: A).
PATH_SPELLINGS = {
    "empty segment": f"/subscriptions//{B}",
    "dot segment": f"/subscriptions/./{B}",
    "dot-dot segment": f"/subscriptions/{A}/../{B}",
    "dot-dot out of a group": f"/subscriptions/{A}/resourcegroups/rg1/../../../subscriptions/{B}",
    "encoded dots (requests decodes them, the server resolves them)": f"/subscriptions/{A}/%2E%2E/{B}",
    "encoded letter (requests decodes it)": f"/%73ubscriptions/{B}",
    "encoded slashes": f"/subscriptions/{A}/resourcegroups/x%2F..%2F..%2F..%2Fsubscriptions%2F{B}",
    "upper case and an empty segment": f"/SUBSCRIPTIONS//{B}",
    "control character (az drops it)": f"/subscrip\\x01tions/{B}",
}


@pytest.mark.parametrize("full_url", [False, True], ids=["relative", "full ARM URL"])
@pytest.mark.parametrize("path", PATH_SPELLINGS.values(), ids=PATH_SPELLINGS.keys())
def test_a_rest_delete_is_never_confirmed_for_one_subscription_and_sent_to_another(user_az, emulator, path,
                                                                                      full_url):
    user_az.run("tokenguard", "protect", "--subscription", PROD.display_name)
    url = _delete_url((emulator.url if full_url else "") + path)
    command = f"az rest -m delete -u $'{url}' -o none"
    refused = observe(user_az, emulator, command, TOKENGUARD_CONFIRM=A)
    assert refused.returncode == REFUSED_NO_TERMINAL and refused.landed == [], refused.stderr
    assert "confirmed for" not in refused.stderr and (refused.unknown or refused.subscriptions == [B]), refused.line
    emulator.reset()
    selected = run_guarded_script(user_az, command, TOKENGUARD_CONFIRM=A, TOKENGUARD_SUBSCRIPTION=A)  # `use` A
    assert selected.returncode in (REFUSED_NO_TERMINAL, REFUSED_BY_SELECTION), selected.stderr
    assert "confirmed for" not in selected.stderr and emulator.requests(service="arm") == [], selected.stderr
    confirmed = observe(user_az, emulator, command, TOKENGUARD_CONFIRM=B)
    if confirmed.unknown:  # the guard cannot tell: without a terminal nothing is sent, whatever is confirmed
        assert confirmed.returncode == REFUSED_NO_TERMINAL and confirmed.landed == [], confirmed.stderr
    else:  # named B, confirmed for B, and it went there
        assert confirmed.returncode == 0, confirmed.stderr
        assert_named_where_az_went(confirmed, PROD)
        assert [r["path"].lower() for r in emulator.requests(method="DELETE")] == [f"/subscriptions/{B}/resourcegroups/rg1"]


@pytest.mark.parametrize("path", [f"/subscriptions//{B}", f"/subscriptions/{A}/../{B}", f"/SUBSCRIPTIONS/{A}/%2e%2E/{B}"],
                         ids=["empty segment", "dot-dot segment", "encoded dots"])
def test_a_resource_id_az_may_read_otherwise_is_unknown(user_az, emulator, path):
    ids = f"{path}/resourceGroups/rg1/providers/Microsoft.Web/sites/w1"
    observed = observe(user_az, emulator, f"az resource delete --ids '{ids}'", TOKENGUARD_CONFIRM=A)
    assert observed.unknown and observed.returncode == REFUSED_NO_TERMINAL and observed.landed == [], observed.stderr
    assert emulator.requests(method="DELETE") == []
