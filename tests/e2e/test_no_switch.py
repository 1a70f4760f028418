"""No switch, spelling or path gets around the guard (issue 21, findings 1, 2 and 5), against the real az and
the emulator, through the real shim and shell function: nothing a caller sets in the environment skips the
guard, the agent hook denies what it cannot read, and read-only mode covers tokenguard's own state. The
emulator's request log and the file system are the witnesses."""
import json
import os
import subprocess

import pytest

from tests.emulator import data
from tests.harness.az import AZ
from tests.harness.shell import GuardedShell, without_terminal

DEV, PROD = data.CONTOSO_DEV, data.CONTOSO_PROD
REFUSED_NO_TERMINAL, REFUSED_BY_PIN, REFUSED_READ_ONLY = 42, 43, 47
PASSPHRASE = "correct horse battery staple"
# The README's PreToolUse hook for an agent's Bash tool: exit status 2 blocks the call.
HOOK = r"""#!/bin/sh
command=$(jq -r '.tool_input.command // empty')
case $command in *az*) ;; *) exit 0 ;; esac
verdict=$(az tokenguard classify --command "$command" -o json) || { echo "tokenguard: $verdict" >&2; exit 2; }
if printf '%s' "$verdict" | jq -e 'any(.[]; .decision != "allow")' >/dev/null; then
    printf '%s' "$verdict" | jq -r '.[] | select(.decision != "allow") | "tokenguard: \(.decision): \(.command): \(.decisionReason)"' >&2
    exit 2
fi
"""


@pytest.fixture
def shim(user_az, tmp_path):
    """`az tokenguard shell-init --shim DIR`, then DIR first on PATH: what a user puts in ~/.profile."""
    directory = tmp_path / "bin"
    user_az.json("tokenguard", "shell-init", "--shim", str(directory))
    path = f"{directory}{os.pathsep}{user_az.env['PATH']}"
    return directory, {**user_az.env, "AZURE_CONFIG_DIR": str(user_az.config_dir), "PATH": path}


def run(argv, env, stdin=None, **kwargs):
    """A program started with no terminal and no rc file read, as an agent, cron or make starts it."""
    options = without_terminal({**env, **kwargs})
    if stdin is not None:
        options.pop("stdin")
    return subprocess.run(argv, capture_output=True, text=True, timeout=180, input=stdin, **options)


def arm(emulator, method):
    return emulator.requests(service="arm", method=method)


# ------------------------------------------------------------------ 1. no in-band off switch

def test_the_old_recursion_marker_switches_nothing_off(shim, emulator):
    _directory, env = shim
    read_only = run(["az", "group", "delete", "-n", "rg1", "--yes"], env, TOKENGUARD_GUARDED="1",
                    TOKENGUARD_MODE="read-only")
    assert read_only.returncode == REFUSED_READ_ONLY and "read-only mode" in read_only.stderr
    unconfirmed = run(["az", "group", "delete", "-n", "rg1", "--yes"], env, TOKENGUARD_GUARDED="1")
    assert unconfirmed.returncode == REFUSED_NO_TERMINAL and "TOKENGUARD_CONFIRM" in unconfirmed.stderr
    pinned = run(["az", "group", "list", "-o", "none"], env, TOKENGUARD_GUARDED="1",
                 TOKENGUARD_EXPECT_SUBSCRIPTION=PROD.subscription_id)
    assert pinned.returncode == REFUSED_BY_PIN
    assert arm(emulator, "DELETE") == [] and arm(emulator, "GET") == []


def test_the_old_recursion_marker_does_not_skip_the_shells_selection(shim, emulator):
    _directory, env = shim
    created = run(["az", "group", "create", "-n", "rg9", "-l", "westeurope", "-o", "none"], env,
                  TOKENGUARD_GUARDED="1", TOKENGUARD_SUBSCRIPTION=PROD.subscription_id)
    assert created.returncode == 0, created.stderr
    puts = arm(emulator, "PUT")
    assert puts and all(PROD.subscription_id in r["path"] for r in puts), puts  # not az's default (dev)


def test_tab_completion_through_the_shim_runs_no_command(shim, emulator):
    """_ARGCOMPLETE goes past the guard: az then only completes the line, it never runs the command."""
    _directory, env = shim
    run(["az", "group", "delete", "-n", "rg1", "--yes"], env, _ARGCOMPLETE="1")
    run(["az", "group", "delete", "-n", "rg1", "--yes"], env, _ARGCOMPLETE="1", COMP_LINE="az group delete -n rg1 --yes",
        COMP_POINT="29")
    assert arm(emulator, "DELETE") == []


