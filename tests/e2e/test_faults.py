"""Faults that must lose nothing and crash nothing: broken config dirs under the guard, a profile rewritten
while the guard reads it, logout racing a running az, and a disk that fills while the policy is written."""
import json
import os
import re
import resource
import subprocess
import sys
import threading

import pytest

from tests.emulator import data
from tests.harness.az import AZ
from tests.harness.shell import guard_launch_path

NO_TERMINAL = 42


def run_guard(launch, env, *argv):
    return subprocess.run([sys.executable, "-I", "-S", launch, *argv], env=env, text=True, capture_output=True,
                          stdin=subprocess.DEVNULL, start_new_session=True, check=False, timeout=60)


def _break_missing(config_dir):
    return str(config_dir / "does-not-exist")


def _break_empty(config_dir):
    empty = config_dir / "empty"
    empty.mkdir()
    return str(empty)


def _break_corrupt(config_dir):
    (config_dir / "azureProfile.json").write_bytes(b'\xef\xbb\xbf{"subscriptions": [{"id": "0b1f')
    return str(config_dir)


def _break_unwritable(config_dir):
    # Root may write anywhere, so make the guard's state path a file: nothing can be created under it.
    (config_dir / "tokenguard").write_text("not a directory")
    os.chmod(config_dir, 0o500)
    return str(config_dir)


@pytest.mark.parametrize("breakage", [_break_missing, _break_empty, _break_corrupt, _break_unwritable],
                         ids=["missing", "empty", "corrupt", "unwritable"])
def test_a_broken_config_dir_still_guards_and_never_shows_a_traceback(user_az, breakage):
    launch = guard_launch_path(user_az)
    env = {**user_az.env, "AZURE_CONFIG_DIR": breakage(user_az.config_dir), "TOKENGUARD_CONTEXT_LINE": "always"}
    try:
        read = run_guard(launch, env, "group", "list")
        delete = run_guard(launch, env, "group", "delete", "-n", "rg1", "--yes")
    finally:
        os.chmod(user_az.config_dir, 0o700)
    for result in (read, delete):
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert read.returncode == 0  # other commands run, with a one-line note
    assert delete.returncode == NO_TERMINAL  # a destructive command still needs confirmation
    if breakage is not _break_unwritable:
        assert "unknown" in delete.stderr  # marked "context unknown"


