"""``az account get-access-token`` answered from az's token cache, without starting az.

Terraform, every SDK's AzureCliCredential and many scripts run that command again and again; each run starts
az (a quarter of a second or more) to read a token that sits in ``msal_token_cache.json``. When the token az
would return is there, with more than MSAL's refresh margin left, the guard prints what az would print, byte
for byte, and the shell function or shim does not start az (ExitCode.ANSWERED).

``az tokenguard get-token`` is answered the same way where its answer needs nothing but that token: az's
fields, with the earlier of MSAL's expiry and the token's own, and the summary of its claims (claims.py, which
the extension reads too), for the default resource, a resource URI or one ``.default`` scope whose audience the
token has. Its aliases, ``--min-validity`` and output other than JSON (or one field) go to az.

``answer(invocation, config_dir, env)`` gives that text, or None: then az runs, unchanged. None is the answer to
everything this module does not reproduce exactly: an option it does not know, ``--debug``/``--verbose``, a
``--query`` beyond one field, a colour output format, an encrypted cache, a managed identity, Cloud Shell, an
ADFS or unknown cloud, no token or one that MSAL would refresh, a file it cannot read.

How az 2.91 finds the token (azure/cli/core/_profile.py get_raw_token, auth/identity.py, msal's
``_acquire_token_silent_from_cache_and_possibly_refresh_it`` and ``TokenCache.search``), done the same way:

- scopes: ``--scope`` values, else ``--resource`` (or the cloud's endpoint for ``--resource-type``) plus
  ``/.default``, else the cloud's ARM resource plus ``/.default``;
- the account: ``--subscription`` (id or name) or the default subscription of the active cloud; the tenant
  (realm) is ``--tenant``, else that subscription's;
- a user's tokens belong to the one MSAL account of that username and az's client id; a service principal's
  to its app id, with no account, and only when az holds its credential for that tenant;
- the first cached access token for that client, realm, account and host whose scopes include the asked ones
  and that has 300 s or more left (MSAL's margin); one that MSAL would refresh early (``refresh_on``) goes to
  az;
- ``expires_on`` as az computes it: now (whole seconds) plus MSAL's whole ``expires_in``; ``expiresOn`` is
  that instant in local time with microseconds.
Standard library only.
"""
import sys
import time

from . import az_files, az_json, system
from .az_files import (CLOUDS_FILE_NAME, CONFIG_FILE_NAME, MAX_CONFIG_BYTES, SERVICE_PRINCIPAL, SP_STORE_BASENAME,
                       TOKEN_CACHE_BASENAME, USER)
from .claims import audience_matches, expiry, payload_claims, token_summary
from .constants import GET_ACCESS_TOKEN, GET_TOKEN
from .profile import (CLOUD_ENV, active_cloud, default_subscription, find_subscription, ini_sections,
                      load_subscriptions, read_ini_values)
from .invocation import require
from .options import END_OF_OPTIONS, NONE, ONE_OR_MORE, CommandOptions, OptionSpec
from .resource_ids import is_guid

AZ_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'  # azure.cli.core.auth.constants.AZURE_CLI_CLIENT_ID
REFRESH_MARGIN_S = 300  # MSAL treats a cached access token with less left as expired
DEFAULT_SCOPE_SUFFIX = '/.default'  # azure.cli.core.auth.util.resource_to_scopes
# --resource-type -> the cloud endpoint az reads (azure/cli/command_modules/profile/custom.py).
RESOURCE_TYPES = {'oss-rdbms': 'ossrdbms_resource_id', 'arm': 'active_directory_resource_id',
                  'aad-graph': 'active_directory_graph_resource_id', 'ms-graph': 'microsoft_graph_resource_id',
                  'batch': 'batch_resource_id', 'media': 'media_resource_id',
                  'data-lake': 'active_directory_data_lake_resource_id'}