@pytest.mark.parametrize("shell_name", ["bash", "fish"])
def test_without_a_recorded_az_the_function_finds_the_real_one_past_the_shim(shim, emulator, shell_name):
    """The function reaches az through PATH when its recorded az is gone: the shim there is skipped by path
    (each command is guarded once), not let through by a variable."""
    _directory, env = shim
    shell = GuardedShell(shell_name, {**env, "TOKENGUARD_CONTEXT_LINE": "always", "NO_COLOR": "1"})
    try:
        shell.run("set -g __tokenguard_az ''" if shell_name == "fish" else "__tokenguard_az=")
        assert shell.run("az group list -o none").count("az context:") == 1
        shell.type_command("az group delete -n rg1 --yes")
        assert shell.expect("Run it? [y/N] ").count("az context:") == 1
        shell.sendline("y")
        assert "Run it?" not in shell.until_prompt()  # asked once
        assert shell.exit_status() == 0 and len(arm(emulator, "DELETE")) == 1
    finally:
        shell.close()


# ------------------------------------------------------------------ 2. the hook denies what it cannot read

UNREADABLE = [
    "A=az; TOKENGUARD_GUARDED=1 $A group delete -n rg1 --yes",
    '"$(echo az)" group delete -n rg1 --yes',
    'eval "az group delete -n rg1 --yes"',
    "\\az group delete -n rg1 --yes",
    "f() { az \"$@\"; }; f group delete -n rg1 --yes",
]


@pytest.mark.parametrize("command", UNREADABLE)
def test_the_agent_hook_blocks_an_az_it_cannot_read(shim, emulator, tmp_path, command):
    _directory, env = shim
    hook = tmp_path / "hook.sh"
    hook.write_text(HOOK)
    call = json.dumps({"tool_name": "Bash", "tool_input": {"command": command}})
    verdict = run(["sh", str(hook)], env, stdin=call, TOKENGUARD_CONFIRM=DEV.display_name)
    if verdict.returncode == 0:  # what the agent does once the hook lets the call through
        run(["bash", "-c", command], env, TOKENGUARD_CONFIRM=DEV.display_name)
    assert verdict.returncode == 2 and "deny" in verdict.stderr, verdict.stderr  # blocked, with the reason
    assert "cannot tell whether or how this runs az" in verdict.stderr
    assert arm(emulator, "DELETE") == []


def test_classify_still_allows_what_it_can_read_and_tokenguards_own_shell_code(user_az):
    text = 'eval "$(az tokenguard use --subscription contoso-dev)"; az group list -o none'
    result = user_az.json("tokenguard", "classify", "--command", text)
    assert [e["decision"] for e in result] == ["allow", "allow"]


# ------------------------------------------------------------------ 5. read-only mode covers tokenguard itself

def _state_changes(directory, other):
    return [
        ["tokenguard", "shell-init", "--shim", str(directory), "--remove"],
        ["tokenguard", "shell-init", "--shim", str(other)],
        ["tokenguard", "vault", "lock", "--passphrase-file", "-"],
        ["tokenguard", "vault", "unlock", "--passphrase-file", "-"],
        ["tokenguard", "protect", "--subscription", DEV.display_name],
        ["tokenguard", "unprotect", "--subscription", DEV.display_name],
        ["tokenguard", "policy", "set", "--mode", "normal"],
        ["tokenguard", "policy", "reset"],
        ["tokenguard", "pin", "--subscription", DEV.subscription_id],
    ]


@pytest.mark.parametrize("how", ["through the shim", "around the shim"])
def test_read_only_mode_refuses_tokenguards_own_state_changes(shim, user_az, tmp_path, how):
    directory, env = shim
    az = "az" if how == "through the shim" else AZ  # around it: the real az by its full path
    other = tmp_path / "other"
    tokenguard_dir = user_az.config_dir / "tokenguard"
    for argv in _state_changes(directory, other):
        result = run([az, *argv], env, stdin=PASSPHRASE + "\n", TOKENGUARD_MODE="read-only")
        assert result.returncode == REFUSED_READ_ONLY, (argv, result.stderr)
        assert "read-only mode" in result.stderr and "Traceback" not in result.stderr
    assert (directory / "az").exists() and not other.exists()  # the shim stays, no new one
    assert (user_az.config_dir / "msal_token_cache.json").exists()  # nothing sealed
    assert not (tokenguard_dir / "policy.json").exists() and not (tokenguard_dir / "vault.json").exists()
    for argv in (["tokenguard", "policy", "show"], ["tokenguard", "shell-init", "--shell", "bash"],
                 ["tokenguard", "vault", "show"]):
        assert run([az, *argv], env, TOKENGUARD_MODE="read-only").returncode == 0, argv


def test_read_only_by_policy_holds_for_the_real_az_too(shim, user_az):
    _directory, env = shim
    user_az.run("tokenguard", "policy", "set", "--mode", "read-only")
    for argv in (["tokenguard", "policy", "set", "--mode", "normal"], ["tokenguard", "policy", "reset"]):
        loosen = run([AZ, *argv], env, TOKENGUARD_MODE="normal")
        assert loosen.returncode == REFUSED_READ_ONLY and "policy" in loosen.stderr, loosen.stderr
    assert user_az.json("tokenguard", "policy", "show")["mode"] == "read-only"
