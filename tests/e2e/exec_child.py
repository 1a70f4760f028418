"""The child of the `az tokenguard exec` test: a long-running job that uses azure-identity, unchanged.

Usage: python exec_child.py SECONDS EXIT_CODE. It calls ARM every few seconds with a token from
ManagedIdentityCredential, tries the endpoint once without the identity header, and prints what happened
as one JSON line."""
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request

from azure.identity import ManagedIdentityCredential

PAUSE_SECONDS = 4  # the job's own pace between ARM calls


def status_of(request, context=None):
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main(seconds, exit_code):
    credential = ManagedIdentityCredential()
    tls = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
    arm = os.environ["TG_TEST_ARM_URL"]
    started, calls = time.monotonic(), []
    while time.monotonic() - started < seconds:
        token = credential.get_token("https://management.azure.com/.default").token
        request = urllib.request.Request(f"{arm}/subscriptions?api-version=2022-12-01",
                                         headers={"Authorization": f"Bearer {token}"})
        calls.append(status_of(request, tls))
        time.sleep(PAUSE_SECONDS)
    no_header = status_of(urllib.request.Request(
        f"{os.environ['IDENTITY_ENDPOINT']}?resource=https://management.azure.com&api-version=2019-08-01"))
    print(json.dumps({"calls": calls, "without_header": no_header, "endpoint": os.environ["IDENTITY_ENDPOINT"]}))
    return exit_code


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]), int(sys.argv[2])))
