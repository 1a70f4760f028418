"""A subscription per shell (`az tokenguard use`), against the real az and the emulator: each shell's az commands
land where that shell chose, the global default and the token cache stay untouched, and what az cannot be
steered for is refused (exit status 43). The emulator's request log is the witness: every ARM and Graph
request carries the subscription in its path and the tenant of the token that signed it."""
import json
import os
import re
import shlex
import subprocess

import pytest

from tests.emulator import data
from tests.harness.az import AZ
from tests.harness.shell import GuardedShell, run_guarded_script, without_terminal

DEV, PROD, SANDBOX = data.CONTOSO_DEV, data.CONTOSO_PROD, data.FABRIKAM_SANDBOX
REFUSED_BY_PIN = 43
SUBSCRIPTION_IN_PATH = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)


def landed(emulator, method=None):
    """``[(subscription, tenant)]`` of the ARM requests az made, in order."""
    found = []
    for request in emulator.requests(service="arm", method=method):
        match = SUBSCRIPTION_IN_PATH.match(request["path"])
        if match:
            found.append((match.group(1).lower(), request.get("tenant")))
    return found


def only_in(emulator, subscription, method=None):
    """Every ARM request went to ``subscription``, signed by its tenant (and there was one)."""
    requests = landed(emulator, method)
    assert requests and set(requests) == {(subscription.subscription_id, subscription.tenant_id)}, requests


def lands_only_in(shell, emulator, command, subscription):
    """Run ``command`` at ``shell``: every ARM request it makes goes to ``subscription``. Returns what it printed."""
    emulator.reset()
    shown = shell.run(command)
    only_in(emulator, subscription)
    return shown


def selection_env(az, *args):
    """The variables `eval "$(az tokenguard use ARGS)"` sets, as a script started from that shell inherits them."""
    code = az.run("tokenguard", "use", *args).stdout
    pairs = (shlex.split(line[len("export "):])[0].split("=", 1) for line in code.splitlines()
             if line.startswith("export "))
    return dict(pairs)


def rid(subscription, name="w1"):
    return f"/subscriptions/{subscription.subscription_id}/resourceGroups/rg1/providers/Microsoft.Web/sites/{name}"


def az_files(config_dir):
    """The bytes of az's own state: what `use` must never write."""
    names = ("azureProfile.json", "msal_token_cache.json", "service_principal_entries.json", "config",
             "clouds.config")
    return {name: (config_dir / name).read_bytes() for name in names if (config_dir / name).exists()}


def files_holding(root, secret):
    found = set()
    for directory, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            try:
                with open(path, "rb") as handle:
                    if secret in handle.read():
                        found.add(path)
            except OSError:
                pass
    return found


def refresh_token(config_dir):
    cache = json.loads((config_dir / "msal_token_cache.json").read_text())
    (entry,) = cache["RefreshToken"].values()
    return entry["secret"].encode()


@pytest.fixture
def shells(user_az):
    opened = []

    def open_shell(name, **env):
        shell = GuardedShell(name, {**user_az.env, "NO_COLOR": "1", **env})
        opened.append(shell)
        return shell
    yield open_shell
    for shell in opened:
        shell.close()


# ------------------------------------------------------------------ two shells, two subscriptions

