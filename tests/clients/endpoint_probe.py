"""Probe exec's token endpoint as odd or hostile local clients would, from inside `az tokenguard exec`.

    python endpoint_probe.py protocol   the answers to requests no stock client sends (wrong method, path, identity)
    python endpoint_probe.py stall      one idle connection and one that hangs up early, while another client asks

It prints one JSON line: statuses, content types and whether a token came back, never a token.
"""
import http.client
import json
import os
import socket
import struct
import sys
import time
from urllib.parse import urlencode, urlsplit

ARM = "https://management.azure.com"
UNASSIGNED = "7d9f5b0e-1111-4222-8333-944445555666"


def ask(url, method="GET", params=None, headers=None, body=None):
    """(status, content type, parsed JSON body or None, seconds taken) of one request."""
    parts = urlsplit(url)
    started = time.monotonic()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    path = parts.path + ("?" + urlencode(params) if params else "")
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return response.status, response.getheader("Content-Type"), parsed, time.monotonic() - started


def summary(answer):
    status, kind, body, _ = answer
    return {"status": status, "json": kind.startswith("application/json") and isinstance(body, dict),
            "token": bool(body and body.get("access_token")), "message": (body or {}).get("message")}


def protocol():
    identity, msi = os.environ["IDENTITY_ENDPOINT"], os.environ["MSI_ENDPOINT"]
    secret = {"X-IDENTITY-HEADER": os.environ["IDENTITY_HEADER"]}
    report = {"no_secret": summary(ask(identity, params={"resource": ARM, "api-version": "2019-08-01"})),
              "put": summary(ask(identity, "PUT", headers=secret)),
              "unknown_path": summary(ask(identity.replace("/msi/token", "/other"), headers=secret)),
              "garbage_method": summary(ask(identity, "BREW", headers=secret))}
    for name in ("client_id", "object_id", "principal_id", "mi_res_id"):
        report[name] = summary(ask(identity, params={"resource": ARM, "api-version": "2019-08-01",
                                                     name: UNASSIGNED}, headers=secret))
    legacy = ask(msi, params={"resource": ARM, "api-version": "2017-09-01", "clientid": UNASSIGNED},
                 headers={"secret": os.environ["MSI_SECRET"]})
    report["clientid_2017"] = summary(legacy)
    form = {"Metadata": "true", "Content-Type": "application/x-www-form-urlencoded"}
    report["form_post_without_key"] = summary(ask(identity, "POST", headers=form, body=urlencode({"resource": ARM})))
    report["form_post_msi_id"] = summary(ask(msi, "POST", headers=form,
                                             body=urlencode({"resource": ARM, "msi_res_id": "/subscriptions/x"})))
    report["managed_identity_credential_client_id"] = user_assigned_with_azure_identity()
    return report


def user_assigned_with_azure_identity():
    """A real client asking for a user-assigned identity must fail, not get az's own identity."""
    from azure.identity import ManagedIdentityCredential
    try:
        ManagedIdentityCredential(client_id=UNASSIGNED).get_token(f"{ARM}/.default")
    except Exception as error:  # pylint: disable=broad-except
        return {"ok": False, "error": type(error).__name__, "message": str(error)}
    return {"ok": True}


def stall():
    """An idle connection and a rude one must not keep another client from its token, nor stay open."""
    parts = urlsplit(os.environ["IDENTITY_ENDPOINT"])
    idle = socket.create_connection((parts.hostname, parts.port))
    idle.sendall(b"GET /msi/tok")  # half a request line, then silence
    rude = socket.create_connection((parts.hostname, parts.port))
    rude.sendall(f"GET {parts.path}?resource={ARM}&api-version=2019-08-01 HTTP/1.1\r\n"
                 f"X-IDENTITY-HEADER: {os.environ['IDENTITY_HEADER']}\r\n\r\n".encode())
    rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    rude.close()  # a reset before the answer: the endpoint writes to a closed connection
    status, _, body, seconds = ask(os.environ["IDENTITY_ENDPOINT"],
                                   params={"resource": ARM, "api-version": "2019-08-01"},
                                   headers={"X-IDENTITY-HEADER": os.environ["IDENTITY_HEADER"]})
    idle.settimeout(30)
    waited = time.monotonic()
    closed = idle.recv(1024) == b""  # blocks until the endpoint gives up on it
    return {"other_client": {"status": status, "token": bool(body and body.get("access_token")),
                             "seconds": round(seconds, 2)},
            "idle_closed": closed, "idle_closed_after": round(time.monotonic() - waited, 1)}


if __name__ == "__main__":
    print(json.dumps({"protocol": protocol, "stall": stall}[sys.argv[1]]()))
