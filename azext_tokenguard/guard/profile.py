"""Which cloud, tenant, subscription and identity an az command will use.

Reads ``azureProfile.json`` and az's ``config`` directly (no azure.cli import:
this runs before every az command).  Follows what az 2.91 does, checked
against the real az with the emulator's request log (tests/e2e/test_context_truth.py):

0. every argument is expanded as az expands it before parsing: ``@path``, and
   ``name=@path`` after the first ``=`` (``@-`` reads stdin, which the guard
   cannot: the value is unknown), by the one parse (invocation.py) this reads;
1. a subscription named inside a resource id (``--ids``, ``--url``, ``--scope``,
   ``--resource-id``...): az takes the subscription from the id;
2. ``--subscription NAME|ID`` (any unambiguous abbreviation, ``=`` or not; the
   last one wins), or ``-s``/``-n`` for ``account set|show``; which prefixes
   are unambiguous comes from az's option table for the command (options.py),
   and a prefix that is ambiguous there makes the context unknown;
3. the profile entry with ``isDefault`` in the active cloud (``AZURE_CLOUD_NAME``,
   else ``[cloud] name`` of the global config; an unregistered cloud makes az
   fall back to AzureCloud, so the context is unknown).

``AZURE_DEFAULTS_SUBSCRIPTION`` and ``[defaults] subscription`` are not
applied: az 2.91 ignores them (the ``configured_default`` of its global
``--subscription`` argument never takes effect), and so does the guard.

Every failure gives a ``Context`` with ``known = False`` and a one-line
``reason``; nothing here raises.
"""
import time

from . import az_files, system
from .az_files import CLOUDS_FILE_NAME, CONFIG_FILE_NAME, MAX_CONFIG_BYTES, MAX_PROFILE_BYTES, PROFILE_FILE_NAME
from .az_files import config_dir as default_config_dir
from .invocation import require

DEFAULT_CLOUD = 'AzureCloud'
# az rewrites azureProfile.json in place (open 'w' + json.dump, see
# azure/cli/core/_session.py), not by rename: a reader can catch it empty or
# half written.  Re-read until a whole document comes back: short polls, because
# a writer finishes within milliseconds, bounded at 0.25 s before calling it corrupt.
# The budget is wall-clock time, not only attempts: a big corrupt profile takes longer
# to parse than to sleep, and 50 parses of it would hold up az for many seconds.
PROFILE_READ_ATTEMPTS = 50
PROFILE_RETRY_DELAY_S = 0.005
PROFILE_READ_BUDGET_S = 0.25

CLOUD_ENV = 'AZURE_CLOUD_NAME'
# az 2.91's HARD_CODED_CLOUD_LIST (azure/cli/core/cloud.py); others must be registered in clouds.config.
BUILT_IN_CLOUDS = frozenset(('AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment', 'AzureBleuCloud'))


class Context:  # pylint: disable=too-many-instance-attributes,too-few-public-methods
    """Where a command lands.  ``known`` is False when the profile could not tell."""

    def __init__(self, known, *, reason='', cloud=DEFAULT_CLOUD, tenant_id='', tenant_display_name='',
                 tenant_default_domain='', subscription_id='', subscription_name='',
                 identity_name='', identity_type='', source='', other_subscription_ids=()):
        self.known = known
        self.reason = reason
        self.cloud = cloud
        self.tenant_id = tenant_id
        self.tenant_display_name = tenant_display_name
        self.tenant_default_domain = tenant_default_domain
        self.subscription_id = subscription_id
        self.subscription_name = subscription_name
        self.identity_name = identity_name
        self.identity_type = identity_type
        self.source = source
        # Further subscriptions the command names (several --ids in different subscriptions).
        self.other_subscription_ids = tuple(other_subscription_ids)
        self.doubtful = False

    def as_dict(self):
        return {
            'known': self.known, 'reason': self.reason, 'cloud': self.cloud,
            'tenantId': self.tenant_id, 'tenantDisplayName': self.tenant_display_name,
            'subscriptionId': self.subscription_id, 'subscriptionName': self.subscription_name,
            'identityName': self.identity_name, 'identityType': self.identity_type,
            'source': self.source, 'otherSubscriptionIds': list(self.other_subscription_ids),
        }


def context_unknown(reason, subscription_hint='', doubtful=False):
    """A context the guard could not establish; ``subscription_hint`` is what the command named, if anything.
    ``doubtful``: the command names a place that az and ARM may read differently (it may be a protected one)."""
    context = Context(False, reason=reason, subscription_id=subscription_hint, subscription_name=subscription_hint)
    context.doubtful = doubtful
    return context