def test_two_shells_select_two_subscriptions_and_run_at_once(shells, user_az, emulator):
    before = az_files(user_az.config_dir)
    secret = refresh_token(user_az.config_dir)
    holders = files_holding(user_az.env["HOME"], secret)
    bash, zsh = shells("bash"), shells("zsh")
    bash.run('eval "$(az tokenguard use --subscription contoso-prod)"')
    zsh.run('eval "$(az tokenguard use --subscription fabrikam-sandbox)"')
    assert az_files(user_az.config_dir) == before  # nothing of az's written, its default untouched
    assert files_holding(user_az.env["HOME"], secret) == holders  # the token cache was not copied anywhere
    emulator.reset()
    user_az.run("account", "set", "-s", DEV.display_name)  # another terminal moves az's default meanwhile
    for shell, name in ((bash, "from-bash"), (zsh, "from-zsh")):  # both az commands run at the same time
        shell.type_command(f"az group create -n {name} -l westeurope -o none; az account show --query id -o tsv")
    shown = {"bash": bash.until_prompt(), "zsh": zsh.until_prompt()}
    puts = {(r["path"].rsplit("/", 1)[1], SUBSCRIPTION_IN_PATH.match(r["path"]).group(1), r["tenant"])
            for r in emulator.requests(service="arm", method="PUT")}
    assert puts == {("from-bash", PROD.subscription_id, PROD.tenant_id),
                    ("from-zsh", SANDBOX.subscription_id, SANDBOX.tenant_id)}
    assert not [s for s, _t in landed(emulator) if s == DEV.subscription_id]  # never az's default
    assert PROD.subscription_id in shown["bash"] and SANDBOX.subscription_id not in shown["bash"]
    assert SANDBOX.subscription_id in shown["zsh"] and PROD.subscription_id not in shown["zsh"]
    assert f"subscription contoso-prod ({PROD.subscription_id}) [this shell]" in shown["bash"]  # the context line
    assert f"subscription fabrikam-sandbox ({SANDBOX.subscription_id}) [this shell]" in shown["zsh"]
    assert user_az.json("account", "show")["id"] == DEV.subscription_id  # az's default is what it was set to


def test_a_script_started_from_a_selecting_shell_lands_there_too(shells, user_az, emulator, tmp_path):
    shim_dir = tmp_path / "bin"
    user_az.run("tokenguard", "shell-init", "--shim", str(shim_dir))
    script = tmp_path / "deploy.sh"
    script.write_text(f'#!/bin/bash\naz group show -n rg1 --query id -o tsv\n'  # the shim, first on PATH
                      f'eval "$(command az tokenguard shell-init --shell bash)"\n'  # the function
                      f'az deployment sub list --query "[].name" -o tsv\n')
    bash = shells("bash")
    bash.run('eval "$(az tokenguard use --subscription fabrikam-sandbox)"')
    emulator.reset()
    out = bash.run(f'PATH={shim_dir}:$PATH bash {script}; echo "script status=$?"')
    assert "script status=0" in out and f"/subscriptions/{SANDBOX.subscription_id}/resourceGroups/rg1" in out
    only_in(emulator, SANDBOX)
    assert [r["path"] for r in emulator.requests(service="arm")][-1].lower().endswith(
        "/providers/microsoft.resources/deployments")


# ------------------------------------------------------------------ use -, --clear, the picker, the prompt

def test_previous_clear_status_and_the_prompt_in_one_shell(shells, user_az, emulator):
    shell = shells("bash")

    def where():
        return shell.run("az account show --query id -o tsv").strip().splitlines()[-1]
    shell.run('eval "$(az tokenguard use -s contoso-prod)"')
    assert where() == PROD.subscription_id
    assert shell.run("echo \"$(__tokenguard_prompt)\"").strip().endswith("[shell:contoso-prod]")
    status = json.loads(shell.run("az tokenguard status -o json 2>/dev/null").split("\n", 1)[1])  # past the echo
    assert status["subscription"]["id"] == PROD.subscription_id and status["selection"]["scope"] == "this shell"
    shell.type_command("az group delete -n rg1")  # the confirmation names the shell's subscription
    assert f"contoso-prod ({PROD.subscription_id}) [this shell]" in shell.expect("Run it? [y/N] ")
    shell.sendline("n")
    shell.until_prompt()
    shell.run('eval "$(az tokenguard use -s fabrikam-sandbox)"')
    shell.run('eval "$(az tokenguard use -)"')
    assert where() == PROD.subscription_id
    out = shell.run('eval "$(az tokenguard use -s nosuch)"')  # an unknown name: one error, nothing changed
    assert "ERROR: Nothing changed: subscription 'nosuch' is not in azureProfile.json" in out
    assert "Traceback" not in out and where() == PROD.subscription_id
    shell.run('eval "$(az tokenguard use --clear)"')
    assert where() == DEV.subscription_id
    assert shell.run('echo "[${ARM_SUBSCRIPTION_ID-unset}]"').strip().endswith("[unset]")
    assert shell.run("echo \"$(__tokenguard_prompt)\"").strip().endswith("[contoso-dev]")
    shell.run('eval "$(az tokenguard use -)"')
    assert where() == PROD.subscription_id
    lands_only_in(shell, emulator, "az group list -o none", PROD)


