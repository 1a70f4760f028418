"""Reading the az context straight from azureProfile.json and az's config."""
import json

import pytest

from azext_tokenguard.guard.az_files import MANAGED_IDENTITY, SERVICE_PRINCIPAL
from azext_tokenguard.guard.invocation import parse
from azext_tokenguard.guard.profile import load_context
from azext_tokenguard.guard.resource_ids import subscriptions_in_path


def as_written(argv):
    """The command line parsed by name alone: no file read, no option table (the generic rules)."""
    return parse(list(argv), read_files=False, use_table=False)


def option_values(argv, names):
    return as_written(argv).values(names)


def requested_subscription(argv):
    return as_written(argv).requested_subscription


def subscriptions_in_resource_ids(argv):
    return as_written(argv).resource_ids


def expand_file_arguments(argv):
    return list(parse(argv, use_table=False).words)

TENANT = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'
DEV_ID = '11111111-1111-1111-1111-111111111111'
PROD_ID = '22222222-2222-2222-2222-222222222222'
CHINA_ID = '33333333-3333-3333-3333-333333333333'


def entry(sub_id, name, default=False, cloud='AzureCloud', user=None):
    return {'id': sub_id, 'name': name, 'state': 'Enabled', 'isDefault': default, 'tenantId': TENANT,
            'environmentName': cloud, 'tenantDisplayName': 'Contoso', 'tenantDefaultDomain': 'contoso.com',
            'user': user or {'name': 'alice@contoso.com', 'type': 'user'}}


def write_profile(config_dir, subscriptions, bom=True):
    text = json.dumps({'subscriptions': subscriptions, 'installationId': 'x'})
    (config_dir / 'azureProfile.json').write_bytes((b'\xef\xbb\xbf' if bom else b'') + text.encode())


@pytest.fixture
def config_dir(tmp_path):
    write_profile(tmp_path, [entry(DEV_ID, 'Dev Sub', default=True), entry(PROD_ID, 'Prod'),
                             entry(CHINA_ID, 'China', cloud='AzureChinaCloud')])
    return tmp_path


def context(config_dir, argv=(), env=None, cwd=None):
    return load_context(as_written(argv), str(config_dir), env or {}, cwd=str(cwd or config_dir),
                        sleep=lambda _s: None)


def test_default_subscription_from_profile_with_bom(config_dir):
    ctx = context(config_dir)
    assert ctx.known
    assert (ctx.subscription_name, ctx.subscription_id, ctx.tenant_id) == ('Dev Sub', DEV_ID, TENANT)
    assert (ctx.tenant_display_name, ctx.identity_name, ctx.identity_type) == (
        'Contoso', 'alice@contoso.com', 'user')
    assert ctx.cloud == 'AzureCloud' and ctx.source == 'default subscription'


def test_profile_without_bom(tmp_path):
    write_profile(tmp_path, [entry(DEV_ID, 'Dev Sub', default=True)], bom=False)
    assert context(tmp_path).subscription_id == DEV_ID


@pytest.mark.parametrize('argv', [
    ['group', 'delete', '--subscription', 'prod'], ['group', 'delete', '--subscription', 'PROD'],
    ['group', 'delete', '--subscription=Prod'], ['group', 'delete', '--subscription', PROD_ID.upper()],
    ['group', 'delete', '--subscr', 'Prod'], ['account', 'set', '-s', 'Prod'], ['account', 'show', '-n', 'prod'],
    ['vm', 'delete', '--ids', '/subscriptions/{}/resourceGroups/rg/providers/x/vms/v'.format(PROD_ID)],
    ['rest', '-m', 'delete', '--url', 'https://management.azure.com/subscriptions/{}/x'.format(PROD_ID)],
])
def test_subscription_named_on_the_command_line(config_dir, argv):
    ctx = context(config_dir, argv)
    assert ctx.known and ctx.subscription_id == PROD_ID and ctx.subscription_name == 'Prod'


def test_unknown_subscription_gives_unknown_context_with_the_hint(config_dir):
    ctx = context(config_dir, ['group', 'list', '--subscription', 'nope'])
    assert not ctx.known and 'nope' in ctx.reason and ctx.subscription_name == 'nope'


