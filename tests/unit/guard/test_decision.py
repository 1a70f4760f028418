"""The guard's decision without asking anyone: read-only mode, pins and confirmation, as classify reports it."""
import json

import pytest

from azext_tokenguard.guard.decision import ALLOW, CONFIRM, DENY, decide_calls, read_only_refusal, read_only_source
from azext_tokenguard.guard.classify import classify_words as classify
from azext_tokenguard.guard.policy import Policy

from tests.unit.guard.parsed import as_written

DEV_ID = '11111111-1111-1111-1111-111111111111'


@pytest.fixture
def config_dir(tmp_path):
    entry = {'id': DEV_ID, 'name': 'dev', 'isDefault': True, 'tenantId': 't', 'environmentName': 'AzureCloud',
             'user': {'name': 'alice@contoso.com', 'type': 'user'}}
    (tmp_path / 'azureProfile.json').write_text(json.dumps({'subscriptions': [entry]}))
    return str(tmp_path)


@pytest.mark.parametrize('env, policy_mode, expected', [
    ({}, 'normal', ''), ({'TOKENGUARD_MODE': 'normal'}, 'normal', ''),
    ({'TOKENGUARD_MODE': 'read-only'}, 'normal', 'TOKENGUARD_MODE=read-only'),
    ({'TOKENGUARD_MODE': 'readonly'}, 'normal', 'TOKENGUARD_MODE=readonly'),  # a typo fails closed
    ({'TOKENGUARD_MODE': 'normal'}, 'read-only', 'the tokenguard policy (mode: read-only)'),  # cannot loosen
])
def test_where_read_only_mode_comes_from(env, policy_mode, expected):
    assert read_only_source(Policy(mode=policy_mode), env) == expected


@pytest.mark.parametrize('argv, refused', [
    (['group', 'list'], False), (['group', 'create', '-n', 'x'], True),
    (['account', 'get-access-token'], True),  # issue 22: it returns a credential (the secret class)
    (['group', 'delete', '-n', 'x'], True), (['config', 'set', 'core.output=json'], True), (['login'], True),
    (['tokenguard', 'policy', 'set', '--mode', 'normal'], True), (['tokenguard', 'status'], False),
    (['tokenguard', 'exec', '--', 'sh'], True),
])
def test_read_only_refuses_writes_deletes_and_local_changes(argv, refused):
    reason = read_only_refusal(classify(argv), Policy(mode='read-only'), {})
    assert bool(reason) == refused
    assert not reason or reason.startswith('refused: read-only mode') and '\n' not in reason


def test_decisions_for_shell_text(config_dir):
    text = [(1, ['group', 'create', '-n', 'x']), (1, ['group', 'list']), (2, ['group', 'delete', '-n', 'x'])]
    results, code = decide_calls(text, config_dir, {}, with_lines=True)
    assert [r['decision'] for r in results] == [ALLOW, ALLOW, CONFIRM] and code == 0
    assert [r['line'] for r in results] == [1, 1, 2]
    results, code = decide_calls(text, config_dir, {'TOKENGUARD_MODE': 'read-only'}, with_lines=False)
    assert [r['decision'] for r in results] == [DENY, ALLOW, DENY] and code == 47 and 'line' not in results[0]
    results, _ = decide_calls(text[2:], config_dir, {'TOKENGUARD_CONFIRM': 'dev'}, with_lines=False)
    assert results[0]['decision'] == ALLOW
    results, code = decide_calls(text[1:2], config_dir, {'TOKENGUARD_EXPECT_SUBSCRIPTION': 'other'}, with_lines=False)
    assert results[0]['decision'] == DENY and code == 43


def test_a_file_argument_is_decided_as_az_reads_it_and_shown_as_typed(config_dir, tmp_path):
    (tmp_path / 'verb').write_text('delete\n')
    results, _ = decide_calls([(1, ['group', '@' + str(tmp_path / 'verb'), '-n', 'x'])], config_dir, {},
                              with_lines=False)
    assert results[0]['class'] == 'destructive' and results[0]['decision'] == CONFIRM
    assert '@' in results[0]['command'] and 'delete' not in results[0]['command']


@pytest.mark.parametrize('argv, refused', [
    (['tokenguard', 'shell-init', '--shim', '/d', '--remove'], True), (['tokenguard', 'shell-init', '--shim=/d'], True),
    (['tokenguard', 'shell-init', '--shell', 'bash'], False), (['tokenguard', 'vault', 'lock'], True),
    (['tokenguard', 'vault', 'unlock', '--for', '1h'], True), (['tokenguard', 'vault', 'show'], False),
    (['tokenguard', 'protect', '-s', 'x'], True), (['tokenguard', 'unprotect', '-s', 'x'], True),
    (['tokenguard', 'policy', 'reset'], True), (['tokenguard', 'policy', 'show'], False),
    (['tokenguard', 'pin', '--clear'], True), (['tokenguard', 'use', '--subscription', 'x'], False),
    (['tokenguard', 'audit', 'show'], False), (['tokenguard', 'some-new-command'], True),
])
def test_read_only_covers_tokenguards_own_state(argv, refused):
    """Every tokenguard command that is not listed as a read is refused: a new one is covered until listed."""
    assert bool(read_only_refusal(classify(argv), Policy(mode='read-only'), {}, as_written(argv))) == refused


@pytest.mark.parametrize('env, code', [({}, 46), ({'TOKENGUARD_MODE': 'read-only'}, 47)])
def test_a_call_that_cannot_be_read_is_denied(config_dir, env, code):
    from azext_tokenguard.guard.classify import command_text_invocations
    invocations = command_text_invocations('A=az; $A group list; az group list')
    results, exit_code = decide_calls(invocations, config_dir, env, with_lines=False)
    assert [(r['class'], r['decision']) for r in results] == [('unknown', DENY), ('read', ALLOW)]
    assert results[0]['command'] == "'$A' group list" and 'write the az call out literally' in results[0]['decisionReason']
    assert exit_code == code
