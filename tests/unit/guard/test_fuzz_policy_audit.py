"""Fuzzing the policy file (read by the guard before every az command) and the audit log reader: any content
loads, or fails closed with one line (every subscription protected), in bounded time; over the cap it is not
read at all."""
import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azext_tokenguard.guard import audit, policy
from tests.unit.fuzz_support import (GUIDS, JSONISH, MANY, SOME, ScratchDir, assert_one_line, count, document,
                                     nasty_bytes, write_huge)

PARSER = "policy file"
AUDIT = "audit log"
PATTERNS = st.one_of(st.sampled_from(["Prod*", "*-prod", "[", "[!a-z]*", "*[*", "\\", "?" * 40, "*a" * 100]),
                     GUIDS, st.text(max_size=30), st.text(alphabet="[]*?!^-a\\", max_size=300))
POLICIES = document({"protected": st.lists(PATTERNS, max_size=6)}, {
    "version": st.just(1), "contextLine": st.sampled_from(policy.CONTEXT_LINE_MODES),
    "deviceCode": st.sampled_from(policy.RULE_MODES), "ciUserLogin": st.sampled_from(policy.RULE_MODES)})
NAMES = st.one_of(st.sampled_from(["prod", "dev-prod", "Production", ""]), GUIDS, st.text(max_size=40))


def load(data):
    with ScratchDir() as scratch:
        scratch.write(os.path.join(policy.POLICY_DIR_NAME, policy.POLICY_FILE_NAME), data)
        return policy.load_policy(scratch.path)


def check_policy(loaded, name, subscription_id):
    if loaded.error:
        assert_one_line(loaded.error)
        assert loaded.is_protected(name, subscription_id)  # fail closed: everything is protected
    else:
        assert all(isinstance(p, str) for p in loaded.protected)
        assert loaded.context_line in policy.CONTEXT_LINE_MODES
        assert loaded.device_code in policy.RULE_MODES and loaded.ci_user_login in policy.RULE_MODES
        assert loaded.is_protected(name, subscription_id) in (True, False)
    json.dumps(loaded.as_dict())  # what `policy show` prints


@MANY
@given(nasty_bytes(POLICIES | JSONISH), NAMES, NAMES)
def test_any_policy_file_loads_or_fails_closed(data, name, subscription_id):
    count(PARSER)
    check_policy(load(data), name, subscription_id)


@SOME
@given(POLICIES, NAMES)
def test_any_patterns_match_in_bounded_time(document_, name):
    count(PARSER)
    check_policy(load(json.dumps(document_).encode()), name, name)


@pytest.mark.parametrize("protected", [["[" * 10_000], ["*a" * 5_000], ["p%d" % i for i in range(1001)]])
def test_patterns_beyond_what_protect_writes_fail_closed(protected):
    # Found by fuzzing: fnmatch took 2 s to translate '[' * 10000, before every az command; a file beyond
    # protect's own limits (1000 entries of 256 characters) is now treated as corrupt: everything protected.
    count(PARSER)
    loaded = load(json.dumps({"protected": protected}).encode())
    assert "'protected' holds more than" in loaded.error
    check_policy(loaded, "dev", "")


def test_a_policy_over_the_cap_is_not_read(tmp_path):
    count(PARSER)
    path = tmp_path / policy.POLICY_DIR_NAME / policy.POLICY_FILE_NAME
    path.parent.mkdir()
    write_huge(path, b'{"protected": [', b'"Prod*", ', b'"x"]}', 20 * 1024 * 1024)
    loaded = policy.load_policy(str(tmp_path))
    path.unlink()
    assert "larger than" in loaded.error and loaded.is_protected("dev", "")


@pytest.mark.parametrize("kind", ["directory", "fifo", "symlink"])
def test_a_policy_that_is_not_a_regular_file_fails_closed(tmp_path, kind):
    count(PARSER)
    path = tmp_path / policy.POLICY_DIR_NAME / policy.POLICY_FILE_NAME
    path.parent.mkdir()
    {"directory": path.mkdir, "fifo": lambda: os.mkfifo(path),
     "symlink": lambda: path.symlink_to(tmp_path / "elsewhere.json")}[kind]()
    loaded = policy.load_policy(str(tmp_path))
    assert loaded.error and loaded.is_protected("dev", "")
    assert_one_line(loaded.error)


# --- the audit log (written by the guard, read by `az tokenguard audit show`) --------------------------

@SOME
@given(st.lists(nasty_bytes(), max_size=5))
def test_any_audit_log_reads_with_bad_lines_skipped(lines):
    count(AUDIT)
    with ScratchDir() as scratch:
        scratch.write(os.path.join(policy.POLICY_DIR_NAME, audit.LOG_FILE_NAME), b"\n".join(lines))
        records, skipped = audit.read_records(scratch.path)
    assert all(r["decision"] in audit.DECISIONS for r in records) and skipped >= 0
