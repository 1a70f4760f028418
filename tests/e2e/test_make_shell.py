"""`make shell`: a signed-in shell against the offline emulator, in one command, that leaves nothing behind.

Each test runs make from this checkout with its own TMPDIR, so "no temp dir left" and "no emulator left" are
checked against what this run made and nothing else."""
import os
import subprocess
from pathlib import Path

import pexpect
import pytest

from tests.emulator import data
from tests.harness.shell import ANSI

REPO = Path(__file__).resolve().parents[2]
PROMPT = r"~ [#$] "  # the rc's PS1 after the segment: working dir, then $ (or # as root)
SUBSCRIPTION_NAMES = {s.display_name for s in data.SUBSCRIPTIONS}


def make_env(tmp_path):
    return {**os.environ, "TMPDIR": str(tmp_path)}


def emulators_under(tmp_path):
    """Emulator processes whose state dir lies under tmp_path (read from /proc, as ps would)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"tests.emulator" in argv and any(str(tmp_path).encode() in arg for arg in argv):
            found.append(entry.name)
    return found


def assert_nothing_left(tmp_path):
    assert emulators_under(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_piped_commands_run_in_a_signed_in_shell_and_nothing_is_left(shell, tmp_path):
    make_args = ["make", "-s", "shell"] + ([] if shell == "bash" else [f"SHELL_KIND={shell}"])
    result = subprocess.run(make_args, input="az account show --query name -o tsv\n", capture_output=True,
                            text=True, cwd=REPO, env=make_env(tmp_path), timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in SUBSCRIPTION_NAMES
    assert result.stdout.strip() == data.CONTOSO_DEV.display_name  # az's default, not the protected one
    assert_nothing_left(tmp_path)


def test_the_session_has_two_identities_and_a_protected_subscription(tmp_path):
    commands = ("az account list --query \"[].[user.name, name]\" -o tsv\n"
                "az tokenguard policy show --query \"protected[0]\" -o tsv\n"
                "type az | head -1\n")
    result = subprocess.run(["make", "-s", "shell"], input=commands, capture_output=True, text=True, cwd=REPO,
                            env=make_env(tmp_path), timeout=300, check=False)
    lines = result.stdout.splitlines()
    accounts = {tuple(line.split("\t")) for line in lines if "\t" in line}
    assert accounts == {(data.DEPLOY_BOT.app_id, data.CONTOSO_DEV.display_name),
                        (data.DEPLOY_BOT.app_id, data.CONTOSO_PROD.display_name),
                        (data.ALICE.username, data.FABRIKAM_SANDBOX.display_name)}
    assert data.CONTOSO_PROD.display_name in lines  # protected
    assert "az is a function" in result.stdout  # shell-init is loaded: az goes through the guard
    assert_nothing_left(tmp_path)


def test_at_a_terminal_the_prompt_shows_the_context_and_exit_cleans_up(tmp_path):
    child = pexpect.spawn("make", ["-s", "shell"], cwd=str(REPO), env={**make_env(tmp_path), "TERM": "dumb"},
                          encoding="utf-8", timeout=120, dimensions=(40, 200))
    child.expect_exact("Type exit to stop.")
    child.expect(PROMPT)
    assert "[contoso-dev]" in ANSI.sub("", child.before)  # the prompt segment
    child.sendline("az group delete -n rg1")
    child.expect_exact("Run it? [y/N] ")
    child.sendline("n")
    child.expect(PROMPT)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert_nothing_left(tmp_path)
