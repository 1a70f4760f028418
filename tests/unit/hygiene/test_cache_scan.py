import base64
import json
import os
import time

import jwt
import msal
import pytest

from azext_tokenguard.hygiene import scan as cs
from tests.unit.files import write

NOW = 1_800_000_000.0
AZ_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
RT_SECRET = "0.AXEA-refresh-token-secret-value-for-tests"
SP_SECRET = "sp~secret~value~1234567890"
NO_CI = {}


def make_jwt(**claims):
    base = {"aud": "https://management.core.windows.net/", "iss": "https://sts.windows.net/%s/" % TENANT,
            "exp": int(NOW) + 3600, "upn": "alice@contoso.com"}
    base.update(claims)
    return jwt.encode(base, "unit-test-signing-key-of-32-bytes!!", algorithm="HS256")


def msal_cache_json(now=NOW, expires_in=3600, username="alice@contoso.com", uid="uid1"):
    """A real MSAL cache, written by msal itself."""
    cache = msal.SerializableTokenCache()
    client_info = base64.urlsafe_b64encode(json.dumps({"uid": uid, "utid": TENANT}).encode()).decode()
    id_token = make_jwt(aud=AZ_CLIENT, preferred_username=username, oid=uid, sub=uid, tid=TENANT)
    cache.add({
        "client_id": AZ_CLIENT,
        "scope": ["https://management.core.windows.net//.default"],
        "token_endpoint": "https://login.microsoftonline.com/%s/oauth2/v2.0/token" % TENANT,
        "grant_type": "authorization_code",
        "response": {"access_token": make_jwt(), "refresh_token": RT_SECRET, "id_token": id_token,
                     "client_info": client_info, "expires_in": expires_in, "token_type": "Bearer"},
    }, now=now)
    return cache.serialize()


def config_dir(tmp_path):
    cfg = tmp_path / ".azure"
    cfg.mkdir(mode=0o700)
    os.chmod(cfg, 0o700)
    return cfg


def ids(result, rule=None):
    return [f["id"] for f in result["findings"] if rule is None or f["id"] == rule]


def assert_no_secret(result, *secrets):
    dumped = json.dumps(result)
    for secret in secrets:
        assert secret not in dumped


# --- MSAL cache -------------------------------------------------------------------------------
def test_msal_cache_reports_refresh_and_access_tokens_without_values(tmp_path):
    cfg = config_dir(tmp_path)
    text = msal_cache_json(now=NOW - 3 * 86400)
    write(cfg / "msal_token_cache.json", text)
    result = cs.scan_paths([cfg], NOW, NO_CI)

    rt = [f for f in result["findings"] if f["id"] == "TG001"]
    assert len(rt) == 1 and rt[0]["severity"] == "high" and rt[0]["hasSecret"]
    assert "alice@contoso.com" in rt[0]["message"] and "3 days ago" in rt[0]["message"]
    assert rt[0]["fingerprint"] == cs.fingerprint(RT_SECRET)
    at = [f for f in result["findings"] if f["id"] == "TG002"]
    assert len(at) == 1 and at[0]["severity"] == "low"       # issued 3 days ago: expired
    cache = result["caches"][0]
    assert cache["format"] == "plaintext-json" and cache["accounts"] == ["alice@contoso.com"]
    assert cache["refreshTokens"][0]["ageDays"] == 3.0
    assert cache["accessTokens"][0]["target"] == "https://management.core.windows.net//.default"
    assert cache["accessTokens"][0]["expired"] is True
    assert "TG006" not in ids(result)
    for finding in result["findings"]:
        assert set(finding) >= {"id", "severity", "path", "message", "fix", "fingerprint"}
    secrets = [e["secret"] for section in json.loads(text).values() for e in section.values()
               if isinstance(e, dict) and "secret" in e]
    assert_no_secret(result, RT_SECRET, *secrets)


def test_valid_access_token_is_medium(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "msal_token_cache.json", msal_cache_json(now=NOW - 60))
    result = cs.scan_paths([cfg], NOW, NO_CI)
    at = [f for f in result["findings"] if f["id"] == "TG002"][0]
    assert at["severity"] == "medium" and "valid for 59 more minutes" in at["message"]