def test_duplicate_names_are_ambiguous(tmp_path):
    write_profile(tmp_path, [entry(DEV_ID, 'Same', default=True), entry(PROD_ID, 'Same')])
    assert not context(tmp_path, ['group', 'list', '--subscription', 'same']).known
    assert context(tmp_path, ['group', 'list', '--subscription', PROD_ID]).subscription_id == PROD_ID


def test_configured_defaults_are_ignored_as_az_ignores_them(config_dir):
    """az 2.91 never applies AZURE_DEFAULTS_SUBSCRIPTION or [defaults] subscription (checked end to end)."""
    assert context(config_dir, env={'AZURE_DEFAULTS_SUBSCRIPTION': 'Prod'}).subscription_id == DEV_ID
    (config_dir / 'config').write_text('[defaults]\nsubscription = Prod\n')
    assert context(config_dir).subscription_id == DEV_ID
    assert context(config_dir, ['x', '--subscription', 'Prod']).subscription_id == PROD_ID


def test_a_local_config_dir_does_not_choose_the_subscription_or_cloud(tmp_path):
    config_dir = tmp_path / 'home' / '.azure'
    config_dir.mkdir(parents=True)
    write_profile(config_dir, [entry(DEV_ID, 'Dev Sub', default=True), entry(PROD_ID, 'Prod')])
    project = tmp_path / 'project' / 'sub'
    (tmp_path / 'project' / '.azure').mkdir(parents=True)
    (tmp_path / 'project' / '.azure' / 'config').write_text('[defaults]\nsubscription=Prod\n[cloud]\nname=X\n')
    project.mkdir()
    assert context(config_dir, cwd=project).subscription_id == DEV_ID


def test_an_unregistered_cloud_is_unknown(config_dir):
    """az warns, switches to AzureCloud and saves that: the guard cannot vouch for where it lands."""
    for env in ({'AZURE_CLOUD_NAME': 'Nope'}, {'AZURE_CLOUD_NAME': ''}):
        ctx = context(config_dir, ['group', 'delete', '-n', 'x'], env=env)
        assert not ctx.known and 'not registered' in ctx.reason
    (config_dir / 'clouds.config').write_text('[Nope]\nendpoint_resource_manager = https://x\n')
    assert 'no default subscription in cloud Nope' in context(config_dir, env={'AZURE_CLOUD_NAME': 'Nope'}).reason


def test_several_defaults_are_unknown(tmp_path):
    write_profile(tmp_path, [entry(DEV_ID, 'Dev', default=True), entry(PROD_ID, 'Prod', default=True)])
    assert not context(tmp_path).known


@pytest.mark.parametrize('argv', [
    ['group', 'show', '--s', 'Prod'], ['group', 'show', '--su=Prod'], ['group', 'show', '--subscr', PROD_ID.upper()],
    ['group', 'show', '--subscription', 'Dev Sub', '--subscription', 'prod'],
    ['account', 'show', '--n', 'Prod'], ['account', 'set', '-sProd'],
    ['tokenguard', 'unprotect', '-s', 'Prod'],
])
def test_every_spelling_of_subscription_that_argparse_accepts(config_dir, argv):
    assert context(config_dir, argv).subscription_id == PROD_ID


def test_file_arguments_are_expanded_as_az_expands_them(tmp_path, config_dir):
    from azext_tokenguard.guard.invocation import UNKNOWN_VALUE
    (tmp_path / 'name').write_text('Prod\n')
    name = str(tmp_path / 'name')
    argv = expand_file_arguments(['group', '@' + name, '--subscription=@' + name, 'x@' + name, '@-',
                                  '@' + str(tmp_path / 'missing'), '@', '@/dev/null'])
    assert argv[:6] == ['group', 'Prod', '--subscription=Prod', 'x@' + name, UNKNOWN_VALUE, '@' + str(tmp_path / 'missing')]
    assert argv[6] == '@' and argv[7] == UNKNOWN_VALUE  # a device is never read: it could be stdin
    assert not context(config_dir, ['group', 'show', '--subscription', UNKNOWN_VALUE]).known