def test_the_picker_at_a_terminal(shells, emulator):
    shell = shells("zsh")
    shell.type_command('eval "$(az tokenguard use)"')
    listed = shell.expect("Please enter a choice")
    assert listed.index("contoso-dev") < listed.index("contoso-prod") < listed.index("fabrikam-sandbox")
    shell.sendline("3")
    shell.until_prompt()
    assert SANDBOX.subscription_id in shell.run("echo $TOKENGUARD_SUBSCRIPTION")
    lands_only_in(shell, emulator, "az group show -n rg1 -o none", SANDBOX)


def test_fish_selects_and_steers(shells, emulator):
    fish = shells("fish")
    fish.run("az tokenguard use -s contoso-prod --shell fish | source")
    assert PROD.subscription_id in lands_only_in(fish, emulator, "az group show -n rg1 --query id -o tsv", PROD)
    assert "[shell:contoso-prod]" in fish.run("__tokenguard_prompt; echo")
    fish.run("az tokenguard use --clear --shell fish | source")
    assert "[contoso-dev]" in fish.run("__tokenguard_prompt; echo")  # the stamp's selection line changed


def test_a_tenant_selects_its_subscription(user_az):
    env = selection_env(user_az, "--tenant", data.FABRIKAM.default_domain)
    assert (env["TOKENGUARD_SUBSCRIPTION"], env["TOKENGUARD_TENANT"]) == (SANDBOX.subscription_id,
                                                                        SANDBOX.tenant_id)


# ------------------------------------------------------------------ renamed, removed

def edit_profile(az, change):
    path = az.config_dir / "azureProfile.json"
    document = json.loads(path.read_text(encoding="utf-8-sig"))
    document["subscriptions"] = change(document["subscriptions"])
    path.write_text(json.dumps(document), encoding="utf-8-sig")


def test_a_renamed_subscription_does_not_redirect_the_shell(user_az, emulator):
    env = selection_env(user_az, "--subscription", "contoso-prod")
    renamed = {PROD.subscription_id: "contoso-prod-old", DEV.subscription_id: "contoso-prod"}  # the old name moves
    edit_profile(user_az, lambda subs: [{**s, "name": renamed.get(s["id"], s["name"])} for s in subs])
    emulator.reset()
    result = run_guarded_script(user_az, "az group show -n rg1 --query id -o tsv", TOKENGUARD_CONTEXT_LINE="always",
                                **env)
    assert result.returncode == 0 and PROD.subscription_id in result.stdout
    assert f"subscription contoso-prod-old ({PROD.subscription_id}) [this shell]" in result.stderr
    only_in(emulator, PROD)


def test_a_removed_subscription_is_refused_never_the_default(user_az, emulator):
    env = selection_env(user_az, "--subscription", "fabrikam-sandbox")
    edit_profile(user_az, lambda subs: [s for s in subs if s["id"] != SANDBOX.subscription_id])
    emulator.reset()
    result = run_guarded_script(user_az, "az group list -o none", **env)
    assert result.returncode == REFUSED_BY_PIN
    assert f"subscription '{SANDBOX.subscription_id}' is not in azureProfile.json" in result.stderr
    assert "not sent to az's default either" in result.stderr and "use --clear" in result.stderr
    assert emulator.requests(service="arm") == []
    status = user_az.run("tokenguard", "status", check=False, env=env)
    assert status.returncode != 0 and "cannot be used" in status.stderr


# ------------------------------------------------------------------ what the command names itself

