"""Issue 22: the guard's class of every az 2.91 command whose requests az's code names, against the class those
requests imply (guard/method_classes.py), from the shipped export (guard/data/command_methods.json).

Every difference is an exception named here with its reason. All of them are the guard's existing destructive
rules, which the issue keeps ("DELETE is destructive, and so are the existing destructive rules"): a command
az itself confirms, or whose verb deletes, replaces or cuts off data, keys or access, stays destructive
whatever request it sends (fail closed).
"""
import json
import os

import pytest

from azext_tokenguard.guardcmd.command_table_export import method_class_overrides
from azext_tokenguard.guard import classify as classify_module
from azext_tokenguard.guard.classify import DESTRUCTIVE, classify_words as classify, load_confirm_commands
from azext_tokenguard.guard.method_classes import class_of_requests

DATA_DIR = os.path.dirname(classify_module.SHIPPED_DATA_PATH)
METHODS_PATH = os.path.join(DATA_DIR, classify_module.METHODS_FILE_NAME)

CONFIRMED_BY_AZ = "az itself asks to confirm it (confirmation=True): the guard keeps az's own judgement"
REMOVES_PART_BY_PUT = ('removes a part of a resource (a pool, rule, certificate, identity) by writing the '
                       'resource back without it')
REPLACES_CREDENTIALS = ('a POST that replaces or revokes keys, passwords or access: what used the old ones '
                        'stops working')
LOSES_DATA_OR_PAIRING = ('a POST that fails over, fails back, breaks a pairing or reverts: data not yet '
                         'replicated is lost')
OTHER_DESTRUCTIVE_ACTION = 'a POST that deletes instances or a replication, reimages, resets, evicts or unshares'

# Each command where the guard says otherwise than the requests az sends, and why.
EXCEPTIONS = {
    # az itself asks to confirm it (confirmation=True): the guard keeps az's own judgement
    **dict.fromkeys((
        'batchai job terminate',
        'disk-encryption-set identity remove',
        'hdinsight host restart',
        'monitor action-group identity remove',
        'netappfiles account ad remove',
        'netappfiles account change-key-vault',
        'netappfiles account transitiontocmk',
        'netappfiles volume break-file-locks',
        'netappfiles volume export-policy remove',
        'netappfiles volume revert-relocation',
        'network application-gateway private-link ip-config remove',
        'network application-gateway private-link remove',
        'network virtual-appliance migration abort',
        'redis flush',
        'sql mi link failover',
        'storage account migration start',
    ), CONFIRMED_BY_AZ),
    # removes a part of a resource (a pool, rule, certificate, identity) by writing the resource back without it
    **dict.fromkeys((
        'monitor account identity remove',
        'monitor activity-log alert action-group remove',
        'monitor activity-log alert scope remove',
        'monitor log-analytics cluster identity remove',
        'monitor log-analytics workspace identity remove',
        'netappfiles account identity remove',
        'network application-gateway address-pool delete',
        'network application-gateway auth-cert delete',
        'network application-gateway client-cert remove',
        'network application-gateway frontend-ip delete',
        'network application-gateway frontend-port delete',
        'network application-gateway http-listener delete',
        'network application-gateway http-settings delete',
        'network application-gateway listener delete',
        'network application-gateway probe delete',
        'network application-gateway redirect-config delete',
        'network application-gateway rewrite-rule condition delete',
        'network application-gateway rewrite-rule delete',
        'network application-gateway rewrite-rule set delete',
        'network application-gateway root-cert delete',
        'network application-gateway routing-rule delete',
        'network application-gateway rule delete',
        'network application-gateway settings delete',
        'network application-gateway ssl-cert delete',
        'network application-gateway ssl-profile remove',
        'network application-gateway url-path-map delete',
        'network application-gateway url-path-map rule delete',
        'network application-gateway waf-policy custom-rule delete',
        'network application-gateway waf-policy custom-rule match-condition remove',
        'network cross-region-lb address-pool address remove',
        'network cross-region-lb frontend-ip delete',
        'network cross-region-lb rule delete',
        'network express-route peering connection ipv6-config remove',
        'network express-route port identity remove',
        'network lb address-pool address remove',
        'network lb address-pool delete',
        'network lb address-pool tunnel-interface remove',
        'network lb frontend-ip delete',
        'network lb inbound-nat-pool delete',
        'network lb inbound-nat-rule delete',
        'network lb outbound-rule delete',
        'network lb probe delete',
        'network lb rule delete',
        'network nic ip-config delete',
        'network nic ip-config inbound-nat-rule remove',
        'network private-endpoint asg remove',
        'network private-endpoint dns-zone-group remove',
        'network private-endpoint ip-config remove',
        'network virtual-appliance identity remove',
        'network vnet-gateway identity remove',
        'network vnet-gateway nat-rule remove',
        'network vnet-gateway revoked-cert delete',
        'network vnet-gateway root-cert delete',
        'network watcher connection-monitor endpoint remove',
        'network watcher connection-monitor test-configuration remove',
        'policy assignment identity remove',
        'policy assignment non-compliance-message delete',
        'sig identity remove',
    ), REMOVES_PART_BY_PUT),
    # a POST that replaces or revokes keys, passwords or access: what used the old ones stops working
    **dict.fromkeys((
        'disk revoke-access',
        'eventhubs eventhub authorization-rule keys renew',
        'eventhubs namespace authorization-rule keys renew',
        'netappfiles account renew-credentials',
        'netappfiles cache reset-smb-password',
        'netappfiles volume reset-cifs-pw',
        'network vpn-connection shared-key reset',
        'relay hyco authorization-rule keys renew',
        'relay namespace authorization-rule keys renew',
        'relay wcfrelay authorization-rule keys renew',
        'search admin-key renew',
        'search service admin-key regenerate',
        'servicebus namespace authorization-rule keys renew',
        'servicebus queue authorization-rule keys renew',
        'servicebus topic authorization-rule keys renew',
        'snapshot revoke-access',
        'storage account local-user regenerate-password',
        'storage account revoke-delegation-keys',
    ), REPLACES_CREDENTIALS),
    # a POST that fails over, fails back, breaks a pairing or reverts: data not yet replicated is lost
    **dict.fromkeys((
        'cosmosdb failover-priority-change',
        'eventhubs georecovery-alias break-pair',
        'eventhubs georecovery-alias fail-over',
        'eventhubs namespace failover',
        'monitor log-analytics workspace failback',
        'monitor log-analytics workspace failover',
        'netappfiles volume revert',
        'servicebus georecovery-alias break-pair',
        'servicebus georecovery-alias fail-over',
        'servicebus namespace failover',
        'sql mi failover',
    ), LOSES_DATA_OR_PAIRING),
    # a POST that deletes instances or a replication, reimages, resets, evicts or unshares
    **dict.fromkeys((
        'netappfiles volume replication remove',
        'network virtual-appliance reimage',
        'network vnet-gateway reset',
        'sig share remove',
        'sig share reset',
        'vm reimage',
        'vm simulate-eviction',
        'vmss delete-instances',
        'vmss simulate-eviction',
    ), OTHER_DESTRUCTIVE_ACTION),
}


