"""The classifier: destructive / write / read with a reason, from az's command table and verb rules."""
import json
import shlex

import pytest

from azext_tokenguard.guard import classify as classify_module
from azext_tokenguard.guard.classify import (
    DESTRUCTIVE, READ, SECRET, WRITE, classify_command_text, classify_script, command_path, load_confirm_commands)
from azext_tokenguard.guard.classify import classify_words as classify


def kind_of(command_line):
    return classify(shlex.split(command_line)).kind


@pytest.mark.parametrize('command_line, expected', [
    # az asks to confirm these itself (shipped command-table data)
    ('group delete -n rg1', DESTRUCTIVE),
    ('storage account delete -n sa -g rg', DESTRUCTIVE),
    ('aks delete -n k -g rg', DESTRUCTIVE),
    # delete / purge / remove verbs, also delete-*/remove-*
    ('network vnet delete -g rg -n vnet', DESTRUCTIVE),
    ('keyvault purge -n kv', DESTRUCTIVE),
    ('keyvault secret purge --vault-name kv -n s', DESTRUCTIVE),
    ('role assignment delete --assignee bob --scope /subscriptions/x', DESTRUCTIVE),
    ('storage blob delete-batch -s c --account-name a', DESTRUCTIVE),
    ('webapp config appsettings delete -g rg -n app --setting-names A', DESTRUCTIVE),
    ('network nsg rule remove-something -g rg', DESTRUCTIVE),
    ('account clear', DESTRUCTIVE),
    # key regeneration and rotation
    ('storage account keys renew -n sa --key primary', DESTRUCTIVE),
    ('cosmosdb keys regenerate -n db -g rg --key-kind primary', DESTRUCTIVE),
    ('keyvault key rotate --vault-name kv -n k', DESTRUCTIVE),
    ('cognitiveservices account keys regenerate -n a -g rg --key-name Key1', DESTRUCTIVE),
    ('redis regenerate-key -n r -g rg --key-type Primary', DESTRUCTIVE),
    ('ad sp credential reset --id x', DESTRUCTIVE),
    # writes
    ('group create -n rg1 -l westeurope', WRITE),
    ('vm update -g rg -n vm --set tags.a=b', WRITE),
    ('keyvault secret set --vault-name kv -n s --value v', WRITE),
    ('vm start -g rg -n vm', WRITE),
    ('keyvault set-policy -n kv --upn a', WRITE),
    # reads
    ('group list', READ),
    ('vm show -g rg -n vm', READ),
    ('keyvault secret get-versions --vault-name kv', READ),
    ('group exists -n rg', READ),
    ('group wait -n rg --deleted', READ),
    ('deployment group what-if -g rg -f main.bicep --mode Complete', READ),
    ('deployment group validate -g rg -f main.bicep --mode Complete', READ),
    ('account show', READ),
    ('account get-access-token', SECRET),  # issue 22: an access token is a credential
    ('version', READ),
    ('', READ),
])
def test_classification_table(command_line, expected):
    assert kind_of(command_line) == expected


@pytest.mark.parametrize('command_line', [
    'group delete -n rg1 --help', 'group delete -h', '-h', 'rest -m DELETE --url x --help',
    'account clear --help', 'deployment group create --mode Complete -h'])
def test_help_always_wins(command_line):
    result = classify(shlex.split(command_line))
    assert result.kind == READ and 'help' in result.reason


@pytest.mark.parametrize('command_line, expected', [
    ('rest --url /subscriptions/x', READ),  # GET is the default
    ('rest -m get --url x', READ),
    ('rest --method HEAD --url x', READ),
    ('rest --method put --url x --body {}', WRITE),
    ('rest -m PATCH --url x', WRITE),
    ('rest --method=post --url x', WRITE),
    ('rest --method DELETE --url x', DESTRUCTIVE),
    ('rest -m delete --url x', DESTRUCTIVE),
    ('rest --method=Delete --url x', DESTRUCTIVE),
    ('rest -mDELETE --url x', DESTRUCTIVE),
    ('rest --meth delete --url x', DESTRUCTIVE),  # argparse abbreviation
    ('rest -m get -m delete --url x', DESTRUCTIVE),  # the last one counts
    ('rest -m @method.txt --url x', DESTRUCTIVE),  # unreadable method: fail closed
])
def test_rest_methods(command_line, expected):
    assert kind_of(command_line) == expected


@pytest.mark.parametrize('command_line, expected', [
    ('deployment group create -g rg -f main.bicep --mode Complete', DESTRUCTIVE),
    ('deployment group create -g rg -f main.bicep --mode complete', DESTRUCTIVE),
    ('deployment group create -g rg -f main.bicep --mode=COMPLETE', DESTRUCTIVE),
    ('group deployment create -g rg --template-file t.json --mode Complete', DESTRUCTIVE),
    ('deployment group create -g rg -f main.bicep --mode Incremental', WRITE),
    ('deployment group create -g rg -f main.bicep', WRITE),
    ('deployment sub create -l westeurope -f main.bicep', WRITE),
    ('stack group create -g rg -n s -f main.bicep --action-on-unmanage deleteAll', DESTRUCTIVE),
    ('stack group create -g rg -n s -f main.bicep --action-on-unmanage detachAll', WRITE),
    ('storage blob sync -c c -s ./dir --delete-destination true', DESTRUCTIVE),
    ('storage blob sync -c c -s ./dir --delete-destination false', WRITE),
])
def test_argument_rules(command_line, expected):
    assert kind_of(command_line) == expected


