"""Parse and format human durations such as ``300``, ``45m`` or ``1h30m``.

Used by options like ``--min-validity``: the user says how long a token must
still be valid, we work in whole seconds.
"""

import re

from azext_tokenguard.guard.errors import InvalidValueError

SECONDS_PER_UNIT = {'d': 86400, 'h': 3600, 'm': 60, 's': 1}
MAX_DURATION_SECONDS = 24 * 3600  # no token lives longer; a bigger value is a typo
MAX_INPUT_LENGTH = 64  # longer input is never a sensible duration; keeps parsing bounded

HOW_TO_WRITE = 'use a number of seconds or a value like 300s, 45m, 1h, 1h30m (at most 24h)'

_BARE_SECONDS = re.compile(r'[0-9]+')  # ASCII only: \d would also take other scripts' digits
# Units must appear largest first and at most once each: "1h30m", not "30m1h" or "1h1h".
_WITH_UNITS = re.compile(r'(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?')


class DurationError(InvalidValueError):
    """A duration string could not be understood or is out of range."""


def parse_duration(text, max_seconds=MAX_DURATION_SECONDS):
    """Return the number of seconds ``text`` stands for; raise DurationError if it is not a duration.

    The default cap fits token lifetimes; a look back in time (audit show --since) passes a larger one."""
    if not isinstance(text, str):
        raise DurationError(f'invalid duration {text!r}: {HOW_TO_WRITE}')
    cleaned = text.strip().lower()
    if not cleaned or len(cleaned) > MAX_INPUT_LENGTH:
        raise DurationError(f'invalid duration {_shorten(text)!r}: {HOW_TO_WRITE}')
    seconds = _seconds_from_text(cleaned)
    if seconds is None:
        raise DurationError(f'invalid duration {_shorten(text)!r}: {HOW_TO_WRITE}')
    if seconds > max_seconds:
        limit = f'{max_seconds // 3600}h' if max_seconds <= 48 * 3600 else f'{max_seconds // 86400}d'
        raise DurationError(f'duration {_shorten(text)!r} is longer than {limit}: {HOW_TO_WRITE}')
    return seconds


def _seconds_from_text(cleaned):
    if _BARE_SECONDS.fullmatch(cleaned):
        return int(cleaned)
    match = _WITH_UNITS.fullmatch(cleaned.replace(' ', ''))
    if not match or not any(match.groups()):
        return None
    amounts = [int(group) if group else 0 for group in match.groups()]
    return sum(amount * SECONDS_PER_UNIT[unit] for amount, unit in zip(amounts, 'dhms'))


def _shorten(text):
    text = str(text)
    return text if len(text) <= 40 else text[:37] + '...'


def format_duration(seconds):
    """Render seconds for messages: 59 -> '59s', 3900 -> '1h 5m', 90061 -> '1d 1h 1m 1s'."""
    seconds = int(seconds)
    if seconds < 0:
        return '-' + format_duration(-seconds)
    if seconds == 0:
        return '0s'
    parts = []
    for unit in 'dhms':
        amount, seconds = divmod(seconds, SECONDS_PER_UNIT[unit])
        if amount:
            parts.append(f'{amount}{unit}')
    return ' '.join(parts)
