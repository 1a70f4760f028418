import base64
import json
import time

import jwt
import pytest

from azext_tokenguard.guard.claims import identity_type, payload_claims, token_summary, utc_iso
from azext_tokenguard.tokens.jwt_inspect import MAX_TOKEN_CHARS, TokenFormatError, inspect_token, relative_time

NOW = 1_700_000_000  # 2023-11-14T22:13:20Z
TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
KEY = 'unit-test-signing-key-that-is-long-enough-for-hs256'

RFC7519_TOKEN = ('eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.'
                 'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.'
                 'dBjftJeZ4CVP-mJ0jWKBTUS_TH9BVnrdBEPj6Yq6r5s')


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def raw_token(header_bytes, payload_bytes, signature='c2ln'):
    return f'{b64(header_bytes)}.{b64(payload_bytes)}.{signature}'


def signed(claims, **header):
    return jwt.encode(claims, KEY, algorithm='HS256', headers=header or None)


def entra_claims(**extra):
    claims = {'aud': 'https://management.core.windows.net/', 'iss': f'https://sts.windows.net/{TENANT}/',
              'iat': NOW - 300, 'nbf': NOW - 300, 'exp': NOW + 3600, 'tid': TENANT,
              'oid': '11111111-1111-1111-1111-111111111111', 'sub': 'subject'}
    claims.update(extra)
    return claims


def signature_of(token):
    return token.rsplit('.', 1)[1]


def assert_signature_absent(token, report):
    assert signature_of(token) not in json.dumps(report)


# --- the RFC 7519 example ----------------------------------------------------

def test_rfc7519_example():
    report = inspect_token(RFC7519_TOKEN, NOW)
    assert report['header'] == {'typ': 'JWT', 'alg': 'HS256'}
    assert report['claims'] == {'iss': 'joe', 'exp': 1300819380, 'http://example.com/is_root': True}
    assert report['times']['exp']['utc'] == '2011-03-22T18:43:00Z'
    assert report['times']['exp']['relative'].endswith(' ago')
    assert any(w.startswith('expired') for w in report['warnings'])
    assert report['lifetimeSeconds'] is None
    assert report['identityType'] == 'unknown'
    assert_signature_absent(RFC7519_TOKEN, report)


def test_bearer_prefix_and_whitespace_are_stripped():
    report = inspect_token(f'  Bearer  {RFC7519_TOKEN}\n', NOW)
    assert report['claims']['iss'] == 'joe'
    assert inspect_token(f'bearer {RFC7519_TOKEN}', NOW)['claims']['iss'] == 'joe'


# --- identity types ----------------------------------------------------------

def test_user_token():
    token = signed(entra_claims(scp='User.Read Mail.Send', idtyp='user', upn='alice@contoso.com',
                                xms_cc=['cp1']), kid='abc')
    report = inspect_token(token, NOW)
    assert report['identityType'] == 'user'
    assert report['scopes'] == ['User.Read', 'Mail.Send']
    assert report['roles'] == []
    assert report['tenant'] == TENANT
    assert report['audience'] == 'https://management.core.windows.net/'
    assert report['caeCapable'] is True
    assert report['warnings'] == []
    assert report['lifetimeSeconds'] == 3900
    assert report['times']['exp'] == {'utc': utc_iso(NOW + 3600), 'relative': 'in 1h'}
    assert report['times']['iat']['relative'] == '5m ago'
    assert report['header']['kid'] == 'abc'
    assert_signature_absent(token, report)


def test_application_token():
    token = signed(entra_claims(roles=['Data.Read.All'], idtyp='app', appid='22222222-2222-2222-2222-222222222222'))
    report = inspect_token(token, NOW)
    assert report['identityType'] == 'application'
    assert report['roles'] == ['Data.Read.All']
    assert report['scopes'] == []
    assert report['caeCapable'] is False
    assert_signature_absent(token, report)


def test_application_token_without_idtyp_or_roles():
    claims = entra_claims(appid='22222222-2222-2222-2222-222222222222')
    claims['sub'] = claims['oid']
    assert identity_type(claims) == 'application'