def test_own_subscription_and_ids_are_never_rewritten(user_az, emulator):
    env = selection_env(user_az, "--subscription", "contoso-prod")
    emulator.reset()
    result = run_guarded_script(user_az, "az group show -n rg1 --subscription contoso-dev -o none", **env)
    assert result.returncode == 0, result.stderr
    only_in(emulator, DEV)
    emulator.reset()
    result = run_guarded_script(user_az, f"az resource show --ids {rid(PROD)} -o none", **env)
    assert result.returncode == 3  # az's "not found": the emulator stores no web apps
    # Not rewritten: az looks up the provider in its default subscription as it always does, then the id.
    assert landed(emulator) == [(DEV.subscription_id, DEV.tenant_id), (PROD.subscription_id, PROD.tenant_id)]
    emulator.reset()
    refused = run_guarded_script(user_az, f"az resource delete --ids {rid(DEV)}", **env)
    assert refused.returncode == REFUSED_BY_PIN and emulator.requests(service="arm") == []
    assert f"acts in subscription {DEV.subscription_id}" in refused.stderr
    assert f"add --subscription {DEV.subscription_id}" in refused.stderr


def test_ids_in_a_selected_subscription_of_another_tenant_are_signed_in_there(user_az, emulator):
    env = selection_env(user_az, "--subscription", "fabrikam-sandbox")
    result = run_guarded_script(user_az, f"az resource show --ids {rid(SANDBOX)} -o none", **env)
    assert result.returncode == 3 and "wrong issuer" not in result.stderr  # without it az's token is Contoso's
    only_in(emulator, SANDBOX)


# ------------------------------------------------------------------ command kinds

def test_deployment_sub_lands_in_the_selected_subscription(user_az, emulator, tmp_path):
    template = tmp_path / "sub.json"
    template.write_text(json.dumps({"$schema": "https://schema.management.azure.com/schemas/2018-05-01/"
                                               "subscriptionDeploymentTemplate.json#",
                                    "contentVersion": "1.0.0.0", "resources": []}))
    env = selection_env(user_az, "--subscription", "fabrikam-sandbox")
    emulator.reset()
    result = run_guarded_script(user_az, f"az deployment sub create -l westeurope -n d1 --template-file {template} "
                                         "--query properties.provisioningState -o tsv", **env)
    assert result.stdout.strip() == "Succeeded", result.stderr
    only_in(emulator, SANDBOX)
    assert [r["method"] for r in emulator.requests(service="arm")] == ["POST", "PUT"]  # validate, then deploy


def test_az_rest(user_az, emulator):
    env = selection_env(user_az, "--subscription", "fabrikam-sandbox")
    emulator.reset()
    placeholder = "/subscriptions/{subscriptionId}/resourcegroups?api-version=2024-11-01"
    assert run_guarded_script(user_az, f"az rest --url '{placeholder}' -o none", **env).returncode == 0
    only_in(emulator, SANDBOX)
    emulator.reset()
    elsewhere = run_guarded_script(user_az, f"az rest --url /subscriptions/{PROD.subscription_id}/resourcegroups"
                                            "?api-version=2024-11-01 -o none", **env)
    tenant_level = run_guarded_script(user_az, "az rest --url /tenants?api-version=2022-12-01 -o none", **env)
    assert (elsewhere.returncode, tenant_level.returncode) == (REFUSED_BY_PIN, REFUSED_BY_PIN)
    assert "without a subscription with the token of az's default account" in tenant_level.stderr
    assert emulator.requests(service="arm") == []
    same_tenant = selection_env(user_az, "--subscription", "contoso-prod")
    assert run_guarded_script(user_az, "az rest --url /tenants?api-version=2022-12-01 -o none",
                              **same_tenant).returncode == 0


