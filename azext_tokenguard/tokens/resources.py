"""Resource aliases for ``--resource`` and the resource-vs-scope rules of Microsoft Entra ID.

Every alias is resolved from the *active cloud* as az describes it (``az cloud show``):
the caller passes the cloud's endpoint and suffix attributes as plain mappings, using
az's attribute names (``CloudEndpoints`` / ``CloudSuffixes`` in azure/cli/core/cloud.py).
Nothing here imports azure.cli, so the module is testable on its own.
"""

import re
from urllib.parse import urlsplit

from azext_tokenguard.guard.claims import audience_matches
from azext_tokenguard.guard.errors import InvalidValueError

# ---------------------------------------------------------------------------
# How each alias finds its value.
#   endpoint     -> the cloud endpoint attribute, verbatim
#   suffix       -> derived from a DNS suffix: '.vault.azure.net' -> 'https://vault.azure.net'
#   fixed        -> same value in every cloud (documented by the service itself)
#   known_clouds -> az's cloud metadata has no entry; we only know it for these clouds
# ---------------------------------------------------------------------------
ENDPOINT, SUFFIX, FIXED, KNOWN_CLOUDS = 'endpoint', 'suffix', 'fixed', 'known_clouds'

ALIASES = {
    # 'arm' is what `az account get-access-token` uses by default.
    'arm': (ENDPOINT, 'active_directory_resource_id'),
    'graph': (ENDPOINT, 'microsoft_graph_resource_id'),
    'keyvault': (SUFFIX, 'keyvault_dns'),
    'managedhsm': (SUFFIX, 'mhsm_dns'),
    # Azure Storage uses one audience in every cloud; az's own storage module does the same.
    'storage': (FIXED, 'https://storage.azure.com/'),
    'sql': (SUFFIX, 'sql_server_hostname'),
    'ossrdbms': (ENDPOINT, 'ossrdbms_resource_id'),
    # Azure DevOps Services' first-party app id; the service exists only in the public cloud.
    'devops': (KNOWN_CLOUDS, {'AzureCloud': '499b84ac-1321-427f-aa17-267ca6975798'}),
    'loganalytics': (ENDPOINT, 'log_analytics_resource_id'),
    'batch': (ENDPOINT, 'batch_resource_id'),
    'synapse': (ENDPOINT, 'synapse_analytics_resource_id'),
    'datalake': (ENDPOINT, 'active_directory_data_lake_resource_id'),
    # Sovereign-cloud Cosmos DB audiences are not in az's metadata; fail closed there
    # and let the user pass the account URI instead of guessing.
    'cosmos': (KNOWN_CLOUDS, {'AzureCloud': 'https://cosmos.azure.com'}),
    'appinsights': (ENDPOINT, 'app_insights_resource_id'),
}

# The names `az account get-access-token --resource-type` accepts, so muscle memory works.
ALIAS_SYNONYMS = {
    'ms-graph': 'graph',
    'data-lake': 'datalake',
    'oss-rdbms': 'ossrdbms',
}

# `az account get-access-token --resource-type` values and the cloud endpoint each names, as in az 2.91
# (azure/cli/command_modules/profile/custom.py, cloud_resource_type_mappings).
AZ_RESOURCE_TYPES = {
    'oss-rdbms': 'ossrdbms_resource_id',
    'arm': 'active_directory_resource_id',
    'aad-graph': 'active_directory_graph_resource_id',
    'ms-graph': 'microsoft_graph_resource_id',
    'batch': 'batch_resource_id',
    'media': 'media_resource_id',
    'data-lake': 'active_directory_data_lake_resource_id',
}

# ARM under both of its names (arm_audiences): the cloud's endpoints, and the public cloud's pair.
ARM_ENDPOINT_ATTRIBUTES = ('active_directory_resource_id', 'resource_manager')
PUBLIC_ARM_AUDIENCES = ('https://management.core.windows.net/', 'https://management.azure.com/')

MAX_RESOURCE_LENGTH = 2048  # Entra rejects far shorter identifiers; bounds all parsing below
DEFAULT_SCOPE_SUFFIX = '/.default'
DEFAULT_GRAPH_RESOURCE = 'https://graph.microsoft.com'  # only for hint text when the caller gives no cloud

_GUID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
_URI_SCHEME = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*://')
# Delegated permissions look like User.Read, Directory.Read.All, eDiscovery.Read.All:
# dotted words where the words after the first are capitalised. Host names
# ('vault.azure.net') are lower case, so they do not match.
_PERMISSION_NAME = re.compile(r'[A-Za-z][A-Za-z0-9]*(?:\.[A-Z][A-Za-z0-9]*)+')
# Scope names that carry no dot but are never resources.
_BARE_SCOPE_NAMES = {'user_impersonation', 'openid', 'profile', 'email', 'offline_access', '.default'}