def test_managed_identity_token():
    mirid = ('/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/'
             'Microsoft.ManagedIdentity/userAssignedIdentities/id1')
    token = signed(entra_claims(idtyp='app', xms_mirid=mirid, appid='33333333-3333-3333-3333-333333333333'))
    report = inspect_token(token, NOW)
    assert report['identityType'] == 'managedIdentity'
    assert_signature_absent(token, report)
    assert identity_type({'xms_az_rid': '/subscriptions/x'}) == 'managedIdentity'


def test_unknown_identity():
    assert identity_type({'iss': 'joe'}) == 'unknown'


# --- warnings ----------------------------------------------------------------

def test_alg_none_is_flagged_unsigned():
    token = jwt.encode(entra_claims(scp='User.Read'), None, algorithm='none')
    report = inspect_token(token, NOW)
    assert any('unsigned' in w for w in report['warnings'])


def test_not_yet_valid_and_long_lifetime():
    token = signed(entra_claims(nbf=NOW + 600, iat=NOW, exp=NOW + 4 * 3600))
    warnings = inspect_token(token, NOW)['warnings']
    assert any(w.startswith('not yet valid') and 'in 10m' in w for w in warnings)
    assert any(w.startswith('long lifetime') for w in warnings)


def test_expired_warning_says_how_long_ago():
    token = signed(entra_claims(iat=NOW - 7200, nbf=NOW - 7200, exp=NOW - 3663))
    warnings = inspect_token(token, NOW)['warnings']
    assert any(w.startswith('expired 1h 1m 3s ago') for w in warnings)


def test_garbage_time_claims_do_not_crash():
    for bad in ('soon', True, None, 1e300, -5, [1]):
        token = signed({'exp': bad, 'iat': bad})
        report = inspect_token(token, NOW)
        assert 'exp' not in report['times']
        assert report['lifetimeSeconds'] is None
        assert any('not a valid time' in w for w in report['warnings'])
        json.dumps(report)


def test_non_finite_exp():
    token = raw_token(b'{"alg":"HS256"}', b'{"exp": Infinity, "nbf": NaN}')
    report = inspect_token(token, NOW)
    assert report['times'] == {}


def test_missing_exp_is_warned():
    report = inspect_token(signed({'aud': 'x'}), NOW)
    assert any('no exp' in w for w in report['warnings'])


# --- format errors -----------------------------------------------------------

def assert_format_error(text, *fragments):
    started = time.monotonic()
    with pytest.raises(TokenFormatError) as err:
        inspect_token(text, NOW)
    assert time.monotonic() - started < 1.0
    message = str(err.value)
    assert '\n' not in message and len(message) < 300
    for fragment in fragments:
        assert fragment in message, message
    return message


@pytest.mark.parametrize('text', ['', '   ', 'Bearer ', None])
def test_empty_input(text):
    assert_format_error(text, 'no token given')


@pytest.mark.parametrize('text', ['hello', 'a.b', 'a.b.c.d', 'not a token at all'])
def test_not_a_jwt(text):
    assert_format_error(text, 'not a JWT')


def test_jwe_five_parts():
    jwe = ('eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgck.'
           '48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.'
           'XFBoMYUZodetZdvTiFvSkQ')
    assert_format_error(jwe, 'encrypted', 'JWE', 'key')


def test_not_base64url():
    assert_format_error('eyJ!!!.eyJ.sig', 'header', 'base64url')
    assert_format_error('eyJhbGciOiJIUzI1NiJ9.eyJ pc3Mi.sig', 'payload', 'base64url')
    assert_format_error('eyJhbGciOiJIUzI1NiJ9.eyJpc3Mi=.sig', 'payload', 'base64url')


def test_truncated_base64():
    assert_format_error('eyJhbGciOiJIUzI1NiJ9.e.sig', 'payload', 'base64url')


def test_header_or_payload_not_json():
    assert_format_error(raw_token(b'not json', b'{}'), 'header', 'JSON')
    assert_format_error(raw_token(b'{"alg":"HS256"}', b'{"a":'), 'payload', 'JSON')


def test_payload_is_json_list():
    assert_format_error(raw_token(b'{"alg":"HS256"}', b'[1, 2, 3]'), 'payload', 'not an object')


def test_header_is_json_string():
    assert_format_error(raw_token(b'"HS256"', b'{}'), 'header', 'not an object')


