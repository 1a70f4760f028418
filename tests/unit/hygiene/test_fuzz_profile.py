"""Fuzzing azureProfile.json and az's config as the guard reads them before every az command, and as
`logout --all` rewrites the profile. A corrupt profile is an unknown context with a one-line reason, never an
exception (and never one caught by load_context's last-resort handler), in bounded time and memory."""
import json
import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azext_tokenguard.hygiene import cleanup
from azext_tokenguard.guard import az_files, profile
from tests.unit.guard.parsed import as_written
from tests.unit.fuzz_support import (GUIDS, JSONISH, MANY, SOME, ScratchDir, assert_one_line, count, document,
                                     json_bytes, nasty_bytes, write_huge)

PARSER = "azureProfile.json (guard)"
CLEANUP = "azureProfile.json (logout --all)"
IDENTITY_TYPES = (az_files.USER, az_files.SERVICE_PRINCIPAL, az_files.MANAGED_IDENTITY)
NAMES = st.sampled_from(["Dev", "Prod", "prod", "systemAssignedIdentity", "", "a\nb"])

USERS = document({"name": NAMES, "type": st.sampled_from(["user", "servicePrincipal", "other"])},
                 {"assignedIdentityInfo": st.text(max_size=20)})
ENTRIES = document({"id": GUIDS, "name": NAMES, "user": USERS},
                   {"isDefault": st.booleans(), "tenantId": GUIDS, "environmentName": st.sampled_from(
                       ["AzureCloud", "AzureChinaCloud"]), "tenantDisplayName": st.text(max_size=10),
                    "tenantDefaultDomain": st.text(max_size=10), "state": st.just("Enabled")})
PROFILES = document({"subscriptions": st.lists(ENTRIES, max_size=4)}, {"installationId": st.text(max_size=8)})
PROFILE_BYTES = nasty_bytes(PROFILES | JSONISH)
ARGVS = st.lists(st.one_of(
    st.sampled_from(["group", "delete", "list", "account", "set", "show", "--subscription", "-s", "-n", "--subscr",
                     "--ids", "--scope", "--url", "Dev", "prod", "--subscription=Prod", "-sDev", "--", "-1"]),
    st.builds(lambda guid: "/subscriptions/" + guid + "/resourceGroups/rg", GUIDS), GUIDS,
    st.text(max_size=12)), max_size=8)


def no_sleep(_seconds):
    return None


def load(scratch, argv=("group", "list"), env=None):
    return profile.load_context(as_written(argv), scratch.path, env=env or {}, cwd=scratch.path, sleep=no_sleep)


def check_context(context):
    # The last-resort handler of load_context names an exception type: reaching it is a parser bug.
    assert not context.reason.startswith("cannot read the az context"), context.reason
    if context.known:
        assert isinstance(context.subscription_id, str) and context.subscription_id
        assert context.identity_type in IDENTITY_TYPES
        assert all(isinstance(value, str) for value in (context.tenant_id, context.subscription_name,
                                                          context.identity_name, context.tenant_display_name))
    else:
        assert isinstance(context.reason, str) and context.reason
    json.dumps(context.as_dict())


@MANY
@given(PROFILE_BYTES)
def test_any_profile_bytes_give_a_context_or_an_unknown_one_with_a_reason(data):
    count(PARSER)
    with ScratchDir() as scratch:
        scratch.write(profile.PROFILE_FILE_NAME, data)
        context = load(scratch)
    check_context(context)
    if not context.known:
        assert_one_line(context.reason)


@SOME
@given(PROFILES, ARGVS, st.binary(max_size=200) | st.text(max_size=80).map(
    lambda t: ("[defaults]\nsubscription = %s\n[cloud]\nname = %s\n" % (t, t)).encode("utf-8", "surrogatepass")),
    st.dictionaries(st.sampled_from(["AZURE_CLOUD_NAME", "AZURE_DEFAULTS_SUBSCRIPTION"]),
                    st.sampled_from(["AzureCloud", "AzureChinaCloud", "Prod", "dev"]) | st.text(max_size=8)))
def test_any_entries_argv_config_and_environment_resolve_without_error(document_, argv, config, env):
    count(PARSER)
    with ScratchDir() as scratch:
        scratch.write(profile.PROFILE_FILE_NAME, json_bytes(document_, b"\xef\xbb\xbf"))
        scratch.write(profile.CONFIG_FILE_NAME, config)
        context = load(scratch, argv, env)
    check_context(context)


@MANY
@given(PROFILE_BYTES)
def test_the_profile_parser_raises_only_its_value_error(data):
    count(PARSER)
    try:
        entries = profile._parse_profile_bytes(data)  # pylint: disable=protected-access
    except ValueError as error:  # load_subscriptions turns it into the reason; anything else would escape
        assert_one_line(str(error) or "empty")
        return
    assert all(isinstance(e, dict) and isinstance(e["id"], str) for e in entries)