class ResourceError(InvalidValueError):
    """A --resource value cannot be turned into a resource URI."""

    recommendation = "Run 'az tokenguard get-token --list-resources' to see the aliases."


# ---------------------------------------------------------------------------
# Alias resolution
# ---------------------------------------------------------------------------

def resolve_resource(value, endpoints, suffixes, cloud_name):
    """Return the resource URI for ``value``: an alias, a full URI or an app id GUID."""
    text = _clean_input(value)
    if is_app_id(text) or is_uri(text):
        hint = detect_permission_as_resource(text, endpoints.get('microsoft_graph_resource_id'))
        if hint:
            raise ResourceError(hint)
        return text
    alias = canonical_alias(text)
    if alias is None:
        hint = detect_permission_as_resource(text, endpoints.get('microsoft_graph_resource_id'))
        raise ResourceError(hint or _unknown_alias_message(text))
    resource, _ = _lookup(alias, endpoints, suffixes, cloud_name)
    if not resource:
        raise ResourceError(
            f"resource alias '{alias}' has no value known for cloud '{cloud_name}': "
            f"pass the resource URI instead, e.g. --resource https://<service-audience>")
    return resource


def resource_of_type(resource_type, endpoints, cloud_name):
    """``--resource-type`` as ``az account get-access-token`` takes it: the cloud endpoint that names.

    Where the cloud has no value, az asks for an ARM token instead; that is an error here, never a token for
    something else."""
    attribute = AZ_RESOURCE_TYPES[resource_type]
    resource = _non_empty(endpoints.get(attribute))
    if not resource:
        raise ResourceError(f"--resource-type {resource_type}: cloud '{cloud_name}' has no {attribute}: "
                            "pass the resource URI with --resource instead",
                            recommendation="Run 'az cloud show' to see the cloud's endpoints.")
    return resource


def resource_table(endpoints, suffixes, cloud_name):
    """Rows ``{alias, resource, source}`` for ``--list-resources``; resource is None if unknown here."""
    rows = []
    for alias in ALIASES:
        resource, source = _lookup(alias, endpoints, suffixes, cloud_name)
        rows.append({'alias': alias, 'resource': resource or None, 'source': source})
    return rows


def canonical_alias(text):
    """The alias ``text`` names (case-insensitive, az's --resource-type names accepted), else None."""
    key = text.strip().lower()
    key = ALIAS_SYNONYMS.get(key, key)
    return key if key in ALIASES else None


def _lookup(alias, endpoints, suffixes, cloud_name):
    """Return ``(resource or None, source description)`` for one alias in one cloud."""
    kind, detail = ALIASES[alias]
    if kind == ENDPOINT:
        source = f'cloud endpoint {detail}' + _missing_note(endpoints, detail, cloud_name)
        return _non_empty(endpoints.get(detail)), source
    if kind == SUFFIX:
        resource = _audience_from_suffix(alias, suffixes.get(detail))
        return resource, f'derived from suffix {detail}' + _missing_note(suffixes, detail, cloud_name)
    if kind == FIXED:
        return detail, 'fixed (same in every cloud)'
    known = detail.get(cloud_name)
    if known:
        return known, f'built-in value for {cloud_name} (not in az cloud metadata)'
    return None, f'not known for cloud {cloud_name} (az cloud metadata has no entry); pass the resource URI'


def _missing_note(mapping, name, cloud_name):
    return '' if _non_empty(mapping.get(name)) else f' (not set for cloud {cloud_name})'


def _audience_from_suffix(alias, suffix):
    """'.vault.azure.net' -> 'https://vault.azure.net'; SQL keeps the trailing slash it is documented with."""
    suffix = _non_empty(suffix)
    if not suffix:
        return None
    host = suffix.strip().lstrip('.').rstrip('/')
    if not host or '/' in host or ' ' in host:
        return None
    audience = 'https://' + host
    return audience + '/' if alias == 'sql' else audience


def _non_empty(value):
    return value if isinstance(value, str) and value.strip() else None


def _unknown_alias_message(text):
    names = ', '.join(ALIASES)
    return (f"unknown resource '{_shorten(text)}': use one of the aliases {names}, "
            f"a resource URI such as https://vault.azure.net, or an application id GUID "
            f"(see --list-resources)")


# ---------------------------------------------------------------------------
# Resource vs scope
# ---------------------------------------------------------------------------

