"""The one-line context shown before each az command, and colour handling.

Colour is written as plain ANSI SGR codes instead of through colorama:
colorama is not in the standard library, and the guard imports only the
standard library so it starts fast and keeps working whatever az's
packages are.  The terminals the bash/zsh integration runs in (Linux,
macOS, Windows Terminal, Git Bash/MSYS) all understand SGR codes.
"""
from . import system

RESET = '\x1b[0m'
RED_BOLD = '\x1b[1;31m'
YELLOW_BOLD = '\x1b[1;33m'
CYAN = '\x1b[36m'
DEFAULT_CLOUD = 'AzureCloud'
SEPARATOR = ' | '
PREFIX = 'az context: '
MAX_FIELD_LENGTH = 120
MAX_MESSAGE_LENGTH = 1000

IDENTITY_LABELS = {'user': 'user', 'servicePrincipal': 'service principal', 'managedIdentity': 'managed identity'}


def colour_enabled(stream, env=None):
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org) or TERM=dumb."""
    env = system.environ() if env is None else env
    if env.get('NO_COLOR') or env.get('TERM') == 'dumb':
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def paint(text, sgr, enabled):
    return f'{sgr}{text}{RESET}' if enabled else text


def clean(value, limit=MAX_FIELD_LENGTH):
    """Printable, bounded text: names come from the profile and must not carry escape sequences."""
    if not isinstance(value, str):
        value = '' if value is None else str(value)
    value = ''.join(c if c.isprintable() else '?' for c in value)
    return value if len(value) <= limit else value[:limit - 3] + '...'


# How much the line shows, fullest first: context_line takes the first that fits the terminal. Ids are
# shortened, then dropped where a name says the same; then the labels go and names are cut. `status` keeps all.
FULL, SHORT, NONE = 'full', 'short', 'none'
# Names are cut one character at a time, down to MIN_NAME_LENGTH, so no more is cut than the width needs: the
# tenant's and the identity's first, the subscription's (what a reader checks first) last.
# A step: (ids, tenant and identity name limit, subscription name limit, labelled).
MIN_NAME_LENGTH = 10
_CUTS = range(MAX_FIELD_LENGTH, MIN_NAME_LENGTH - 1, -1)
DETAIL_STEPS = (((FULL, MAX_FIELD_LENGTH, MAX_FIELD_LENGTH, True), (SHORT, MAX_FIELD_LENGTH, MAX_FIELD_LENGTH, True),
                 (NONE, MAX_FIELD_LENGTH, MAX_FIELD_LENGTH, True))
                + tuple((NONE, limit, MAX_FIELD_LENGTH, False) for limit in _CUTS)
                + tuple((NONE, MIN_NAME_LENGTH, limit, False) for limit in _CUTS))
SHORT_ID_LENGTH = 8  # as many hex digits of a GUID as tell the emulator's or a tenant's ids apart at a glance
GUID_GROUP_LENGTHS = [8, 4, 4, 4, 12]
HEX_DIGITS = frozenset('0123456789abcdefABCDEF')


def is_guid(text):
    """Whether ``text`` is a GUID (8-4-4-4-12 hex digits): without ``re``, which costs the guard 8 ms to import."""
    groups = text.split('-')
    return [len(group) for group in groups] == GUID_GROUP_LENGTHS and set(''.join(groups)) <= HEX_DIGITS


def short_id(identifier, ids=FULL):
    """A GUID cut to its first digits unless the full ids are asked for; anything else as it is."""
    if ids == FULL or not is_guid(identifier):
        return identifier
    return identifier[:SHORT_ID_LENGTH] + '...'


def named(name, identifier, ids=FULL, name_limit=MAX_FIELD_LENGTH):
    """``Name (id)``, or whichever of them is known; ``ids`` short or none, and ``name_limit``, narrow it."""
    name, identifier = clean(name, name_limit), clean(identifier)
    if name and identifier and name.lower() != identifier.lower():
        return name if ids == NONE else f'{name} ({short_id(identifier, ids)})'
    return name or short_id(identifier, ids) or '?'


def identity_text(context, ids=FULL, name_limit=MAX_FIELD_LENGTH):
    label = IDENTITY_LABELS.get(context.identity_type, 'identity')
    return f"{label} {short_id(clean(context.identity_name, name_limit), ids) or '?'}"


def context_fields(context, protected, ids=FULL, name_limit=MAX_FIELD_LENGTH,  # pylint: disable=too-many-arguments
                   subscription_limit=MAX_FIELD_LENGTH):
    """``[(label, text)]`` describing where a command lands (shared by the line and the prompt)."""
    if not context.known:
        fields = [('context', 'unknown: ' + clean(context.reason))]
        if context.subscription_id:
            fields.append(('subscription', named(context.subscription_name, context.subscription_id, ids,
                                                 subscription_limit)))
        return fields
    fields = []
    if context.cloud and context.cloud != DEFAULT_CLOUD:
        fields.append(('cloud', clean(context.cloud)))
    fields.append(('tenant', named(context.tenant_display_name or context.tenant_default_domain, context.tenant_id,
                                   ids, name_limit)))
    subscription = named(context.subscription_name, context.subscription_id, ids, subscription_limit)
    if protected:
        subscription += ' [PROTECTED]'
    if getattr(context, 'selection_note', ''):  # the shell's own selection (az tokenguard use)
        subscription += f' [{clean(context.selection_note)}]'
    fields.append(('subscription', subscription))
    for other in context.other_subscription_ids:
        fields.append(('also subscription', short_id(clean(other), ids)))
    fields.append(('identity', identity_text(context, ids, name_limit)))
    return fields


def context_line(context, protected, colour, width=None):
    """The one line (no newline) for stderr, red when the subscription is protected: the fullest that fits
    ``width`` columns (the terminal's), else the narrowest, which the terminal then wraps."""
    for ids, name_limit, subscription_limit, labelled in DETAIL_STEPS:
        text = PREFIX + SEPARATOR.join(
            f'{label} {value}' if labelled and label != 'identity' else value
            for label, value in context_fields(context, protected, ids, name_limit, subscription_limit))
        if width is None or len(text) <= width:
            break
    if protected or not context.known:
        return paint(text, RED_BOLD if protected else YELLOW_BOLD, colour)
    return paint(text, CYAN, colour)


def terminal_width(stream, env):
    """Columns of the terminal ``stream`` writes to: COLUMNS when set, else the terminal's size; None when
    neither is known (a file or a pipe, where nothing wraps)."""
    columns = env.get('COLUMNS', '').strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return system.get_terminal_size(stream.fileno()).columns or None
    except (AttributeError, ValueError, OSError):
        return None


def warning_line(message, colour):
    return paint('tokenguard: ' + clean(message, MAX_MESSAGE_LENGTH), YELLOW_BOLD, colour)
