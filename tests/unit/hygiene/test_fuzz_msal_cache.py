"""Fuzzing `az tokenguard scan` over the MSAL token cache (and any token file name it knows): any content gives
findings and cache records of the documented shape, never an exception, never a secret value, and a file
over the size cap is reported as too large instead of being read."""
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azext_tokenguard.hygiene import scan as cache_scan
from tests.unit.fuzz_support import (GUIDS, JSONISH, MANY, NOW, SECRET_MARK, SECRETS, SOME, ScratchDir, count,
                                     check_scan_result as check_result, document, field, json_bytes, nasty_bytes,
                                     write_huge)

PARSER = "MSAL token cache (scan)"
TIMES = st.one_of(st.integers(NOW - 10 ** 6, NOW + 10 ** 6).map(str), st.integers(), st.text(max_size=6),
                  st.just("1" + "0" * 400), st.just("-1" + "0" * 400), st.floats(allow_nan=True))
COMMON = {"home_account_id": st.sampled_from(["uid.utid", "other.utid"]), "environment": st.just(
    "login.microsoftonline.com"), "client_id": GUIDS, "realm": GUIDS}


def section(entry):
    return field(st.dictionaries(st.text(max_size=6), field(entry), max_size=3))


MSAL_CACHES = document({}, {
    "AccessToken": section(document({"secret": SECRETS, "expires_on": TIMES, "target": st.text(max_size=20),
                                     "credential_type": st.just("AccessToken"), **COMMON},
                                    {"cached_at": TIMES, "extended_expires_on": TIMES})),
    "RefreshToken": section(document({"secret": SECRETS, "credential_type": st.just("RefreshToken"), **COMMON},
                                     {"last_modification_time": TIMES, "family_id": st.just("1")})),
    "IdToken": section(document({"secret": SECRETS, "credential_type": st.just("IdToken"), **COMMON})),
    "Account": section(document({"username": st.text(max_size=10), "local_account_id": GUIDS,
                                 "authority_type": st.just("MSSTS"), **COMMON})),
    "AppMetadata": section(document({"client_id": GUIDS, "environment": st.text(max_size=5)})),
})
CACHE_FILE_NAMES = ["msal_token_cache.json", "msal_token_cache.bin", "service_principal_entries.json",
                    "accessTokens.json", "azureProfile.json", "msal_http_cache.bin", "notes.txt"]


def scan(scratch, **limits):
    result = cache_scan.scan_paths([scratch.path], NOW, {}, **limits)
    check_result(result)
    return result


@MANY
@given(MSAL_CACHES, st.sampled_from([b"", b"\xef\xbb\xbf"]))
def test_msal_caches_with_wrong_types_anywhere_give_findings(cache, bom):
    count(PARSER)
    with ScratchDir() as scratch:
        scratch.write("msal_token_cache.json", json_bytes(cache, bom))
        scan(scratch)


@SOME
@given(st.sampled_from(CACHE_FILE_NAMES), nasty_bytes(MSAL_CACHES | JSONISH))
def test_any_bytes_under_any_cache_name_give_findings(name, data):
    count(PARSER)
    with ScratchDir() as scratch:
        scratch.write(name, data)
        result = scan(scratch)
    assert result["stats"]["filesSeen"] == 1


@pytest.mark.parametrize("data, problem", [
    (b"", "file is empty"), (b"\xef\xbb\xbf", "invalid JSON"), (b"\x00" * 100, "NUL"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"), (b'{"AccessToken": {"k": "\xff"}}', "UTF-8"),
    ('{"AccessToken": {}}'.encode("utf-16"), "NUL"), (b'{"AccessToken": {', "truncated or invalid JSON"),
], ids=["empty", "bom only", "nul bytes", "deep lists", "invalid utf-8", "utf-16", "truncated"])
def test_corrupt_msal_caches_are_one_line_findings(data, problem):
    count(PARSER)
    with ScratchDir() as scratch:
        scratch.write("msal_token_cache.json", data)
        result = scan(scratch)
    messages = [f["message"] for f in result["findings"] if f["id"] == "TG008"]
    assert any(problem in message for message in messages), messages


@pytest.mark.parametrize("value", ["1" + "0" * 400, "-1" + "0" * 400, "99999999999999999999"])
def test_absurd_token_times_are_skipped_not_a_crash(value):
    # Found by fuzzing: expires_on / last_modification_time of 400 digits raised OverflowError out of scan.
    count(PARSER)
    cache = {"AccessToken": {"a": {"secret": SECRET_MARK + "a1", "expires_on": value, "credential_type": "AccessToken",
                                   "home_account_id": "uid.utid", "target": "t"}},
             "RefreshToken": {"r": {"secret": SECRET_MARK + "r1", "last_modification_time": value,
                                    "credential_type": "RefreshToken", "home_account_id": "uid.utid"}}}
    with ScratchDir() as scratch:
        scratch.write("msal_token_cache.json", json_bytes(cache))
        result = scan(scratch)
    ids = [f["id"] for f in result["findings"]]
    assert "TG001" in ids and "TG002" not in ids and "TG008" in ids  # the access token is a malformed entry


def test_a_cache_over_the_cap_is_reported_not_read(tmp_path):
    count(PARSER)
    os.chmod(tmp_path, 0o700)
    path = write_huge(tmp_path / "msal_token_cache.json", b'{"RefreshToken": {', b'"k": {"secret": "x"},', b"}}",
                      20 * 1024 * 1024)
    result = cache_scan.scan_paths([tmp_path], NOW, {}, max_cache_bytes=1024 * 1024)
    path.unlink()
    check_result(result)
    assert [r["format"] for r in result["caches"]] == ["unreadable"]
    assert any("larger than the 1048576-byte limit" in f["message"] for f in result["findings"])


def test_an_unknown_file_over_its_cap_is_skipped(tmp_path):
    count(PARSER)
    os.chmod(tmp_path, 0o700)
    path = write_huge(tmp_path / "notes.txt", b"", b"refresh_token=abcdefgh12345678\n", b"", 20 * 1024 * 1024)
    result = cache_scan.scan_paths([tmp_path], NOW, {})
    path.unlink()
    check_result(result)
    assert result["stats"]["skippedLargeFiles"] == 1 and result["findings"] == []