def test_ci_environment_with_user_refresh_token(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "msal_token_cache.json", msal_cache_json())
    result = cs.scan_paths([cfg], NOW, {"GITHUB_ACTIONS": "true"})
    ci = [f for f in result["findings"] if f["id"] == "TG006"]
    assert len(ci) == 1 and "GITHUB_ACTIONS" in ci[0]["message"]
    assert "TG006" not in ids(cs.scan_paths([cfg], NOW, {"CI": "false"}))


def test_detect_ci():
    assert cs.detect_ci({"TF_BUILD": "True"}) == "TF_BUILD"
    assert cs.detect_ci({"JENKINS_URL": "http://j"}) == "JENKINS_URL"
    assert cs.detect_ci({"CI": "0", "PATH": "/bin"}) is None


def test_malformed_msal_entries_are_skipped_not_fatal(tmp_path):
    cfg = config_dir(tmp_path)
    data = json.loads(msal_cache_json())
    data["AccessToken"]["bad"] = {"secret": "x" * 20, "credential_type": "AccessToken"}  # no expires_on
    data["RefreshToken"]["bad"] = "not a dict"
    data["IdToken"] = ["wrong type"]
    write(cfg / "msal_token_cache.json", json.dumps(data))
    result = cs.scan_paths([cfg], NOW, NO_CI)
    assert "TG001" in ids(result) and "TG002" in ids(result)
    bad = [f for f in result["findings"] if f["id"] == "TG008"]
    assert bad and "3 malformed entries" in bad[0]["message"]


def test_msal_cache_with_wrong_top_level_type(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "msal_token_cache.json", json.dumps([1, 2, 3]))
    result = cs.scan_paths([cfg], NOW, NO_CI)
    assert "TG008" in ids(result)


# --- service principals, legacy, profile -----------------------------------------------------------
def test_sp_entries_report_id_never_secret(tmp_path):
    cfg = config_dir(tmp_path)
    entries = [{"client_id": "app-1", "tenant": TENANT, "client_secret": SP_SECRET},
               {"client_id": "app-2", "tenant": TENANT, "certificate": "/home/u/sp.pem"},
               {"client_id": "app-3", "tenant": TENANT, "client_assertion": make_jwt()}]
    write(cfg / "service_principal_entries.json", json.dumps(entries))
    result = cs.scan_paths([cfg], NOW, NO_CI)
    tg3 = [f for f in result["findings"] if f["id"] == "TG003"]
    assert {f["severity"] for f in tg3} == {"high", "medium"}
    assert any("app-1" in f["message"] for f in tg3)
    assert "TG010" in ids(result)
    sps = result["caches"][0]["servicePrincipals"]
    assert [s["credential"] for s in sps] == ["client_secret", "certificate", "client_assertion"]
    assert_no_secret(result, SP_SECRET, make_jwt())


def test_empty_sp_entries_is_clean(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "service_principal_entries.json", "[]")
    assert cs.scan_paths([cfg], NOW, NO_CI)["findings"] == []


def test_legacy_adal_cache(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "accessTokens.json", json.dumps([{"userId": "bob@contoso.com", "accessToken": make_jwt(),
                                                  "refreshToken": "adal-refresh-secret-1",
                                                  "resource": "https://management.core.windows.net/"}]))
    result = cs.scan_paths([cfg], NOW, NO_CI)
    assert sorted(f["severity"] for f in result["findings"] if f["id"] == "TG011") == ["high", "medium"]
    assert_no_secret(result, "adal-refresh-secret-1")