# AzureCloud's endpoints that matter here (azure/cli/core/cloud.py AZURE_PUBLIC_CLOUD); other built-in
# clouds go to az.
PUBLIC_CLOUD = {'active_directory': 'https://login.microsoftonline.com',
                'active_directory_resource_id': 'https://management.core.windows.net/',
                'active_directory_graph_resource_id': 'https://graph.windows.net/',
                'microsoft_graph_resource_id': 'https://graph.microsoft.com/',
                'batch_resource_id': 'https://batch.core.windows.net/',
                'media_resource_id': 'https://rest.media.azure.net',
                'ossrdbms_resource_id': 'https://ossrdbms-aad.database.windows.net',
                'active_directory_data_lake_resource_id': 'https://datalake.azure.net/'}
PUBLIC_CLOUD_NAME = 'AzureCloud'
# The spellings reproduced, as az reads them (the one parse has written abbreviations out); any other, an
# attached short value (-tfoo) included, goes to az.
SPELLINGS = frozenset(('--resource', '--resource-type', '--tenant', '-t', '--subscription', '--output', '-o',
                       '--query', '--scope', '--only-show-errors'))
FLAGS = frozenset(('--only-show-errors',))
LISTS = frozenset(('--scope',))
OUTPUT_FORMATS = frozenset(('json', 'tsv', 'table', 'yaml', 'none'))
RESULT_KEYS = ('accessToken', 'expiresOn', 'expires_on', 'subscription', 'tenant', 'tokenType')
# az tokenguard get-token: az's keys and a summary (tokens/access.py AccessToken). Its two lists (scopes, roles)
# are answered in JSON only; -o table has its own transformer, so it goes to az.
GET_TOKEN_SCALARS = RESULT_KEYS + ('audience', 'identityType', 'expiresAt', 'secondsRemaining', 'tokenSource')
GET_TOKEN_SPELLINGS = frozenset(('--resource', '-r', '--scope', '--tenant', '-t', '--subscription', '-s',
                                 '--output', '-o', '--query', '--only-show-errors'))
# get-token's options (_params.py) and az's global ones. The guard's option table is az's own, exported without
# extensions, so it has none for tokenguard's commands (tests/unit/guard/test_fast_token.py compares the two).
GET_TOKEN_OPTIONS = CommandOptions(GET_TOKEN, (
    OptionSpec(('-h', '--help'), NONE), OptionSpec(('--debug',), NONE), OptionSpec(('--only-show-errors',), NONE),
    OptionSpec(('--output', '-o')), OptionSpec(('--query',)), OptionSpec(('--verbose',), NONE),
    OptionSpec(('--resource', '-r')), OptionSpec(('--scope',), ONE_OR_MORE), OptionSpec(('--subscription', '-s')),
    OptionSpec(('--tenant', '-t')), OptionSpec(('--min-validity', '-m')), OptionSpec(('--list-resources', '-l'), NONE),
    OptionSpec(('--resource-type',))))
SELECTION_ENV = ('TOKENGUARD_SUBSCRIPTION', 'TOKENGUARD_TENANT')  # get-token follows the shell's `use` selection
# What changes where az gets the token, or what it prints, in ways this module does not follow.
AZ_ONLY_ENV = ('ACC_CLOUD',  # Cloud Shell
               'COPILOT_AGENT_SESSION_ID',  # az partitions MSAL's cache by the agent session
               'ARM_CLOUD_METADATA_URL',  # clouds loaded from ARM's metadata
               'AZURE_CORE_ENCRYPT_TOKEN_CACHE')
MAX_CACHE_BYTES = 64 * 1024 * 1024
YAML_WORD_CHARACTERS = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-')
YAML_SPECIAL_WORDS = frozenset(('y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null'))


class Reproduced:  # pylint: disable=too-few-public-methods
    """A command this module answers: its words, the option spellings it reproduces, the fields a --query may
    name, and its option table (None: az's, from the one parse)."""

    def __init__(self, command, spellings, fields, table=None):
        self.words = tuple(command.split())
        self.spellings = spellings
        self.fields = fields
        self.table = table


GET_ACCESS_TOKEN_COMMAND = Reproduced(GET_ACCESS_TOKEN, SPELLINGS, RESULT_KEYS)
GET_TOKEN_COMMAND = Reproduced(GET_TOKEN, GET_TOKEN_SPELLINGS, GET_TOKEN_SCALARS, GET_TOKEN_OPTIONS)


