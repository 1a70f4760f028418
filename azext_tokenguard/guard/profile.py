"""Which cloud, tenant, subscription and identity an az command will use.

Reads ``azureProfile.json`` and az's ``config`` directly (no azure.cli import:
this runs before every az command).  Follows what az 2.91 does, checked
against the real az with the emulator's request log (tests/e2e/test_context_truth.py):

0. every argument is expanded as az expands it before parsing: ``@path``, and
   ``name=@path`` after the first ``=`` (``@-`` reads stdin, which the guard
   cannot: the value is unknown);
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
import os
import time

from . import az_files
from .az_files import CLOUDS_FILE_NAME, CONFIG_FILE_NAME, MAX_CONFIG_BYTES, MAX_PROFILE_BYTES, PROFILE_FILE_NAME
from .az_files import config_dir as default_config_dir

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

# Options whose value names the subscription, per command ('' = every command).
SUBSCRIPTION_OPTIONS = {
    '': ('--subscription',),
    'account set': ('--subscription', '-s', '--name', '-n'),
    'account show': ('--subscription', '-s', '--name', '-n'),
    # tokenguard's own: `unprotect -s contoso-prod` must be confirmed for contoso-prod, not the default.
    'tokenguard protect': ('--subscription', '-s'),
    'tokenguard unprotect': ('--subscription', '-s'),
    'tokenguard pin': ('--subscription', '-s'),
}
# Options whose values say where a command acts: resource ids, scopes and az rest's URL.
TARGET_ID_OPTIONS = ('--ids', '--id', '--url', '--uri', '-u', '--scope', '--scopes', '--resource-id',
                     '--resource-ids', '--resource', '--target-resource-id')
MULTI_VALUE_OPTIONS = frozenset(('--ids', '--resource-ids', '--scopes'))
SUBSCRIPTION_PLACEHOLDER = '{subscriptionid}'  # az rest fills it in with the current subscription
GUID_LENGTH = 36
# What an argument read from stdin (``@-``) or from a file too large to read stands for: the guard cannot
# know it. A NUL byte cannot occur in a real argument.
UNKNOWN_VALUE = '\x00unknown\x00'
MAX_FILE_ARGUMENT_BYTES = 1024 * 1024
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
        name = config_value(os.path.join(config_dir, CONFIG_FILE_NAME), 'cloud', 'name') or DEFAULT_CLOUD
    if name in BUILT_IN_CLOUDS:
        return name, ''
    try:
        data = read_bounded(os.path.join(config_dir, CLOUDS_FILE_NAME), MAX_CONFIG_BYTES)
    except ValueError:
        data = None
    if data and name in ini_sections(data):
        return name, ''
    return name, f"cloud '{name[:60]}' is not registered (az would fall back to AzureCloud)"


# ---------------------------------------------------------------- the command line

def expand_file_arguments(argv, read_limit=MAX_FILE_ARGUMENT_BYTES):
    """argv as az sees it: az replaces ``@path`` and ``name=@path`` with the file's text before it even looks
    up the command (azure/cli/core/commands/__init__.py, _expand_file_prefixed_files). A file az cannot open
    stays as typed, as in az. ``@-`` (stdin, which only az may read) and files the guard will not read whole
    become ``UNKNOWN_VALUE``."""
    return [_expand_file_argument(word, read_limit) for word in argv]


def _expand_file_argument(word, read_limit):
    head, sep, tail = word.partition('=')
    if sep:
        return head + sep + _maybe_file_content(tail, read_limit)
    return _maybe_file_content(word, read_limit)


def _maybe_file_content(value, read_limit):
    if not value.startswith('@') or len(value) == 1:
        return value
    path = value[1:]
    if path == '-':
        return UNKNOWN_VALUE
    try:
        data = _read_argument_file(os.path.expanduser(path), read_limit)
    except OSError:
        return value  # az: "Failed to load ..., assume not a file"
    if data is None:
        return UNKNOWN_VALUE
    for encoding in ('utf-8-sig', 'utf-16'):  # az tries utf-8 first, then utf-16; else it base64-encodes
        try:
            return data.decode(encoding).rstrip(os.linesep)
        except UnicodeDecodeError:
            continue
    return UNKNOWN_VALUE


def _read_argument_file(path, limit):
    """The bytes of a regular file of at most ``limit`` bytes, else None; OSError when az could not open it either.
    Never a FIFO or device: reading ``@/dev/stdin`` would take az's input, and a FIFO would hang the guard."""
    try:
        data = az_files.read_bounded(path, limit)
    except (az_files.FileTooLargeError, az_files.NotRegularFileError):
        return None
    if data is None:
        raise FileNotFoundError(path)
    return data


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

    ``long_prefix_of``: also accept argparse abbreviations of this long option
    (az keeps argparse's allow_abbrev: any prefix of at least ``--`` and one
    letter). A prefix that is ambiguous for the command makes az fail, so
    nothing runs; the guard need not tell those apart.

    For argv read with az's option table (options.resolve_argv: a command az's
    table has), abbreviations are already written out and the values are the
    ones argparse gives each option (``--ids a b``, a flag none); the generic
    rule above is for commands the table does not know.
    """
    options = getattr(argv, 'options', None)  # az's own option table, for argv that options.resolve_argv read
    if options is not None:
        return _values_by_table(argv, options, names, long_prefix_of)
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
            if not any(multi.startswith(name) for multi in MULTI_VALUE_OPTIONS):
                break
    return values


def _values_by_table(argv, options, names, long_prefix_of):
    """The values argparse gives the options among ``names`` (and ``long_prefix_of``) of this command."""
    extra = (long_prefix_of,) if isinstance(long_prefix_of, str) else tuple(long_prefix_of or ())
    wanted = set(names) | set(extra)
    return [value for spec, _word, given in options.parse(argv) if spec is not None and wanted & set(spec.names)
            for value in given]


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


def _is_abbreviation(head, long_options):
    """argparse's allow_abbrev: ``--s`` stands for ``--subscription`` (``long_options``: one or a tuple)."""
    if not long_options or not head.startswith('--') or len(head) < 3:
        return False
    if isinstance(long_options, str):
        long_options = (long_options,)
    return any(option.startswith(head) for option in long_options if option.startswith('--'))


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
    if '--name' in names and not values:
        values = option_values(argv, names, long_prefix_of='--name')
    return values[-1] if values else ''  # argparse keeps the last one