def test_active_cloud(config_dir):
    assert context(config_dir, env={'AZURE_CLOUD_NAME': 'AzureChinaCloud'}).known is False  # no default there
    (config_dir / 'azureProfile.json').write_text(json.dumps({'subscriptions': [
        entry(DEV_ID, 'Dev Sub', default=True), entry(CHINA_ID, 'China', default=True, cloud='AzureChinaCloud')]}))
    (config_dir / 'config').write_text('[cloud]\nname = AzureChinaCloud\n')
    ctx = context(config_dir)
    assert ctx.subscription_id == CHINA_ID and ctx.cloud == 'AzureChinaCloud'


@pytest.mark.parametrize('user, name, kind', [
    ({'name': 'app-id', 'type': 'servicePrincipal'}, 'app-id', SERVICE_PRINCIPAL),
    # Named as `az account show` and `az tokenguard status` name them, not by az's internal 'MSI' marker.
    ({'name': 'systemAssignedIdentity', 'type': 'servicePrincipal', 'assignedIdentityInfo': 'MSI'},
     'systemAssignedIdentity', MANAGED_IDENTITY),
    ({'name': 'userAssignedIdentity', 'type': 'servicePrincipal', 'assignedIdentityInfo': 'MSIClient-x'},
     'userAssignedIdentity', MANAGED_IDENTITY),
    ({'name': 'systemAssignedIdentity', 'type': 'servicePrincipal'}, 'systemAssignedIdentity', MANAGED_IDENTITY),
])
def test_identity_types(tmp_path, user, name, kind):
    write_profile(tmp_path, [entry(DEV_ID, 'Dev', default=True, user=user)])
    ctx = context(tmp_path)
    assert (ctx.identity_name, ctx.identity_type) == (name, kind)


@pytest.mark.parametrize('content', [
    b'', b'{', b'{"subscriptions": 5}', b'[]', b'\xff\xfe\x00', b'{"subscriptions": [' * 5000,
    b'\x00' * 100, b'{"subscriptions": [{"id": 5}, "x", null]}'])
def test_corrupt_profile_gives_unknown_context(tmp_path, content):
    (tmp_path / 'azureProfile.json').write_bytes(content)
    ctx = context(tmp_path, ['group', 'delete', '-n', 'x'])
    assert not ctx.known and ctx.reason


def test_missing_profile(tmp_path):
    ctx = context(tmp_path)
    assert not ctx.known and 'az login' in ctx.reason


def test_huge_profile_is_refused_quickly(tmp_path, monkeypatch):
    from azext_tokenguard.guard import profile
    monkeypatch.setattr(profile, 'MAX_PROFILE_BYTES', 100)
    (tmp_path / 'azureProfile.json').write_bytes(b' ' * 1000)
    ctx = context(tmp_path)
    assert not ctx.known and 'larger' in ctx.reason


def test_profile_being_rewritten_is_retried(tmp_path, monkeypatch):
    from azext_tokenguard.guard import profile
    good = json.dumps({'subscriptions': [entry(DEV_ID, 'Dev', default=True)]}).encode()
    reads = iter([b'', good])
    monkeypatch.setattr(profile, 'read_bounded', lambda path, limit: next(reads) if 'Profile' in path else None)
    assert context(tmp_path).subscription_id == DEV_ID


def test_option_values_forms():
    argv = ['x', '--ids', 'a', 'b', '-g', 'rg', '--name=n1', '-nN2', '--query', '-1']
    assert option_values(argv, ('--ids',)) == ['a', 'b']
    assert option_values(argv, ('-g', '--resource-group')) == ['rg']
    assert option_values(argv, ('--name', '-n')) == ['n1', 'N2']


def test_requested_subscription_and_ids():
    assert requested_subscription(['group', 'list', '--subscription', 'a', '--subscription', 'b']) == 'b'
    assert requested_subscription(['group', 'list', '-s', 'a']) == ''  # -s is not global
    ids = ['/subscriptions/{}/a'.format(PROD_ID), '/SUBSCRIPTIONS/{}/b'.format(DEV_ID.upper()),
           '/subscriptions/{}/c'.format(PROD_ID), '/subscriptions/not-a-guid/d']
    assert subscriptions_in_resource_ids(['vm', 'delete', '--ids'] + ids) == ([PROD_ID, DEV_ID, 'not-a-guid'], [], '')
    url = '/subscriptions/{subscriptionId}/resourcegroups?api-version=1'
    assert subscriptions_in_resource_ids(['rest', '--url', url]) == ([], [], '')
    other = '/subscriptions/{}/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v'.format(PROD_ID)
    assert subscriptions_in_resource_ids(['vm', 'create', '--vnet-name=' + other]) == ([], [PROD_ID], '')
    assert subscriptions_in_resource_ids(['tag', 'delete', '--resource-id', other]) == ([PROD_ID], [], '')


