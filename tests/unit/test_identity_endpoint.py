"""Unit tests of the exec token endpoint's protocol handling (no HTTP, no az)."""
from azext_tokenguard.identity_endpoint import (HEADER_2017, HEADER_2019, TokenEndpoint, TokenRequestError,
                                                child_environment)

EXPIRES = 1_800_000_000


def endpoint(get_token=lambda resource: ("tok-" + resource, EXPIRES)):
    return TokenEndpoint(get_token)


def test_request_with_the_header_gets_the_2019_shape():
    ep = endpoint()
    status, body = ep.respond({"resource": "https://vault.azure.net", "api-version": "2019-08-01"},
                              {HEADER_2019: ep.secret})
    assert status == 200
    assert body == {"access_token": "tok-https://vault.azure.net", "expires_on": str(EXPIRES),
                    "resource": "https://vault.azure.net", "token_type": "Bearer"}


def test_missing_or_wrong_header_is_401():
    ep = endpoint()
    assert ep.respond({"resource": "x"}, {HEADER_2019: None})[0] == 401
    assert ep.respond({"resource": "x"}, {HEADER_2019: "guess"})[0] == 401


def test_legacy_protocol_uses_the_secret_header_and_a_date_string():
    ep = endpoint()
    status, body = ep.respond({"resource": "r", "api-version": "2017-09-01"}, {HEADER_2017: ep.secret})
    assert status == 200 and body["expires_on"] == "01/15/2027 08:00:00 +00:00"


def test_errors_from_the_token_source_keep_the_protocols_error_shape():
    def refuse(resource):
        raise TokenRequestError(403, f"{resource} not allowed")
    ep = endpoint(refuse)
    assert ep.respond({"resource": "r"}, {HEADER_2019: ep.secret}) == (403, {"statusCode": 403,
                                                                             "message": "r not allowed"})
    assert ep.respond({}, {HEADER_2019: ep.secret})[0] == 400


def test_each_run_has_its_own_secret_and_the_child_environment_names_both_protocols():
    first, second = endpoint(), endpoint()
    assert first.secret != second.secret and len(first.secret) >= 32
    env = child_environment("http://127.0.0.1:1/msi/token", "s")
    assert env == {"IDENTITY_ENDPOINT": "http://127.0.0.1:1/msi/token", "IDENTITY_HEADER": "s",
                   "MSI_ENDPOINT": "http://127.0.0.1:1/msi/token", "MSI_SECRET": "s"}
    assert first.url.startswith("http://127.0.0.1:")
