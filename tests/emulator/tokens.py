"""Signing and checking the emulator's RS256 JWTs."""
import base64
import json
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


class TokenIssuer:
    """Holds the signing key and mints access and id tokens for one emulator run."""

    def __init__(self, base_url):
        self.base_url = base_url
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex[:16]

    def jwks(self):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def issuer(self, tenant_id):
        return f"{self.base_url}/{tenant_id}/v2.0"

    def _sign(self, claims):
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})

    def _time_claims(self, lifetime):
        now = int(time.time())
        return {"iat": now, "nbf": now, "exp": now + lifetime}

    def access_token(self, *, tenant_id, audience, client_id, object_id, lifetime, scp=None, roles=None,
                     user=None):
        claims = {"aud": audience, "iss": self.issuer(tenant_id), "tid": tenant_id, "oid": object_id,
                  "sub": object_id, "appid": client_id, "azp": client_id, "ver": "2.0",
                  "uti": uuid.uuid4().hex, **self._time_claims(lifetime)}
        if user is not None:
            claims.update({"idtyp": "user", "scp": scp, "name": user.display_name,
                           "upn": user.username, "preferred_username": user.username})
        else:
            claims.update({"idtyp": "app", "roles": list(roles or ())})
        return self._sign(claims)

    def id_token(self, *, tenant_id, client_id, user, lifetime):
        claims = {"aud": client_id, "iss": self.issuer(tenant_id), "tid": tenant_id, "oid": user.object_id,
                  "sub": user.object_id, "name": user.display_name, "preferred_username": user.username,
                  "ver": "2.0", **self._time_claims(lifetime)}
        return self._sign(claims)

    def verify(self, token):
        """Return the claims of a token this emulator signed; raise jwt.PyJWTError otherwise."""
        return jwt.decode(token, self._key.public_key(), algorithms=["RS256"], options={"verify_aud": False},
                          leeway=0)


def client_info(user):
    raw = json.dumps({"uid": user.object_id, "utid": user.home_tenant_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
