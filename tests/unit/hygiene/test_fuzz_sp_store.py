"""Fuzzing `az tokenguard scan` over az's service principal store (service_principal_entries.json) and the
legacy ADAL cache (accessTokens.json): entries of any shape give findings, never an exception or a secret."""
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azext_tokenguard.hygiene import scan as cache_scan
from tests.unit.fuzz_support import (GUIDS, JSONISH, MANY, NOW, SECRETS, SOME, ScratchDir, count, document,
                                     json_bytes, nasty_bytes, write_huge)
from tests.unit.fuzz_support import check_scan_result as check_result

PARSER = "service principal store (scan)"
SP_ENTRIES = document({"client_id": GUIDS, "tenant": GUIDS}, {
    "client_secret": SECRETS, "client_assertion": SECRETS, "certificate": st.text(max_size=20),
    "use_cert_sn_issuer": st.booleans()})
ADAL_ENTRIES = document({"_clientId": GUIDS}, {
    "refreshToken": SECRETS, "accessToken": SECRETS, "userId": st.text(max_size=10),
    "resource": st.text(max_size=10), "expiresOn": st.text(max_size=10)})
STORES = st.lists(st.one_of(SP_ENTRIES, SP_ENTRIES, ADAL_ENTRIES, JSONISH), max_size=5)


def scan(scratch):
    result = cache_scan.scan_paths([scratch.path], NOW, {})
    check_result(result)
    return result


@MANY
@given(st.sampled_from(["service_principal_entries.json", "accessTokens.json"]), STORES,
       st.sampled_from([b"", b"\xef\xbb\xbf"]))
def test_entries_of_any_shape_give_findings(name, entries, bom):
    count(PARSER)
    with ScratchDir() as scratch:
        scratch.write(name, json_bytes(entries, bom))
        result = scan(scratch)
    for record in result["caches"]:
        for principal in record["servicePrincipals"]:
            assert principal["credential"] in (None, "client_secret", "client_assertion", "certificate")


@SOME
@given(nasty_bytes(STORES))
def test_any_bytes_in_the_store_give_findings(data):
    count(PARSER)
    with ScratchDir() as scratch:
        scratch.write("service_principal_entries.json", data)
        scan(scratch)


def test_every_secret_of_a_store_is_found_by_fingerprint_only():
    count(PARSER)
    entries = [{"client_id": "app%d" % i, "tenant": "t", "client_secret": "SeCrEtMaRk%08d" % i} for i in range(3)]
    with ScratchDir() as scratch:
        scratch.write("service_principal_entries.json", json_bytes(entries))
        result = scan(scratch)
    fingerprints = {f["fingerprint"] for f in result["findings"] if f["id"] == "TG003"}
    assert fingerprints == {cache_scan.fingerprint(e["client_secret"]) for e in entries}


def test_a_store_over_the_cap_is_reported_not_read(tmp_path):
    count(PARSER)
    os.chmod(tmp_path, 0o700)
    path = write_huge(tmp_path / "service_principal_entries.json", b"[",
                      b'{"client_id": "a", "tenant": "t", "client_secret": "s"},', b"{}]", 20 * 1024 * 1024)
    result = cache_scan.scan_paths([tmp_path], NOW, {}, max_cache_bytes=4 * 1024 * 1024)
    path.unlink()
    check_result(result)
    assert [r["format"] for r in result["caches"]] == ["unreadable"]
    assert any("larger than" in f["message"] for f in result["findings"] if f["id"] == "TG008")


@pytest.mark.parametrize("data", [b"[" * 100_000 + b"]" * 100_000, b'[{"client_id": ' * 50_000])
def test_deeply_nested_stores_are_corrupt_findings(data):
    count(PARSER)
    with ScratchDir() as scratch:
        scratch.write("service_principal_entries.json", data)
        result = scan(scratch)
    assert [r["format"] for r in result["caches"]] == ["corrupt"]