@pytest.mark.parametrize("name, data", [
    ("empty", b""), ("bom only", b"\xef\xbb\xbf"), ("utf-16", '{"subscriptions": []}'.encode("utf-16")),
    ("nul bytes", b"\x00" * 100), ("deep lists", b'{"subscriptions": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    ("invalid utf-8", b'{"subscriptions": [{"id": "\xff"}]}'), ("not an object", b"[]"),
    ("subscriptions not a list", b'{"subscriptions": {}}'),
])
def test_corrupt_profiles_are_an_unknown_context(name, data):
    count(PARSER)
    with ScratchDir() as scratch:
        scratch.write(profile.PROFILE_FILE_NAME, data)
        context = load(scratch)
    assert not context.known, name
    assert_one_line(context.reason)


def test_a_profile_over_the_cap_is_not_read_whole(tmp_path):
    count(PARSER)
    path = tmp_path / profile.PROFILE_FILE_NAME
    write_huge(path, b'{"subscriptions": [', b'{"id": "x"},', b"{}]}", profile.MAX_PROFILE_BYTES + 1)
    subscriptions, error = profile.load_subscriptions(str(tmp_path), sleep=no_sleep)
    path.unlink()
    assert subscriptions is None and "larger than" in error


@settings(max_examples=1, deadline=5000)
@given(st.just(20 * 1024 * 1024))
def test_a_big_corrupt_profile_is_given_up_on_in_bounded_time(size):
    # Found by fuzzing: 50 re-reads of a 25 MB truncated profile held up every az command for 17 s; the
    # re-reads now stop after PROFILE_READ_BUDGET_S. The hypothesis deadline is the time bound.
    count(PARSER)
    with ScratchDir() as scratch:
        write_huge(os.path.join(scratch.path, profile.PROFILE_FILE_NAME), b'{"subscriptions": [',
                   b'{"id": "x", "name": "n"},', b"", size)
        context = load(scratch)
    assert not context.known and "unreadable" in context.reason


def test_a_huge_config_file_is_ignored(tmp_path):
    count(PARSER)
    (tmp_path / profile.PROFILE_FILE_NAME).write_bytes(json_bytes(
        {"subscriptions": [{"id": "11111111-1111-1111-1111-111111111111", "name": "Dev", "isDefault": True}]}))
    write_huge(tmp_path / profile.CONFIG_FILE_NAME, b"[defaults]\nsubscription = nope\n", b"#" * 80 + b"\n", b"",
               profile.MAX_CONFIG_BYTES + 1)
    context = profile.load_context(as_written(["group", "list"]), str(tmp_path), env={}, cwd=str(tmp_path), sleep=no_sleep)
    assert context.known and context.subscription_name == "Dev"


# --- `logout --all` empties the profile's subscriptions ---------------------------------------------------

@SOME
@given(PROFILE_BYTES)
def test_stripping_subscriptions_rewrites_or_refuses_with_one_line(data):
    count(CLEANUP)
    with ScratchDir() as scratch:
        path = scratch.write(profile.PROFILE_FILE_NAME, data)
        try:
            result = cleanup.strip_subscriptions(path)
        except cleanup.ProfileFormatError as error:
            assert_one_line(str(error))
            with open(path, "rb") as handle:
                assert handle.read() == data  # refused: the file is left as it was
            return
        with open(path, "rb") as handle:
            rewritten = json.loads(handle.read().decode("utf-8-sig"))
        mode = stat.S_IMODE(os.stat(path).st_mode)
    assert isinstance(result["subscriptionsRemoved"], int) and result["subscriptionsRemoved"] >= 0
    assert rewritten["subscriptions"] == [] and mode == 0o600


def test_stripping_a_profile_over_the_cap_refuses_it(tmp_path):
    count(CLEANUP)
    path = write_huge(tmp_path / profile.PROFILE_FILE_NAME, b'{"subscriptions": [', b'{"id": "x"},', b"{}]}",
                      cleanup.MAX_PROFILE_BYTES + 1)
    with pytest.raises(cleanup.ProfileFormatError) as error:
        cleanup.strip_subscriptions(str(path))
    size = os.path.getsize(path)
    path.unlink()
    assert "larger than" in str(error.value) and size > cleanup.MAX_PROFILE_BYTES


def test_re_reads_of_a_corrupt_profile_stop_at_the_time_budget(tmp_path):
    count(PARSER)
    (tmp_path / profile.PROFILE_FILE_NAME).write_bytes(b'{"subscriptions": [')
    ticks, sleeps = iter(range(0, 10_000, 1)), []
    # Each parse "takes" a second on this clock: the budget is spent after the first read.
    subscriptions, error = profile.load_subscriptions(str(tmp_path), sleep=sleeps.append, clock=lambda: next(ticks))
    assert subscriptions is None and "unreadable" in error and sleeps == []
    subscriptions, error = profile.load_subscriptions(str(tmp_path), sleep=sleeps.append, clock=lambda: 0.0)
    assert subscriptions is None and len(sleeps) == profile.PROFILE_READ_ATTEMPTS - 1