def test_az_ad_runs_in_the_same_tenant_and_is_refused_in_another(user_az, emulator):
    user_az.run("cloud", "update", "-n", "TokenguardEmulator", "--endpoint-microsoft-graph-resource-id",
                emulator.url + "/", "--only-show-errors")
    same_tenant = selection_env(user_az, "--subscription", "contoso-prod")
    emulator.reset()
    result = run_guarded_script(user_az, "az ad signed-in-user show --query userPrincipalName -o tsv", **same_tenant)
    assert result.stdout.strip() == data.ALICE.username, result.stderr
    assert {r["tenant"] for r in emulator.requests(service="graph")} == {data.CONTOSO.tenant_id}
    other_tenant = selection_env(user_az, "--subscription", "fabrikam-sandbox")
    emulator.reset()
    refused = run_guarded_script(user_az, "az ad signed-in-user show -o none", **other_tenant)
    assert refused.returncode == REFUSED_BY_PIN and emulator.requests(service="graph") == []
    assert "works in the tenant of az's default subscription" in refused.stderr
    assert "TOKENGUARD_SUBSCRIPTION= TOKENGUARD_TENANT= az ad signed-in-user show" in refused.stderr
    # What the message offers: the same command with the selection cleared for it runs, in az's default tenant.
    assert run_guarded_script(user_az, "TOKENGUARD_SUBSCRIPTION= TOKENGUARD_TENANT= az ad signed-in-user show -o none",
                              **other_tenant).returncode == 0
    assert {r["tenant"] for r in emulator.requests(service="graph")} == {data.CONTOSO.tenant_id}


def test_a_command_az_cannot_steer_is_refused_and_audited(user_az, emulator):
    env = selection_env(user_az, "--subscription", "contoso-prod")
    emulator.reset()
    refused = run_guarded_script(user_az, "az account lock list -o none", **env)
    assert refused.returncode == REFUSED_BY_PIN and emulator.requests(service="arm") == []
    assert "has no --subscription option" in refused.stderr and f"az account set -s {PROD.subscription_id}" in refused.stderr
    (record,) = user_az.json("tokenguard", "audit", "show", "--decision", "refused")
    assert (record["how"], record["selection"]) == ("selection", PROD.subscription_id)


def test_terraform_reads_the_exported_variables(user_az, tmp_path):
    """What the azurerm provider and the SDKs read: the selection, in their own variables."""
    env = selection_env(user_az, "--subscription", "fabrikam-sandbox")
    assert (env["ARM_SUBSCRIPTION_ID"], env["ARM_TENANT_ID"]) == (SANDBOX.subscription_id, SANDBOX.tenant_id)
    assert (env["AZURE_SUBSCRIPTION_ID"], env["AZURE_TENANT_ID"]) == (SANDBOX.subscription_id, SANDBOX.tenant_id)
    assert set(selection_env(user_az, "--subscription", "fabrikam-sandbox", "--no-export")) == {
        "TOKENGUARD_SUBSCRIPTION", "TOKENGUARD_TENANT", "TOKENGUARD_PREVIOUS_SUBSCRIPTION",
        "TOKENGUARD_PREVIOUS_TENANT"}
    # A get-access-token call as Terraform makes it, through the guard: the token is for the selected tenant.
    result = subprocess.run(["bash", "-c", f'eval "$({AZ} tokenguard shell-init)"; az account get-access-token '
                                           '--query tenant -o tsv'],
                            capture_output=True, text=True, timeout=120, **without_terminal({**user_az.env, **env}))
    assert result.stdout.strip() == SANDBOX.tenant_id, result.stderr
    assert user_az.run("tokenguard", "get-token", "--query", "tenant", "-o", "tsv", env=env).stdout.strip() == \
        SANDBOX.tenant_id  # tokenguard's own get-token follows the shell's choice too


def test_refresh_classifier_exports_which_commands_take_subscription(user_az):
    """From az's own command table, this az's extensions included; the shipped file is the same export for az
    2.91 without extensions."""
    from azext_tokenguard.guard.selection import SHIPPED_DATA_PATH
    refreshed = user_az.json("tokenguard", "refresh-classifier")
    written = refreshed["subscriptionOptionsPath"]
    exported = json.loads(open(written, encoding="utf-8").read())
    shipped = json.loads(open(SHIPPED_DATA_PATH, encoding="utf-8").read())
    assert exported["commands"]["tokenguard use"]["subscription"] == ["--subscription", "-s"]
    assert exported["commands"]["account show"] == {"required": False,
                                                    "subscription": ["--subscription", "-s", "--name", "-n"]}
    assert {name: v for name, v in exported["commands"].items() if not name.startswith("tokenguard")} == \
        shipped["commands"]
    assert "group list" not in exported["commands"] and "group" in exported["groups"]
    assert_command_options_are_azs(refreshed["commandOptionsPath"])
    assert_command_methods_are_azs(refreshed)


