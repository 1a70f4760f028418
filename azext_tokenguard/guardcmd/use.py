"""`az tokenguard use`: choose this shell's subscription and tenant, as shell code for ``eval``. Pure: no azure.cli
imports (the picker's prompt is injected by custom.py).

The choice is a handful of environment variables (guard/selection.py reads them before every az command), so
``use`` writes no file of az's and copies nothing: the global default, other shells and the token cache stay
as they are. Names resolve to ids here, so a rename cannot redirect a shell later.

Also exported, so that other tools land in the same place (``--no-export`` leaves them alone):

* ``ARM_SUBSCRIPTION_ID`` and ``ARM_TENANT_ID``: Terraform's azurerm provider;
* ``AZURE_SUBSCRIPTION_ID`` and ``AZURE_TENANT_ID``: azd and the Azure SDKs' samples and credentials.

``use`` only sets or unsets a variable that is unset or that still holds the value of the selection it
replaces: a value someone else put there is left alone, with a warning. A tenant variable is not set when
the same tool's client id is set (``AZURE_CLIENT_ID``, ``ARM_CLIENT_ID``) and the tenant is not: with a secret,
a certificate or a federated token beside them, setting the tenant would complete a service principal sign-in
the user did not ask for.
"""
from azext_tokenguard.guard import selection as sel
from azext_tokenguard.guard.az_files import PROFILE_FILE_NAME, SHELLS
from azext_tokenguard.guard.errors import (ConflictingArgumentsError, InvalidValueError, MissingArgumentError,
                                           NotSignedInError)
from azext_tokenguard.guard.profile import DEFAULT_CLOUD, active_cloud, default_subscription, load_subscriptions
from azext_tokenguard.guard.render import MAX_MESSAGE_LENGTH, clean, named

SUBSCRIPTION_EXPORTS = ('ARM_SUBSCRIPTION_ID', 'AZURE_SUBSCRIPTION_ID')
TENANT_EXPORTS = ('ARM_TENANT_ID', 'AZURE_TENANT_ID')
# A tenant variable completes a service principal sign-in when the same tool's client id is already set.
CLIENT_ID_OF = {'ARM_TENANT_ID': 'ARM_CLIENT_ID', 'AZURE_TENANT_ID': 'AZURE_CLIENT_ID'}
EXAMPLE = 'eval "$(az tokenguard use --subscription contoso-dev)"'


class UseError(InvalidValueError):
    """A selection that cannot be made; nothing was changed."""

    recommendation = "Run 'az account list -o table' for the names and ids az knows, then try again."


class Choice:  # pylint: disable=too-few-public-methods
    """What ``use`` resolved: the profile entry selected (None for az's default) and the code for ``eval``."""

    def __init__(self, entry, code, notes):
        self.entry = entry
        self.code = code
        self.notes = notes


def use(env, config_dir, *, subscription=None, tenant=None, previous=False, clear=False, no_export=False,
        shell='bash', choose=None):
    """The Choice for these arguments. ``choose(rows, default_index)`` is the picker, or None without a
    terminal; ``env`` is this process's environment (the shell's current selection and exports)."""
    _check_arguments(subscription, tenant, previous, clear, shell)
    subscriptions, cloud, default_entry = _profile(config_dir, env)
    entry = _target_entry(env, subscriptions, cloud, default_entry, subscription=subscription, tenant=tenant,
                          previous=previous, clear=clear, choose=choose)
    if entry is not None and not all(str(entry.get(key) or '').isprintable() for key in ('id', 'tenantId')):
        raise UseError(f"Nothing changed: the id or tenant of '{clean(entry.get('name'))}' in "
                       f'{PROFILE_FILE_NAME} holds control characters.', recommendation="Run 'az login' again.")
    code, notes = _assignments(env, entry, no_export=no_export, shell=shell)
    return Choice(entry, code, [_summary(entry, default_entry)] + notes)