def test_profile_lists_accounts_and_bom_is_accepted(tmp_path):
    cfg = config_dir(tmp_path)
    profile = {"subscriptions": [{"id": "s1", "user": {"name": "alice@contoso.com", "type": "user"}}],
               "installationId": "i-1"}
    write(cfg / "azureProfile.json", b"\xef\xbb\xbf" + json.dumps(profile).encode())
    result = cs.scan_paths([cfg], NOW, NO_CI)
    assert ids(result) == ["TG016"]
    assert result["caches"][0]["accounts"] == ["alice@contoso.com"]
    write(cfg / "azureProfile.json", json.dumps({"subscriptions": [], "installationId": "i-1"}))
    assert cs.scan_paths([cfg], NOW, NO_CI)["findings"] == []


# --- encrypted, opaque, broken ------------------------------------------------------------------------
def test_encrypted_bin_cache_is_info(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "msal_token_cache.bin", b"\x01\x00\x00\x00\xd0\x8c\x9d\xdf" + os.urandom(200))
    result = cs.scan_paths([cfg], NOW, NO_CI)
    assert ids(result) == ["TG007"]
    assert result["caches"][0]["format"] == "encrypted"


def test_bin_cache_that_is_really_plaintext_is_parsed(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "msal_token_cache.bin", msal_cache_json())
    assert "TG001" in ids(cs.scan_paths([cfg], NOW, NO_CI))


def test_http_cache_is_never_unpickled(tmp_path):
    cfg = config_dir(tmp_path)
    # A pickle that would raise if anyone loaded it.
    write(cfg / "msal_http_cache.bin", b"cbuiltins\nexec\n(S'raise SystemExit(99)'\ntR.")
    result = cs.scan_paths([cfg], NOW, NO_CI)
    assert ids(result) == ["TG013"]


