"""Subscriptions named inside resource ids and URLs, read as az and ARM read them. Values only: which words of
a command line carry them is the parsed invocation's business (invocation.py). Standard library only."""

SUBSCRIPTION_PLACEHOLDER = '{subscriptionid}'  # az rest fills it in with the current subscription
GUID_LENGTH = 36


def add_new(found, more):
    """Extend ``found`` with the items of ``more`` it lacks, in order, without repeats."""
    found.extend(item for item in dict.fromkeys(more) if item not in found)


# ---------------------------------------------------------------- resource ids and URLs, as ARM reads them
#
# az rest normalises its URL before sending it (azure/cli/core/util.py, normalize_url): control characters
# dropped, '.' and '..' segments resolved, empty segments collapsed; requests then decodes the percent
# escapes of letters, digits and '-._~' (requote_uri), so %2E%2E reaches the server as '..', which the
# server resolves. Resource ids given to other commands are read by az's regular expression
# (azure.mgmt.core.tools.parse_resource_id) as they are, or put into a URL as they are. Where those readings
# can differ, or the server's reading is unknowable (an encoded '/', a backslash, a non-ASCII letter that a
# server may fold to ASCII), the id is doubtful and the context unknown: a destructive command still asks.

SUBSCRIPTIONS_SEGMENT = 'subscriptions'
REST_COMMAND = 'rest'
# Escapes requests decodes before sending (RFC 3986 unreserved, less '.', which is judged on its own).
_DECODED_BY_REQUESTS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~')
# Escapes that may change the path's structure on a server that decodes them: '/', '\\', '.', '%'.
_STRUCTURAL_ESCAPES = ('%2f', '%5c', '%2e', '%25')


def subscriptions_in_path(value, normalised_by_az=False):
    """``(subscriptions, doubt)``: the segments after each ``subscriptions`` segment of a resource id or URL,
    lowercase, in order, as the request reaches ARM, and '' or why that cannot be told for sure.
    ``normalised_by_az``: az itself resolves dot and empty segments (az rest's URL), so they are no doubt."""
    if not _may_name_subscription(value):
        return [], ''  # a blob URL, a user name (login -u): no reading of it names a subscription
    printable = ''.join(c for c in value if ' ' <= c != '\x7f')  # az rest drops control characters
    path = _decode_unreserved(_path_of(printable.strip()))
    if printable != value and not normalised_by_az:
        return _subscriptions_after(path.split('/')), 'a resource id with a control character'
    if not path.isascii():
        return _subscriptions_after(path.split('/')), 'a resource id or URL with a non-ASCII character'
    if '\\' in path or any(escape in path.lower() for escape in _STRUCTURAL_ESCAPES):
        return _subscriptions_after(path.split('/')), ("a resource id or URL with a backslash or an encoded "
                                                       "'/', '.' or '%'")
    literal = path.split('/')
    normalised = _resolved_segments(literal)
    found = _subscriptions_after(normalised)
    if not normalised_by_az and found != _subscriptions_after(literal):
        return found, "a resource id with empty, '.' or '..' segments (az and ARM may read it differently)"
    return found, ''


def _may_name_subscription(value):
    """Whether any reading of ``value`` (escapes decoded, even twice; letters folded as a server may fold them,
    the long s included) has the word ``subscriptions``."""
    text = value
    for _ in range(3):
        if '%' not in text:
            break
        from urllib.parse import unquote  # only for values with escapes: most commands have none
        text = unquote(text)
    return SUBSCRIPTIONS_SEGMENT in ''.join(c for c in text if c >= ' ').casefold()


def starts_with_subscription(value):
    """Whether a value is shaped as a resource id (its path begins with ``/subscriptions/``)."""
    segments = [s for s in _path_of(value.strip()).split('/') if s not in ('', '.')]
    return value.strip()[:1] == '/' and bool(segments) and segments[0].lower() == SUBSCRIPTIONS_SEGMENT


def _path_of(text):
    """The path of a URL (after ``scheme://authority``), or the text itself, without query and fragment. A
    backslash ends the authority, as in az's normalize_url."""
    scheme, sep, rest = text.partition('://')
    if sep and scheme and '/' not in scheme:
        ends = [at for at in (rest.find(c) for c in '/\\?#') if at >= 0]
        text = rest[min(ends):] if ends else ''
    for mark in '?#':
        text = text.split(mark, 1)[0]
    return text


def _decode_unreserved(path):
    """The path as requests sends it: escapes of letters, digits, '-', '_' and '~' decoded."""
    if '%' not in path:
        return path
    pieces = path.split('%')
    decoded = [pieces[0]]
    for piece in pieces[1:]:
        try:
            char = chr(int(piece[:2], 16)) if len(piece) >= 2 else ''
        except ValueError:
            char = ''
        decoded.append(char + piece[2:] if char in _DECODED_BY_REQUESTS and char else '%' + piece)
    return ''.join(decoded)


def _resolved_segments(segments):
    """RFC 3986 dot-segment removal with empty segments collapsed, as az's normalize_url and ARM do."""
    resolved = []
    for segment in segments:
        if segment in ('', '.'):
            continue
        if segment == '..':
            if resolved:
                resolved.pop()
            continue
        resolved.append(segment)
    return resolved


def _subscriptions_after(segments):
    found = []
    for index, segment in enumerate(segments[:-1]):
        following = segments[index + 1].lower()
        if segment.lower() == SUBSCRIPTIONS_SEGMENT and following != SUBSCRIPTION_PLACEHOLDER:
            add_new(found, [following])
    return found


def is_guid(text):
    if len(text) != GUID_LENGTH or [i for i, c in enumerate(text) if c == '-'] != [8, 13, 18, 23]:
        return False
    return all(c in '0123456789abcdef-' for c in text)
