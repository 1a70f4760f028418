import pytest

from azext_tokenguard.tokens.durations import DurationError, format_duration, parse_duration


@pytest.mark.parametrize('text, seconds', [
    ('300', 300),
    ('0', 0),
    ('300s', 300),
    ('45m', 2700),
    ('1h', 3600),
    ('1h30m', 5400),
    ('90m', 5400),
    ('1h 30m', 5400),
    ('  2H ', 7200),
    ('1h2m3s', 3723),
    ('1d', 86400),
    ('24h', 86400),
])
def test_parse_accepts_common_forms(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize('text', [
    '', '   ', 'abc', '-5', '-5m', '5x', '1.5h', 'h', '30m1h', '1h1h', 'm30', '1e3', '5 m s',
    '0x10', '\x00', '5m\n6', '9' * 1000, '\u0663m',
])
def test_parse_rejects_garbage_with_hint(text):
    with pytest.raises(DurationError) as err:
        parse_duration(text)
    message = str(err.value)
    assert '300s' in message and '\n' not in message
    assert len(message) < 200


def test_parse_rejects_more_than_a_day():
    with pytest.raises(DurationError, match='longer than 24h'):
        parse_duration('25h')
    with pytest.raises(DurationError, match='longer than 24h'):
        parse_duration('86401')


def test_parse_rejects_non_strings():
    with pytest.raises(DurationError):
        parse_duration(None)


def test_duration_error_is_value_error():
    assert issubclass(DurationError, ValueError)


@pytest.mark.parametrize('seconds, text', [
    (0, '0s'), (59, '59s'), (60, '1m'), (3900, '1h 5m'), (3723, '1h 2m 3s'), (90061, '1d 1h 1m 1s'),
    (-65, '-1m 5s'),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_format_then_parse_round_trips():
    for seconds in (1, 59, 61, 3599, 3601, 86400):
        assert parse_duration(format_duration(seconds)) == seconds


from hypothesis import given, strategies as st  # noqa: E402


@given(st.text(max_size=80))
def test_any_text_parses_or_raises_duration_error(text):
    try:
        seconds = parse_duration(text)
    except DurationError:
        return
    assert 0 <= seconds <= 86400