def detect_permission_as_resource(value, graph_resource=None):
    """If ``value`` is a scope/permission passed where a resource belongs, explain the right call; else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > MAX_RESOURCE_LENGTH:
        return None
    if is_uri(text):
        return _explain_scope_uri(text)
    if _looks_like_permission(text):
        graph = (graph_resource or DEFAULT_GRAPH_RESOURCE).rstrip('/')
        return (f"'{text}' is a permission (scope), not a resource. "
                f"Use: az tokenguard get-token --resource graph, or --scope {graph}/{text}")
    return None


def _explain_scope_uri(text):
    if text.endswith(DEFAULT_SCOPE_SUFFIX):
        resource = text[:-len(DEFAULT_SCOPE_SUFFIX)]
        # Guard 'https:///.default' style input: without a host there is no resource to name.
        if not urlsplit(resource).netloc:
            return None
        return (f"'{text}' is a scope (resource + /.default), not a resource. "
                f"Use: az tokenguard get-token --resource {resource}, or --scope {text}")
    parts = urlsplit(text)
    last_segment = parts.path.rsplit('/', 1)[-1]
    if not parts.netloc or not _looks_like_permission(last_segment):
        return None
    resource = text[:len(text) - len(last_segment)].rstrip('/')
    return (f"'{text}' is a permission (scope), not a resource. "
            f"Use: az tokenguard get-token --resource {resource}, or --scope {text}")


def _looks_like_permission(text):
    return text in _BARE_SCOPE_NAMES or bool(_PERMISSION_NAME.fullmatch(text))


def scopes_for_resource(resource):
    """MSAL scopes for a resource, exactly as az does: ``resource + '/.default'``.

    The trailing slash is kept on purpose ('https://management.core.windows.net/' ->
    'https://management.core.windows.net//.default'): Entra issues the audience as
    requested, and az (auth.util.resource_to_scopes) does the same.
    """
    text = _clean_input(resource)
    return [text + DEFAULT_SCOPE_SUFFIX]


def arm_audiences(endpoints):
    """Every name of Azure Resource Manager: az asks for the cloud's AD resource id
    ('https://management.core.windows.net/'), the SDKs' management clients for its resource manager URL
    ('https://management.azure.com/.default'); Entra and ARM take both, so tokenguard does too."""
    names = [endpoints.get(attribute) for attribute in ARM_ENDPOINT_ATTRIBUTES] + list(PUBLIC_ARM_AUDIENCES)
    return tuple(dict.fromkeys(name for name in map(_non_empty, names) if name))


def same_resource(allowed, requested, endpoints):
    """True if ``requested`` names the resource ``allowed`` names: the same audience, or both ARM."""
    if audience_matches(allowed, requested):
        return True
    arm = arm_audiences(endpoints)
    allowed_is_arm = any(audience_matches(name, allowed) for name in arm)
    return allowed_is_arm and any(audience_matches(name, requested) for name in arm)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def is_app_id(text):
    return bool(_GUID.fullmatch(text))


def is_uri(text):
    return bool(_URI_SCHEME.match(text))


def _clean_input(value):
    if not isinstance(value, str) or not value.strip():
        raise ResourceError('empty resource: pass an alias such as arm or graph, a resource URI, '
                            'or an application id GUID (see --list-resources)')
    text = value.strip()
    if len(text) > MAX_RESOURCE_LENGTH or any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise ResourceError(f"invalid resource '{_shorten(text)}': a resource is a single URI, alias "
                            f"or GUID without spaces (at most {MAX_RESOURCE_LENGTH} characters)")
    return text


def _shorten(text):
    # Echo user input safely: one line, printable, bounded.
    text = ''.join(ch if ch.isprintable() else '?' for ch in text[:61])
    return text if len(text) <= 60 else text[:57] + '...'


def resource_of_scopes(scopes):
    """The resource a token for ``scopes`` must be for, from the first scope; None when it cannot be told.

    ``https://vault.azure.net/.default`` -> ``https://vault.azure.net``;
    ``https://graph.microsoft.com/User.Read`` -> ``https://graph.microsoft.com``; ``User.Read`` -> None
    (Entra picks the resource for a bare permission)."""
    first = _clean_input(scopes[0]) if scopes else ''
    if first.endswith(DEFAULT_SCOPE_SUFFIX):
        return first[:-len(DEFAULT_SCOPE_SUFFIX)] or None
    if not is_uri(first):
        return None
    resource, _, _ = first.rpartition('/')
    return resource if is_uri(resource + '/') and not resource.endswith(':/') else None
