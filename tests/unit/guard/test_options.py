"""az's option table in the guard: abbreviations resolved per command as argparse resolves them, values taken
as argparse takes them, and secrets known by the table (guard/options.py, data/command_options.json)."""
import json

import pytest

from azext_tokenguard.guard import options
from azext_tokenguard.guard.classify import DESTRUCTIVE, classify
from azext_tokenguard.guard.invocation import parse
from azext_tokenguard.guard.options import (ABBREVIATION, AMBIGUOUS, EXACT, UNKNOWN, CommandOptions, OptionSpec,
                                            options_for)
from azext_tokenguard.guard.profile import load_context

from tests.unit.guard.parsed import redacted as redact_argv
from tests.unit.guard.test_profile import DEV_ID, PROD_ID, entry, write_profile

SECRET = 'Tg-Fake-Secret-Value-42'


@pytest.fixture
def config_dir(tmp_path):
    write_profile(tmp_path, [entry(DEV_ID, 'Dev Sub', default=True), entry(PROD_ID, 'Prod')])
    return tmp_path


def resolved(*argv, config_dir=None):
    """The command line as the guard parses it (files not read)."""
    return parse(list(argv), str(config_dir) if config_dir else '/nonexistent', read_files=False)


@pytest.mark.parametrize('text, names, nargs, secret', [
    ('password|-p$', ('--password', '-p'), '', True),
    ('ids+', ('--ids',), '+', False),
    ('yes|-y!', ('--yes', '-y'), '!', False),
    ('-h|help!', ('-h', '--help'), '!', False),
    ('cmd?', ('--cmd',), '?', False),
    ('tags*', ('--tags',), '*', False),
])
def test_a_spec_reads_back_as_written(text, names, nargs, secret):
    spec = OptionSpec.decode(text)
    assert (spec.names, spec.nargs, spec.secret) == (names, nargs, secret)
    assert spec.encode() == text


def test_resolution_follows_argparse():
    command = CommandOptions('x', [OptionSpec.decode(t) for t in
                                   ('subscription', 'name|-n', 'no-wait!', 'url|uri|-u', 'url-parameters+')])
    assert command.resolve('--name')[:2] == (command.specs[1], EXACT)
    assert command.resolve('--s')[:2] == (command.specs[0], ABBREVIATION)
    assert command.resolve('--s=Prod') == (command.specs[0], ABBREVIATION, 'Prod')
    assert command.resolve('--n')[1] == AMBIGUOUS  # --name or --no-wait: az refuses the command
    assert command.resolve('--ur')[1] == AMBIGUOUS  # --url, --uri and --url-parameters
    assert command.resolve('--uri')[:2] == (command.specs[3], EXACT)  # an exact name beats a longer one
    assert command.resolve('-nrg1') == (command.specs[1], EXACT, 'rg1')
    assert command.resolve('--zzz')[1] == UNKNOWN
    assert command.candidates('--n') == ['--name', '--no-wait']


def test_spellings_of_one_action_are_that_action():
    """Python 3.11's argparse calls `--ur` ambiguous between --url and --uri of one action; later ones may
    take it. The guard takes it: a command az refuses runs nothing, one it runs must not go unread."""
    command = CommandOptions('rest', [OptionSpec.decode('url|uri|-u')])
    assert command.resolve('--ur')[:2] == (command.specs[0], ABBREVIATION)


def test_values_are_taken_as_argparse_takes_them():
    command = CommandOptions('x', [OptionSpec.decode(t) for t in ('ids+', 'yes|-y!', 'name|-n', 'defer?')])
    found = command.parse(['vm', 'delete', '--ids', 'a', 'b', '--yes', 'stray', '-n', '-1', '--defer', '--', '-n'])
    assert [(spec.names[0], values) for spec, _word, values in found] == [
        ('--ids', ['a', 'b']), ('--yes', []), ('--name', ['-1']), ('--defer', [])]


def test_abbreviations_of_real_commands_are_written_out():
    assert resolved('group', 'delete', '--s', 'Prod', '-n', 'rg1').words == (
        'group', 'delete', '--subscription', 'Prod', '-n', 'rg1')
    assert resolved('rest', '--m', 'delete', '--url', 'x').words[:3] == ('rest', '--method', 'delete')
    assert resolved('deployment', 'group', 'create', '--m=Complete').words[3] == '--mode=Complete'
    assert resolved('login', '--use-d').words[1] == '--use-device-code'
    argv = resolved('group', 'delete', '--n', 'rg1')
    assert argv.options is not None and argv.ambiguous == ('--n',)


def test_commands_az_does_not_have_keep_the_generic_rules():
    assert resolved('nosuchgroup', 'delete', '--s', 'Prod').options is None
    assert resolved('group', 'list').options is None  # no long option: the table is not even read


def test_where_a_command_lands_follows_the_resolved_option(config_dir):
    argv = resolved('group', 'delete', '--s', 'Prod', '-n', 'rg1', config_dir=config_dir)
    context = load_context(argv, str(config_dir), {}, sleep=lambda _s: None)
    assert (context.known, context.subscription_id) == (True, PROD_ID)
    ambiguous = load_context(resolved('group', 'delete', '--n', 'rg1'), str(config_dir), {}, sleep=lambda _s: None)
    assert not ambiguous.known and '--n is ambiguous for az group delete' in ambiguous.reason