@pytest.mark.parametrize('command_line, expected', [
    ('frobnicate widget delete --name x', DESTRUCTIVE),
    ('frobnicate widget purge-all', DESTRUCTIVE),
    ('frobnicate widget create', WRITE),
    ('frobnicate widget show', READ),
    ('frobnicate widget list-things', READ),
    ('frobnicate widget twiddle', WRITE),          # no verb known to only read: a change (fail closed)
    ('webapp connection create mysql', WRITE),     # the last word is the target type; "create" decides
    ('webapp connection list-support-types', READ),
    ('containerapp exec -n app', WRITE),
    ('network application-gateway waf-policy custom-rule match-condition list', READ),
    ('backup protection undelete', WRITE),
    ('spring app logs -n a', READ),
    # issue 22: az posts .../queries/search, and 'search' is not one of the named read-only POST actions
    ('monitor log-analytics query-pack query search', WRITE),
])
def test_unknown_commands_fall_back_to_verb_rules(command_line, expected):
    assert kind_of(command_line) == expected


def test_local_only_commands_are_not_writes():
    assert kind_of('account set -s prod') == READ
    assert kind_of('config set core.output=json') == READ
    assert kind_of('tokenguard protect --subscription prod') == READ
    assert kind_of('extension remove -n foo') == DESTRUCTIVE  # delete verbs stay destructive


def test_command_path_skips_options_values_and_global_flags():
    assert command_path(['--debug', 'group', 'delete', '-n', 'x']) == ['group', 'delete']
    assert command_path(['config', 'set', 'core.output=json']) == ['config', 'set']
    assert command_path(['Group', 'Delete']) == ['group', 'delete']
    assert command_path(['account', 'clear', '2']) == ['account', 'clear']
    assert classify(['group', 'delete', '-n', 'rg1']).command == 'group delete'


def test_reason_names_az_confirmation():
    assert 'az itself asks' in classify(['group', 'delete', '-n', 'x']).reason


def test_shipped_data_has_az_confirmations():
    names = load_confirm_commands()
    assert 'group delete' in names and 'vm delete' in names
    assert len(names) > 100


def test_user_regenerated_data_is_added(tmp_path):
    user_dir = tmp_path / 'tokenguard'
    user_dir.mkdir()
    (user_dir / 'confirm_commands.json').write_text(json.dumps(
        {'azVersion': '9.9', 'destructive': ['myext widget frob']}))
    confirm = load_confirm_commands(str(tmp_path))
    assert 'myext widget frob' in confirm and 'group delete' in confirm
    assert classify(['myext', 'widget', 'frob'], confirm).kind == DESTRUCTIVE


@pytest.mark.parametrize('content', [b'', b'{', b'[]', b'{"destructive": 5}', b'\xff\xfe', b'[' * 100000])
def test_malformed_user_data_is_ignored(tmp_path, content):
    user_dir = tmp_path / 'tokenguard'
    user_dir.mkdir()
    (user_dir / 'confirm_commands.json').write_bytes(content)
    classify_module._confirm_cache.pop(str(tmp_path), None)  # pylint: disable=protected-access
    assert 'group delete' in load_confirm_commands(str(tmp_path))


def test_classify_command_text_with_and_without_az():
    assert classify_command_text('group delete -n rg1') == [
        {'command': 'az group delete -n rg1', 'class': DESTRUCTIVE,
         'reason': 'az itself asks to confirm this command'}]
    assert classify_command_text('az group list')[0]['class'] == READ
    assert [r['class'] for r in classify_command_text('az group list && az group delete -n x')] == [
        READ, DESTRUCTIVE]
    assert classify_command_text('') == []


def test_classify_script_reports_lines():
    script = 'set -e\naz group create -n rg -l westeurope\n\naz group delete -n rg \\\n  --yes\n'
    result = classify_script(script)
    assert [(r['line'], r['class']) for r in result] == [(2, WRITE), (4, DESTRUCTIVE)]
    assert result[1]['command'] == 'az group delete -n rg --yes'


def test_five_thousand_line_script_classifies():
    # Speed is measured by the benchmark under bench/; this only runs the size.
    lines = []
    for index in range(1250):
        lines += ['# step {}'.format(index),
                  'az group create -n "rg {}" -l westeurope \\'.format(index),
                  '   --tags owner=me',
                  'ID=$(az group show -n rg{} --query id -o tsv) && az group delete -n rg{} --yes'.format(
                      index, index)]
    result = classify_script('\n'.join(lines))
    assert len(result) == 3750
    assert result[-1]['class'] == DESTRUCTIVE and result[-1]['line'] == 5000