def test_the_guard_reads_a_consistent_profile_while_az_rewrites_it(user_az):
    """az's own Session.save() rewrites azureProfile.json 100 times a second (one az process takes ~200 ms,
    so this is far more often than any real use), switching the default between two subscriptions; every
    guard run names one of them whole, never a mix and never 'unknown'."""
    launch = guard_launch_path(user_az)
    env = {**user_az.env, "TOKENGUARD_CONTEXT_LINE": "always"}
    writer = subprocess.Popen([sys.executable, "-c", _PROFILE_FLIPPER, str(user_az.config_dir / "azureProfile.json")],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "flipping"  # the writer is running before the guard starts
    seen = set()
    try:
        for _ in range(40):
            result = run_guard(launch, env, "group", "list")
            assert result.returncode == 0 and "Traceback" not in result.stderr
            match = re.search(r"subscription (contoso-\w+) \((\S+)\)", result.stderr)
            assert match, result.stderr
            seen.add(match.groups())
    finally:
        writer.terminate()
        writer.wait()
    assert seen <= {("contoso-dev", data.CONTOSO_DEV.subscription_id),
                    ("contoso-prod", data.CONTOSO_PROD.subscription_id)}


_PROFILE_FLIPPER = """
import sys
import time
from azure.cli.core._session import Session
profile = Session(encoding='utf-8-sig')
profile.load(sys.argv[1])
print('flipping', flush=True)
while True:
    for sub in profile['subscriptions']:
        sub['isDefault'] = not sub['isDefault'] if sub['name'] in ('contoso-dev', 'contoso-prod') else False
    profile.save()
    time.sleep(0.01)  # a rewrite rate far above what az processes can produce, not a hot loop
"""


def test_logout_racing_a_running_az_command(user_az):
    """A token refresh runs while logout --all wipes the cache: nothing crashes or is left half-written,
    logout's own verification tells the truth, and a second logout always ends clean."""
    racer = subprocess.Popen([AZ, "tokenguard", "get-token", "--min-validity", "59m", "--resource", "graph"],
                             env=user_az.env, cwd=user_az.env["HOME"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    logout = user_az.run("tokenguard", "logout", "--all", "--yes", check=False)
    _, racer_err = racer.communicate(timeout=120)
    assert "Traceback" not in logout.stderr + racer_err
    if logout.returncode != 0:
        assert "still on disk" in logout.stderr or "Wait for running az commands" in logout.stderr
    for name in ("msal_token_cache.json", "azureProfile.json"):
        path = user_az.config_dir / name
        if path.exists():
            json.loads(path.read_text(encoding="utf-8-sig"))  # whatever is there is whole, never truncated
    again = user_az.json("tokenguard", "logout", "--all", "--yes")
    assert again["verified"] == {"clean": True, "remaining": []}


def test_a_full_disk_while_writing_the_policy_keeps_the_old_policy(sp_az):
    for pattern in ("*-prod", "contoso-*-0001", "contoso-*-0002", "contoso-*-0003"):
        sp_az.run("tokenguard", "protect", "--subscription", pattern, "-o", "none")
    sp_az.run("config", "set", "logging.enable_log_file=no", "--only-show-errors")  # az's own log would fail first
    policy = sp_az.config_dir / "tokenguard" / "policy.json"
    before = policy.read_bytes()
    limit = len(before) + 8  # the new policy is longer than this: the write fails part-way, like a full disk

    result = subprocess.run([AZ, "tokenguard", "protect", "--subscription", "fabrikam-*-very-long-pattern"],
                            env=sp_az.env, cwd=sp_az.env["HOME"], capture_output=True, text=True, check=False,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert result.returncode != 0
    assert "Cannot write" in result.stderr and "Nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert policy.read_bytes() == before  # no truncated policy file
    assert sorted(p.name for p in policy.parent.iterdir()) == ["policy.json"]  # no temp file left behind
    assert "*-prod" in sp_az.json("tokenguard", "policy", "show")["protected"]


def test_guard_keeps_working_while_a_thread_of_az_commands_runs(sp_az):
    """The guard only reads: az commands running at the same time are not disturbed."""
    launch = guard_launch_path(sp_az)
    failures = []

    def az_loop():
        for _ in range(3):
            result = sp_az.run("group", "list", "-o", "none", check=False)
            if result.returncode:
                failures.append(result.stderr)
    thread = threading.Thread(target=az_loop)
    thread.start()
    results = [run_guard(launch, sp_az.env, "group", "list") for _ in range(10)]
    thread.join()
    assert failures == [] and {r.returncode for r in results} == {0}


def test_a_full_disk_while_writing_the_audit_log_does_not_change_the_decision(user_az):
    launch = guard_launch_path(user_az)
    log = user_az.config_dir / "tokenguard" / "audit.log"
    log.parent.mkdir(mode=0o700, exist_ok=True)
    log.write_text('{"time": "2026-01-01T00:00:00Z", "decision": "refused", "how": "pin"}\n')
    limit = log.stat().st_size + 16  # the next audit line does not fit: the write fails as on a full disk

    def guard_with_little_room(*extra_env):
        return subprocess.run([sys.executable, "-I", "-S", launch, "group", "delete", "-n", "rg1", "--yes"],
                              env={**user_az.env, **dict(extra_env)}, text=True, capture_output=True,
                              stdin=subprocess.DEVNULL, start_new_session=True, check=False,
                              preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))

    refused = guard_with_little_room()
    confirmed = guard_with_little_room(("TOKENGUARD_CONFIRM", "contoso-dev"))
    assert (refused.returncode, confirmed.returncode) == (NO_TERMINAL, 0)
    assert "Traceback" not in refused.stderr + confirmed.stderr
    for line in log.read_text().splitlines():
        json.loads(line)  # whatever was written is whole lines