# ---------------------------------------------------------------- reading files

def read_bounded(path, limit):
    """The file's bytes, or None when missing/unreadable; raises ValueError when larger than ``limit`` or not a
    regular file (the guard fails soft: an unreadable file reads as an absent one)."""
    try:
        return az_files.read_bounded(path, limit)
    except OSError:
        return None


def _parse_profile_bytes(data):
    """The subscription list of a profile, or raise ValueError."""
    return [s for s in az_files.parse_profile(data).get('subscriptions', []) if _is_usable_entry(s)]


def _is_usable_entry(entry):
    return (isinstance(entry, dict) and isinstance(entry.get('id'), str)
            and isinstance(entry.get('name', ''), str) and isinstance(entry.get('user', {}), dict))


NO_PROFILE = f'no {PROFILE_FILE_NAME} (run az login)'
# Nobody signed in (no profile, or one with no subscription, as after az logout): the
# prompt says so in words rather than as an unknown context.
NOT_SIGNED_IN = 'not signed in (run az login)'


def load_subscriptions(config_dir, sleep=time.sleep, clock=time.monotonic):
    """``(subscriptions, error)``: every usable profile entry, or ``(None, one-line reason)``."""
    path = system.join(config_dir, PROFILE_FILE_NAME)
    last_error = ''
    give_up_at = clock() + PROFILE_READ_BUDGET_S
    for attempt in range(PROFILE_READ_ATTEMPTS):
        if attempt:
            if clock() > give_up_at:
                break
            sleep(PROFILE_RETRY_DELAY_S)
        try:
            data = read_bounded(path, MAX_PROFILE_BYTES)
        except ValueError as exc:
            return None, f'{PROFILE_FILE_NAME} is {exc}'
        if data is None:
            return None, NO_PROFILE
        try:
            return _parse_profile_bytes(data), ''
        except ValueError as exc:
            last_error = str(exc) or 'empty'
    return None, f'{PROFILE_FILE_NAME} is unreadable: {last_error}'


# ---------------------------------------------------------------- az config (ini)

def read_ini_values(data, wanted):
    """Values of ``{(section, key)}`` from INI bytes; a small reader instead of configparser (startup time)."""
    found = {}
    section = None
    text = data.decode('utf-8', 'replace')
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in '#;':
            continue
        if line.startswith('[') and line.endswith(']'):
            section = line[1:-1].strip()
            continue
        key, sep, value = _split_ini_line(line)
        if sep and (section, key.lower()) in wanted:
            found[(section, key.lower())] = value
    return found


def _split_ini_line(line):
    positions = [p for p in (line.find('='), line.find(':')) if p >= 0]
    if not positions:
        return line, '', ''
    cut = min(positions)
    return line[:cut].strip(), line[cut], line[cut + 1:].strip()


def ini_sections(data):
    """Section names of INI bytes, in order."""
    lines = (raw.strip() for raw in data.decode('utf-8', 'replace').splitlines())
    return [line[1:-1].strip() for line in lines if line.startswith('[') and line.endswith(']')]


def config_value(path, section, key):
    """``[section] key`` of one INI file, or ''."""
    try:
        data = read_bounded(path, MAX_CONFIG_BYTES)
    except ValueError:
        return ''
    return read_ini_values(data, {(section, key)}).get((section, key), '') if data else ''


def active_cloud(config_dir, env):
    """``(cloud name, error)``. az reads AZURE_CLOUD_NAME whenever it is set, even empty, then the global config
    (a local ``.azure/config`` is not consulted for it). A name az does not know makes az warn and switch to,
    and save, AzureCloud: the guard cannot vouch for that, so it is an error."""
    if CLOUD_ENV in env:
        name = env[CLOUD_ENV]
    else:
        name = config_value(system.join(config_dir, CONFIG_FILE_NAME), 'cloud', 'name') or DEFAULT_CLOUD
    if name in BUILT_IN_CLOUDS:
        return name, ''
    try:
        data = read_bounded(system.join(config_dir, CLOUDS_FILE_NAME), MAX_CONFIG_BYTES)
    except ValueError:
        data = None
    if data and name in ini_sections(data):
        return name, ''
    return name, f"cloud '{name[:60]}' is not registered (az would fall back to AzureCloud)"


# ---------------------------------------------------------------- resolution

