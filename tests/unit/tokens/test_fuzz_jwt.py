"""Fuzzing the token decoder (`az tokenguard decode`, get-token's summary): any input gives a report of the
documented shape or one TokenFormatError line, in bounded time; megabytes are refused before any work."""
import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azext_tokenguard.guard import claims
from azext_tokenguard.tokens import jwt_inspect
from tests.unit.fuzz_support import (BOMS, GUIDS, JSONISH, MANY, NOW, SOME, SPECIAL_BYTES, assert_one_line, count,
                                     deep_lists, document)

PARSER = "jwt_inspect"
IDENTITY_TYPES = ("managedIdentity", "user", "application", "unknown")


def b64(data):
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def token_of(header_bytes, payload_bytes, signature=""):
    return f"{b64(header_bytes)}.{b64(payload_bytes)}.{signature}"


TIMES = st.one_of(st.integers(NOW - 10 ** 6, NOW + 10 ** 6), st.integers(), st.floats(allow_nan=True),
                  st.integers(min_value=10 ** 20, max_value=10 ** 400), st.text(max_size=5))
HEADERS = document({"alg": st.sampled_from(["RS256", "none", "NONE", "HS256"])},
                   {"typ": st.just("JWT"), "kid": st.text(max_size=8), "b64": st.booleans(),
                    "crit": st.lists(st.text(max_size=5), max_size=2), "x5t": st.text(max_size=8)})
CLAIMS = document({}, {
    "exp": TIMES, "nbf": TIMES, "iat": TIMES, "aud": st.text(max_size=30) | st.lists(st.text(max_size=5)),
    "tid": GUIDS, "scp": st.text(max_size=30), "roles": st.lists(st.text(max_size=10), max_size=3),
    "idtyp": st.sampled_from(["user", "app"]), "oid": GUIDS, "sub": GUIDS, "appid": GUIDS, "azp": GUIDS,
    "xms_cc": st.sampled_from(["cp1", ["cp1"], []]), "xms_mirid": st.text(max_size=20)})


def encoded(part):
    """A header or payload as bytes: JSON, with a BOM, UTF-16, not an object, invalid UTF-8, nested deep."""
    return st.one_of(
        part.map(lambda doc: json.dumps(doc).encode()),
        st.builds(lambda bom, doc: bom + json.dumps(doc).encode(), st.sampled_from(BOMS), part),
        JSONISH.map(lambda doc: json.dumps(doc).encode()),
        st.sampled_from(SPECIAL_BYTES[:16] + [deep_lists(20_000), b'{"a":' * 10_000 + b"1" + b"}" * 10_000]),
        st.binary(max_size=80),
    )


TOKENS = st.one_of(
    st.builds(token_of, encoded(HEADERS), encoded(CLAIMS), st.text(alphabet="abcXYZ019-_", max_size=12)),
    st.builds(lambda t, cut: t[:cut], st.builds(token_of, encoded(HEADERS), encoded(CLAIMS)), st.integers(0, 300)),
    st.builds(lambda prefix, t: prefix + t, st.sampled_from(["Bearer ", "bearer\t", " ", "\ufeff", "\x00"]),
              st.builds(token_of, encoded(HEADERS), encoded(CLAIMS))),
    st.text(max_size=300),
    st.text(alphabet="eyJ.abc-_=\x00\n ", max_size=300),
)


def check_report(report):
    assert isinstance(report["header"], dict) and isinstance(report["claims"], dict)
    assert set(report["times"]) <= set(jwt_inspect.TIME_CLAIMS)
    assert report["identityType"] in IDENTITY_TYPES
    assert all(isinstance(s, str) for s in report["scopes"] + report["roles"])
    assert report["lifetimeSeconds"] is None or isinstance(report["lifetimeSeconds"], int)
    for warning in report["warnings"]:
        assert_one_line(warning)
    json.dumps(report)  # what `az tokenguard decode` prints
    assert "signature" not in report


@MANY
@given(st.one_of(TOKENS, TOKENS.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_any_token_text_gives_a_report_or_one_format_error(text):
    count(PARSER)
    try:
        report = jwt_inspect.inspect_token(text, NOW)
    except jwt_inspect.TokenFormatError as error:
        assert_one_line(str(error))
        return
    check_report(report)
    summary = claims.token_summary(report["claims"], NOW)
    assert summary["secondsRemaining"] is None or isinstance(summary["secondsRemaining"], int)


@SOME
@given(st.binary(max_size=400) | st.sampled_from(SPECIAL_BYTES[:16]))
def test_any_bytes_decode_or_fail_with_one_line(data):
    count(PARSER)
    try:
        header, claims = jwt_inspect.decode_unverified(data)
    except jwt_inspect.TokenFormatError as error:
        assert_one_line(str(error))
        return
    assert isinstance(header, dict) and isinstance(claims, dict)


@pytest.mark.parametrize("value", [None, 42, ["eyJ"], {"token": "x"}, 1.5])
def test_what_is_not_text_is_a_format_error(value):
    count(PARSER)
    with pytest.raises(jwt_inspect.TokenFormatError) as error:
        jwt_inspect.inspect_token(value, NOW)
    assert_one_line(str(error.value))


@pytest.mark.parametrize("huge", [
    "A" * 20_000_000, "eyJ." * 5_000_000, b"eyJhbGciOiJub25lIn0." * 1_000_000,
    token_of(b'{"alg":"none"}', b"[" * 20_000_000 + b"]"),
])
def test_megabytes_are_refused_as_too_large(huge):
    count(PARSER)
    with pytest.raises(jwt_inspect.TokenFormatError) as error:
        jwt_inspect.inspect_token(huge, NOW)
    assert "too large" in str(error.value)
    assert_one_line(str(error.value))


@pytest.mark.parametrize("exp", ["1" + "0" * 400, "-1" + "0" * 400, "1e400", "-1e400", "NaN", "Infinity"])
def test_absurd_numeric_dates_are_warnings_not_crashes(exp):
    # Found by fuzzing: math.isfinite on an int of 400 digits raised OverflowError out of decode.
    count(PARSER)
    report = jwt_inspect.inspect_token(token_of(b'{"alg":"RS256"}', ('{"exp": %s}' % exp).encode()), NOW)
    assert "claim exp is not a valid time (NumericDate seconds)" in report["warnings"]
    assert report["times"] == {} and report["lifetimeSeconds"] is None
