"""Pinning a shell (or a script) to one subscription and/or tenant.

``eval "$(az tokenguard pin --subscription NAME|ID)"`` exports
``TOKENGUARD_EXPECT_SUBSCRIPTION``; scripts can set it (or
``TOKENGUARD_EXPECT_TENANT``) themselves.  The guard then refuses any az
command whose effective subscription/tenant differs.  Values match
case-insensitively: a subscription by id or name, a tenant by id, display
name or default domain.  Pinning by id is the robust choice (names can be
renamed or repeated), so the ``pin`` command should pass the resolved id.
"""
PIN_SUBSCRIPTION_ENV = 'TOKENGUARD_EXPECT_SUBSCRIPTION'
PIN_TENANT_ENV = 'TOKENGUARD_EXPECT_TENANT'
SHELLS = ('bash', 'zsh')
UNPIN_HINT = ('To unpin this shell: unset {} {}   or   eval "$(az tokenguard pin --clear)"'
              .format(PIN_SUBSCRIPTION_ENV, PIN_TENANT_ENV))

PIN_OK = 'ok'
PIN_MISMATCH = 'mismatch'
PIN_UNVERIFIABLE = 'unverifiable'  # pinned, but the context is unknown


class PinError(ValueError):
    """Bad arguments for `pin`; the message says how to fix them."""


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
        return PIN_UNVERIFIABLE, 'this shell is pinned ({}) but the az context is unknown: {}. {}'.format(
            _pins_text(expected_subscription, expected_tenant), context.reason, UNPIN_HINT)
    problems = []
    if expected_subscription:
        if not _same(expected_subscription, context.subscription_id, context.subscription_name):
            problems.append("subscription is '{}' ({}), pinned to '{}'".format(
                context.subscription_name, context.subscription_id, expected_subscription))
        for other in context.other_subscription_ids:
            problems.append("the command also targets subscription {}".format(other))
    if expected_tenant and not _same(expected_tenant, context.tenant_id, context.tenant_display_name,
                                     context.tenant_default_domain):
        problems.append("tenant is '{}' ({}), pinned to '{}'".format(
            context.tenant_display_name, context.tenant_id, expected_tenant))
    if problems:
        return PIN_MISMATCH, 'refused: {}. {}'.format('; '.join(problems), UNPIN_HINT)
    return PIN_OK, ''


def _pins_text(subscription, tenant):
    parts = []
    if subscription:
        parts.append('subscription ' + subscription)
    if tenant:
        parts.append('tenant ' + tenant)
    return ', '.join(parts)


def _quote(value):
    import shlex  # only the `pin` command needs it
    return shlex.quote(value)


def pin_exports(shell, subscription=None, tenant=None, clear=False):
    """Shell code for ``eval``: export the pins, or unset both with ``clear``."""
    if shell not in SHELLS:
        raise PinError('Unsupported shell {!r}: use one of {}.'.format(shell, ', '.join(SHELLS)))
    if clear:
        if subscription or tenant:
            raise PinError('Use either --clear or --subscription/--tenant, not both.')
        return 'unset {} {}\n'.format(PIN_SUBSCRIPTION_ENV, PIN_TENANT_ENV)
    lines = []
    for name, value in ((PIN_SUBSCRIPTION_ENV, subscription), (PIN_TENANT_ENV, tenant)):
        if value is None:
            continue
        if not value.strip() or not value.isprintable():
            raise PinError('The pinned value must be a non-empty, printable name or id.')
        lines.append('export {}={}'.format(name, _quote(value.strip())))
    if not lines:
        raise PinError('Give --subscription NAME|ID, --tenant NAME|ID, or --clear.')
    return '\n'.join(lines) + '\n'