class Request:  # pylint: disable=too-few-public-methods,too-many-instance-attributes
    """The options of one command line that change its answer."""

    def __init__(self, values, reproduced=GET_ACCESS_TOKEN_COMMAND):
        self.reproduced = reproduced
        self.resource = values.get('--resource')
        self.resource_type = values.get('--resource-type')
        self.scopes = values.get('--scope')
        self.tenant = values.get('--tenant')
        self.subscription = values.get('--subscription')
        self.output = values.get('--output')
        self.query = values.get('--query')


def answer(invocation, config_dir, env, clock=time.time):
    """The exact stdout of this get-access-token or get-token command (the one parse, invocation.parse), or None
    when az must run."""
    require(invocation)
    try:
        request = parse_request(invocation)
        if request is None or any(name in env for name in AZ_ONLY_ENV) or sys.platform == 'win32':
            return None
        if request.reproduced is GET_TOKEN_COMMAND and any(env.get(name) for name in SELECTION_ENV):
            return None  # get-token reads the shell's selection itself
        return _answer(request, config_dir, env, clock())
    except Exception:  # pylint: disable=broad-except
        return None  # anything unexpected: az answers


def parse_request(invocation):
    """A Request from the parsed command line, or None for anything but the options this module reproduces:
    it reads the one parse, never the words again."""
    require(invocation)
    reproduced = _reproduced(invocation)
    table = reproduced and (reproduced.table or invocation.table)
    if table is None:
        return None
    values = {}
    for spec, word, found in table.parse(list(invocation.words), 2):
        name, attached, _ = word.partition('=')
        if spec is None or name not in reproduced.spellings or spec.canonical in values:
            return None  # unknown; or repeated: argparse keeps the last and az's --scope even merges
        value = _value_of(spec.canonical, found, attached=bool(attached))
        if value is None:
            return None
        values[spec.canonical] = value
    return _valid(Request(values, reproduced))


def _reproduced(invocation):
    """The command this module answers, spelled as az names it, with options only (no positional, ``--`` or
    ambiguous prefix); else None."""
    if invocation.ambiguous or invocation.positionals or END_OF_OPTIONS in invocation.words:
        return None
    return next((reproduced for reproduced in (GET_ACCESS_TOKEN_COMMAND, GET_TOKEN_COMMAND)
                 if invocation.words[:2] == reproduced.words == invocation.command), None)


def _value_of(name, found, *, attached):
    """The option's value as this module takes it, or None for a form it leaves to az."""
    if name in FLAGS or name in LISTS:
        if attached:
            return None  # --scope=a, --only-show-errors=x
        return True if name in FLAGS else (list(found) or None)
    if len(found) != 1 or not found[0] or (not attached and found[0].startswith('-')):
        return None  # no value, an empty one, or one argparse may read as an option
    return found[0]


def _valid(request):
    if request.subscription and request.tenant:
        return None  # az: "Please specify only one of subscription and tenant"
    if request.output is not None and request.output not in OUTPUT_FORMATS:
        return None  # jsonc and yamlc colour a terminal's output: az knows whether it is one
    if request.resource_type is not None and request.resource_type not in RESOURCE_TYPES:
        return None
    if request.query is not None and request.query not in request.reproduced.fields:
        return None
    return request


# ---------------------------------------------------------------- what az would do

def _answer(request, config_dir, env, now):
    config = _read_ini(system.join(config_dir, CONFIG_FILE_NAME),
                       {('cloud', 'name'), ('core', 'output'), ('core', 'encrypt_token_cache')})
    output = request.output or env.get('AZURE_CORE_OUTPUT') or config.get(('core', 'output')) or 'json'
    if output not in OUTPUT_FORMATS or config.get(('core', 'encrypt_token_cache'), 'false').lower() != 'false':
        return None
    endpoints = _cloud_endpoints(config_dir, env, config)
    if endpoints is None:
        return None
    account = _account(config_dir, env, request.subscription)
    if account is None:
        return None
    result = _token_result(request, endpoints, account, config_dir, now)
    if result is not None and request.reproduced is GET_TOKEN_COMMAND:
        if request.query is None and output not in ('json', 'none'):
            return None  # a summary's lists in tsv or yaml, get-token's own table: az writes those
        result = _get_token_result(result, request, endpoints, now)
    return None if result is None else render(result, output, request.query)


