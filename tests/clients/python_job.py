"""A job that takes its tokens from a managed identity endpoint with a stock Python client, used unchanged.

The `az tokenguard exec` end-to-end tests run it as exec's child, with the python of the venv that holds the client:

    python python_job.py CLIENT loop SECONDS [EXIT_CODE]   call ARM about once a second for SECONDS
    python python_job.py CLIENT once [RESOURCE]            ask for one token (ARM's by default) and say whose it is

CLIENT is one of
    azure-identity          ManagedIdentityCredential (1.27 in .venv, 1.3.1 in .venv-clients/python)
    azure-identity-default  DefaultAzureCredential (also 1.21, older than AZURE_TOKEN_CREDENTIALS)
    msal                    msal.ManagedIdentityClient
    msrestazure             msrestazure's MSIAuthentication, as msrest uses it before each request
It prints one JSON line with what the tests assert on, never a token.
"""
import base64
import hashlib
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request
from importlib.metadata import version

ARM = "https://management.azure.com"
PAUSE_SECONDS = 1  # the job's own pace between ARM calls
PACKAGES = {"azure-identity": "azure-identity", "azure-identity-default": "azure-identity", "msal": "msal",
            "msrestazure": "msrestazure"}


def token_source(client, resource=ARM):
    """A function returning an access token for resource, written the way each client's users write it."""
    if client in ("azure-identity", "azure-identity-default"):
        from azure import identity
        credential = (identity.ManagedIdentityCredential() if client == "azure-identity"
                      else identity.DefaultAzureCredential())
        return lambda: credential.get_token(f"{resource}/.default").token
    if client == "msal":
        import msal
        import requests
        app = msal.ManagedIdentityClient(msal.SystemAssignedManagedIdentity(), http_client=requests.Session())

        def from_msal():
            result = app.acquire_token_for_client(resource=resource)
            if "access_token" not in result:
                raise RuntimeError(f"{result.get('error')}: {result.get('error_description')}")
            return result["access_token"]
        return from_msal
    if client == "msrestazure":
        from msrestazure.azure_active_directory import MSIAuthentication
        credentials = MSIAuthentication(resource=resource)
        return lambda: credentials.signed_session().headers["Authorization"].split(" ", 1)[1]
    raise SystemExit(f"unknown client {client}")


def arm_status(token):
    context = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
    request = urllib.request.Request(f"{os.environ['TG_TEST_ARM_URL']}/subscriptions?api-version=2022-12-01",
                                     headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def loop(get_token, seconds):
    """Every outcome goes into calls: an ARM status, or the error that kept the job from making the call."""
    started, calls, tokens = time.monotonic(), [], set()
    while time.monotonic() - started < seconds:
        try:
            token = get_token()
            tokens.add(hashlib.sha256(token.encode()).hexdigest())
            calls.append(arm_status(token))
        except Exception as error:  # pylint: disable=broad-except
            calls.append(f"{type(error).__name__}: {error}"[:500])
        time.sleep(PAUSE_SECONDS)
    return {"calls": calls, "tokens": len(tokens), "seconds": round(time.monotonic() - started, 1)}


def once(get_token):
    try:
        token = get_token()
    except Exception as error:  # pylint: disable=broad-except
        return {"ok": False, "error": type(error).__name__, "message": str(error)}
    return {"ok": True, "appid": claims(token).get("appid"), "arm": arm_status(token)}


def main(client, mode, *rest):
    get_token = token_source(client, *rest[:1]) if mode == "once" else token_source(client)
    report = loop(get_token, float(rest[0])) if mode == "loop" else once(get_token)
    report.update(client=client, version=version(PACKAGES[client]))
    print(json.dumps(report))
    return int(rest[1]) if mode == "loop" and len(rest) > 1 else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
