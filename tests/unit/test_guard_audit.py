"""Unit tests of the audit trail: O(1) appends, rotation, redaction, tolerant reading."""
import json
import os

from azext_tokenguard.guard import audit
from azext_tokenguard.guard.profile import Context

CONTEXT = Context(True, tenant_id="t-1", tenant_display_name="Contoso", subscription_id="s-1",
                  subscription_name="contoso-dev", identity_name="alice@contoso.example", identity_type="user")
NOW = 1_795_000_000


def record(decision="refused", how="no terminal", argv=("group", "delete", "-n", "rg1")):
    return audit.entry(decision, how, list(argv), CONTEXT, "destructive", NOW)


def test_an_entry_names_time_place_decision_and_a_redacted_command():
    entry = record(argv=("login", "-p", "S3cret", "--tenant", "t"))
    assert entry["time"] == "2026-11-18T11:06:40Z"
    assert (entry["tenantId"], entry["subscription"], entry["decision"]) == ("t-1", "contoso-dev", "refused")
    assert "S3cret" not in json.dumps(entry) and entry["command"].startswith("az login -p")


def test_append_writes_one_line_0600_and_rotates_at_the_limit(tmp_path, monkeypatch):
    assert audit.append(str(tmp_path), record())
    path = audit.log_path(str(tmp_path))
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert oct(os.stat(os.path.dirname(path)).st_mode & 0o777) == "0o700"
    monkeypatch.setattr(audit, "MAX_LOG_BYTES", 10)
    assert audit.append(str(tmp_path), record("confirmed", "TOKENGUARD_CONFIRM"))
    assert len(open(path + ".1").read().splitlines()) == 1
    assert json.loads(open(path).read())["decision"] == "confirmed"


def test_a_failed_write_is_reported_not_raised(tmp_path):
    (tmp_path / "tokenguard").write_text("a file where the directory should be")
    assert audit.append(str(tmp_path), record()) is False


def test_reading_skips_corrupt_lines_and_filters(tmp_path):
    audit.append(str(tmp_path), record())
    audit.append(str(tmp_path), record("confirmed", "answered at the terminal"))
    with open(audit.log_path(str(tmp_path)), "ab") as handle:
        handle.write(b"\xff\xfe not json\n[1, 2]\n{\"time\": 5, \"decision\": \"refused\"}\n")
    records, skipped = audit.read_records(str(tmp_path))
    assert len(records) == 2 and skipped == 3
    assert [r["decision"] for r in audit.read_records(str(tmp_path), decision="confirmed")[0]] == ["confirmed"]
    assert audit.read_records(str(tmp_path), since="2030-01-01T00:00:00Z")[0] == []