def find_subscription(subscriptions, wanted, cloud):
    """``(entry, error)`` for a name or id, case-insensitive, as az's --subscription action matches them."""
    wanted = wanted.lower()
    in_cloud = [s for s in subscriptions if s.get('environmentName', DEFAULT_CLOUD) == cloud]
    by_id = [s for s in in_cloud if s['id'].lower() == wanted]
    if by_id:
        return by_id[0], ''
    by_name = [s for s in in_cloud if s.get('name', '').lower() == wanted]
    if len(by_name) > 1:
        return None, f"several subscriptions are named '{wanted}'; use its id"
    if not by_name:
        return None, f"subscription '{wanted}' is not in {PROFILE_FILE_NAME} (cloud {cloud})"
    return by_name[0], ''


def default_subscription(subscriptions, cloud):
    """``(entry, error)``: the one entry az uses when the command names none."""
    defaults = [e for e in subscriptions
                if e.get('isDefault') is True and e.get('environmentName', DEFAULT_CLOUD) == cloud]
    if len(defaults) > 1:
        return None, f'several default subscriptions in cloud {cloud} (run az account set)'
    if not defaults:
        return None, f'no default subscription in cloud {cloud} (run az login or az account set)'
    return defaults[0], ''


def context_from_entry(entry, cloud, source, other_ids=()):
    identity_type, identity_name = az_files.identity_of(entry.get('user'))
    return Context(
        True, cloud=cloud, tenant_id=_text(entry, 'tenantId'),
        tenant_display_name=_text(entry, 'tenantDisplayName'),
        tenant_default_domain=_text(entry, 'tenantDefaultDomain'),
        subscription_id=entry['id'], subscription_name=_text(entry, 'name'),
        identity_name=identity_name, identity_type=identity_type, source=source,
        other_subscription_ids=other_ids)


def _text(entry, key):
    value = entry.get(key)
    return value if isinstance(value, str) else ''


def load_context(invocation, config_dir=None, env=None, cwd=None, sleep=time.sleep):  # pylint: disable=unused-argument
    """The ``Context`` the parsed az command line (invocation.parse) will run in. Never raises, but TypeError
    for anything that is not an Invocation. ``cwd`` is accepted for callers of the earlier signature; az's local
    config does not choose the subscription or the cloud."""
    require(invocation)
    env = system.environ() if env is None else env
    config_dir = config_dir or default_config_dir(env)
    try:
        return _resolve(invocation, config_dir, env, sleep)
    except Exception as exc:  # pylint: disable=broad-except
        # Fail soft here; the caller fails closed for destructive commands.
        return context_unknown(f'cannot read the az context ({type(exc).__name__})')


def _wanted_subscription(invocation):
    """``(wanted, source, other subscription ids, error)`` from the command line alone."""
    if invocation.starts_with_option:
        # `az --debug group list`, `az --subscription x group list`: az 2.91 finds no command and fails.
        return '', '', [], 'an option comes before the command words, and az then runs no command'
    if invocation.has_unknown_value:
        return '', '', [], 'an argument comes from stdin (@-) or a file too large to check'
    if invocation.ambiguous:
        ambiguous, options = invocation.ambiguous[0], invocation.options
        candidates = options.candidates(ambiguous)
        named = ', '.join(candidates[:4]) + (', ...' if len(candidates) > 4 else '')
        return '', '', [], (f'{ambiguous[:40]} is ambiguous for az {options.command} (it may be '
                            f'{named}), and az then runs no command')
    target, referenced, doubt = invocation.resource_ids
    if doubt:
        return '', 'resource id', [], doubt
    if target:
        return target[0], 'resource id', target[1:] + referenced, ''
    return invocation.requested_subscription, '--subscription', referenced, ''


def _resolve(invocation, config_dir, env, sleep):
    wanted, source, others, error = _wanted_subscription(invocation)
    if error:
        return context_unknown(error, doubtful=source == 'resource id')
    cloud, error = active_cloud(config_dir, env)
    if error:
        return context_unknown(error, wanted)
    subscriptions, error = load_subscriptions(config_dir, sleep)
    if subscriptions is None:
        return context_unknown(NOT_SIGNED_IN if error == NO_PROFILE else error, wanted)
    if not subscriptions:
        return context_unknown(NOT_SIGNED_IN, wanted)
    if wanted:
        entry, error = find_subscription(subscriptions, wanted, cloud)
    else:
        (entry, error), source = default_subscription(subscriptions, cloud), 'default subscription'
    if entry is None:
        return context_unknown(error, wanted)
    return context_from_entry(entry, cloud, source, others)