def assert_command_methods_are_azs(refreshed):
    """The same run exports the requests each command sends and the classes they imply (issue 22): the shipped
    files are that export for az 2.91 without extensions; tokenguard's own commands are custom code, counted
    under the rules."""
    from azext_tokenguard.guard import classify
    methods = json.loads(open(refreshed["commandMethodsPath"], encoding="utf-8").read())
    shipped_methods = json.loads(open(os.path.join(os.path.dirname(classify.SHIPPED_DATA_PATH),
                                                   classify.METHODS_FILE_NAME), encoding="utf-8").read())
    assert methods["commands"] == shipped_methods["commands"]
    assert refreshed["classSources"] == methods["sources"]
    assert methods["sources"]["aaz"] == shipped_methods["sources"]["aaz"] > 1800
    assert methods["sources"]["rules"] > shipped_methods["sources"]["rules"]  # tokenguard's commands
    confirm = json.loads(open(refreshed["path"], encoding="utf-8").read())
    shipped_confirm = json.loads(open(classify.SHIPPED_DATA_PATH, encoding="utf-8").read())
    assert confirm["methodClasses"] == shipped_confirm["methodClasses"]


def assert_command_options_are_azs(path):
    """The same run exports every command's options as az's parser has them (guard/options.py): the shipped
    table is that export for az 2.91 without extensions, and this az's extension (tokenguard) is in it too."""
    from azext_tokenguard.guard import options
    exported = json.loads(open(path, encoding="utf-8").read())
    shipped = json.loads(open(options.SHIPPED_DATA_PATH, encoding="utf-8").read())
    assert exported["common"] == shipped["common"]
    assert {group: chunk for group, chunk in exported["groups"].items() if group != "tokenguard"} == \
        shipped["groups"]
    options._documents.clear()
    decode = options.options_for(["tokenguard", "decode", "--tok", "x"], os.path.dirname(os.path.dirname(path)))
    assert decode.command == "tokenguard decode" and decode.resolve("--tok")[0].secret


@pytest.mark.parametrize("shell_name", ["bash", "zsh", "fish"])
def test_eval_of_a_failed_use_fails_changes_nothing_and_success_is_news_not_a_warning(shells, shell_name):
    shell = shells(shell_name)
    load = "| source" if shell_name == "fish" else ""

    def use(args):
        return shell.run(f"az tokenguard use {args} --shell {shell_name} {load}" if load
                         else f'eval "$(az tokenguard use {args})"')
    shown = use("-s contoso-prod")
    assert f"This shell now uses subscription contoso-prod ({PROD.subscription_id})" in shown
    assert "WARNING" not in shown
    shown = use("-s nosuch")
    assert "ERROR: Nothing changed" in shown
    assert shell.exit_status() == 1  # the eval (or source) fails as az did
    assert PROD.subscription_id in shell.run("echo $TOKENGUARD_SUBSCRIPTION")  # the selection is as it was


def test_the_picker_marks_the_default(shells):
    shell = shells("bash")
    shell.type_command('eval "$(az tokenguard use)"')
    listed = shell.expect("Please enter a choice")
    (marked,) = [line for line in listed.splitlines() if line.rstrip().endswith("(default)")]
    assert "contoso-dev" in marked  # az's default, which Enter keeps
    shell.sendline("")
    shell.until_prompt()
    assert DEV.subscription_id in shell.run("echo $TOKENGUARD_SUBSCRIPTION")


def test_refresh_classifier_shows_progress_at_a_terminal_and_no_warning_of_azs_modules(user_az):
    import pexpect
    child = pexpect.spawn(AZ, ["tokenguard", "refresh-classifier", "-o", "none"], env=user_az.env,
                          cwd=user_az.env["HOME"], encoding="utf-8", timeout=300, dimensions=(40, 200))
    child.expect_exact("Loading every command's arguments")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "WARNING" not in child.before  # e.g. vm's "Default username root is a reserved username" as root
