"""The guard wherever az runs: the `az` shim on PATH (scripts, make, Python's subprocess, tools that parse az's
output), read-only mode for agents, `classify` decisions for a pre-command hook, and fish."""
import json
import os
import subprocess
import sys

import pytest

from tests.emulator import data
from tests.harness.az import AZ
from tests.harness.shell import GuardedShell, without_terminal

DEV, PROD = data.CONTOSO_DEV, data.CONTOSO_PROD
REFUSED_BY_USER, REFUSED_NO_TERMINAL, REFUSED_BY_PIN, REFUSED_GUARD_MISSING = 41, 42, 43, 44
REFUSED_READ_ONLY = 47
DELETE_SCRIPT = "#!/bin/bash\nset -e\naz group delete -n rg1 --yes\n"


@pytest.fixture
def shim(user_az, tmp_path):
    """`az tokenguard shell-init --shim DIR`, then DIR first on PATH: what a user puts in ~/.profile."""
    directory = tmp_path / "bin"
    installed = user_az.json("tokenguard", "shell-init", "--shim", str(directory))
    assert installed["shim"] == str(directory / "az") and installed["realAz"] == AZ
    path = f"{directory}{os.pathsep}{user_az.env['PATH']}"
    return directory, {**user_az.env, "AZURE_CONFIG_DIR": str(user_az.config_dir), "PATH": path}


def deletes(emulator, subscription=DEV):
    return [r for r in emulator.requests(service="arm", method="DELETE") if subscription.subscription_id in r["path"]]


def run(argv, env, **kwargs):
    """A program started with no terminal and no rc file read, as cron, make or an IDE task starts it."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=180, **without_terminal({**env, **kwargs}))


# ------------------------------------------------------------------ scripts, subprocess and make

def test_a_script_with_a_delete_is_refused_and_goes_through_when_confirmed(shim, emulator, tmp_path):
    _directory, env = shim
    script = tmp_path / "deploy.sh"
    script.write_text(DELETE_SCRIPT)
    refused = run(["bash", str(script)], env)
    assert refused.returncode == REFUSED_NO_TERMINAL, refused.stderr
    assert "TOKENGUARD_CONFIRM" in refused.stderr and deletes(emulator) == []
    confirmed = run(["bash", str(script)], env, TOKENGUARD_CONFIRM=DEV.display_name)
    assert confirmed.returncode == 0, confirmed.stderr
    assert len(deletes(emulator)) == 1


def test_pythons_subprocess_goes_through_the_shim(shim, emulator):
    _directory, env = shim
    code = "import subprocess, sys; sys.exit(subprocess.run(['az', 'group', 'delete', '-n', 'rg1', '--yes']).returncode)"
    assert run([sys.executable, "-c", code], env).returncode == REFUSED_NO_TERMINAL
    assert deletes(emulator) == []
    assert run([sys.executable, "-c", code], env, TOKENGUARD_CONFIRM=DEV.subscription_id).returncode == 0
    assert len(deletes(emulator)) == 1


def test_make_goes_through_the_shim(shim, emulator, tmp_path):
    _directory, env = shim
    (tmp_path / "Makefile").write_text("teardown:\n\taz group delete -n rg1 --yes\n")
    refused = run(["make", "-C", str(tmp_path), "teardown"], env)
    assert refused.returncode != 0 and "no terminal to confirm on" in refused.stderr and deletes(emulator) == []
    assert run(["make", "-C", str(tmp_path), "teardown"], env, TOKENGUARD_CONFIRM=DEV.display_name).returncode == 0
    assert len(deletes(emulator)) == 1


def test_reads_pass_silently_without_a_terminal(shim):
    _directory, env = shim
    result = run(["az", "group", "list", "--query", "[].name", "-o", "tsv"], env)
    assert result.returncode == 0 and result.stdout == "rg1\n" and result.stderr == ""


# ------------------------------------------------------------------ tools that parse az's output

def test_get_access_token_prints_the_same_bytes_through_the_shim(shim):
    directory, env = shim
    argv = ["account", "get-access-token", "-o", "json"]
    through_shim = run([str(directory / "az"), *argv], env)
    real = run([AZ, *argv], env)
    assert through_shim.returncode == real.returncode == 0
    assert through_shim.stdout == real.stdout and json.loads(real.stdout)["accessToken"]
    assert through_shim.stderr == ""


def test_terraforms_command_line_gets_its_token_through_the_shim(shim):
    """The command line Terraform's azurerm provider (hashicorp/go-azure-sdk) runs, and what it parses."""
    _directory, env = shim
    result = run(["az", "account", "get-access-token", "--resource", "https://management.core.windows.net/",
                  "--tenant", data.CONTOSO.tenant_id, "-o=json"], env)
    assert result.returncode == 0 and result.stderr == ""
    token = json.loads(result.stdout)
    assert token["accessToken"] and token["tenant"] == data.CONTOSO.tenant_id and token["expires_on"] > 0


