"""Pinning a shell (or a script) to one subscription and/or tenant.

``eval "$(az tokenguard pin --subscription NAME|ID)"`` exports
``TOKENGUARD_EXPECT_SUBSCRIPTION``; scripts can set it (or
``TOKENGUARD_EXPECT_TENANT``) themselves.  The guard then refuses any az
command whose effective subscription/tenant differs.  Values match
case-insensitively: a subscription by id or name, a tenant by id, display
name or default domain.  Pinning by id is the robust choice (names can be
renamed or repeated), so the ``pin`` command should pass the resolved id.
"""
from .az_files import SHELLS
from .constants import Variable
from .errors import InvalidValueError

PIN_SUBSCRIPTION_ENV = Variable.PIN_SUBSCRIPTION
PIN_TENANT_ENV = Variable.PIN_TENANT
UNPIN_HINT = (f'To unpin this shell: unset {PIN_SUBSCRIPTION_ENV} {PIN_TENANT_ENV}   '
              'or   eval "$(az tokenguard pin --clear)"')

PIN_OK = 'ok'
PIN_MISMATCH = 'mismatch'
PIN_UNVERIFIABLE = 'unverifiable'  # pinned, but the context is unknown


class PinError(InvalidValueError):
    """Bad arguments for `pin`; the message says how to fix them."""

    recommendation = 'For example: eval "$(az tokenguard pin --subscription contoso-prod)"'


def _same(expected, *candidates):
    expected = expected.strip().lower()
    return any(c and c.lower() == expected for c in candidates)


def check_pin(context, env):
    """``(status, message)``: PIN_OK with '', or PIN_MISMATCH / PIN_UNVERIFIABLE with a one-line reason."""
    expected_subscription = (env.get(PIN_SUBSCRIPTION_ENV) or '').strip()
    expected_tenant = (env.get(PIN_TENANT_ENV) or '').strip()
    if not expected_subscription and not expected_tenant:
        return PIN_OK, ''
    if not context.known:
        pins = _pins_text(expected_subscription, expected_tenant)
        return PIN_UNVERIFIABLE, (f'this shell is pinned ({pins}) but the az context is unknown: '
                                  f'{context.reason}. {UNPIN_HINT}')
    problems = []
    if expected_subscription:
        if not _same(expected_subscription, context.subscription_id, context.subscription_name):
            problems.append(f"subscription is '{context.subscription_name}' ({context.subscription_id}), "
                            f"pinned to '{expected_subscription}'")
        for other in context.other_subscription_ids:
            problems.append(f"the command also targets subscription {other}")
    if expected_tenant and not _same(expected_tenant, context.tenant_id, context.tenant_display_name,
                                     context.tenant_default_domain):
        problems.append(f"tenant is '{context.tenant_display_name}' ({context.tenant_id}), "
                        f"pinned to '{expected_tenant}'")
    if problems:
        return PIN_MISMATCH, f"refused: {'; '.join(problems)}. {UNPIN_HINT}"
    return PIN_OK, ''


def _pins_text(subscription, tenant):
    parts = []
    if subscription:
        parts.append('subscription ' + subscription)
    if tenant:
        parts.append('tenant ' + tenant)
    return ', '.join(parts)


def _export_line(shell, name, value):
    if shell == 'fish':
        from .shell_init import fish_quote
        return f'set -gx {name} {fish_quote(value)}'
    import shlex  # only the `pin` command needs it
    return f'export {name}={shlex.quote(value)}'


def pin_exports(shell, subscription=None, tenant=None, clear=False):
    """Shell code for ``eval``: export the pins, or unset both with ``clear``."""
    if shell not in SHELLS:
        raise PinError(f"Unsupported shell {shell!r}: use one of {', '.join(SHELLS)}.")
    if clear:
        if subscription or tenant:
            raise PinError('Use either --clear or --subscription/--tenant, not both.')
        if shell == 'fish':
            return f'set -e {PIN_SUBSCRIPTION_ENV}; set -e {PIN_TENANT_ENV}\n'
        return f'unset {PIN_SUBSCRIPTION_ENV} {PIN_TENANT_ENV}\n'
    lines = []
    for name, value in ((PIN_SUBSCRIPTION_ENV, subscription), (PIN_TENANT_ENV, tenant)):
        if value is None:
            continue
        if not value.strip() or not value.isprintable():
            raise PinError('The pinned value must be a non-empty, printable name or id.')
        lines.append(_export_line(shell, name, value.strip()))
    if not lines:
        raise PinError('Give --subscription NAME|ID, --tenant NAME|ID, or --clear.')
    return '\n'.join(lines) + '\n'
