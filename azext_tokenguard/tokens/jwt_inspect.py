"""Read an access token's header and claims without verifying it.

This is an *inspector* for ``az tokenguard decode`` and the secret-free summary of
``az tokenguard get-token``: it never checks the signature (we do not hold the keys
and the token's audience is someone else's API) and it never returns the signature.
pyjwt does the base64url/JSON work; this module adds the bounds, the error messages
and the Entra-specific reading of the claims.
"""

import binascii
import re

import jwt
from jwt.utils import base64url_decode

from azext_tokenguard.tokens.durations import format_duration
from azext_tokenguard.guard.claims import identity_type, roles_of, scopes_of, utc_iso
from azext_tokenguard.guard.claims import string_or_none as _string_or_none
from azext_tokenguard.guard.claims import timestamp as _timestamp
from azext_tokenguard.guard.errors import InvalidValueError

# ---------------------------------------------------------------------------
# Limits and rules
# ---------------------------------------------------------------------------
MAX_TOKEN_CHARS = 64 * 1024  # Entra tokens are a few KB; anything larger is not a token we issue
LONG_LIFETIME_SECONDS = 2 * 3600  # Entra's default is 60-90 min; longer means a custom policy or a leak risk
TIME_CLAIMS = ('iat', 'nbf', 'exp')
CAE_CAPABILITY = 'cp1'  # xms_cc value a client sends when it can handle CAE claims challenges

JWS_PARTS, JWE_PARTS = 3, 5
_BASE64URL = re.compile(r'[A-Za-z0-9_-]*')
_BEARER_PREFIX = re.compile(r'bearer(?:\s+|$)', re.IGNORECASE)

# pyjwt names the failing segment in its messages; 'crypto' is the signature.
_PYJWT_SEGMENT_NAMES = (('header', 'header'), ('payload', 'payload'), ('crypto', 'signature'))

HOW_TO_PASS = 'pass the access token itself (three base64url parts separated by dots, e.g. eyJ...)'


class TokenFormatError(InvalidValueError):
    """The text is not a readable JWT."""

    recommendation = "Pipe the token in: az account get-access-token --query accessToken -o tsv | az tokenguard decode"


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------

def inspect_token(text, now):
    """Decode ``text`` (a JWT, optionally prefixed 'Bearer ') into a report dict; never the signature."""
    header, claims = decode_unverified(text)
    times = _time_report(claims, now)
    lifetime = _lifetime_seconds(claims)
    return {
        'header': header,
        'claims': claims,
        'times': times,
        'lifetimeSeconds': lifetime,
        'identityType': identity_type(claims),
        'scopes': scopes_of(claims),
        'roles': roles_of(claims),
        'tenant': _string_or_none(claims.get('tid')),
        'audience': claims.get('aud'),
        'caeCapable': is_cae_capable(claims),
        'warnings': _warnings(header, claims, lifetime, now),
    }


def decode_unverified(text):
    """Return ``(header, claims)`` of a JWS compact token; raise TokenFormatError with a fix otherwise."""
    token = _normalise(text)
    _check_structure(token)
    header_segment, payload_segment, _ = token.split('.')
    _check_utf8(header_segment, 'header')
    _check_utf8(payload_segment, 'payload')
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={'verify_signature': False})
    except (jwt.PyJWTError, ValueError, RecursionError) as err:
        raise TokenFormatError(_describe_decode_error(err)) from None
    return header, claims


def is_cae_capable(claims):
    xms_cc = claims.get('xms_cc')
    if isinstance(xms_cc, str):
        xms_cc = [xms_cc]
    return isinstance(xms_cc, list) and CAE_CAPABILITY in xms_cc


def relative_time(timestamp, now):
    """'in 5m 3s', '2h 1m ago' or 'now'."""
    delta = int(round(timestamp - now))
    if delta == 0:
        return 'now'
    if delta > 0:
        return 'in ' + format_duration(delta)
    return format_duration(-delta) + ' ago'


# ---------------------------------------------------------------------------
# Input checks: cheap, bounded, before any decoding
# ---------------------------------------------------------------------------

def _normalise(text):
    if isinstance(text, bytes):
        if len(text) > MAX_TOKEN_CHARS:
            raise TokenFormatError(_too_large_message())
        try:
            text = text.decode('utf-8')
        except UnicodeDecodeError:
            raise TokenFormatError(f'the token is not UTF-8 text: {HOW_TO_PASS}') from None
    if not isinstance(text, str):
        raise TokenFormatError(f'no token given: {HOW_TO_PASS}')
    # Check the size before any other work so megabytes of junk fail at once.
    if len(text) > MAX_TOKEN_CHARS:
        raise TokenFormatError(_too_large_message())
    token = text.strip()
    prefix = _BEARER_PREFIX.match(token)
    if prefix:
        token = token[prefix.end():].strip()
    if not token:
        raise TokenFormatError(f'no token given: {HOW_TO_PASS}')
    return token