def test_invalid_utf8_payload():
    assert_format_error(raw_token(b'{"alg":"HS256"}', b'{"name": "\xff\xfe"}'), 'payload', 'UTF-8')


def test_empty_header_or_payload():
    assert_format_error('.eyJhIjoxfQ.sig', 'empty')
    assert_format_error('eyJhbGciOiJIUzI1NiJ9..sig', 'empty')


def test_deep_nesting_fails_cleanly():
    depth = 20000
    payload = b'{"a":' + b'[' * depth + b']' * depth + b'}'
    token = raw_token(b'{"alg":"HS256"}', payload)
    assert len(token) < MAX_TOKEN_CHARS
    assert_format_error(token, 'payload')


def test_nul_bytes_and_control_characters():
    assert_format_error('eyJh\x00bGc.eyJ.sig', 'base64url')


def test_three_megabytes_of_garbage_fails_fast():
    garbage = 'A' * (3 * 1024 * 1024)
    assert_format_error(garbage, 'more than', str(MAX_TOKEN_CHARS))
    assert_format_error(f'{garbage}.{garbage}.{garbage}', 'more than')


def test_garbage_bytes_input():
    assert_format_error(b'\xff\xfe\x00garbage', 'UTF-8')


def test_errors_are_value_errors():
    assert issubclass(TokenFormatError, ValueError)


def test_error_messages_never_echo_the_token():
    token = raw_token(b'{"alg":"HS256"}', b'[1]', signature='SECRETSIGNATURE')
    message = assert_format_error(token)
    assert 'SECRETSIGNATURE' not in message and token not in message


# --- token_summary -----------------------------------------------------------

def test_token_summary_for_user_token():
    claims = entra_claims(scp='User.Read', idtyp='user')
    summary = token_summary(claims, NOW)
    assert summary == {
        'audience': 'https://management.core.windows.net/',
        'scopes': ['User.Read'],
        'roles': [],
        'identityType': 'user',
        'tenant': TENANT,
        'expiresAt': utc_iso(NOW + 3600),
        'secondsRemaining': 3600,
    }
    assert summary['expiresAt'].endswith('Z')


def test_token_summary_expired_and_missing_exp():
    assert token_summary({'exp': NOW - 10}, NOW)['secondsRemaining'] == -10
    summary = token_summary({'exp': 'tomorrow'}, NOW)
    assert summary['expiresAt'] is None and summary['secondsRemaining'] is None


# --- helpers -------------------------------------------------------------------

@pytest.mark.parametrize('delta, text', [(0, 'now'), (303, 'in 5m 3s'), (-7260, '2h 1m ago'), (-59, '59s ago')])
def test_relative_time(delta, text):
    assert relative_time(NOW + delta, NOW) == text


def test_utc_iso():
    assert utc_iso(0) == '1970-01-01T00:00:00Z'
    assert utc_iso(NOW) == '2023-11-14T22:13:20Z'


def test_truncated_signature():
    token = raw_token(b'{"alg":"HS256"}', b'{"a":1}', signature='abcde')
    assert_format_error(token, 'signature', 'base64url')


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.builds(
    lambda h, p, s: f'{b64(h)}.{b64(p)}.{s}', st.binary(max_size=60), st.binary(max_size=120),
    st.text(alphabet='abcXYZ019-_', max_size=12))))
def test_any_input_gives_report_or_token_format_error(text):
    try:
        report = inspect_token(text, NOW)
    except TokenFormatError as err:
        assert '\n' not in str(err)
    else:
        json.dumps(report)


# ---------------------------------------------------------------- the guard's reading of the claims

def test_the_guard_reads_the_claims_pyjwt_reads():
    claims = {'aud': 'https://management.core.windows.net/', 'scp': 'user_impersonation', 'exp': NOW + 3600,
              'name': 'Zoë'}
    token = jwt.encode(claims, KEY, algorithm='HS256')
    assert payload_claims(token) == jwt.decode(token, options={'verify_signature': False}) == claims


@pytest.mark.parametrize('text', ['', 'a.b', 'a.b.c.d', 'x..y', 'e30.!!!.c', 'x.' + b64(b'[1]') + '.y',
                                  'x.' + b64(b'{"a":') + '.y', None, 42])
def test_the_guard_takes_nothing_else_for_claims(text):
    assert payload_claims(text) is None
