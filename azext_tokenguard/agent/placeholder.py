"""The tokens the child gets: shaped like Entra's JWTs (az decodes `tid` from its managed identity token),
signed by nobody. Each carries random bytes where the signature goes, so no resource accepts it and no one
can guess another; the proxy swaps a placeholder it issued for the real token it holds."""
import base64
import json
import secrets
import threading

PLACEHOLDER_KID = "tokenguard-placeholder"


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Placeholders:
    """Issues placeholders and knows which ones it issued (for this run only)."""

    def __init__(self, tenant_id, object_id=None):
        self._tenant_id = tenant_id
        self._object_id = object_id or "00000000-0000-0000-0000-000000000000"
        self._issued = set()
        self._lock = threading.Lock()

    def issue(self, audience, expires_on, now):
        header = {"alg": "RS256", "typ": "JWT", "kid": PLACEHOLDER_KID}
        claims = {"aud": audience, "tid": self._tenant_id, "oid": self._object_id, "sub": self._object_id,
                  "iat": int(now), "nbf": int(now), "exp": int(expires_on), "idtyp": "app",
                  "tokenguard": "placeholder: no resource accepts this token"}
        token = ".".join((_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()),
                          _b64(secrets.token_bytes(64))))
        with self._lock:
            self._issued.add(token)
        return token

    def is_ours(self, token):
        with self._lock:
            return token in self._issued
