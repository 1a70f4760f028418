"""Unit tests of the exec token endpoint: the protocols' shapes, and a server one idle client cannot stall."""
import http.client
import json
import logging
import socket
import struct
import threading
import time
from urllib.parse import urlsplit

import pytest

from azext_tokenguard.exec.endpoint import (COMPETING_VARIABLES, HEADER_2017, HEADER_2019, TOKEN_CREDENTIALS,
                                                USER_ASSIGNED_PARAMETERS, TokenEndpoint, child_environment)
from azext_tokenguard.guard.errors import TokenRequestError

EXPIRES = 1_800_000_000
NOW = EXPIRES - 600


def endpoint(get_token=lambda resource: ("tok-" + resource, EXPIRES), **kwargs):
    return TokenEndpoint(get_token, clock=lambda: NOW, **kwargs)


def lower(headers):
    return {name.lower(): value for name, value in headers.items()}


def ask(ep, params, headers, path="/msi/token"):
    return ep.respond(path, params, lower(headers))


def msi_path(ep):
    return urlsplit(ep.msi_url).path


def test_a_2019_request_gets_epoch_expiry_and_expires_in():
    ep = endpoint()
    status, body = ask(ep, {"resource": "https://vault.azure.net", "api-version": "2019-08-01"},
                       {HEADER_2019: ep.secret})
    assert status == 200
    assert body == {"access_token": "tok-https://vault.azure.net", "expires_on": str(EXPIRES), "expires_in": "600",
                    "resource": "https://vault.azure.net", "token_type": "Bearer"}


def test_a_2017_request_gets_epoch_seconds_too_since_todays_clients_read_it_as_azure_ml():
    ep = endpoint()
    status, body = ask(ep, {"resource": "r", "api-version": "2017-09-01"}, {HEADER_2017: ep.secret},
                       path=msi_path(ep))
    assert status == 200
    assert int(body["expires_on"]) == EXPIRES  # what msal does with it; the old date string made it fail
    assert int(body["expires_in"]) == 600  # what azure-identity 1.3.1 caches by


def test_msrestazures_post_is_authenticated_by_msi_endpoints_key_and_metadata_true():
    ep = endpoint()
    assert ask(ep, {"resource": "r"}, {"Metadata": "true"}, path=msi_path(ep))[0] == 200
    assert ask(ep, {"resource": "r"}, {"Metadata": "true"}, path=msi_path(ep) + "/")[0] == 200  # msrestazure's '/'
    assert ask(ep, {"resource": "r"}, {}, path=msi_path(ep))[0] == 401  # a web page's form post has no Metadata
    assert ask(ep, {"resource": "r"}, {"Metadata": "true"})[0] == 401  # IDENTITY_ENDPOINT has no key in it
    assert ask(ep, {"resource": "r"}, {"Metadata": "true", HEADER_2017: "guess"}, path=msi_path(ep))[0] == 401


def test_missing_or_wrong_secret_is_401_and_unknown_paths_are_404():
    ep = endpoint()
    assert ask(ep, {"resource": "x"}, {})[0] == 401
    assert ask(ep, {"resource": "x"}, {HEADER_2019: "guess"})[0] == 401
    assert ask(ep, {"resource": "x"}, {HEADER_2019: ep.secret}, path="/guess/msi/token")[0] == 404
    assert ask(ep, {"resource": "x"}, {HEADER_2019: ep.secret}, path="/")[0] == 404


@pytest.mark.parametrize("parameter", USER_ASSIGNED_PARAMETERS)
def test_a_user_assigned_identity_gets_400_and_no_token(parameter):
    asked = []
    ep = endpoint(lambda resource: asked.append(resource) or ("tok", EXPIRES))
    status, body = ask(ep, {"resource": "r", parameter: "7d9f5b0e-0000-0000-0000-000000000000"},
                       {HEADER_2019: ep.secret})
    assert status == 400 and "access_token" not in body and parameter in body["message"]
    assert asked == []  # az was never asked
    assert ask(ep, {"resource": "r", parameter: ""}, {HEADER_2019: ep.secret})[0] == 200  # empty means none


def test_refusals_have_both_protocols_error_shapes_and_are_logged_once_as_a_warning(caplog):
    def refuse(resource):
        raise TokenRequestError(403, f"{resource} not allowed")
    ep = endpoint(refuse)
    with caplog.at_level(logging.INFO, logger="azext_tokenguard.exec.endpoint"):
        for _ in range(3):
            status, body = ask(ep, {"resource": "r"}, {HEADER_2019: ep.secret})
    assert status == 403
    assert body == {"statusCode": 403, "message": "r not allowed", "error": "access_denied",
                    "error_description": "r not allowed"}
    assert [record.levelname for record in caplog.records] == ["WARNING", "INFO", "INFO"]
    assert ask(ep, {}, {HEADER_2019: ep.secret})[0] == 400


def test_a_failing_token_source_is_a_500_answer_not_a_crash():
    ep = endpoint(lambda resource: 1 / 0)
    status, body = ask(ep, {"resource": "r"}, {HEADER_2019: ep.secret})
    assert status == 500 and "--debug" in body["message"]


