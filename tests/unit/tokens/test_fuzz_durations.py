"""Fuzzing duration parsing (`get-token --min-validity`, `audit show --since`): any value gives whole seconds
within the cap or one DurationError line, at once even for megabytes."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from azext_tokenguard.tokens import durations
from tests.unit.fuzz_support import MANY, SOME, assert_one_line, count

PARSER = "durations"
DURATION_LIKE = st.lists(st.one_of(st.integers(0, 10 ** 6).map(str), st.sampled_from(
    ["d", "h", "m", "s", "D", "H", " ", "\t", "\n", "\x00", "-", "+", ".", "e", "٣", "１", "\ufeff", "0x"])),
    max_size=10).map("".join)
CAPS = st.sampled_from([durations.MAX_DURATION_SECONDS, 30 * 86400, 0, 1])


def check(text, max_seconds):
    try:
        seconds = durations.parse_duration(text, max_seconds=max_seconds)
    except durations.DurationError as error:
        assert_one_line(str(error))
        assert len(str(error)) < 300  # the input is shortened, never echoed whole
        return
    assert type(seconds) is int and 0 <= seconds <= max_seconds  # pylint: disable=unidiomatic-typecheck


@MANY
@given(DURATION_LIKE | st.text(max_size=80), CAPS)
def test_any_text_is_seconds_under_the_cap_or_one_line(text, max_seconds):
    count(PARSER)
    check(text, max_seconds)


@SOME
@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.binary(max_size=10),
                 st.lists(st.text(max_size=3), max_size=2)))
def test_what_is_not_text_is_a_duration_error(value):
    count(PARSER)
    with pytest.raises(durations.DurationError) as error:
        durations.parse_duration(value)
    assert_one_line(str(error.value))


@pytest.mark.parametrize("huge", ["1" * 20_000_000, "1h" * 5_000_000, " " * 10_000_000 + "5m", "9" * 4301])
def test_megabytes_fail_at_once_with_a_short_message(huge):
    count(PARSER)
    check(huge, durations.MAX_DURATION_SECONDS)