def _too_large_message():
    # The size is not repeated: callers read at most MAX_TOKEN_CHARS + 1 characters, so it may be cut short.
    return (f'input too large: over {MAX_TOKEN_CHARS} characters, more than a token can be: '
            f'{HOW_TO_PASS}, not a file or a whole HTTP response')


def _check_structure(token):
    parts = token.split('.')
    if len(parts) == JWE_PARTS:
        raise TokenFormatError('this is an encrypted token (JWE, 5 parts); its claims cannot be read without '
                               'the recipient\'s private key: inspect the token before encryption, or ask for '
                               'an unencrypted access token')
    if len(parts) != JWS_PARTS:
        raise TokenFormatError(f'not a JWT: found {len(parts)} dot-separated part(s), expected 3: {HOW_TO_PASS}')
    names = ('header', 'payload', 'signature')
    for name, part in zip(names, parts):
        if not _BASE64URL.fullmatch(part):
            raise TokenFormatError(f'the {name} is not base64url (only A-Z a-z 0-9 - _ allowed, no padding): '
                                   f'copy the token again without quotes, spaces or line breaks')
    if not parts[0] or not parts[1]:
        raise TokenFormatError(f'the token has an empty header or payload: {HOW_TO_PASS}')


def _check_utf8(segment, name):
    """RFC 7519 claims are UTF-8 JSON; say so plainly instead of letting json guess an encoding."""
    try:
        base64url_decode(segment).decode('utf-8')
    except (binascii.Error, ValueError) as err:
        if isinstance(err, UnicodeDecodeError):
            raise TokenFormatError(f'the {name} is not UTF-8 JSON: the token is corrupted; '
                                   f'copy it again from its source') from None
        raise TokenFormatError(f'the {name} is not valid base64url (truncated?): '
                               f'copy the whole token again') from None


def _describe_decode_error(err):
    message = str(err).lower()
    part = next((name for key, name in _PYJWT_SEGMENT_NAMES if key in message), 'token')
    if 'padding' in message or 'base64' in message:
        return f'the {part} is not valid base64url (truncated?): copy the whole token again'
    if 'json object' in message:
        return f'the {part} is JSON but not an object: this is not a JWT; {HOW_TO_PASS}'
    if 'recursion' in message or isinstance(err, RecursionError):
        return f'the {part} JSON is nested too deeply to be a JWT: {HOW_TO_PASS}'
    return f'the {part} is not valid JSON: the token is corrupted or not a JWT; {HOW_TO_PASS}'


# ---------------------------------------------------------------------------
# Claim interpretation
# ---------------------------------------------------------------------------


def _time_report(claims, now):
    report = {}
    for name in TIME_CLAIMS:
        value = _timestamp(claims.get(name))
        if value is not None:
            report[name] = {'utc': utc_iso(value), 'relative': relative_time(value, now)}
    return report


def _lifetime_seconds(claims):
    exp = _timestamp(claims.get('exp'))
    start = _timestamp(claims.get('nbf'))
    if start is None:
        start = _timestamp(claims.get('iat'))
    if exp is None or start is None:
        return None
    return int(exp - start)


def _warnings(header, claims, lifetime, now):
    warnings = []
    if str(header.get('alg', '')).lower() == 'none':
        warnings.append("unsigned token (alg: none): no service may accept it; it was not issued by Entra ID")
    warnings.extend(_validity_warnings(claims, now))
    if lifetime is not None and lifetime > LONG_LIFETIME_SECONDS:
        limit = format_duration(LONG_LIFETIME_SECONDS)
        warnings.append(f'long lifetime of {format_duration(lifetime)} (over {limit}): '
                        f'a leaked copy stays usable that long')
    return warnings


def _validity_warnings(claims, now):
    warnings = []
    for name in TIME_CLAIMS:
        if name in claims and _timestamp(claims[name]) is None:
            warnings.append(f'claim {name} is not a valid time (NumericDate seconds)')
    exp = _timestamp(claims.get('exp'))
    if 'exp' not in claims:
        warnings.append('no exp claim: the token never expires by itself')
    elif exp is not None and exp <= now:
        warnings.append(f'expired {relative_time(exp, now)} (at {utc_iso(exp)})')
    nbf = _timestamp(claims.get('nbf'))
    if nbf is not None and nbf > now:
        warnings.append(f'not yet valid: becomes valid {relative_time(nbf, now)} (at {utc_iso(nbf)}); '
                        f'check this machine\'s clock')
    return warnings