def _get_token_result(result, request, endpoints, now):
    """get-token's result for the token az's get-access-token would return (tokens/access.py): the earlier of
    MSAL's expiry and the token's own, and the summary of its claims; None when get-token would say more than
    that (a token for another audience, one that is no JWT) or when its resource is an alias or an app id."""
    resource = _get_token_resource(request, endpoints)
    claims = payload_claims(result['accessToken'])
    exp = expiry(claims) if claims is not None else None
    if resource is None or exp is None or not audience_matches(resource, claims.get('aud')):
        return None
    expires_on = min(result['expires_on'], int(exp))
    summary = token_summary(claims, now)
    answer_ = dict(result, expires_on=expires_on, expiresOn=_local_time(expires_on), tokenSource='cache')
    answer_.update((key, summary[key]) for key in ('audience', 'scopes', 'roles', 'identityType', 'expiresAt',
                                                   'secondsRemaining'))
    return answer_


def _get_token_resource(request, endpoints):
    """The resource get-token checks the token's audience against, when this module can tell it as get-token
    does (tokens/resources.py): ARM by default, a URI as given, a single ``.../.default`` scope's resource."""
    if request.scopes:
        scope = request.scopes[0].strip()
        if len(request.scopes) != 1 or not scope.endswith(DEFAULT_SCOPE_SUFFIX):
            return None
        return scope[:-len(DEFAULT_SCOPE_SUFFIX)] or None
    if request.resource is None:
        return endpoints['active_directory_resource_id']
    is_uri = request.resource.startswith('https://') and request.resource.isprintable() \
        and not any(c.isspace() for c in request.resource)
    return request.resource if is_uri else None


def _read_ini(path, wanted):
    data = _read(path, MAX_CONFIG_BYTES)
    return read_ini_values(data, wanted) if data else {}


def _read(path, limit):
    try:
        return az_files.read_bounded(path, limit)
    except (OSError, ValueError):
        return None


def _cloud_endpoints(config_dir, env, config):
    """The active cloud's endpoints, or None for a cloud whose endpoints this module does not know exactly."""
    name = env[CLOUD_ENV] if CLOUD_ENV in env else config.get(('cloud', 'name')) or PUBLIC_CLOUD_NAME
    data = _read(system.join(config_dir, CLOUDS_FILE_NAME), MAX_CONFIG_BYTES) or b''
    if name == PUBLIC_CLOUD_NAME:
        return None if name in ini_sections(data) else dict(PUBLIC_CLOUD, name=name)
    wanted = {(name, 'endpoint_' + key) for key in PUBLIC_CLOUD}
    found = {key[1][len('endpoint_'):]: value for key, value in read_ini_values(data, wanted).items()}
    if set(found) != set(PUBLIC_CLOUD) or found['active_directory'].rstrip('/').lower().endswith('adfs'):
        return None  # not registered, incomplete, or ADFS (no tenant in the authority)
    return dict(found, name=name)


def _account(config_dir, env, subscription):
    """The profile entry az would use, or None (managed identity, Cloud Shell, anything unclear)."""
    cloud, error = active_cloud(config_dir, env)
    subscriptions, _ = (None, error) if error else load_subscriptions(config_dir)
    if not subscriptions:
        return None
    if subscription:
        entry, _ = find_subscription(subscriptions, subscription, cloud)
    else:
        entry, _ = default_subscription(subscriptions, cloud)
    if entry is None or not isinstance(entry.get('tenantId'), str) or 'cloudShellID' in entry['user']:
        return None
    kind, name = az_files.identity_of(entry['user'])
    if kind not in (USER, SERVICE_PRINCIPAL) or entry['user'].get('type') != kind or not name:
        return None
    return entry


