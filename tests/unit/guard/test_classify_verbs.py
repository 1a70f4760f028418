"""Verb rules for commands that destroy data without being called delete, and underscores in command names."""
import shlex

import pytest

from azext_tokenguard.guard.classify import DESTRUCTIVE, READ, WRITE, classify_words as classify, command_path


def kind_of(command_line):
    return classify(shlex.split(command_line)).kind


@pytest.mark.parametrize('command_line', [
    'netappfiles volume revert -g rg -a acc -p pool -v vol -s snap',
    'netappfiles volume reset-cifs-pw -g rg -a acc -p pool -v vol',
    'redis force-reboot -g rg -n cache --reboot-type AllNodes',
    'vm user reset-ssh -g rg -n vm',
    'staticwebapp secrets reset-api-key -g rg -n site',
    'storage account revoke-delegation-keys -g rg -n sa',
    'disk revoke-access -g rg -n disk',
    'eventhubs georecovery-alias fail-over -g rg --namespace-name ns -a alias',
    'eventhubs georecovery-alias break-pair -g rg --namespace-name ns -a alias',
    'storage account failover -g rg -n sa',
    'iot hub manual-failover -n hub',
    'storage container lease break -c site --account-name sa',
    'storage blob lease break -c site -b blob --account-name sa',
    'vm simulate-eviction -g rg -n vm',
    'vmss simulate-eviction -g rg -n vmss --instance-id 0',
    'cosmosdb offline-region -g rg -n db --region westus',
    'aks nodepool rollback -g rg --cluster-name k -n np',
    'security alerts-suppression-rule delete_scope --rule-name r --field f',
    'frobnicate widget purge_all',
])
def test_data_losing_verbs_are_destructive(command_line):
    assert kind_of(command_line) == DESTRUCTIVE


def test_the_reason_names_the_verb_as_typed():
    reason = classify(['security', 'alerts-suppression-rule', 'delete_scope']).reason
    assert "'delete_scope'" in reason and 'cuts off' in reason


def test_underscores_are_command_words():
    assert command_path(['security', 'automation', 'create_or_update', '-g', 'rg']) == [
        'security', 'automation', 'create_or_update']
    assert kind_of('security automation create_or_update -g rg -n a') == WRITE
    assert kind_of('security alerts-suppression-rule upsert_scope --rule-name r') == WRITE
    assert kind_of('security secure-score-controls list_by_score -n s') == READ
    assert command_path(['config', 'set', 'core.output=json']) == ['config', 'set']  # values still end the path


@pytest.mark.parametrize('command_line, expected', [
    ('storage blob sync -c c -s ./dir --account-name sa', DESTRUCTIVE),  # --delete-destination defaults to true
    ('storage blob sync -c c -s ./dir --delete-destination false', WRITE),
    ('storage blob sync -c c -s ./dir --delete-destination=False', WRITE),
    ('storage blob sync -c c -s ./dir --delete-destination prompt', DESTRUCTIVE),
    ('storage blob sync -c c -s ./dir --delete-destination @answer.txt', DESTRUCTIVE),
    ('storage blob sync -c c -s ./dir --delete-destination', DESTRUCTIVE),  # no value: az's default
    ('storage blob upload -c c -f x --account-name sa', WRITE),
])
def test_blob_sync_deletes_unless_told_not_to(command_line, expected):
    assert kind_of(command_line) == expected


def test_sync_reason_says_why():
    assert 'by default' in classify(shlex.split('storage blob sync -c c -s ./dir')).reason


def test_unprotect_is_a_policy_change_confirmed_like_a_delete():
    result = classify(shlex.split('tokenguard unprotect --subscription contoso-prod'))
    assert result.kind == DESTRUCTIVE and 'protection' in result.reason
    assert kind_of('tokenguard protect --subscription contoso-prod') == READ  # tightening needs no question
    # reset asks itself, by the protected names (custom.policy_reset): the guard leaves that one question to it
    assert 'protected names' in classify(shlex.split('tokenguard policy reset')).reason
    assert kind_of('tokenguard policy show') == READ
