import json

import pytest
from azure.cli.core.cloud import AZURE_CHINA_CLOUD, AZURE_PUBLIC_CLOUD, AZURE_US_GOV_CLOUD

from azext_tokenguard.guard.claims import audience_matches
from azext_tokenguard.tokens.resources import (
    ALIASES, ResourceError, detect_permission_as_resource, resolve_resource, resource_table, same_resource,
    scopes_for_resource)


def cloud_maps(cloud):
    # vars() bypasses CloudEndpoints.__getattribute__, which raises for unset values.
    return dict(vars(cloud.endpoints)), dict(vars(cloud.suffixes)), cloud.name


PUBLIC = cloud_maps(AZURE_PUBLIC_CLOUD)
USGOV = cloud_maps(AZURE_US_GOV_CLOUD)
CHINA = cloud_maps(AZURE_CHINA_CLOUD)

REQUIRED_ALIASES = {'arm', 'graph', 'keyvault', 'storage', 'sql', 'devops', 'loganalytics', 'batch',
                    'synapse', 'datalake', 'cosmos', 'appinsights'}


def resolve(value, cloud):
    return resolve_resource(value, *cloud)


def test_required_aliases_exist():
    assert REQUIRED_ALIASES <= set(ALIASES)


@pytest.mark.parametrize('alias, expected', [
    ('arm', 'https://management.core.windows.net/'),
    ('graph', 'https://graph.microsoft.com/'),
    ('keyvault', 'https://vault.azure.net'),
    ('managedhsm', 'https://managedhsm.azure.net'),
    ('storage', 'https://storage.azure.com/'),
    ('sql', 'https://database.windows.net/'),
    ('ossrdbms', 'https://ossrdbms-aad.database.windows.net'),
    ('devops', '499b84ac-1321-427f-aa17-267ca6975798'),
    ('loganalytics', 'https://api.loganalytics.io'),
    ('batch', 'https://batch.core.windows.net/'),
    ('synapse', 'https://dev.azuresynapse.net'),
    ('datalake', 'https://datalake.azure.net/'),
    ('cosmos', 'https://cosmos.azure.com'),
    ('appinsights', 'https://api.applicationinsights.io'),
])
def test_public_cloud_aliases(alias, expected):
    assert resolve(alias, PUBLIC) == expected


@pytest.mark.parametrize('alias, expected', [
    ('arm', 'https://management.core.usgovcloudapi.net/'),
    ('graph', 'https://graph.microsoft.us/'),
    ('keyvault', 'https://vault.usgovcloudapi.net'),
    ('sql', 'https://database.usgovcloudapi.net/'),
    ('loganalytics', 'https://api.loganalytics.us'),
    ('batch', 'https://batch.core.usgovcloudapi.net/'),
    ('synapse', 'https://dev.azuresynapse.usgovcloudapi.net'),
    ('appinsights', 'https://api.applicationinsights.us'),
    ('storage', 'https://storage.azure.com/'),
])
def test_us_government_aliases(alias, expected):
    assert resolve(alias, USGOV) == expected


@pytest.mark.parametrize('alias, expected', [
    ('arm', 'https://management.core.chinacloudapi.cn/'),
    ('graph', 'https://microsoftgraph.chinacloudapi.cn'),
    ('keyvault', 'https://vault.azure.cn'),
    ('sql', 'https://database.chinacloudapi.cn/'),
    ('loganalytics', 'https://api.loganalytics.azure.cn'),
    ('batch', 'https://batch.chinacloudapi.cn/'),
    ('synapse', 'https://dev.azuresynapse.azure.cn'),
    ('appinsights', 'https://api.applicationinsights.azure.cn'),
])
def test_china_aliases(alias, expected):
    assert resolve(alias, CHINA) == expected


@pytest.mark.parametrize('cloud', [USGOV, CHINA], ids=['usgov', 'china'])
def test_sovereign_clouds_never_get_public_cloud_urls(cloud):
    public_hosts = ('windows.net', 'microsoft.com', 'azure.net', '.io', 'azure.com')
    for row in resource_table(*cloud):
        if row['resource'] and not row['source'].startswith('fixed'):
            assert not row['resource'].endswith(public_hosts) and not row['resource'].rstrip('/').endswith(
                public_hosts), row


@pytest.mark.parametrize('alias, cloud', [
    ('datalake', USGOV), ('datalake', CHINA), ('cosmos', USGOV), ('cosmos', CHINA), ('devops', CHINA),
])
def test_alias_unknown_in_cloud_names_alias_and_cloud(alias, cloud):
    with pytest.raises(ResourceError) as err:
        resolve(alias, cloud)
    message = str(err.value)
    assert alias in message and cloud[2] in message and 'resource URI' in message