def test_azure_identitys_cli_credential_gets_its_token_through_the_shim(shim):
    directory, env = shim
    code = ("import shutil; from azure.identity import AzureCliCredential; "
            "print(shutil.which('az')); print(AzureCliCredential().get_token('https://management.core.windows.net/.default').expires_on)")
    result = run([sys.executable, "-c", code], env)
    assert result.returncode == 0, result.stderr
    which, expires_on = result.stdout.split()
    assert which == str(directory / "az") and int(expires_on) > 0


# ------------------------------------------------------------------ once, not twice

@pytest.mark.parametrize("shell_name", ["bash", "zsh"])
def test_the_function_and_the_shim_together_guard_each_command_once(shim, emulator, shell_name):
    _directory, env = shim
    shell = GuardedShell(shell_name, {**env, "TOKENGUARD_CONTEXT_LINE": "always", "NO_COLOR": "1"})
    try:
        assert shell.run("az group list -o none").count("az context:") == 1
        shell.run("__tokenguard_az=")  # the function now reaches az through PATH, that is through the shim
        assert shell.run("az group list -o none").count("az context:") == 1
        shell.type_command("az group delete -n rg1")
        shown = shell.expect("Run it? [y/N] ")
        assert shown.count("az context:") == 1
        shell.sendline("n")
        assert "Run it?" not in shell.until_prompt()  # asked once
        assert shell.exit_status() == REFUSED_BY_USER and deletes(emulator) == []
    finally:
        shell.close()


# ------------------------------------------------------------------ az upgraded, recursion, removal

def _break_shim(directory, **changes):
    """What an az upgrade does to an installed shim: the recorded paths point at nothing."""
    path = directory / "az"
    text = path.read_text()
    for name, value in changes.items():
        text = "\n".join(f"{name}={value}" if line.startswith(f"{name}=") else line for line in text.splitlines())
    path.write_text(text + "\n")


def test_an_az_upgrade_keeps_the_shim_failing_closed(shim, emulator, tmp_path):
    directory, env = shim
    _break_shim(directory, tg_python="/gone/python3", tg_az="/gone/az")
    refused = run(["az", "group", "delete", "-n", "rg1", "--yes"], env, TOKENGUARD_CONFIRM=DEV.display_name)
    assert refused.returncode == REFUSED_GUARD_MISSING and deletes(emulator) == []
    assert f"az tokenguard shell-init --shim {directory}" in refused.stderr  # how to repair it
    read = run(["az", "group", "list", "--query", "[].name", "-o", "tsv"], env)
    assert read.returncode == 0 and read.stdout == "rg1\n"  # reads still run, with the az found on PATH


def test_the_shim_never_finds_itself(shim, tmp_path):
    directory, env = shim
    _break_shim(directory, tg_az="/gone/az")
    twice = {**env, "PATH": f"{directory}{os.pathsep}{directory}{os.pathsep}{env['PATH']}"}
    assert run(["az", "group", "list", "-o", "none"], twice).returncode == 0
    alone = {**env, "PATH": f"{directory}{os.pathsep}{directory}{os.pathsep}/usr/bin{os.pathsep}/bin"}
    result = run([str(directory / "az"), "group", "list"], alone)
    assert result.returncode == 127 and "no az found besides this shim" in result.stderr


def test_the_shim_is_removed_with_one_command_and_never_replaces_a_real_az(shim, user_az, tmp_path):
    directory, _env = shim
    assert user_az.json("tokenguard", "shell-init", "--shim", str(directory), "--remove")["removed"] is True
    assert not (directory / "az").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "az").write_text("#!/bin/sh\necho not tokenguard\n")
    refused = user_az.run("tokenguard", "shell-init", "--shim", str(other), check=False)
    assert refused.returncode != 0 and "is not a tokenguard shim" in refused.stderr and "Traceback" not in refused.stderr
    assert user_az.run("tokenguard", "shell-init", "--shim", str(other), "--remove", check=False).returncode != 0
    assert (other / "az").read_text() == "#!/bin/sh\necho not tokenguard\n"


# ------------------------------------------------------------------ read-only mode and classify decisions