def _check_arguments(subscription, tenant, previous, clear, shell):
    if shell not in SHELLS:
        raise UseError(f"Unsupported shell {shell!r}: use one of {', '.join(SHELLS)}.")
    if previous and clear:
        raise ConflictingArgumentsError("Use either '-' or --clear, not both.", recommendation=EXAMPLE)
    if (previous or clear) and (subscription or tenant):
        what = "'-'" if previous else '--clear'
        raise ConflictingArgumentsError(f'Use either {what} or --subscription/--tenant, not both.',
                                        recommendation=EXAMPLE)
    for value in (subscription, tenant):
        if value is not None and (not value.strip() or not value.isprintable()):
            raise UseError('A subscription or tenant must be a non-empty, printable name or id.')


def _profile(config_dir, env):
    cloud, error = active_cloud(config_dir, env)
    if error:
        raise UseError(f'Cannot select: {error}.', recommendation="Run 'az cloud set -n NAME' first.")
    subscriptions, error = load_subscriptions(config_dir)
    if subscriptions is None:
        raise NotSignedInError(f'Cannot select: {error}.', recommendation="Run 'az login' first.")
    default_entry, _ = default_subscription(subscriptions, cloud)
    return subscriptions, cloud, default_entry


def _target_entry(env, subscriptions, cloud, default_entry, *, subscription, tenant, previous, clear, choose):
    """The entry to select, or None for az's default."""
    if clear:
        return None
    if previous:
        wanted = sel.previous_from_env(env)
        if wanted is None:
            raise UseError('This shell has no previous selection to go back to.',
                           recommendation=f'Select one first: {EXAMPLE}')
        if not wanted.active:
            return None  # the previous choice was az's default
    elif subscription or tenant:
        wanted = sel.Selection(subscription, tenant)
    else:
        return _pick(_in_cloud(subscriptions, cloud), _current(env, subscriptions, cloud, default_entry), choose)
    if not wanted.subscription and choose is not None:
        candidates = sel.tenant_subscriptions(subscriptions, wanted.tenant, cloud)
        if len(candidates) > 1 and not any(default_entry and c["id"] == default_entry["id"] for c in candidates):
            return _pick(candidates, None, choose)  # a tenant with several subscriptions: which one?
    entry, error = sel.resolve(wanted, subscriptions, cloud, default_entry)
    if entry is None:
        raise UseError(f'Nothing changed: {clean(error, MAX_MESSAGE_LENGTH)}.')
    return entry


def _in_cloud(subscriptions, cloud):
    return [s for s in subscriptions if s.get('environmentName', DEFAULT_CLOUD) == cloud]


def _current(env, subscriptions, cloud, default_entry):
    """What the picker offers first: this shell's selection when it still resolves, else az's default."""
    current = sel.selection_from_env(env)
    if current.active:
        entry, _ = sel.resolve(current, subscriptions, cloud, default_entry)
        if entry is not None:
            return entry
    return default_entry


def picker_rows(candidates):
    """The picker's lines, sorted by name as az login's selector sorts them: ``name  id  tenant``."""
    ordered = sorted(candidates, key=lambda s: (str(s.get('name', '')).lower(), s['id']))
    width = max((len(clean(s.get('name', ''))) for s in ordered), default=0)
    rows = [f"{clean(s.get('name', '')).ljust(width)}  {clean(s['id'])}  {clean(_tenant(s))}" for s in ordered]
    return ordered, rows


def _pick(candidates, current, choose):
    if not candidates:
        raise NotSignedInError(f'No subscription is in {PROFILE_FILE_NAME} for the active cloud.',
                               recommendation="Run 'az login' first.")
    if choose is None:
        raise MissingArgumentError('No terminal for the picker: say which subscription to use.',
                                   recommendation=EXAMPLE)
    ordered, rows = picker_rows(candidates)
    default_index = next((i for i, s in enumerate(ordered) if current is not None and s['id'] == current['id']), 0)
    return ordered[choose(rows, default_index)]