def test_aliases_are_case_insensitive_and_trimmed():
    assert resolve(' Graph ', PUBLIC) == resolve('GRAPH', PUBLIC) == 'https://graph.microsoft.com/'
    assert resolve('KeyVault', CHINA) == 'https://vault.azure.cn'


def test_az_resource_type_names_are_accepted():
    assert resolve('ms-graph', PUBLIC) == 'https://graph.microsoft.com/'
    assert resolve('data-lake', PUBLIC) == 'https://datalake.azure.net/'
    assert resolve('oss-rdbms', PUBLIC) == 'https://ossrdbms-aad.database.windows.net'


@pytest.mark.parametrize('value', [
    'https://vault.azure.net', 'https://management.core.windows.net/', 'https://storage.azure.com/',
    'api://my-api', 'https://contoso.onmicrosoft.com/myapi', '499b84ac-1321-427f-aa17-267ca6975798',
    '499B84AC-1321-427F-AA17-267CA6975798',
])
def test_uris_and_app_ids_pass_through_unchanged(value):
    assert resolve(value, CHINA) == value


def test_unknown_alias_lists_aliases():
    with pytest.raises(ResourceError) as err:
        resolve('vaultt', PUBLIC)
    assert 'keyvault' in str(err.value) and '--list-resources' in str(err.value)


@pytest.mark.parametrize('value', ['', '   ', None, 'a b', 'gra\nph', 'x' * 5000, 'https://a\x00b'])
def test_bad_input_gives_one_line_error(value):
    with pytest.raises(ResourceError) as err:
        resolve(value, PUBLIC)
    message = str(err.value)
    assert '\n' not in message and '\x00' not in message and len(message) < 400


def test_resolve_rejects_scopes_passed_as_resource():
    with pytest.raises(ResourceError, match='permission'):
        resolve('User.Read', PUBLIC)
    with pytest.raises(ResourceError, match='/.default'):
        resolve('https://graph.microsoft.com/.default', PUBLIC)


def test_missing_endpoint_in_custom_cloud_is_an_error():
    endpoints = dict(PUBLIC[0], microsoft_graph_resource_id=None)
    with pytest.raises(ResourceError, match="'graph'.*'MyCloud'"):
        resolve_resource('graph', endpoints, PUBLIC[1], 'MyCloud')


def test_resource_table_rows():
    rows = resource_table(*USGOV)
    assert [row['alias'] for row in rows] == list(ALIASES)
    by_alias = {row['alias']: row for row in rows}
    assert by_alias['graph'] == {'alias': 'graph', 'resource': 'https://graph.microsoft.us/',
                                 'source': 'cloud endpoint microsoft_graph_resource_id'}
    assert by_alias['keyvault']['source'] == 'derived from suffix keyvault_dns'
    assert by_alias['storage']['source'] == 'fixed (same in every cloud)'
    assert by_alias['datalake']['resource'] is None
    assert 'not set for cloud AzureUSGovernment' in by_alias['datalake']['source']
    assert by_alias['cosmos']['resource'] is None
    json.dumps(rows)  # must be returnable as CLI output


def test_resource_table_reports_same_values_as_resolve():
    for cloud in (PUBLIC, USGOV, CHINA):
        for row in resource_table(*cloud):
            if row['resource']:
                assert resolve(row['alias'], cloud) == row['resource']


@pytest.mark.parametrize('value, resource_hint, scope_hint', [
    ('User.Read', '--resource graph', '--scope https://graph.microsoft.com/User.Read'),
    ('Directory.Read.All', '--resource graph', '--scope https://graph.microsoft.com/Directory.Read.All'),
    ('https://graph.microsoft.com/User.Read', '--resource https://graph.microsoft.com,',
     '--scope https://graph.microsoft.com/User.Read'),
    ('https://graph.microsoft.com/.default', '--resource https://graph.microsoft.com,',
     '--scope https://graph.microsoft.com/.default'),
    ('https://management.core.windows.net//.default', '--resource https://management.core.windows.net/,',
     '--scope https://management.core.windows.net//.default'),
    ('https://management.azure.com/user_impersonation', '--resource https://management.azure.com,',
     '--scope https://management.azure.com/user_impersonation'),
    ('offline_access', '--resource graph', '--scope'),
])
def test_detect_permission_as_resource(value, resource_hint, scope_hint):
    hint = detect_permission_as_resource(value)
    assert hint is not None and '\n' not in hint
    assert f"'{value}'" in hint and 'not a resource' in hint
    assert resource_hint in hint and scope_hint in hint


