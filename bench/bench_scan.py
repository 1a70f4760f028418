"""`az tokenguard scan` over a generated tree of 500 home directories, each with az caches in it."""
import json
import tempfile
import time
from pathlib import Path

import jwt

from bench.common import logged_in_az, median_ms, timed

HOMES = 500
ROUNDS = 3


def _cache_json(user, now):
    """An MSAL token cache in az's format: an account, a refresh token and an access token."""
    home_account = f"{user}-oid.tenant"
    access = jwt.encode({"aud": "https://management.core.windows.net/", "exp": now + 3600, "upn": user},
                        "bench-key-bench-key-bench-key-32b", algorithm="HS256")
    return json.dumps({
        "Account": {f"{home_account}-login-{user}": {"home_account_id": home_account, "environment": "login",
                                                     "realm": "tenant", "username": user,
                                                     "authority_type": "MSSTS"}},
        "RefreshToken": {f"{home_account}-login-refreshtoken-client--": {
            "credential_type": "RefreshToken", "secret": f"rt-{user}-" + "x" * 600,
            "home_account_id": home_account, "environment": "login", "client_id": "client",
            "last_modification_time": str(now)}},
        "AccessToken": {f"{home_account}-login-accesstoken-client-tenant-arm": {
            "credential_type": "AccessToken", "secret": access, "home_account_id": home_account,
            "environment": "login", "client_id": "client", "realm": "tenant",
            "target": "https://management.core.windows.net//.default", "cached_at": str(now),
            "expires_on": str(now + 3600)}},
    })


def make_tree(root, homes=HOMES):
    now = int(time.time())
    for index in range(homes):
        azure = Path(root) / "home" / f"user{index:03}" / ".azure"
        azure.mkdir(parents=True)
        (azure / "msal_token_cache.json").write_text(_cache_json(f"user{index:03}@contoso.example", now))
        (azure / "service_principal_entries.json").write_text(json.dumps(
            [{"client_id": f"app-{index}", "tenant": "tenant", "client_secret": f"secret-{index}"}]))
        (azure / "azureProfile.json").write_text("\ufeff" + json.dumps({"subscriptions": []}))
        (azure / "config").write_text("[core]\n")
    return Path(root) / "home"


def run(rounds=ROUNDS):
    with tempfile.TemporaryDirectory(prefix="tokenguard-scan-bench-") as scratch, logged_in_az() as az:
        tree = make_tree(scratch)
        samples, findings = [], 0
        for _ in range(rounds):
            def scan():
                nonlocal findings
                findings = len(az.json("tokenguard", "scan", "--path", str(tree))["findings"])
            samples.append(timed(scan))
    median = median_ms(samples)
    return {"scan of 500 homes (ms)": median, "findings": findings,
            "homes per second": HOMES / (median / 1000)}


def main():
    for name, value in run().items():
        print(f"{name:28} {value:10.2f}")


if __name__ == "__main__":
    main()
