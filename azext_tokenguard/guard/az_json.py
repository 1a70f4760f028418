"""``json.loads`` and ``json.dumps`` for the guard, without importing ``json`` on its path.

``import json`` compiles regular expressions (json.decoder and json.encoder import ``re``, which imports
``enum``): about 4 ms, a third of what the guard may cost before every az command. Parsing needs none of it:
the C scanner that ``json.loads`` itself uses (``_json.make_scanner``) is driven here directly, with the same
settings as ``json.loads`` (strict, ``float``/``int``, NaN and Infinity as constants), so the results and the
errors are the same (ValueError; the C scanner raises json's own JSONDecodeError). ``dumps`` imports ``json``
only for what a quoted plain string cannot say (the writers: policy, audit, which run rarely).
"""
import _json

_WHITESPACE = ' \t\n\r'
_CONSTANTS = {'-Infinity': float('-inf'), 'Infinity': float('inf'), 'NaN': float('nan')}
_UTF8_BOM = b'\xef\xbb\xbf'


class _Settings:  # pylint: disable=too-few-public-methods
    """What json.JSONDecoder() hands its C scanner by default."""
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__


_scan = _json.make_scanner(_Settings())


def loads(text):
    """json.loads(text) for str; bytes are read as ``json.loads(data.decode('utf-8-sig'))`` reads them (UTF-8,
    with or without the BOM azureProfile.json has; anything else a ValueError), without importing that codec."""
    if isinstance(text, (bytes, bytearray)):
        text = (text[len(_UTF8_BOM):] if text[:len(_UTF8_BOM)] == _UTF8_BOM else text).decode('utf-8')
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        value, end = _scan(text, start)
    except StopIteration as stop:
        raise ValueError(f'Expecting value: char {stop.value}') from None
    if text[end:].strip(_WHITESPACE):
        raise ValueError(f'Extra data: char {end}')
    return value


def dumps(value, **options):
    """json.dumps(value, **options); a plain printable ASCII string is quoted without importing json."""
    if not options and needs_no_escape(value):
        return f'"{value}"'
    import json
    return json.dumps(value, **options)


def needs_no_escape(value):
    """True for a string JSON writes as it is, between quotes (printable ASCII, no quote, no backslash)."""
    return isinstance(value, str) and value.isascii() and value.isprintable() and not ('"' in value or '\\' in value)