def _token_result(request, endpoints, account, config_dir, now):
    """az's result dict, or None when az's cache has no token it would return as it is."""
    tenant = request.tenant or account['tenantId']
    cache = _load_json(system.join(config_dir, TOKEN_CACHE_BASENAME + '.json'))
    host = _authority_host(endpoints['active_directory'])
    if not isinstance(cache, dict) or host is None:
        return None
    kind, name = az_files.identity_of(account['user'])
    if kind == USER:
        query = {'client_id': AZ_CLIENT_ID, 'home_account_id': _home_account_id(cache, host, name)}
        if query['home_account_id'] is None:
            return None
    elif _service_principal_known(config_dir, name, tenant):
        query = {'client_id': name, 'home_account_id': None}
    else:
        return None
    query.update(environment=host, realm=tenant)
    entry = cached_access_token(cache.get('AccessToken'), query, _scopes(request, endpoints), now)
    if entry is None:
        return None
    expires_on = int(now) + int(int(entry['expires_on']) - now)
    result = {'tokenType': 'Bearer', 'accessToken': entry['secret'], 'expires_on': expires_on,
              'expiresOn': _local_time(expires_on), 'tenant': str(tenant)}
    if not request.tenant:
        result['subscription'] = str(account['id'])
    return result


def _local_time(seconds):
    """az's expiresOn: local time with microseconds (always zero: az counts whole seconds)."""
    return time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(seconds)) + '.000000'


def _scopes(request, endpoints):
    if request.scopes:
        return request.scopes
    resource = request.resource
    if not resource and request.resource_type:
        resource = endpoints[RESOURCE_TYPES[request.resource_type]]
    return [(resource or endpoints['active_directory_resource_id']) + DEFAULT_SCOPE_SUFFIX]


def _load_json(path):
    data = _read(path, MAX_CACHE_BYTES)
    return az_json.loads(data) if data else None


def _authority_host(endpoint):
    """MSAL's ``authority.instance``: the lower-case host name of the authority URL (no port)."""
    endpoint = endpoint.rstrip('/').lower()
    if not endpoint.startswith('https://'):
        return None
    netloc = endpoint[len('https://'):].split('/', 1)[0].rsplit('@', 1)[-1]
    if not netloc or '[' in netloc:
        return None
    return netloc.split(':', 1)[0]


def _home_account_id(cache, host, username):
    """The home account id of the one MSAL account of ``username`` (az refuses several, and so does this)."""
    lowered = username.lower()
    ids = {a.get('home_account_id') for a in (cache.get('Account') or {}).values()
           if isinstance(a, dict) and str(a.get('username', '')).lower() == lowered}
    here = [a for a in (cache.get('Account') or {}).values()
            if isinstance(a, dict) and a.get('environment') == host and str(a.get('username', '')).lower() == lowered]
    if len(ids) != 1 or not here or not isinstance(here[0].get('home_account_id'), str):
        return None
    return here[0]['home_account_id']


def _service_principal_known(config_dir, client_id, tenant):
    """az fails (or warns and borrows another tenant's credential) without an entry for this app and tenant."""
    entries = _load_json(system.join(config_dir, SP_STORE_BASENAME + '.json'))
    return isinstance(entries, list) and any(
        isinstance(e, dict) and e.get('client_id') == client_id and e.get('tenant') == tenant for e in entries)


def cached_access_token(tokens, query, scopes, now):
    """The entry MSAL's silent flow returns from cache for ``scopes``, or None where MSAL would go to the network
    (no entry with 300 s left, or the one it finds is due for an early refresh)."""
    if not isinstance(tokens, dict):
        return None
    target = sorted(scopes)
    preferred = tokens.get(_access_token_key(query, target))
    candidates = [preferred] if isinstance(preferred, dict) and _matches(preferred, query) else []
    wanted = set(target)
    candidates += [e for e in tokens.values() if isinstance(e, dict) and e is not preferred
                   and int(e['expires_on']) >= int(now) and _matches(e, query)
                   and wanted <= set(str(e.get('target', '')).split()) and 'ext_cache_key' not in e]
    for entry in candidates:
        if int(entry['expires_on']) - now < REFRESH_MARGIN_S:
            continue
        if 'refresh_on' in entry and int(entry['refresh_on']) < now:
            return None
        if entry.get('token_type', 'Bearer') != 'Bearer' or 'key_id' in entry or not isinstance(entry['secret'], str):
            return None  # an SSH certificate or PoP token: not what get-access-token prints
        return entry
    return None