def test_detect_permission_uses_the_active_clouds_graph():
    hint = detect_permission_as_resource('User.Read', graph_resource='https://graph.microsoft.us/')
    assert '--scope https://graph.microsoft.us/User.Read' in hint


@pytest.mark.parametrize('value', [
    'https://vault.azure.net', 'https://management.core.windows.net/', 'https://storage.azure.com/',
    'https://management.azure.com/', 'https://database.windows.net/', 'vault.azure.net', 'graph', 'arm',
    '499b84ac-1321-427f-aa17-267ca6975798', 'https://contoso.onmicrosoft.com/myapi',
    'https://dc.applicationinsights.azure.com/v2/track', '', None, 'https:///.default',
])
def test_plain_resources_are_not_flagged(value):
    assert detect_permission_as_resource(value) is None


def test_scopes_for_resource_matches_az():
    from azure.cli.core.auth.util import resource_to_scopes
    for resource in ('https://management.core.windows.net/', 'https://vault.azure.net',
                     '499b84ac-1321-427f-aa17-267ca6975798'):
        assert scopes_for_resource(resource) == resource_to_scopes(resource)
    assert scopes_for_resource('https://management.core.windows.net/') == [
        'https://management.core.windows.net//.default']


def test_scopes_for_resource_rejects_empty():
    with pytest.raises(ResourceError):
        scopes_for_resource('  ')


@pytest.mark.parametrize('requested, aud, expected', [
    ('https://management.core.windows.net/', 'https://management.core.windows.net/', True),
    ('https://management.core.windows.net/', 'https://management.core.windows.net', True),
    ('https://vault.azure.net', 'https://vault.azure.net/', True),
    ('https://Vault.Azure.net', 'https://vault.azure.net', True),
    ('https://vault.azure.net', 'https://vault.azure.cn', False),
    ('https://management.azure.com/', 'https://management.core.windows.net/', False),
    ('499b84ac-1321-427f-aa17-267ca6975798', '499b84ac-1321-427f-aa17-267ca6975798', True),
    ('499b84ac-1321-427f-aa17-267ca6975798', 'https://app.vssps.visualstudio.com', False),
    ('https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000', False),
    ('https://vault.azure.net', ['https://other', 'https://vault.azure.net'], True),
    ('https://vault.azure.net', None, False),
    ('https://vault.azure.net', 42, False),
    ('', '', False),
    (None, 'https://vault.azure.net', False),
])
def test_audience_matches(requested, aud, expected):
    assert audience_matches(requested, aud) is expected


from hypothesis import given, strategies as st  # noqa: E402


@given(st.text(max_size=200))
def test_any_text_resolves_or_raises_resource_error(text):
    try:
        resolve(text, USGOV)
    except ResourceError as err:
        assert '\n' not in str(err)
    detect_permission_as_resource(text)


@pytest.mark.parametrize("scopes, resource", [
    (["https://vault.azure.net/.default"], "https://vault.azure.net"),
    (["https://management.core.windows.net//.default"], "https://management.core.windows.net/"),
    (["https://graph.microsoft.com/User.Read", "https://graph.microsoft.com/Mail.Read"], "https://graph.microsoft.com"),
    (["api://my-app/access"], "api://my-app"),
    (["User.Read"], None),
    ([], None),
])
def test_resource_of_scopes(scopes, resource):
    from azext_tokenguard.tokens.resources import resource_of_scopes
    assert resource_of_scopes(scopes) == resource


@pytest.mark.parametrize('allowed, requested, expected', [
    ('https://management.core.windows.net/', 'https://management.azure.com', True),  # an azure-mgmt client
    ('https://management.core.windows.net/', 'https://management.azure.com/', True),
    ('https://management.azure.com', 'https://management.core.windows.net', True),
    ('https://management.core.windows.net/', 'https://graph.microsoft.com', False),
    ('https://vault.azure.net', 'https://management.azure.com', False),
    ('https://vault.azure.net', 'https://vault.azure.net/', True),
])
def test_arm_is_one_resource_under_both_names(allowed, requested, expected):
    assert same_resource(allowed, requested, PUBLIC[0]) is expected


def test_arm_names_of_a_sovereign_cloud_include_its_resource_manager():
    assert same_resource('https://management.core.chinacloudapi.cn/', 'https://management.chinacloudapi.cn/',
                         CHINA[0])
    assert not same_resource('https://management.core.chinacloudapi.cn/', 'https://vault.azure.cn', CHINA[0])
