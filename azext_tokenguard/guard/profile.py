"""Which cloud, tenant, subscription and identity an az command will use.

Reads ``azureProfile.json`` and az's ``config`` directly (no azure.cli import:
this runs before every az command).  Mirrors az's own resolution order:

1. a subscription named inside ``--ids`` / ``--url`` / ``--scope`` values
   (az takes the subscription from the resource id);
2. ``--subscription NAME|ID`` on the command line (``-s``/``-n`` for
   ``account set|show``);
3. ``AZURE_DEFAULTS_SUBSCRIPTION``, then ``[defaults] subscription`` of the
   local/global az config (knack's ``configured_default``);
4. the profile entry with ``isDefault`` in the active cloud.

Every failure gives a ``Context`` with ``known = False`` and a one-line
``reason``; nothing here raises.
"""
import json
import os
import time

PROFILE_FILE_NAME = 'azureProfile.json'
CONFIG_FILE_NAME = 'config'
MAX_PROFILE_BYTES = 32 * 1024 * 1024
MAX_CONFIG_BYTES = 1024 * 1024
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

USER_TYPE = 'user'
SERVICE_PRINCIPAL = 'servicePrincipal'
MANAGED_IDENTITY = 'managedIdentity'
MANAGED_IDENTITY_NAMES = ('systemAssignedIdentity', 'userAssignedIdentity')

# Options whose value names the subscription, per command ('' = every command).
SUBSCRIPTION_OPTIONS = {
    '': ('--subscription',),
    'account set': ('--subscription', '-s', '--name', '-n'),
    'account show': ('--subscription', '-s', '--name', '-n'),
}
# Options whose values may be full resource ids / ARM URLs.
RESOURCE_ID_OPTIONS = ('--ids', '--url', '--uri', '-u', '--scope')
SUBSCRIPTION_IN_ID_MARKER = '/subscriptions/'
GUID_LENGTH = 36