def test_an_option_before_the_command_words_is_unknown(config_dir):
    assert not context(config_dir, ['--debug', 'account', 'show', '-n', 'Prod']).known


def test_a_malformed_or_foreign_resource_id_is_unknown(config_dir):
    assert not context(config_dir, ['resource', 'delete', '--ids', '/subscriptions/oops/resourceGroups/x']).known
    assert not context(config_dir, ['group', 'list', '--subscription', 'nope']).known


def test_ids_in_several_subscriptions_are_all_reported(config_dir):
    ids = ['/subscriptions/{}/a'.format(DEV_ID), '/subscriptions/{}/b'.format(PROD_ID)]
    ctx = context(config_dir, ['vm', 'delete', '--ids'] + ids)
    assert ctx.subscription_id == DEV_ID and ctx.other_subscription_ids == (PROD_ID,)


@pytest.mark.parametrize('path, subscriptions, doubtful', [
    ('/subscriptions/{P}/resourceGroups/x', ['{P}'], False),
    ('/SUBSCRIPTIONS/{P}/RESOURCEGROUPS/x', ['{P}'], False),
    ('https://management.azure.com/subscriptions/{P}/x?api-version=1', ['{P}'], False),
    ('/%73ubscriptions/{P}/x', ['{P}'], False),  # requests sends /subscriptions/
    ('/subscriptions//{P}/x', ['{P}'], True),
    ('/subscriptions/{D}/../{P}/x', ['{P}'], True),
    ('/subscriptions/./{P}/x', ['{P}'], True),
    ('/subscriptions/{D}/%2e%2E/{P}/x', ['{D}'], True),  # requests sends '..': the server resolves it
    ('/subscriptions/{D}/x%2F..%2F..%2Fsubscriptions%2F{P}', ['{D}'], True),
    ('/subscriptions/{D}/x%252F', ['{D}'], True),
    ('/subscriptions\\{P}/x', [], True),
    ('/subscriptions/{P}\x01/x', ['{P}'], True),
    ('/\u017fubscriptions/{P}/x', [], True),  # a long s: a server may fold it to 's'
])
def test_subscriptions_in_path_as_arm_reads_them(path, subscriptions, doubtful):
    path = path.replace('{P}', PROD_ID).replace('{D}', DEV_ID)
    found, doubt = subscriptions_in_path(path)
    assert found == [s.replace('{P}', PROD_ID).replace('{D}', DEV_ID) for s in subscriptions]
    assert bool(doubt) == doubtful


def test_az_rest_resolves_dot_and_empty_segments_itself():
    assert subscriptions_in_path('/subscriptions//{}/x'.format(PROD_ID), normalised_by_az=True) == ([PROD_ID], '')
    url = 'https://h/subscriptions/{}/x/../../{}/y'.format(DEV_ID, PROD_ID)
    assert subscriptions_in_resource_ids(['rest', '-m', 'delete', '-u', url]) == ([PROD_ID], [], '')
    assert subscriptions_in_resource_ids(['resource', 'delete', '--ids', url])[2]


@pytest.mark.parametrize('url', ['/subscriptions//{}/x', '/subscriptions/{}/%2E%2E/{}/x'])
def test_a_doubtful_id_is_an_unknown_context(config_dir, url):
    ctx = context(config_dir, ['resource', 'delete', '--ids', url.format(DEV_ID, PROD_ID)])
    assert not ctx.known and ctx.doubtful and not ctx.subscription_id


@pytest.mark.parametrize('value', ['https://acct.blob.core.windows.net/c/a%2Fb%2E?sig=x', 'alicé@contoso.example',
                                   '/providers/Microsoft.Management/managementGroups/../mg'])
def test_a_value_that_names_no_subscription_is_no_doubt(value):
    assert subscriptions_in_path(value) == ([], '')
    assert subscriptions_in_path('/sub%73criptions/x/%2E%2E/y')[1]  # an escaped letter still counts