def _assignments(env, entry, *, no_export, shell):
    """``(shell code, warnings)``: the selection, the previous one for ``use -``, and the exports."""
    changes = {sel.PREVIOUS_SUBSCRIPTION_ENV: env.get(sel.SUBSCRIPTION_ENV, ''),
               sel.PREVIOUS_TENANT_ENV: env.get(sel.TENANT_ENV, ''),
               sel.SUBSCRIPTION_ENV: entry['id'] if entry else None,
               sel.TENANT_ENV: entry.get('tenantId') if entry else None}
    export_changes, notes = _exports(env, None if no_export else entry)
    changes.update(export_changes)
    lines = [_line(shell, name, value) for name, value in changes.items() if value is not None or name in env]
    return '\n'.join(lines) + '\n', notes


def _exports(env, entry):
    """``({name: new value, or None to unset}, warnings)`` for the variables other tools read."""
    old = {name: env.get(sel.SUBSCRIPTION_ENV, '') for name in SUBSCRIPTION_EXPORTS}
    old.update({name: env.get(sel.TENANT_ENV, '') for name in TENANT_EXPORTS})
    new = {name: entry['id'] if entry else None for name in SUBSCRIPTION_EXPORTS}
    new.update({name: entry.get('tenantId') if entry else None for name in TENANT_EXPORTS})
    changes, notes = {}, []
    for name, value in new.items():
        current = env.get(name, '')
        if current and current.lower() != old[name].lower():
            if value is not None and current.lower() != value.lower():
                notes.append(f'{name} is already set to {clean(current)}, not by tokenguard; it was left as it is, '
                             'so the tools that read it may land elsewhere.')
            continue
        if value is not None and name in CLIENT_ID_OF and env.get(CLIENT_ID_OF[name]) and not current:
            notes.append(f'{name} was not set: {CLIENT_ID_OF[name]} is set, and a tenant beside it could complete '
                         'a service principal sign-in that you did not ask for.')
            continue
        if value is not None or current:
            changes[name] = value
    return changes, notes


def _line(shell, name, value):
    if shell == 'fish':
        from azext_tokenguard.guard.shell_init import fish_quote
        return f'set -e {name}' if value is None else f'set -gx {name} {fish_quote(value)}'
    import shlex
    return f'unset {name}' if value is None else f'export {name}={shlex.quote(value)}'


def _tenant(entry):
    return entry.get('tenantDisplayName') or entry.get('tenantDefaultDomain') or entry.get('tenantId') or '?'


def _summary(entry, default_entry):
    if entry is None:
        where = named(default_entry.get('name'), default_entry['id']) if default_entry else 'none is set'
        return f"This shell uses az's default subscription again: {where}."
    return (f"This shell now uses subscription {named(entry.get('name'), entry['id'])} in tenant "
            f"{clean(_tenant(entry))}; az's default and other shells are unchanged.")


def shell_selection(env, config_dir):
    """``(subscription id, description)`` of this shell's selection, for `status`, `get-token` and `exec`, or
    ``(None, None)`` without one. A selection that cannot be used is an error, as the guard refuses it."""
    from azext_tokenguard.guard.errors import RefusedError
    selection = sel.selection_from_env(env)
    if not selection.active:
        return None, None
    selected = sel.load_selected(selection, config_dir, env)
    if selected.entry is None:
        raise RefusedError(f"This shell's selection ({clean(selection.describe())}) cannot be used: "
                           f"{clean(selected.error, MAX_MESSAGE_LENGTH)}.",
                           recommendation=f'Choose another ({EXAMPLE}), or return to az\'s default: '
                                          f'{sel.HOW_TO_CLEAR}')
    default = selected.default_entry
    return selected.entry['id'], {
        'scope': 'this shell', 'variables': selection.describe(),
        'azDefault': f"{default.get('name')} ({default['id']})" if default else None}
