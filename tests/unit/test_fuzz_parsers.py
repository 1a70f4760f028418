"""Property-based and fuzz tests of every parser tokenguard has. Any input gives a result of the documented
shape or the module's own one-line error (or a finding), never another exception, in bounded time; huge
inputs are cut off at the parser's cap instead of being read whole."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azext_tokenguard import cache_scan, durations, jwt_inspect
from azext_tokenguard.guard import audit, classify, policy, profile
from tests.unit.conftest import FUZZ_CASES

NOW = 1_795_000_000
BOMS = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]
JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                     max_size=4), max_leaves=20)
NASTY_BYTES = st.one_of(
    st.binary(max_size=400),
    st.builds(lambda bom, doc: bom + json.dumps(doc).encode(), st.sampled_from(BOMS), JSONISH),
    st.builds(lambda doc, cut: json.dumps(doc).encode()[:cut], JSONISH, st.integers(0, 200)),
    st.just(b"[" * 100_000 + b"]" * 100_000),
    st.just(b"\x00" * 1000),
    st.just(b"\xef\xbb\xbf"),
)
FAST = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def count(parser):
    FUZZ_CASES[parser] += 1


# --- token decode ---------------------------------------------------------------------------------------

@FAST
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
                 st.builds(lambda a, b, c: f"{a}.{b}.{c}", st.text(max_size=40), st.text(max_size=40),
                           st.text(max_size=10)),
                 st.builds(lambda doc: "eyJhbGciOiJub25lIn0." + __import__("base64").urlsafe_b64encode(
                     json.dumps(doc).encode()).decode().rstrip("=") + ".", JSONISH)))
def test_decode_gives_a_report_or_one_line_error(text):
    count("token decode")
    try:
        report = jwt_inspect.inspect_token(text, NOW)
    except jwt_inspect.TokenFormatError as error:
        assert "\n" not in str(error) and str(error)
        return
    assert set(report) >= {"header", "claims", "times", "warnings", "identityType"}


def test_decode_rejects_megabytes_at_once():
    count("token decode")
    for huge in ("A" * 20_000_000, "eyJ." * 2_000_000):
        try:
            jwt_inspect.inspect_token(huge, NOW)
        except jwt_inspect.TokenFormatError as error:
            assert "too large" in str(error)


# --- the guard's azureProfile.json reader ---------------------------------------------------------------

@FAST
@given(NASTY_BYTES)
def test_a_corrupt_profile_gives_an_unknown_context(tmp_path_factory, data):
    count("azureProfile.json (guard)")
    config_dir = tmp_path_factory.mktemp("cfg")
    (config_dir / "azureProfile.json").write_bytes(data)
    context = profile.load_context(["group", "list"], str(config_dir), env={}, cwd=str(config_dir),
                                   sleep=lambda _s: None)
    assert context.known in (True, False)
    if not context.known:
        assert context.reason and "\n" not in context.reason


def test_a_huge_profile_is_not_read_whole(tmp_path):
    count("azureProfile.json (guard)")
    (tmp_path / "azureProfile.json").write_bytes(b'{"subscriptions": [' + b'{"id": "x"},' * 3_000_000 + b"{}]}")
    context = profile.load_context(["group", "list"], str(tmp_path), env={}, cwd=str(tmp_path), sleep=lambda _s: None)
    assert not context.known and "larger than" in context.reason


# --- token caches, the service principal store, accessTokens.json, azureProfile.json (scan) -----------

CACHE_FILES = ["msal_token_cache.json", "service_principal_entries.json", "accessTokens.json", "azureProfile.json",
               "msal_token_cache.bin"]


@FAST
@given(st.sampled_from(CACHE_FILES), NASTY_BYTES)
def test_scanning_any_cache_content_gives_findings_not_exceptions(tmp_path_factory, name, data):
    count("token caches (scan)")
    config_dir = tmp_path_factory.mktemp("azure")
    (config_dir / name).write_bytes(data)
    result = cache_scan.scan_paths([config_dir], NOW, {})
    assert set(result) == {"findings", "caches", "stats"}
    for finding in result["findings"]:
        assert finding["severity"] in cache_scan.SEVERITIES and "\n" not in finding["message"]


@FAST
@given(st.lists(JSONISH, max_size=3), st.sampled_from(["RefreshToken", "AccessToken", "Account", "IdToken"]))
def test_msal_cache_sections_of_wrong_types_are_findings(tmp_path_factory, entries, section):
    count("token caches (scan)")
    config_dir = tmp_path_factory.mktemp("azure")
    document = {section: {f"key{i}": entry for i, entry in enumerate(entries)}}
    (config_dir / "msal_token_cache.json").write_text(json.dumps(document))
    cache_scan.scan_paths([config_dir], NOW, {})


# --- the classifier -------------------------------------------------------------------------------------

WORDS = st.one_of(st.sampled_from(["group", "delete", "rest", "--method", "DELETE", "-m", "--mode", "Complete",
                                   "deployment", "create", "--ids", "-h", "@file", "--query", "=", "--yes"]),
                  st.text(max_size=15))


@FAST
@given(st.lists(WORDS, max_size=12))
def test_any_argv_gets_a_class_and_a_reason(argv):
    count("classifier (argv)")
    result = classify.classify(argv)
    assert result.kind in ("destructive", "write", "read") and result.reason


@FAST
@given(st.text(max_size=600))
def test_any_script_text_splits_and_classifies(text):
    count("classifier (scripts)")
    for entry in classify.classify_script(text) + classify.classify_command_text(text):
        assert entry["class"] in ("destructive", "write", "read")


def test_a_huge_script_classifies():
    count("classifier (scripts)")
    text = "az group delete -n rg1 \\\n  --yes\n" * 20_000 + "echo 'unterminated\n"
    assert len(classify.classify_script(text)) >= 20_000


# --- durations, the policy file, the audit log ----------------------------------------------------------

@FAST
@given(st.text(max_size=80))
def test_any_duration_text_is_seconds_or_a_one_line_error(text):
    count("durations")
    try:
        seconds = durations.parse_duration(text)
    except durations.DurationError as error:
        assert "\n" not in str(error)
        return
    assert 0 <= seconds <= durations.MAX_DURATION_SECONDS


@FAST
@given(NASTY_BYTES)
def test_any_policy_file_loads_or_fails_closed(tmp_path_factory, data):
    count("policy file")
    config_dir = tmp_path_factory.mktemp("cfg")
    (config_dir / "tokenguard").mkdir()
    (config_dir / "tokenguard" / "policy.json").write_bytes(data)
    loaded = policy.load_policy(str(config_dir))
    if loaded.error:
        assert loaded.is_protected("anything", "any-id")  # unreadable policy: everything is protected


@FAST
@given(st.lists(NASTY_BYTES, max_size=5))
def test_any_audit_log_reads_with_bad_lines_skipped(tmp_path_factory, lines):
    count("audit log")
    config_dir = tmp_path_factory.mktemp("cfg")
    (config_dir / "tokenguard").mkdir()
    (config_dir / "tokenguard" / "audit.log").write_bytes(b"\n".join(lines))
    records, skipped = audit.read_records(str(config_dir))
    assert all(r["decision"] in audit.DECISIONS for r in records) and skipped >= 0