def test_each_run_has_its_own_secret_and_key_and_the_child_finds_both_protocols():
    first, second = endpoint(), endpoint()
    assert first.secret != second.secret and len(first.secret) >= 32
    assert first.url.startswith("http://127.0.0.1:") and first.url.endswith("/msi/token")
    assert first.secret not in first.msi_url and first.msi_url != second.msi_url
    assert first.variables() == {"IDENTITY_ENDPOINT": first.url, "IDENTITY_HEADER": first.secret,
                                 "MSI_ENDPOINT": first.msi_url, "MSI_SECRET": first.secret}


def test_the_child_environment_drops_competing_credentials_and_chooses_the_production_chain():
    parent = {"PATH": "/usr/bin", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s",
              "AZURE_FEDERATED_TOKEN_FILE": "/var/run/token", "AZURE_USERNAME": "u", "AZURE_PASSWORD": "p",
              "AZURE_CLIENT_CERTIFICATE_PATH": "/c.pem", "IDENTITY_ENDPOINT": "http://169.254.1.1/",
              "AZURE_TOKEN_CREDENTIALS": "dev", "IDENTITY_SERVER_THUMBPRINT": "ab"}
    ours = {"IDENTITY_ENDPOINT": "http://127.0.0.1:1/msi/token", "IDENTITY_HEADER": "h",
            "MSI_ENDPOINT": "http://127.0.0.1:1/k/msi/token", "MSI_SECRET": "h"}
    env, removed, replaced = child_environment(parent, ours)
    assert not set(env) & set(COMPETING_VARIABLES)
    assert env == {"PATH": "/usr/bin", "AZURE_TENANT_ID": "t", **ours, TOKEN_CREDENTIALS[0]: "prod"}
    assert removed == ["AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
                       "AZURE_FEDERATED_TOKEN_FILE", "AZURE_PASSWORD", "AZURE_USERNAME", "IDENTITY_SERVER_THUMBPRINT"]
    assert replaced == ["AZURE_TOKEN_CREDENTIALS", "IDENTITY_ENDPOINT"]
    assert child_environment({"HOME": "/h"}, ours)[1:] == ([], [])


# --- over HTTP, on loopback ---------------------------------------------------------------------------

def http_get(ep, path, headers=None, method="GET", body=None):
    port = urlsplit(ep.url).port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type"), payload


def test_over_http_every_answer_is_json_errors_included():
    with endpoint() as ep:
        status, kind, payload = http_get(ep, "/msi/token?resource=r&api-version=2019-08-01",
                                         {HEADER_2019: ep.secret})
        assert status == 200 and json.loads(payload)["access_token"] == "tok-r"
        for method, path, expected in (("PUT", "/msi/token", 405), ("GET", "/nowhere", 404),
                                       ("BREW", "/msi/token", 501)):
            status, kind, payload = http_get(ep, path, method=method)
            assert status == expected and kind.startswith("application/json")
            assert json.loads(payload)["statusCode"] == expected


def test_over_http_msrestazures_form_post_gets_a_token():
    with endpoint() as ep:
        status, _, payload = http_get(ep, msi_path(ep) + "/", {"Metadata": "true",
                                                               "Content-Type": "application/x-www-form-urlencoded"},
                                      method="POST", body="resource=https%3A%2F%2Fmanagement.azure.com%2F")
        assert status == 200 and json.loads(payload)["resource"] == "https://management.azure.com/"
        status, _, _ = http_get(ep, msi_path(ep), {"Metadata": "true", "Content-Length": "999999"}, method="POST")
        assert status == 413


def test_an_idle_connection_neither_blocks_another_client_nor_stays_open():
    with endpoint(connection_timeout=1) as ep:
        port = urlsplit(ep.url).port
        with socket.create_connection(("127.0.0.1", port)) as idle:
            idle.sendall(b"GET /msi/tok")  # half a request line, then nothing
            started = time.monotonic()
            status, _, _ = http_get(ep, "/msi/token?resource=r", {HEADER_2019: ep.secret})
            assert status == 200 and time.monotonic() - started < 1  # served while the idle one waits
            idle.settimeout(10)
            assert idle.recv(1024) == b""  # the server closed it after its timeout
            assert time.monotonic() - started < 5


def test_a_client_that_hangs_up_early_leaves_no_traceback(capfd):
    answered = threading.Event()

    def slow_token(resource):
        answered.wait(5)
        return "tok", EXPIRES
    with endpoint(slow_token) as ep:
        port = urlsplit(ep.url).port
        rude = socket.create_connection(("127.0.0.1", port))
        rude.sendall(f"GET /msi/token?resource=r HTTP/1.1\r\n{HEADER_2019}: {ep.secret}\r\n\r\n".encode())
        rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        rude.close()  # reset: the answer will be written to a closed connection
        answered.set()
        assert http_get(ep, "/msi/token?resource=r", {HEADER_2019: ep.secret})[0] == 200
    assert "Traceback" not in capfd.readouterr().err