def _access_token_key(query, target):
    return '-'.join([query['home_account_id'] or '', query['environment'], 'AccessToken', query['client_id'],
                     query['realm'], ' '.join(target)]).lower()


def _matches(entry, query):
    """msal's is_subdict_of: every key of the query present in the entry with the same value."""
    return all(key in entry and entry[key] == value for key, value in query.items())


# ---------------------------------------------------------------- what az prints (knack's output formats)

def render(result, output, query=None):
    """The text az prints for ``result`` with ``-o output`` and ``--query <one key>``, or None."""
    if query is not None:
        value = result.get(query)
        return None if value is None else _render_value(value, output)
    keys = sorted(result)  # knack sorts a plain dict's keys in every format
    if output == 'json':
        return _json(result)
    if output == 'tsv':
        return '\t'.join(str(result[key]) for key in keys) + '\n'
    if output == 'table':
        return _table([(key[0].upper() + key[1:], str(result[key])) for key in keys])
    return _yaml_mapping(result, keys) if output == 'yaml' else ''  # none prints nothing


def _yaml_mapping(result, keys):
    scalars = [(key, _yaml_scalar(result[key])) for key in keys]
    if any(scalar is None for _, scalar in scalars):
        return None
    return ''.join(f'{key}: {scalar}\n' for key, scalar in scalars)


def _render_value(value, output):
    if output == 'json':
        return _json(value)
    if output == 'tsv':
        return f'{value}\n'
    if output == 'table':
        return _table([('Result', str(value))])
    if output == 'yaml':
        scalar = _yaml_scalar(value)
        if scalar is None:
            return None
        return scalar + '\n' if scalar.startswith("'") else scalar + '\n...\n'  # PyYAML ends a plain document so
    return ''


def _json(value):
    """json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, separators=(',', ': ')) + newline, as knack
    writes it, for these results (scalars, and get-token's lists of strings); without importing json (and re)."""
    if isinstance(value, dict):
        members = (f'  {_json_scalar(key)}: {_json_member(value[key])}' for key in sorted(value))
        return '{\n' + ',\n'.join(members) + '\n}\n'
    return _json_scalar(value) + '\n'


def _json_member(value):
    """An object member's value, two spaces in: a list puts each item on a line of its own, four spaces in."""
    if isinstance(value, list):
        return '[\n' + ',\n'.join(f'    {_json_scalar(item)}' for item in value) + '\n  ]' if value else '[]'
    return _json_scalar(value)


def _json_scalar(value):
    if value is None or isinstance(value, bool):
        return {None: 'null', True: 'true', False: 'false'}[value]
    if isinstance(value, int):
        return str(value)
    if az_json.needs_no_escape(value):
        return f'"{value}"'
    import json  # a character JSON escapes: json's own rules
    return json.dumps(value, ensure_ascii=False)


def _table(cells):
    """tabulate's "simple" format for one row, as knack calls it (disable_numparse: every column left-aligned)."""
    widths = [max(len(value), len(header) + 2) for header, value in cells]
    lines = ['  '.join(header.ljust(width) for (header, _), width in zip(cells, widths)),
             '  '.join('-' * width for width in widths),
             '  '.join(value.ljust(width) for (_, value), width in zip(cells, widths))]
    return '\n'.join(line.rstrip() for line in lines) + '\n'


def _yaml_scalar(value):
    """PyYAML's safe_dump of one value of this result, or None for a string it might write otherwise."""
    if isinstance(value, int):
        return str(value)
    if is_guid(value) or (value[:1].isalpha() and set(value) <= YAML_WORD_CHARACTERS
                          and value.lower() not in YAML_SPECIAL_WORDS):
        return value
    if _is_timestamp(value):
        return f"'{value}'"  # a timestamp to YAML: quoted
    return None


def _is_timestamp(value):
    """The form of expiresOn: 2026-12-04 16:22:47.000000."""
    shape = ''.join('d' if c.isdigit() else c for c in value)
    return value.isascii() and shape == 'dddd-dd-dd dd:dd:dd.dddddd'
