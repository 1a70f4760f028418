"""`az tokenguard decode`: what is inside a token, shown safely, with one-line errors for anything else."""
import base64
import json

import pytest

from tests.emulator import data

# RFC 7519 section 3.1: its example JWT and the claims it documents.
RFC7519_TOKEN = ("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
                 ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
                 ".dBjftJeZ4CVP-mJ0jWKBTUS_TH9BVnrdBEPj6Yq6r5s")
RFC7519_SIGNATURE = "dBjftJeZ4CVP-mJ0jWKBTUS_TH9BVnrdBEPj6Yq6r5s"


def _b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def test_rfc7519_example_decodes_to_its_documented_claims(anonymous_az):
    result = anonymous_az.run("tokenguard", "decode", "--token", RFC7519_TOKEN, "-o", "json")
    report = result.json()
    assert report["claims"] == {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}
    assert report["header"] == {"typ": "JWT", "alg": "HS256"}
    assert report["times"]["exp"]["utc"] == "2011-03-22T18:43:00Z"
    assert any(w.startswith("expired") for w in report["warnings"])
    assert RFC7519_SIGNATURE not in result.output


def test_piped_user_token_shows_identity_scopes_tenant_and_times(user_az):
    token = user_az.run("account", "get-access-token", "--query", "accessToken", "-o", "tsv").stdout
    report = user_az.json("tokenguard", "decode", stdin=token)
    assert report["identityType"] == "user"
    assert report["scopes"] == ["user_impersonation"]
    assert report["tenant"] == data.CONTOSO.tenant_id
    assert report["caeCapable"] is False
    assert report["lifetimeSeconds"] == 3600
    assert report["times"]["exp"]["relative"].startswith("in ")
    assert report["times"]["iat"]["relative"].endswith("ago") or report["times"]["iat"]["relative"] == "now"
    assert token.strip().rsplit(".", 1)[1] not in json.dumps(report)


def test_service_principal_token_from_a_file_shows_roles(sp_az, tmp_path):
    token = sp_az.run("account", "get-access-token", "--query", "accessToken", "-o", "tsv").stdout
    path = tmp_path / "token.txt"
    path.write_text(token)
    report = sp_az.json("tokenguard", "decode", "--file", str(path))
    assert report["identityType"] == "application"
    assert report["roles"] == list(data.DEPLOY_BOT.roles)
    table = sp_az.run("tokenguard", "decode", "--file", str(path), "-o", "table").stdout
    assert "exp (UTC)" in table and token.strip().rsplit(".", 1)[1] not in table


def test_unsigned_and_long_lived_tokens_are_warned_about(anonymous_az):
    token = _b64({"alg": "none", "typ": "JWT"}) + "." + _b64({"iat": 1, "nbf": 1, "exp": 4102444800}) + "."
    warnings = anonymous_az.json("tokenguard", "decode", "--token", token)["warnings"]
    assert any("alg" in w and "none" in w for w in warnings)
    assert any("lifetime" in w for w in warnings)


def test_not_yet_valid_token_is_warned_about(anonymous_az):
    token = _b64({"alg": "none"}) + "." + _b64({"nbf": 4102444800, "exp": 4102448400}) + "."
    warnings = anonymous_az.json("tokenguard", "decode", "--token", token)["warnings"]
    assert any(w.startswith("not yet valid") for w in warnings)


@pytest.mark.parametrize("name, stdin, message", [
    ("empty", "", "no token given"),
    ("not a JWT", "hello world", "not a JWT"),
    ("not base64url", "e$$$.e$$$.sig", "base64"),
    ("not JSON", base64.urlsafe_b64encode(b"not json").decode().rstrip("=") + ".e30.sig", "JSON"),
    ("encrypted", "a.b.c.d.e", "encrypted"),
    ("3 MB of garbage", "A" * 3 * 1024 * 1024, "too large"),
])
def test_bad_input_is_a_one_line_error(anonymous_az, name, stdin, message):
    result = anonymous_az.run("tokenguard", "decode", stdin=stdin, check=False)
    assert result.returncode != 0, name
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(error_lines) == 1 and message.lower() in error_lines[0].lower(), result.stderr
    assert result.stdout == ""


def test_missing_file_is_a_clear_error(anonymous_az, tmp_path):
    result = anonymous_az.run("tokenguard", "decode", "--file", str(tmp_path / "nope.txt"), check=False)
    assert result.returncode != 0 and "Cannot read" in result.stderr and "Traceback" not in result.stderr
