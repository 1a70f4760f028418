"""Issue 22: classes from the requests az sends, the secret class, and read-only mode's refusal of it."""
import os

import pytest

from azext_tokenguard.guard.classify import DESTRUCTIVE, READ, SECRET, WRITE, CommandData, classify_words as classify
from azext_tokenguard.guard.confirm import needs_confirmation, prompt_text
from azext_tokenguard.guard.decision import read_only_refusal
from azext_tokenguard.guard.method_classes import (READ_ONLY_ACTIONS, class_of_requests, is_secret_action,
                                                   parse_request, read_only_action)
from azext_tokenguard.guard.policy import Policy
from azext_tokenguard.guard.profile import Context

from tests.unit.guard.parsed import as_written


def test_a_request_is_its_method_operation_and_the_urls_last_literal_segment():
    assert parse_request('POST StorageAccountsListKeys listKeys') == ('POST', 'StorageAccountsListKeys', 'listKeys')
    assert parse_request('GET Get /subscriptions/{id}/resourcegroups/{name}') == ('GET', 'Get', 'resourcegroups')
    assert parse_request('get Get ?') == ('GET', 'Get', '?')


@pytest.mark.parametrize('requests, expected', [
    (['GET Get groups'], READ),
    (['HEAD CheckExistence groups'], READ),
    (['GET Get x', 'PUT CreateOrUpdate x'], WRITE),  # an update: read, then write back
    (['PATCH Update x'], WRITE),
    (['POST Export export'], WRITE),  # sql db export, redis export: POST starts work
    (['POST GetBootDiagnosticLogs getBootDiagnosticLogs'], WRITE),  # 'get' is not a read-only action
    (['DELETE Delete x'], DESTRUCTIVE),
    (['GET Get x', 'DELETE Delete x'], DESTRUCTIVE),
    (['POST ListKeys listKeys'], SECRET),
    (['POST ListCredentials listClusterUserCredential'], SECRET),
    (['POST ListConnectionStrings listConnectionStrings'], SECRET),
    (['POST BeginGetAccess beginGetAccess'], SECRET),  # disk grant-access: a SAS URL
    (['DELETE Delete listKeys'], DESTRUCTIVE),  # deleting wins over what the response carries
])
def test_the_class_requests_imply(requests, expected):
    assert class_of_requests(requests)[0] == expected


def test_no_request_implies_nothing():
    assert class_of_requests([]) is None


# The named read-only POST actions: each rule with an action it lets through.
@pytest.mark.parametrize('action, rule', [
    ('listAlerts', 'list'), ('listQuotaReport', 'list'), ('query', 'query'), ('queryStatus', 'query'),
    ('checkNameAvailability', 'check...Availability'), ('checkTrafficManagerNameAvailability', 'check...Availability'),
    ('validate', 'validate'), ('validateMigrationToVirtualMachineScaleSet', 'validate'), ('whatIf', 'whatIf'),
])
def test_read_only_post_actions_are_a_small_named_list(action, rule):
    assert read_only_action(action) == rule
    assert class_of_requests([f'POST Op {action}'])[0] == READ


def test_the_read_only_rules_are_exactly_those_the_issue_names():
    assert [name for name, _pattern in READ_ONLY_ACTIONS] == ['list', 'query', 'check...Availability', 'validate',
                                                              'whatIf']


@pytest.mark.parametrize('action', [
    'export', 'import', 'start', 'restart', 'checkDns', 'getBootDiagnosticLogs', 'search', 'whatIfNot',
    'generateVpnProfile', 'prepareMigration',
])
def test_other_post_actions_are_writes(action):
    assert read_only_action(action) == ''
    assert class_of_requests([f'POST Op {action}'])[0] == WRITE


@pytest.mark.parametrize('action, secret', [
    ('listKeys', True), ('listAdminKeys', True), ('listQueryKeys', True), ('listAuthKeys', True),
    ('readonlykeys', True), ('sharedKeys', True), ('listConnectionStrings', True), ('listCredentials', True),
    ('listClusterUserCredential', True), ('listClusterAdminCredential', True), ('generateCredentials', True),
    ('listPeeringPassphrases', True), ('getGatewaySettings', True), ('getvpnprofilepackageurl', True),
    ('listAccountSas', True), ('listServiceSas', True), ('publishxml', False),
    ('getikesas', False),  # IKE security associations, not shared access signatures
    ('keys', False), ('secrets', False), ('federatedIdentityCredentials', False),  # collections, not actions
    ('listLocations', False), ('endGetAccess', False),
])
def test_secret_actions(action, secret):
    assert is_secret_action(action) == secret


def test_a_listing_post_that_returns_credentials_is_a_secret_not_a_read():
    assert read_only_action('listKeys') == 'list'
    assert class_of_requests(['POST ListKeys listKeys'])[0] == SECRET