class Context:  # pylint: disable=too-many-instance-attributes,too-few-public-methods
    """Where a command lands.  ``known`` is False when the profile could not tell."""

    def __init__(self, known, reason='', cloud=DEFAULT_CLOUD, tenant_id='', tenant_display_name='',
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

    def as_dict(self):
        return {
            'known': self.known, 'reason': self.reason, 'cloud': self.cloud,
            'tenantId': self.tenant_id, 'tenantDisplayName': self.tenant_display_name,
            'subscriptionId': self.subscription_id, 'subscriptionName': self.subscription_name,
            'identityName': self.identity_name, 'identityType': self.identity_type,
            'source': self.source, 'otherSubscriptionIds': list(self.other_subscription_ids),
        }


def context_unknown(reason, subscription_hint=''):
    """A context the guard could not establish; ``subscription_hint`` is what the command named, if anything."""
    return Context(False, reason=reason, subscription_id=subscription_hint, subscription_name=subscription_hint)


def default_config_dir(env=None):
    env = os.environ if env is None else env
    return env.get('AZURE_CONFIG_DIR') or os.path.join(os.path.expanduser('~'), '.azure')


# ---------------------------------------------------------------- reading files

def read_bounded(path, limit):
    """The file's bytes, or None when missing/unreadable; raises ValueError when larger than ``limit``."""
    try:
        with open(path, 'rb') as handle:
            data = handle.read(limit + 1)
    except OSError:
        return None
    if len(data) > limit:
        raise ValueError('larger than {} bytes'.format(limit))
    return data


def _parse_profile_bytes(data):
    """The subscription list of a profile, or raise ValueError."""
    try:
        document = json.loads(data.decode('utf-8-sig'))
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(str(exc).splitlines()[0][:120]) from None
    if not isinstance(document, dict):
        raise ValueError('top level is not a JSON object')
    subscriptions = document.get('subscriptions', [])
    if not isinstance(subscriptions, list):
        raise ValueError("'subscriptions' is not a list")
    return [s for s in subscriptions if _is_usable_entry(s)]


def _is_usable_entry(entry):
    return (isinstance(entry, dict) and isinstance(entry.get('id'), str)
            and isinstance(entry.get('name', ''), str) and isinstance(entry.get('user', {}), dict))


def load_subscriptions(config_dir, sleep=time.sleep, clock=time.monotonic):
    """``(subscriptions, error)``: every usable profile entry, or ``(None, one-line reason)``."""
    path = os.path.join(config_dir, PROFILE_FILE_NAME)
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
            return None, '{} is {}'.format(PROFILE_FILE_NAME, exc)
        if data is None:
            return None, 'no {} (run az login)'.format(PROFILE_FILE_NAME)
        try:
            return _parse_profile_bytes(data), ''
        except ValueError as exc:
            last_error = str(exc) or 'empty'
    return None, '{} is unreadable: {}'.format(PROFILE_FILE_NAME, last_error)


def list_subscriptions(config_dir=None):
    """Profile entries as ``[{id, name, tenantId, cloud, isDefault}]`` (for `protect` to show matches)."""
    subscriptions, _ = load_subscriptions(config_dir or default_config_dir(), sleep=lambda _s: None)
    return [{'id': s['id'], 'name': s.get('name', ''), 'tenantId': s.get('tenantId', ''),
             'cloud': s.get('environmentName', ''), 'isDefault': bool(s.get('isDefault'))}
            for s in subscriptions or []]


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


def config_files(config_dir, cwd):
    """az's config chain for defaults: ``.azure/config`` in cwd and its parents first, then the global one."""
    chain = []
    config_dir_name = os.path.basename(os.path.normpath(config_dir))
    global_dir = os.path.normcase(os.path.normpath(config_dir))
    current = cwd
    while current:
        candidate = os.path.join(current, config_dir_name)
        if os.path.normcase(os.path.normpath(candidate)) == global_dir:
            break
        if os.path.isdir(candidate):
            chain.append(os.path.join(candidate, CONFIG_FILE_NAME))
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    chain.append(os.path.join(config_dir, CONFIG_FILE_NAME))
    return chain


def config_value(files, section, key):
    """The first value of ``[section] key`` along the config chain, or ''."""
    for path in files:
        try:
            data = read_bounded(path, MAX_CONFIG_BYTES)
        except ValueError:
            continue
        if data:
            value = read_ini_values(data, {(section, key)}).get((section, key))
            if value:
                return value
    return ''


def active_cloud(config_dir, env):
    name = env.get('AZURE_CLOUD_NAME')
    if name:
        return name
    return config_value([os.path.join(config_dir, CONFIG_FILE_NAME)], 'cloud', 'name') or DEFAULT_CLOUD


def configured_default_subscription(config_dir, env, cwd):
    name = env.get('AZURE_DEFAULTS_SUBSCRIPTION')
    if name:
        return name, 'AZURE_DEFAULTS_SUBSCRIPTION'
    try:
        cwd = cwd or os.getcwd()
    except OSError:
        cwd = ''
    value = config_value(config_files(config_dir, cwd), 'defaults', 'subscription')
    return value, ('az config [defaults] subscription' if value else '')


# ---------------------------------------------------------------- the command line

def command_words(argv):
    """Leading words of argv before the first option: the command path as typed."""
    words = []
    for word in argv:
        if word.startswith('-'):
            break
        words.append(word)
    return words


def option_values(argv, names, long_prefix_of=None):
    """Every value given to one of ``names`` (``--x v``, ``--x=v``, ``-xv``); ``--ids a b`` gives a and b.

    ``long_prefix_of``: also accept unambiguous argparse abbreviations of this
    long option (az keeps argparse's allow_abbrev), e.g. ``--subscr``.
    """
    values = []
    index = 0
    while index < len(argv):
        word = argv[index]
        index += 1
        name, attached = _split_option(word, names, long_prefix_of)
        if name is None:
            continue
        if attached is not None:
            values.append(attached)
            continue
        while index < len(argv) and not _looks_like_option(argv[index]):
            values.append(argv[index])
            index += 1
            if name != '--ids':
                break
    return values


def _split_option(word, names, long_prefix_of):
    if not word.startswith('-') or word == '--':
        return None, None
    head, sep, tail = word.partition('=')
    if head in names or _is_abbreviation(head, long_prefix_of):
        return head, (tail if sep else None)
    for name in names:
        if len(name) == 2 and word.startswith(name) and len(word) > 2:  # -sVALUE
            return name, word[2:]
    return None, None


def _is_abbreviation(head, long_option):
    return bool(long_option and head.startswith('--') and len(head) >= 4 and long_option.startswith(head))


def _looks_like_option(word):
    return word.startswith('-') and len(word) > 1 and not _is_number(word)


def _is_number(word):
    try:
        float(word)
    except ValueError:
        return False
    return True


def requested_subscription(argv):
    """The subscription named by an option on the command line, or ''."""
    path = ' '.join(command_words(argv)[:2])
    names = SUBSCRIPTION_OPTIONS.get(path, SUBSCRIPTION_OPTIONS[''])
    values = option_values(argv, names, long_prefix_of='--subscription')
    return values[-1] if values else ''  # argparse keeps the last one


def subscriptions_in_resource_ids(argv):
    """Subscription ids named inside --ids/--url/--scope values, in order, without repeats."""
    found = []
    for value in option_values(argv, RESOURCE_ID_OPTIONS):
        lowered = value.lower()
        start = lowered.find(SUBSCRIPTION_IN_ID_MARKER)
        while start >= 0:
            candidate = lowered[start + len(SUBSCRIPTION_IN_ID_MARKER):][:GUID_LENGTH]
            if _is_guid(candidate) and candidate not in found:
                found.append(candidate)
            start = lowered.find(SUBSCRIPTION_IN_ID_MARKER, start + 1)
    return found


def _is_guid(text):
    if len(text) != GUID_LENGTH or [i for i, c in enumerate(text) if c == '-'] != [8, 13, 18, 23]:
        return False
    return all(c in '0123456789abcdef-' for c in text)


# ---------------------------------------------------------------- resolution

def find_subscription(subscriptions, wanted, cloud):
    """``(entry, error)`` for a name or id, case-insensitive, like az's get_subscription."""
    wanted = wanted.lower()
    in_cloud = [s for s in subscriptions if s.get('environmentName', DEFAULT_CLOUD) == cloud]
    by_id = [s for s in in_cloud if s['id'].lower() == wanted]
    if by_id:
        return by_id[0], ''
    by_name = [s for s in in_cloud if s.get('name', '').lower() == wanted]
    if len(by_name) > 1:
        return None, "several subscriptions are named '{}'; use its id".format(wanted)
    if not by_name:
        return None, "subscription '{}' is not in {} (cloud {})".format(wanted, PROFILE_FILE_NAME, cloud)
    return by_name[0], ''


def default_subscription(subscriptions, cloud):
    for entry in subscriptions:
        if entry.get('isDefault') is True and entry.get('environmentName', DEFAULT_CLOUD) == cloud:
            return entry
    return None


def identity_of(entry):
    """``(name, type)`` of the signed-in identity: user | servicePrincipal | managedIdentity."""
    user = entry.get('user') or {}
    name = user.get('name') if isinstance(user.get('name'), str) else ''
    if 'assignedIdentityInfo' in user or name in MANAGED_IDENTITY_NAMES:
        info = user.get('assignedIdentityInfo')
        return (info if isinstance(info, str) and info else name), MANAGED_IDENTITY
    kind = user.get('type')
    return name, (kind if kind in (USER_TYPE, SERVICE_PRINCIPAL) else USER_TYPE)


def context_from_entry(entry, cloud, source, other_ids=()):
    identity_name, identity_type = identity_of(entry)
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


def load_context(argv, config_dir=None, env=None, cwd=None, sleep=time.sleep):
    """The ``Context`` the az command ``argv`` (words after ``az``) will run in.  Never raises."""
    env = os.environ if env is None else env
    config_dir = config_dir or default_config_dir(env)
    try:
        return _resolve(argv, config_dir, env, cwd, sleep)
    except Exception as exc:  # pylint: disable=broad-except
        # Fail soft here; the caller fails closed for destructive commands.
        return context_unknown('cannot read the az context ({})'.format(type(exc).__name__))


def _resolve(argv, config_dir, env, cwd, sleep):
    referenced = subscriptions_in_resource_ids(argv)
    wanted, source = (referenced[0], 'resource id') if referenced else ('', '')
    if not wanted:
        wanted, source = requested_subscription(argv), '--subscription'
    if not wanted:
        wanted, source = configured_default_subscription(config_dir, env, cwd)
    subscriptions, error = load_subscriptions(config_dir, sleep)
    if subscriptions is None:
        return context_unknown(error, wanted)
    cloud = active_cloud(config_dir, env)
    if wanted:
        entry, error = find_subscription(subscriptions, wanted, cloud)
        if entry is None:
            return context_unknown(error, wanted)
        return context_from_entry(entry, cloud, source, referenced[1:])
    entry = default_subscription(subscriptions, cloud)
    if entry is None:
        return context_unknown('no default subscription in cloud {} (run az login or az account set)'.format(cloud))
    return context_from_entry(entry, cloud, 'default subscription')