def _load(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


@pytest.fixture(scope='module', name='methods')
def methods_export():
    return _load(METHODS_PATH)


def test_the_export_is_of_az_2_91_and_each_source_decided_commands(methods):
    shipped = _load(classify_module.SHIPPED_DATA_PATH)
    assert methods['azVersion'] == shipped['azVersion'] == '2.91.0'
    assert methods['commandCount'] == shipped['commandCount'] == sum(methods['sources'].values()) == 6105
    assert methods['sources']['aaz'] > 1800 and methods['sources']['sdk'] > 500
    assert len(methods['commands']) == methods['sources']['aaz'] + methods['sources']['sdk']
    assert shipped['requestSources'] == methods['sources']


def test_every_command_has_the_class_its_requests_imply_or_is_a_named_exception(methods):
    confirm = load_confirm_commands()
    differing = {}
    for name, requests in methods['commands'].items():
        implied = class_of_requests(requests)[0]
        guard = classify(name.split(), confirm)
        if guard.kind != implied:
            differing[name] = (guard.kind, implied, guard.reason)
    unexplained = {name: found for name, found in differing.items() if name not in EXCEPTIONS}
    assert not unexplained, 'name each with its reason in EXCEPTIONS, or fix the classifier'
    assert not set(EXCEPTIONS) - set(differing), 'these agree now: take them out of EXCEPTIONS'
    # Every exception is the guard being stricter (destructive), never looser, than the requests.
    assert {kind for kind, _implied, _reason in differing.values()} == {DESTRUCTIVE}


def test_the_shipped_classes_are_what_the_requests_imply(methods):
    """The guard reads only confirm_commands.json's methodClasses; they must be the export's requests, applied."""
    shipped = _load(classify_module.SHIPPED_DATA_PATH)
    assert method_class_overrides(shipped['destructive'], methods['commands']) == shipped['methodClasses']


@pytest.mark.parametrize('name, expected', [
    ('network virtual-appliance get-boot-diagnostic-log', 'write'),  # a POST the verb called a read
    ('storage account keys list', 'secret'),
    ('cosmosdb list-keys', 'secret'),
    ('search admin-key show', 'secret'),
    ('disk grant-access', 'secret'),  # a SAS URL to the disk
    ('hdinsight monitor disable', 'destructive'),  # sends DELETE
    ('storage account file-service-usage', 'read'),  # only GET: not a change, whatever its words
    ('group show', 'read'),
    ('group delete', 'destructive'),
])
def test_named_commands_take_the_class_of_their_requests(name, expected, methods):
    assert name in methods['commands']
    assert class_of_requests(methods['commands'][name])[0] == expected
    assert classify(name.split()).kind == expected