@pytest.mark.parametrize('command_line', [
    'account get-access-token', 'tokenguard get-token', 'aks get-credentials -g rg -n c',
    'acr credential show -n r', 'webapp deployment list-publishing-profiles -g rg -n app',
    'functionapp keys list -g rg -n f', 'storage account keys list -n sa', 'cosmosdb keys list -n c -g rg',
    'keyvault secret show --vault-name v -n s', 'keyvault secret download --vault-name v -n s -f out',
    'storage blob generate-sas -c c -n b', 'storage account generate-sas --services b',
    'servicebus queue authorization-rule keys list -g rg', 'redis list-keys -g rg -n c',
])
def test_commands_that_return_credentials_are_secret(command_line):
    assert classify(command_line.split()).kind == SECRET


@pytest.mark.parametrize('command_line, expected', [
    ('sql db export -g rg -s srv -n db', WRITE), ('redis export -g rg -n c', WRITE),
    ('webapp log config -g rg -n app', WRITE), ('keyvault security-domain download --hsm-name h', WRITE),
    ('storage account keys renew -n sa --key primary', DESTRUCTIVE),  # renewing keys stays destructive
    ('group list', READ), ('vm show -g rg -n vm', READ), ('resource list', READ),
    ('sql server key list -g rg -s srv', READ),  # TDE key references, no key material
])
def test_named_commands(command_line, expected):
    assert classify(command_line.split()).kind == expected


def test_the_exports_classes_decide_after_the_destructive_rules():
    data = CommandData(['widget purge-all'], {'widget twiddle': READ, 'widget purge-all': WRITE,
                                              'widget delete': WRITE, 'widget show': SECRET})
    assert classify(['widget', 'twiddle'], data).kind == READ
    assert classify(['widget', 'show'], data).kind == SECRET
    assert classify(['widget', 'purge-all'], data).kind == DESTRUCTIVE  # az confirms it
    assert classify(['widget', 'delete'], data).kind == DESTRUCTIVE  # a destructive verb stays destructive


@pytest.mark.parametrize('argv, destructive', [
    (['tokenguard', 'policy', 'set', '--allow-secrets', 'true'], True),
    (['tokenguard', 'policy', 'set', '--allow-secrets'], True),
    (['tokenguard', 'policy', 'set', '--allow-secrets=yes'], True),
    (['tokenguard', 'policy', 'set', '--allow-s', 'true'], True),  # az takes an unambiguous prefix
    (['tokenguard', 'policy', 'set', '--allow-secrets', 'false'], False),  # only tightens
    (['tokenguard', 'policy', 'set', '--mode', 'read-only'], False),
])
def test_allowing_secrets_is_confirmed_like_a_delete(argv, destructive):
    assert (classify(argv).kind == DESTRUCTIVE) == destructive


def test_read_only_mode_refuses_secrets_unless_the_policy_allows_them():
    secret = classify(['storage', 'account', 'keys', 'list', '-n', 'sa'])
    refusal = read_only_refusal(secret, Policy(mode='read-only'), {})
    assert refusal.startswith('refused: read-only mode') and 'returns credentials' in refusal
    assert '--allow-secrets true' in refusal and '\n' not in refusal
    assert read_only_refusal(secret, Policy(mode='read-only', allow_secrets=True), {}) == ''
    # The variable selects read-only mode for a process tree; the policy's allowance still applies, and no
    # value of the variable can loosen it.
    assert read_only_refusal(secret, Policy(), {'TOKENGUARD_MODE': 'read-only'})
    assert read_only_refusal(secret, Policy(), {'TOKENGUARD_MODE': 'read-only+secrets'})
    assert read_only_refusal(secret, Policy(), {}) == ''  # not read-only: a secret is a read


def test_a_secret_is_confirmed_in_a_protected_subscription_saying_it_returns_credentials():
    secret = classify(['aks', 'get-credentials', '-g', 'rg', '-n', 'c'])
    assert needs_confirmation(SECRET, protected=True) and not needs_confirmation(SECRET, protected=False)
    context = Context(subscription_id='0000', subscription_name='contoso-prod', known=True)
    text = prompt_text(as_written(['aks', 'get-credentials', '-g', 'rg', '-n', 'c']), secret, context, True, colour=False)
    assert 'returns credentials' in text.splitlines()[0]


def test_a_regenerated_file_s_classes_replace_the_shipped_ones(tmp_path):
    import json
    from azext_tokenguard.guard.classify import load_confirm_commands, user_confirm_commands_path
    shipped = load_confirm_commands()
    assert shipped.method_classes['hdinsight monitor disable'] == DESTRUCTIVE
    with_classes, without = tmp_path / 'with', tmp_path / 'without'
    for config_dir, document in ((with_classes, {'destructive': ['widget zap'],
                                                 'methodClasses': {'read': ['widget twiddle']}}),
                                 (without, {'destructive': ['widget zap']})):
        path = user_confirm_commands_path(str(config_dir))
        os.makedirs(os.path.dirname(path))
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump(document, handle)
    regenerated = load_confirm_commands(str(with_classes))
    assert 'widget zap' in regenerated and regenerated.method_classes == {'widget twiddle': READ}
    older = load_confirm_commands(str(without))  # written before 0.4.0: the shipped classes still apply
    assert 'widget zap' in older and older.method_classes == shipped.method_classes
