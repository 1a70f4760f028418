"""Keep the promise of --min-validity: return a token with at least that long left, or say why not.

Pure: the ways to get a token are passed in, so the decision is unit-tested without az.
"""
from azext_tokenguard.tokens.durations import format_duration
from azext_tokenguard.guard.errors import RefusedError


class LifetimeUnavailableError(RefusedError):
    """The identity provider issued no token that lives as long as asked."""

    def __init__(self, wanted, longest):
        longest = max(longest, 0)
        super().__init__(f"No token with {format_duration(wanted)} left could be obtained: the identity provider "
                         f"issued one with {format_duration(longest)} left at most.",
                         recommendation=f"Ask for --min-validity {longest}s or less, or fetch a new token in your "
                                        "script before that time runs out.")
        self.wanted, self.longest = wanted, longest


def seconds_left(expires_on, now):
    return int(expires_on - now)


def obtain(get_cached, get_fresh, min_validity, clock):
    """Try the cached token, then a newly issued one.

    get_cached/get_fresh return (token, expires_on); the result is (token, expires_on, source), with source
    'cache' or 'fresh'. A token that breaks the promise is never returned."""
    token, expires_on = get_cached()
    if seconds_left(expires_on, clock()) >= min_validity:
        return token, expires_on, "cache"
    fresh, fresh_expires_on = get_fresh()
    if seconds_left(fresh_expires_on, clock()) >= min_validity:
        return fresh, fresh_expires_on, "fresh"
    longest = max(seconds_left(expires_on, clock()), seconds_left(fresh_expires_on, clock()))
    raise LifetimeUnavailableError(min_validity, longest)
