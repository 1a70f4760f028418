"""What an Entra access token's claims say, read the same way by ``az tokenguard get-token``
(tokens/jwt_inspect.py) and by the guard when it answers get-token from az's cache (fast_token.py): who the
token is for, what it allows, when it ends. Nothing here verifies a signature. Standard library only.
"""
import binascii
import math

from . import az_json

# datetime can only represent years 1..9999; bigger "timestamps" are garbage, not times
MAX_TIMESTAMP = 253402300799
_URL_SAFE = str.maketrans('-_', '+/')  # base64url's two letters, as base64 spells them


def payload_claims(token):
    """The claims of a JWS compact token (its middle part, base64url JSON), or None when it is not one. For the
    guard, which has no pyjwt: any doubt is None, and the caller lets az answer."""
    parts = token.split('.') if isinstance(token, str) else ()
    if len(parts) != 3 or not parts[1]:
        return None
    try:
        payload = binascii.a2b_base64(parts[1].translate(_URL_SAFE) + '=' * (-len(parts[1]) % 4), strict_mode=True)
        claims = az_json.loads(payload)
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def audience_matches(requested_resource, aud_claim):
    """True if a token's ``aud`` is the requested resource (trailing slash and case ignored).

    An app id GUID only equals itself: Entra does not tell us which identifier URI
    belongs to which app id, so a URI never matches a GUID.
    """
    if not isinstance(requested_resource, str) or not requested_resource.strip():
        return False
    audiences = aud_claim if isinstance(aud_claim, list) else [aud_claim]
    wanted = _audience_key(requested_resource)
    return any(isinstance(aud, str) and aud.strip() and _audience_key(aud) == wanted for aud in audiences)


def _audience_key(value):
    return value.strip().rstrip('/').casefold()


def token_summary(claims, now):
    """Secret-free facts about a token for ``get-token``: who it is for, what it allows, when it ends."""
    exp = expiry(claims)
    return {
        'audience': claims.get('aud'),
        'scopes': scopes_of(claims),
        'roles': roles_of(claims),
        'identityType': identity_type(claims),
        'tenant': string_or_none(claims.get('tid')),
        'expiresAt': utc_iso(exp) if exp is not None else None,
        # Negative once expired, so callers can tell "expired 30s ago" from "30s left".
        'secondsRemaining': int(math.floor(exp - now)) if exp is not None else None,
    }


def expiry(claims):
    """The ``exp`` claim as epoch seconds, or None when it is missing or not a usable time."""
    return timestamp(claims.get('exp'))


def identity_type(claims):
    """'managedIdentity', 'user', 'application' or 'unknown', from Entra's claims."""
    # Managed identity tokens are app-only tokens too, so check them first.
    if 'xms_mirid' in claims or 'xms_az_rid' in claims:
        return 'managedIdentity'
    idtyp = claims.get('idtyp')
    if idtyp == 'user' or 'scp' in claims:
        return 'user'
    if idtyp == 'app' or roles_of(claims):
        return 'application'
    # v1 app-only tokens without roles: object id and subject are the same principal.
    if claims.get('oid') and claims.get('oid') == claims.get('sub') and ('appid' in claims or 'azp' in claims):
        return 'application'
    return 'unknown'


def scopes_of(claims):
    """Delegated permissions from ``scp`` (a space-separated string in Entra tokens)."""
    scp = claims.get('scp')
    if isinstance(scp, str):
        return scp.split()
    if isinstance(scp, list):
        return [item for item in scp if isinstance(item, str)]
    return []


def roles_of(claims):
    roles = claims.get('roles')
    if isinstance(roles, list):
        return [item for item in roles if isinstance(item, str)]
    if isinstance(roles, str):
        return [roles]
    return []


def utc_iso(seconds):
    """Seconds since the epoch -> '2024-01-02T03:04:05Z'. datetime, not time.gmtime: Windows' gmtime stops at
    the year 3000, and a decoded token may claim any year up to 9999."""
    from datetime import datetime, timezone
    return datetime.fromtimestamp(int(seconds), tz=timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def timestamp(value):
    """A usable NumericDate, or None for missing/garbage values (strings, bools, NaN, year 30000)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    # Only floats can be NaN or infinite; math.isfinite on a huge int would raise OverflowError.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if not 0 <= value <= MAX_TIMESTAMP:
        return None
    return value


def string_or_none(value):
    return value if isinstance(value, str) else None