def test_options_that_are_not_the_subscription_do_not_name_one(config_dir):
    """`--s` is --subscription only where it can mean nothing else; in `vm create` it is ambiguous, and az
    refuses the command, whatever the guard's generic rule would have read into it."""
    argv = resolved('vm', 'create', '--s', 'Prod', '-n', 'vm1', config_dir=config_dir)
    assert argv.ambiguous == ('--s',)
    assert not load_context(argv, str(config_dir), {}, sleep=lambda _s: None).known


def test_classification_reads_abbreviated_options():
    assert classify(resolved('rest', '--m', 'delete', '--url', 'x')).kind == DESTRUCTIVE
    assert classify(resolved('deployment', 'group', 'create', '--m', 'Complete', '-g', 'rg')).kind == DESTRUCTIVE
    assert classify(resolved('storage', 'blob', 'sync', '--delete-d', 'false', '-c', 'c', '-s', 's')).kind != \
        DESTRUCTIVE


def test_values_of_multi_value_options_come_from_the_table():
    argv = resolved('resource', 'delete', '--id', '/subscriptions/a/x', '/subscriptions/b/y', '--no-wait')
    assert argv.words[2] == '--ids'
    assert argv.values(('--ids',)) == ['/subscriptions/a/x', '/subscriptions/b/y']


@pytest.mark.parametrize('argv', [
    ['login', '-u', 'app', '--p', SECRET, '--tenant', 't'],  # --p is login's --password
    ['login', '-u', 'app', '--pa=' + SECRET],
    ['login', '--service-principal', '-u', 'app', '--f', SECRET, '--tenant', 't'],  # --federated-token
    ['vm', 'create', '-n', 'vm1', '--admin-pass', SECRET],
    ['keyvault', 'secret', 'set', '--vault-name', 'kv', '-n', 's', '--val', SECRET],
    ['network', 'vpn-connection', 'create', '-n', 'c', '--shared-k', SECRET],
    ['netappfiles', 'account', 'ad', 'add', '--server-root-ca-cert', SECRET],  # an AAZ password argument
    ['group', 'delete', '--pas', SECRET],  # no such option: az refuses it, the name still says secret
])
def test_secrets_are_hidden_by_the_resolved_option(argv):
    assert SECRET not in ' '.join(resolved(*argv).redacted_as_read)
    assert SECRET not in ' '.join(redact_argv(argv))  # typed, as the audit log and the prompt get it


def test_names_and_targets_stay_visible():
    argv = ['keyvault', 'secret', 'delete', '--vault-name', 'kv', '--n', 'db-password']
    assert redact_argv(argv) == argv  # --name of a secret names it; it is not the secret
    argv = ['group', 'delete', '--s', 'contoso-prod', '--name', 'rg1', '--yes']
    assert redact_argv(argv) == argv


def write_user_table(config_dir, groups):
    path = options.user_data_path(str(config_dir))
    (config_dir / 'tokenguard').mkdir(exist_ok=True)
    document = {'azVersion': '2.91.0', 'commandCount': 1, 'common': 'debug! -h|help!', 'groups': groups}
    with open(path, 'w', encoding='utf-8') as out:
        out.write(json.dumps(document, indent=1, sort_keys=True))


def test_the_users_regenerated_table_adds_their_extensions_and_wins(tmp_path):
    write_user_table(tmp_path, {'myext': 'subscription secret-thing$\ndo thing\t0 1',
                                'group': 'subscription scary\ndelete\t0 1'})
    mine = options_for(['myext', 'do', 'thing', '--s', 'x'], str(tmp_path))
    assert mine.command == 'myext do thing' and mine.resolve('--se')[0].secret
    assert options_for(['group', 'delete'], str(tmp_path)).resolve('--sc')[0].names == ('--scary',)
    assert options_for(['group', 'list'], str(tmp_path)).resolve('--query')[1] == EXACT  # the shipped one
    assert SECRET not in ' '.join(parse(['myext', 'do', 'thing', '--sec', SECRET], str(tmp_path)).redacted)


def test_a_damaged_table_is_no_table(tmp_path):
    (tmp_path / 'tokenguard').mkdir()
    for text in ('', '{', '[]', '{"groups": {"group": 7}}', '{"groups": {"group": "x\\ndelete\\t9"}}'):
        options._documents.clear()
        with open(options.user_data_path(str(tmp_path)), 'w', encoding='utf-8') as out:
            out.write(text)
        found = options_for(['group', 'delete'], str(tmp_path))
        assert found is not None and found.resolve('--s')[1] == ABBREVIATION  # the shipped table answers
    options._documents.clear()


def test_the_quick_reader_sees_what_json_sees():
    """The guard decodes only the group it needs; that must be the document json.loads reads."""
    with open(options.SHIPPED_DATA_PATH, 'rb') as source:
        data = source.read()
    document = json.loads(data)
    table = options._Table(data)
    assert table.common() == document['common'].split()
    for group, chunk in document['groups'].items():
        assert table.chunk(group) == chunk
    assert table.chunk('nosuchgroup') is None


def test_a_secret_that_looks_like_an_option_is_still_hidden():
    """argparse reads `-x...` after --password as an option and az refuses the command; the audit log still
    must not keep the word typed where the password goes."""
    assert redact_argv(['login', '-u', 'app', '--password', '-' + SECRET]) == ['login', '-u', 'app', '--password',
                                                                              '***']
