import json

from azext_tokenguard.hygiene import scan as cache_scan
from azext_tokenguard.hygiene.sarif import to_sarif

FINDINGS = [
    {"id": "TG001", "severity": "high", "path": "/home/u/.azure/msal_token_cache.json",
     "message": "Refresh token of alice", "fix": "az logout", "fingerprint": "0123456789ab"},
    {"id": "TG002", "severity": "medium", "path": "/home/u/.azure/msal_token_cache.json",
     "message": "Access token", "fix": "az logout", "fingerprint": "ba9876543210"},
    {"id": "TG013", "severity": "low", "path": "/home/u/my dir/msal_http_cache.bin",
     "message": "pickle", "fix": "-", "fingerprint": "aa"},
    {"id": "TG009", "severity": "info", "path": "relative/link", "message": "link", "fix": "-",
     "fingerprint": "bb"},
    {"id": "TG015", "severity": "info", "path": "", "message": "incomplete", "fix": "-", "fingerprint": "cc"},
]


def test_sarif_log_shape():
    log = to_sarif(FINDINGS, "1.2.3")
    json.dumps(log)
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "tokenguard" and driver["version"] == "1.2.3"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert set(rule_ids) == set(cache_scan.RULES)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
    results = log["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note", "none", "none"]
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert result["partialFingerprints"]["tokenguard/v1"]


def test_sarif_locations():
    results = to_sarif(FINDINGS, "1.0")["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results[:4]]
    assert uris[0] == "file:///home/u/.azure/msal_token_cache.json"
    assert uris[2] == "file:///home/u/my%20dir/msal_http_cache.bin"
    assert uris[3] == "relative/link"
    assert "locations" not in results[4]


def test_sarif_of_a_real_scan(tmp_path):
    (tmp_path / "az.json").write_text('{"client_secret": "abcdefghijkl"}')
    scan = cache_scan.scan_paths([tmp_path], 0.0, {})
    log = to_sarif(scan["findings"], "0.1.0")
    assert "TG012" in [r["ruleId"] for r in log["runs"][0]["results"]]
    assert "abcdefghijkl" not in json.dumps(log)


def test_sarif_with_no_findings_and_unknown_rule():
    assert to_sarif([], "1")["runs"][0]["results"] == []
    log = to_sarif([{"id": "TG999", "severity": "high", "path": "/x", "message": "m", "fingerprint": "f"}], "1")
    assert log["runs"][0]["results"][0]["level"] == "error"
    assert "TG999" in [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