@pytest.mark.parametrize("content, reason", [
    ('{"AccessToken": {"k": {"secret": "abc', "truncated or invalid JSON"),
    (b"\xff\xfe\xfa not utf8", "not valid UTF-8"),
    (b'{"a": "\x00"}', "NUL bytes"),
    ("", "file is empty"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
])
def test_broken_cache_files_become_findings(tmp_path, content, reason):
    cfg = config_dir(tmp_path)
    write(cfg / "msal_token_cache.json", content)
    result = cs.scan_paths([cfg], NOW, NO_CI)
    broken = [f for f in result["findings"] if f["id"] == "TG008"]
    assert len(broken) == 1 and reason in broken[0]["message"], result["findings"]


def test_huge_cache_is_a_finding(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "msal_token_cache.json", "{" + " " * 5000 + "}")
    result = cs.scan_paths([cfg], NOW, NO_CI, max_cache_bytes=1024)
    assert "larger than" in [f for f in result["findings"] if f["id"] == "TG008"][0]["message"]


# --- permissions ------------------------------------------------------------------------------------
def test_world_readable_cache_is_high(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "msal_token_cache.json", msal_cache_json(), mode=0o644)
    result = cs.scan_paths([cfg], NOW, NO_CI)
    perm = [f for f in result["findings"] if f["id"] == "TG004"]
    assert len(perm) == 1 and perm[0]["severity"] == "high" and "0644" in perm[0]["message"]
    assert "chmod 600" in perm[0]["fix"]
    assert result["caches"][0]["mode"] == "0644"


def test_directory_permissions(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "msal_token_cache.json", msal_cache_json())
    os.chmod(cfg, 0o755)
    low = [f for f in cs.scan_paths([cfg], NOW, NO_CI)["findings"] if f["id"] == "TG005"]
    assert [f["severity"] for f in low] == ["low"]
    os.chmod(cfg, 0o777)
    high = [f for f in cs.scan_paths([cfg], NOW, NO_CI)["findings"] if f["id"] == "TG005"]
    assert [f["severity"] for f in high] == ["high"]
    os.chmod(cfg, 0o700)


def test_unreadable_directory_is_a_finding(tmp_path, monkeypatch):
    # The OS refuses to list the directory. (chmod 000 would not do: the tests may run as root.)
    cfg = config_dir(tmp_path)
    locked = cfg / "locked"
    locked.mkdir()
    real_scandir = os.scandir
    locked_inode = os.stat(locked).st_ino

    def refusing_scandir(path):  # the scan lists a directory by the fd it opened it with
        if (os.fstat(path) if isinstance(path, int) else os.stat(path)).st_ino == locked_inode:
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(cs.os, "scandir", refusing_scandir)
    result = cs.scan_paths([cfg], NOW, NO_CI)
    assert any(f["id"] == "TG008" and "locked" in f["path"] for f in result["findings"])


# --- symlinks and limits -------------------------------------------------------------------------
def test_symlinks_are_reported_not_followed(tmp_path):
    cfg = config_dir(tmp_path)
    outside = write(tmp_path / "outside" / "stolen.json", json.dumps({"refresh_token": "outside-secret-1"}))
    os.symlink(outside, cfg / "notes.json")
    os.symlink(cfg, cfg / "loop")                     # a loop back to the root
    os.symlink(tmp_path / "outside", cfg / "elsewhere")
    result = cs.scan_paths([cfg], NOW, NO_CI)
    assert sorted(ids(result)) == ["TG009", "TG009", "TG009"]
    assert all(f["severity"] == "info" for f in result["findings"])
    assert "outside-secret" not in json.dumps(result)
    assert result["stats"]["complete"]


def test_symlinked_token_cache_is_medium(tmp_path):
    cfg = config_dir(tmp_path)
    target = write(tmp_path / "vault" / "cache.json", msal_cache_json())
    os.symlink(target, cfg / "msal_token_cache.json")
    result = cs.scan_paths([cfg], NOW, NO_CI)
    assert [(f["id"], f["severity"]) for f in result["findings"]] == [("TG009", "medium")]


def test_symlinked_root_is_not_descended(tmp_path):
    real = config_dir(tmp_path)
    write(real / "msal_token_cache.json", msal_cache_json())
    os.symlink(real, tmp_path / "link")
    assert ids(cs.scan_paths([tmp_path / "link"], NOW, NO_CI)) == ["TG009"]


def test_missing_root_is_listed_not_an_error(tmp_path):
    result = cs.scan_paths([tmp_path / "nope"], NOW, NO_CI)
    assert result["findings"] == [] and result["stats"]["missingRoots"]


def test_time_budget_stops_the_scan(tmp_path):
    cfg = config_dir(tmp_path)
    for i in range(5):
        write(cfg / ("f%d.txt" % i), "hello")
    ticks = iter(range(0, 1000, 10))
    result = cs.scan_paths([cfg], NOW, NO_CI, time_budget_s=15, clock=lambda: next(ticks))
    assert "TG015" in ids(result) and not result["stats"]["complete"]


def test_file_count_limit(tmp_path):
    cfg = config_dir(tmp_path)
    for i in range(5):
        write(cfg / ("f%d.txt" % i), "hello")
    result = cs.scan_paths([cfg], NOW, NO_CI, max_files=2)
    assert "TG015" in ids(result)


def test_cliextensions_is_skipped(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "cliextensions" / "ext" / "sample.py", 'client_secret = "sample-secret-in-docs"')
    assert cs.scan_paths([cfg], NOW, NO_CI)["findings"] == []


# --- other tools and stray secrets ------------------------------------------------------------------
def test_kubelogin_token_file_is_found_by_generic_detector(tmp_path):
    kube = tmp_path / ".kube" / "cache" / "kubelogin"
    write(kube / "AzurePublicCloud-x.json", json.dumps({
        "access_token": make_jwt(), "refresh_token": "kubelogin-refresh-1", "expires_on": "1"}))
    result = cs.scan_paths([kube], NOW, NO_CI)
    kinds = sorted(f["severity"] for f in result["findings"] if f["id"] == "TG012")
    assert kinds == ["high", "medium"]
    assert_no_secret(result, "kubelogin-refresh-1")


def test_identity_service_cache_in_msal_format(tmp_path):
    ids_dir = tmp_path / ".IdentityService"
    write(ids_dir / "msal.cache.nocae", msal_cache_json())
    assert "TG001" in ids(cs.scan_paths([ids_dir], NOW, NO_CI))


def test_secret_in_unknown_file(tmp_path):
    cfg = config_dir(tmp_path)
    write(cfg / "az.json", json.dumps({"oops": {"client_secret": SP_SECRET}}))
    result = cs.scan_paths([cfg], NOW, NO_CI)
    assert [(f["id"], f["severity"]) for f in result["findings"]] == [("TG012", "high")]
    assert_no_secret(result, SP_SECRET)


# --- detector ---------------------------------------------------------------------------------------
def test_find_secrets_in_text():
    token = make_jwt()
    text = "\n".join([
        "header",
        "Authorization: Bearer " + token,
        '{"credential_type": "RefreshToken", "secret": "%s"}' % RT_SECRET,
        "AZURE_CLIENT_SECRET=%s" % SP_SECRET,
        '"client_secret": "%s"' % SP_SECRET,
        "not a jwt: eyJhbGciOi.eyJzdWIiOi.xyz",
    ])
    hits = cs.find_secrets_in_text(text)
    assert [(h["kind"], h["line"]) for h in hits] == [("jwt", 2), ("refresh_token", 3), ("client_secret", 4)]
    assert hits[0]["fingerprint"] == cs.fingerprint(token)
    assert_no_secret(hits, token, RT_SECRET, SP_SECRET)


def test_find_secrets_in_text_on_odd_input():
    assert cs.find_secrets_in_text("") == []
    assert cs.find_secrets_in_text(None) == []
    assert cs.find_secrets_in_text("no secrets here") == []


def test_detector_is_linear_on_adversarial_input():
    text = "eyJ" * 300000 + "." + "eyJa" * 100000
    started = time.monotonic()
    assert cs.find_secrets_in_text(text) == []
    assert time.monotonic() - started < 5


# --- severity -------------------------------------------------------------------------------------------
def test_severity_at_least():
    findings = [{"severity": "low"}, {"severity": "medium"}]
    assert cs.severity_at_least(findings, "medium")
    assert cs.severity_at_least(findings, "LOW")
    assert not cs.severity_at_least(findings, "high")
    assert not cs.severity_at_least(findings, "none")
    assert not cs.severity_at_least([], "info")
    with pytest.raises(cs.InvalidSeverityError):
        cs.severity_at_least(findings, "critical")


# --- fuzzing: any content gives findings, never an exception -------------------------------------
from hypothesis import given, settings, strategies as st  # noqa: E402

_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                         st.sampled_from(["AccessToken", "RefreshToken", "Account", "secret", "expires_on",
                                          "home_account_id", "client_id", "client_secret", "target", "x"]),
                         inner, max_size=5),
                     max_leaves=20)


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=300) | _JSON.map(lambda v: json.dumps(v).encode()),
       name=st.sampled_from(["msal_token_cache.json", "service_principal_entries.json", "accessTokens.json",
                             "azureProfile.json", "msal_token_cache.bin", "notes.txt"]))
def test_scan_never_raises(content, name):
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, name), content)
        result = cs.scan_paths([tmp], NOW, NO_CI)
        json.dumps(result)
        assert all(f["severity"] in cs.SEVERITIES for f in result["findings"])


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_detector_never_raises(text):
    for hit in cs.find_secrets_in_text(text):
        assert set(hit) == {"kind", "fingerprint", "line"}


def test_an_expired_token_with_a_list_for_its_realm_is_a_finding_not_a_crash(tmp_path):
    # msal builds each entry's key from these fields, also when it drops an expired token during a search.
    cfg = config_dir(tmp_path)
    entry = {"home_account_id": "u.t", "environment": "login.microsoftonline.com", "client_id": AZ_CLIENT,
             "realm": ["not", "a", "string"], "target": "x", "credential_type": "AccessToken",
             "secret": "expired-secret-value", "expires_on": "-1"}  # before 1970: expired even for now=0
    write(cfg / "msal_token_cache.json", json.dumps({"AccessToken": {"k": entry}}))
    result = cs.scan_paths([cfg], NOW, NO_CI)
    assert "TG008" in ids(result) and "expired-secret-value" not in json.dumps(result)
