"""Unit tests of the audit trail: O(1) appends, rotation, redaction, tolerant reading."""
import json
import os

import pytest

from azext_tokenguard.guard import audit
from azext_tokenguard.guard.exitcodes import ExitCode
from azext_tokenguard.guard.profile import Context
from tests.unit.guard.parsed import as_written
from tests.unit.guard.test_main import make_config_dir, run

CONTEXT = Context(True, tenant_id="t-1", tenant_display_name="Contoso", subscription_id="s-1",
                  subscription_name="contoso-dev", identity_name="alice@contoso.example", identity_type="user")
NOW = 1_795_000_000


@pytest.fixture
def config_dir(tmp_path):
    return make_config_dir(tmp_path)


def record(decision="refused", how="no terminal", argv=("group", "delete", "-n", "rg1")):
    return audit.entry(decision, how, as_written(argv), CONTEXT, "destructive", now=NOW)


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


def test_a_fifo_or_directory_in_place_of_the_log_fails_at_once(tmp_path):
    (tmp_path / "tokenguard").mkdir(mode=0o700)
    os.mkfifo(audit.log_path(str(tmp_path)))  # a writer would block forever on a FIFO nobody reads
    assert audit.append(str(tmp_path), record()) is False
    os.unlink(audit.log_path(str(tmp_path)))
    os.mkdir(audit.log_path(str(tmp_path)))
    assert audit.append(str(tmp_path), record()) is False


def test_a_log_readable_by_others_is_made_private(tmp_path):
    (tmp_path / "tokenguard").mkdir(mode=0o700)
    path = audit.log_path(str(tmp_path))
    with open(path, "w") as handle:
        handle.write("")
    os.chmod(path, 0o644)
    assert audit.append(str(tmp_path), record())
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


def test_appending_never_reads_the_log(tmp_path, monkeypatch):
    audit.append(str(tmp_path), record())
    monkeypatch.setattr(audit, "open", None, raising=False)  # any open() of the log would now fail
    monkeypatch.setattr(os, "read", None)
    assert audit.append(str(tmp_path), record("confirmed", "TOKENGUARD_CONFIRM"))


def test_secret_values_never_reach_the_log(tmp_path):
    argv = ["vm", "create", "--admin-password", "Hunter2", "--certificate-password=Cert-Pw", "--token", "tok-1",
            "--sas-token=sv&sig=S1G", "--connection-string", "AccountKey=k3y", "-pPw-2", "--secret", "s-3",
            "--client-secret=cs-4", "--account-key", "ak-5", "--key=key-6", "--password=pw-7"]
    audit.append(str(tmp_path), audit.entry("refused", "no terminal", as_written(argv), CONTEXT, "destructive", now=NOW))
    text = open(audit.log_path(str(tmp_path)), encoding="utf-8").read()
    for secret in ("Hunter2", "Cert-Pw", "tok-1", "S1G", "k3y", "Pw-2", "s-3", "cs-4", "ak-5", "key-6", "pw-7"):
        assert secret not in text
    assert "--certificate-password=***" in text and "--admin-password '***'" in text


def test_the_guard_records_a_pin_refusal(config_dir):
    code, _, _ = run(config_dir, "group list", env={"TOKENGUARD_EXPECT_SUBSCRIPTION": "Prod"})
    assert code == ExitCode.REFUSED_BY_PIN
    (line,) = open(audit.log_path(str(config_dir)), encoding="utf-8").read().splitlines()
    assert json.loads(line)["how"] == "pin" and json.loads(line)["subscription"] == "Dev Sub"
    assert run(config_dir, "group list")[0] == ExitCode.RUN  # reads outside a pin are not recorded
    assert len(open(audit.log_path(str(config_dir)), encoding="utf-8").read().splitlines()) == 1


def test_a_decision_made_after_an_internal_error_is_still_recorded(config_dir, monkeypatch):
    from azext_tokenguard.guard import main as main_module

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(main_module, "load_policy", broken)
    assert run(config_dir, "group delete -n rg1", answer="y\n")[0] == ExitCode.RUN
    (line,) = open(audit.log_path(str(config_dir)), encoding="utf-8").read().splitlines()
    assert json.loads(line)["decision"] == "confirmed" and json.loads(line)["contextKnown"] is False


def test_an_unwritable_log_never_changes_the_decision(config_dir):
    (config_dir / "tokenguard" / "audit.log").mkdir()
    assert run(config_dir, "group delete -n rg1", answer="y\n")[0] == ExitCode.STEER  # runs, with az's --yes
    assert run(config_dir, "group delete -n rg1", answer="n\n")[0] == ExitCode.REFUSED_BY_USER