def subscriptions_in_resource_ids(argv):
    """``(target, referenced, doubt)``: subscriptions named in the values of the options that say where a command
    acts (--ids, --scope, az rest --url...), those named in any other value shaped as a resource id (a subnet of
    another subscription, say), and why one of them cannot be read for sure ('' when all can). Lowercase, in
    order, without repeats; a segment that is not a subscription id (``/subscriptions/oops/...``) is kept, so
    that it cannot be found and reads as unknown. az rest's ``{subscriptionId}`` placeholder means the current
    subscription and names none. Every value is read by ``subscriptions_in_path``."""
    rest_urls = command_words(argv)[:1] == [REST_COMMAND]
    target, doubts = [], []
    target_values = option_values(argv, TARGET_ID_OPTIONS, long_prefix_of=TARGET_ID_OPTIONS)
    for value in target_values:
        found, doubt = subscriptions_in_path(value, normalised_by_az=rest_urls)
        _add_new(target, found)
        doubts.append(doubt)
    others = []
    for word in argv:
        value = word.partition('=')[2] if word.startswith('-') else word
        if value in target_values or not _starts_with_subscription(value):
            continue
        found, doubt = subscriptions_in_path(value, normalised_by_az=False)
        if found:
            _add_new(others, [f for f in found if f not in target])
            doubts.append(doubt)
    return target, others, next((d for d in doubts if d), '')


def _add_new(found, more):
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


def _starts_with_subscription(value):
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
            _add_new(found, [following])
    return found


def _is_guid(text):
    if len(text) != GUID_LENGTH or [i for i, c in enumerate(text) if c == '-'] != [8, 13, 18, 23]:
        return False
    return all(c in '0123456789abcdef-' for c in text)


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


def load_context(argv, config_dir=None, env=None, cwd=None, sleep=time.sleep):  # pylint: disable=unused-argument
    """The ``Context`` the az command ``argv`` (words after ``az``, ``@file`` arguments expanded) will run in.
    Never raises. ``cwd`` is accepted for callers of the earlier signature; az's local config does not
    choose the subscription or the cloud."""
    env = os.environ if env is None else env
    config_dir = config_dir or default_config_dir(env)
    try:
        return _resolve(argv, config_dir, env, sleep)
    except Exception as exc:  # pylint: disable=broad-except
        # Fail soft here; the caller fails closed for destructive commands.
        return context_unknown(f'cannot read the az context ({type(exc).__name__})')


def _wanted_subscription(argv):
    """``(wanted, source, other subscription ids, error)`` from the command line alone."""
    if argv and argv[0].startswith('-'):
        # `az --debug group list`, `az --subscription x group list`: az 2.91 finds no command and fails.
        return '', '', [], 'an option comes before the command words, and az then runs no command'
    if any(UNKNOWN_VALUE in word for word in argv):
        return '', '', [], 'an argument comes from stdin (@-) or a file too large to check'
    ambiguous = getattr(argv, 'ambiguous', ())
    if ambiguous:
        candidates = argv.options.candidates(ambiguous[0])
        named = ', '.join(candidates[:4]) + (', ...' if len(candidates) > 4 else '')
        return '', '', [], (f'{ambiguous[0][:40]} is ambiguous for az {argv.options.command} (it may be '
                            f'{named}), and az then runs no command')
    target, referenced, doubt = subscriptions_in_resource_ids(argv)
    if doubt:
        return '', 'resource id', [], doubt
    if target:
        return target[0], 'resource id', target[1:] + referenced, ''
    return requested_subscription(argv), '--subscription', referenced, ''


def _resolve(argv, config_dir, env, sleep):
    wanted, source, others, error = _wanted_subscription(argv)
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