def test_read_only_mode_refuses_writes_and_deletes_and_lets_reads_through(shim, emulator):
    _directory, env = shim
    for argv in (["group", "create", "-n", "rg9", "-l", "westeurope"], ["group", "delete", "-n", "rg1", "--yes"]):
        result = run(["az", *argv], env, TOKENGUARD_MODE="read-only", TOKENGUARD_CONFIRM=DEV.display_name)
        assert result.returncode == REFUSED_READ_ONLY, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "read-only mode" in lines[0]
    assert [r for r in emulator.requests(service="arm") if r["method"] in ("PUT", "DELETE")] == []
    listed = run(["az", "group", "list", "--query", "[].name", "-o", "tsv"], env, TOKENGUARD_MODE="read-only")
    assert listed.returncode == 0 and listed.stdout == "rg1\n"


def test_read_only_by_policy_cannot_be_loosened_from_the_environment(shim, user_az, emulator):
    _directory, env = shim
    user_az.run("tokenguard", "policy", "set", "--mode", "read-only")
    result = run(["az", "group", "create", "-n", "rg9", "-l", "westeurope"], env, TOKENGUARD_MODE="normal")
    assert result.returncode == REFUSED_READ_ONLY and "policy" in result.stderr
    loosen = run(["az", "tokenguard", "policy", "set", "--mode", "normal"], env)
    assert loosen.returncode == REFUSED_READ_ONLY  # an agent cannot switch it off through the guard
    assert [r for r in emulator.requests(service="arm") if r["method"] == "PUT"] == []


def test_classify_reports_the_guards_decisions_for_an_agent_hook(user_az):
    text = "az group create -n rg9 -l westeurope && az group list -o none; az group delete -n rg1 --yes"
    result = user_az.run("tokenguard", "classify", "--command", text, "-o", "json", check=False,
                         env={"TOKENGUARD_MODE": "read-only"})
    assert result.returncode == REFUSED_READ_ONLY
    decisions = [(e["command"].split()[2], e["decision"]) for e in json.loads(result.stdout)]
    assert decisions == [("create", "deny"), ("list", "allow"), ("delete", "deny")]
    normal = user_az.run("tokenguard", "classify", "--command", text, "-o", "json")
    assert [e["decision"] for e in normal.json()] == ["allow", "allow", "confirm"]
    confirmed = user_az.json("tokenguard", "classify", "--command", "group delete -n rg1",
                             env={"TOKENGUARD_CONFIRM": DEV.display_name})
    assert confirmed[0]["decision"] == "allow"


# ------------------------------------------------------------------ fish

@pytest.fixture
def fish(user_az):
    shell = GuardedShell("fish", user_az.env)
    yield shell
    shell.close()


def test_fish_asks_before_a_typed_delete_and_no_sends_nothing(fish, emulator):
    fish.type_command("az group delete -n rg1")
    shown = fish.expect("Run it? [y/N] ")
    assert "DESTRUCTIVE" in shown and f"contoso-dev ({DEV.subscription_id})" in shown
    fish.sendline("n")
    fish.until_prompt()
    assert fish.exit_status() == REFUSED_BY_USER and deletes(emulator) == []


def test_fish_needs_the_name_of_a_protected_subscription(fish, emulator):
    fish.run("az tokenguard protect --subscription contoso-prod -o none")
    fish.type_command("az group delete -n rg1 --subscription contoso-prod --yes")
    fish.expect('Type its name "contoso-prod" to run it')
    fish.sendline("y")
    fish.until_prompt()
    assert deletes(emulator, PROD) == []
    fish.type_command("az group delete -n rg1 --subscription contoso-prod --yes")
    fish.expect('Type its name "contoso-prod" to run it')
    fish.sendline("contoso-prod")
    fish.until_prompt()
    assert fish.exit_status() == 0 and len(deletes(emulator, PROD)) == 1


def test_a_pinned_fish_refuses_another_subscription(fish, emulator):
    fish.run("az tokenguard pin --subscription contoso-dev --shell fish | source")
    out = fish.run("az group list --subscription contoso-prod -o none")
    assert fish.exit_status() == REFUSED_BY_PIN and "pinned" in out
    assert not [r for r in emulator.requests(service="arm") if PROD.subscription_id in r["path"]]
    fish.run("az tokenguard pin --clear --shell fish | source")
    fish.run("az group list --subscription contoso-prod -o none")
    assert fish.exit_status() == 0


def test_fish_prompt_segment(fish, user_az):
    out = fish.run("__tokenguard_prompt; echo")
    assert "contoso-dev" in out
