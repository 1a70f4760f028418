"""The one-line context shown before each az command, and colour handling.

Colour is written as plain ANSI SGR codes instead of through colorama:
colorama is not in the standard library, and the guard imports only the
standard library so it starts fast and keeps working whatever az's
packages are.  The terminals the bash/zsh integration runs in (Linux,
macOS, Windows Terminal, Git Bash/MSYS) all understand SGR codes.
"""
import os

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
    env = os.environ if env is None else env
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


def named(name, identifier):
    """``Name (id)``, or whichever of them is known."""
    name, identifier = clean(name), clean(identifier)
    if name and identifier and name.lower() != identifier.lower():
        return f'{name} ({identifier})'
    return name or identifier or '?'


def identity_text(context):
    label = IDENTITY_LABELS.get(context.identity_type, 'identity')
    return f"{label} {clean(context.identity_name) or '?'}"


def context_fields(context, protected):
    """``[(label, text)]`` describing where a command lands (shared by the line and the prompt)."""
    if not context.known:
        fields = [('context', 'unknown: ' + clean(context.reason))]
        if context.subscription_id:
            fields.append(('subscription', named(context.subscription_name, context.subscription_id)))
        return fields
    fields = []
    if context.cloud and context.cloud != DEFAULT_CLOUD:
        fields.append(('cloud', clean(context.cloud)))
    fields.append(('tenant', named(context.tenant_display_name or context.tenant_default_domain, context.tenant_id)))
    subscription = named(context.subscription_name, context.subscription_id)
    if protected:
        subscription += ' [PROTECTED]'
    if getattr(context, 'selection_note', ''):  # the shell's own selection (az tokenguard use)
        subscription += f' [{clean(context.selection_note)}]'
    fields.append(('subscription', subscription))
    for other in context.other_subscription_ids:
        fields.append(('also subscription', clean(other)))
    fields.append(('identity', identity_text(context)))
    return fields


def context_line(context, protected, colour):
    """The one line (no newline) for stderr, red when the subscription is protected."""
    text = PREFIX + SEPARATOR.join(
        f'{label} {value}' if label != 'identity' else value
        for label, value in context_fields(context, protected))
    if protected or not context.known:
        return paint(text, RED_BOLD if protected else YELLOW_BOLD, colour)
    return paint(text, CYAN, colour)


def warning_line(message, colour):
    return paint('tokenguard: ' + clean(message, MAX_MESSAGE_LENGTH), YELLOW_BOLD, colour)
