"""Unit tests of the --min-validity decision."""
import pytest

from azext_tokenguard.tokens.lifetime import LifetimeUnavailableError, obtain

NOW = 1_000_000


def clock():
    return NOW


def never_called():
    raise AssertionError("a new token was requested although the cached one was good enough")


def test_cached_token_with_enough_time_left_is_returned_without_a_new_request():
    assert obtain(lambda: ("cached", NOW + 600), never_called, 300, clock) == ("cached", NOW + 600, "cache")


def test_a_cached_token_that_is_too_short_is_replaced():
    result = obtain(lambda: ("cached", NOW + 200), lambda: ("fresh", NOW + 3600), 300, clock)
    assert result == ("fresh", NOW + 3600, "fresh")


def test_exactly_the_minimum_is_enough():
    assert obtain(lambda: ("cached", NOW + 300), never_called, 300, clock)[2] == "cache"


def test_when_no_token_lives_long_enough_the_error_names_the_longest_obtained():
    with pytest.raises(LifetimeUnavailableError) as error:
        obtain(lambda: ("cached", NOW + 50), lambda: ("fresh", NOW + 70), 7200, clock)
    assert error.value.longest == 70 and error.value.wanted == 7200
    assert str(error.value) == ("No token with 2h left could be obtained: the identity provider issued one with "
                                "1m 10s left at most.")
    assert error.value.recommendation.startswith("Ask for --min-validity 70s or less")
