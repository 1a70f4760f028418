"""The one parse of a command line (guard/invocation.py): what it holds, and that every reader in the guard
takes only it, never the plain words (each would otherwise walk them again, and may read them otherwise)."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azext_tokenguard.guard import audit, classify, confirm, decision, fast_token, profile, redact, selection, \
    signin
from azext_tokenguard.guard.invocation import UNKNOWN_VALUE, Invocation, is_passthrough, parse
from azext_tokenguard.guard.policy import Policy
from azext_tokenguard.guard.profile import Context

from tests.unit.guard.option_table import NO_CONFIG_DIR, table_of
from tests.unit.guard.test_options_property import Refused, oracle_for, oracle_reads

PROD_ID = '22222222-2222-2222-2222-222222222222'
SECRET = 'Tg-Fake-Secret-Value-42'
CONTEXT = Context(True, subscription_id=PROD_ID, subscription_name='Prod')


def test_one_parse_holds_the_command_its_options_and_the_words_as_az_reads_them(tmp_path):
    name_file = tmp_path / 'name'
    name_file.write_text('rg-from-file\n', encoding='utf-8')
    invocation = parse(['group', 'delete', '--s', 'Prod', '-n', '@' + str(name_file), '--y'], NO_CONFIG_DIR)
    assert invocation.command == ('group', 'delete') and invocation.command_name == 'group delete'
    assert invocation.words == ('group', 'delete', '--subscription', 'Prod', '-n', 'rg-from-file', '--yes')
    assert invocation.typed[2:4] == ('--s', 'Prod')  # as typed, for what a person is shown
    assert invocation.values(('--name', '-n')) == ['rg-from-file']
    assert invocation.requested_subscription == 'Prod'
    assert invocation.options.command == 'group delete' and invocation.ambiguous == ()
    assert invocation.positionals == ()


def test_repeats_keep_every_value_and_argparse_keeps_the_last():
    invocation = parse(['group', 'list', '--subscription', 'a', '--subscrip', 'b'], NO_CONFIG_DIR)
    assert invocation.values(('--subscription',)) == ['a', 'b']
    assert invocation.requested_subscription == 'b'


def test_resource_ids_and_positionals_are_found_once():
    invocation = parse(['resource', 'delete', '--ids', f'/subscriptions/{PROD_ID}/resourceGroups/rg/x/y'],
                       NO_CONFIG_DIR)
    assert invocation.resource_ids == ([PROD_ID], [], '')
    assert parse(['config', 'set', 'core.output=json'], NO_CONFIG_DIR).positionals == ('core.output=json',)


def test_an_ambiguous_prefix_is_kept_for_the_context_to_refuse():
    invocation = parse(['vm', 'create', '--s', 'Prod'], NO_CONFIG_DIR)
    assert invocation.ambiguous == ('--s',)
    assert not profile.load_context(invocation, NO_CONFIG_DIR, {}).known


def test_the_redacted_view_hides_secrets_of_the_typed_words():
    invocation = parse(['login', '-u', 'app', '--p', SECRET, '--tenant', 't'], NO_CONFIG_DIR)
    assert SECRET not in ' '.join(invocation.redacted)
    assert invocation.redacted[:3] == ('login', '-u', 'app')
    assert redact.redact(invocation) == list(invocation.redacted)


def test_stdin_and_unreadable_arguments_are_unknown():
    invocation = parse(['group', 'list', '--query', '@-'], NO_CONFIG_DIR)
    assert invocation.has_unknown_value and UNKNOWN_VALUE in invocation.words[-1]
    assert not invocation.unknown_outside_values  # it is the value of --query


def test_steering_is_a_changed_copy_before_a_double_dash():
    invocation = parse(['x', 'exec', '--', 'ls'], read_files=False, use_table=False)
    steered = invocation.with_subscription(PROD_ID)
    assert steered.words == ('x', 'exec', '--subscription', PROD_ID, '--', 'ls')
    assert invocation.words == ('x', 'exec', '--', 'ls')


def test_an_invocation_cannot_be_changed():
    invocation = parse(['group', 'list'])
    with pytest.raises(AttributeError):
        invocation.anything = 1  # __slots__: no new attribute
    assert isinstance(invocation.words, tuple) and isinstance(invocation.typed, tuple)


def test_help_and_version_pass_through_unparsed():
    assert is_passthrough([]) and is_passthrough(['--version']) and is_passthrough(['group', 'delete', '-h'])
    assert not is_passthrough(['group', 'delete'])


@pytest.mark.parametrize('read', [
    lambda argv: classify.classify(argv),
    lambda argv: profile.load_context(argv, NO_CONFIG_DIR, {}),
    lambda argv: redact.redact(argv),
    lambda argv: confirm.targets(argv),
    lambda argv: confirm.prompt_text(argv, classify.classify_words(['group', 'delete']), CONTEXT, True, False),
    lambda argv: confirm.ask(argv, classify.classify_words(['group', 'delete']), CONTEXT, True, {},
                             open_tty=_no_terminal, say=lambda _line: None),
    lambda argv: confirm.az_yes_words(argv, classify.classify_words(['group', 'delete']), frozenset()),
    lambda argv: selection.plan(argv, 'group delete', {}, NO_CONFIG_DIR, context_free=False),
    lambda argv: audit.entry('refused', 'test', argv, CONTEXT, 'destructive', now=0),
    lambda argv: decision.decide(argv, classify.classify_words(['group', 'delete']), CONTEXT, Policy(), {},
                                 protected=False),
    lambda argv: decision.read_only_refusal(classify.classify_words(['group', 'delete']), Policy(), {}, argv),
    lambda argv: fast_token.parse_request(argv),
    lambda argv: fast_token.answer(argv, NO_CONFIG_DIR, {}),
], ids=['classify', 'context', 'redaction', 'confirm targets', 'confirm prompt', 'confirm ask', 'az --yes',
        'steering', 'audit record', 'decision', 'read-only refusal', 'get-access-token request',
        'get-access-token answer'])
def test_no_reader_takes_the_plain_words(read):
    """Each step of the guard reads the one parse; given a list it refuses, so none can walk argv again."""
    with pytest.raises(TypeError):
        read(['group', 'delete', '-n', 'rg1'])
    with pytest.raises(TypeError):
        read(('group', 'delete', '-n', 'rg1'))


def test_the_readers_accept_the_parse():
    invocation = parse(['group', 'delete', '-n', 'rg1'], NO_CONFIG_DIR)
    assert classify.classify(invocation).kind == classify.DESTRUCTIVE
    assert confirm.targets(invocation) == [('name', 'rg1')]
    assert audit.entry('refused', 'test', invocation, CONTEXT, 'destructive', now=0)['command'] == \
        'az group delete -n rg1'
    assert not signin.is_device_code_login('login', invocation)


def _no_terminal():
    raise OSError('no terminal')


# ---------------------------------------------------------------- the parse against argparse

COMMANDS = ('group delete', 'rest', 'login', 'keyvault secret set', 'storage blob sync', 'vm create')
VALUES = st.sampled_from(('v1', 'rg-2', 'a b', '-1', 'x=y', 'Prod'))


@st.composite
def command_lines(draw):
    """A command of az's table and options of it, by full name or an unambiguous prefix, repeats allowed."""
    table = table_of(draw(st.sampled_from(COMMANDS)))
    argv = []
    for spec in draw(st.lists(st.sampled_from(table.specs), min_size=1, max_size=6)):
        name = draw(st.sampled_from([n for n in spec.names if n.startswith('--')] or list(spec.names)))
        prefixes = [name[:size] for size in range(3, len(name) + 1)
                    if name[:size] == name or table.candidates(name[:size]) == [name]] if name[:2] == '--' else [name]
        argv.append(draw(st.sampled_from(prefixes)))
        count = {'!': 0, '?': draw(st.integers(0, 1)), '+': draw(st.integers(1, 3)), '*': draw(st.integers(0, 3))}
        argv.extend(draw(st.lists(VALUES, min_size=count.get(spec.nargs, 1), max_size=count.get(spec.nargs, 1))))
    return table, argv


@settings(max_examples=300, deadline=None)
@given(command_lines())
def test_the_parse_reads_options_as_argparse_does(case):
    """Over az's option table: each option's values in the Invocation equal argparse's (the last repeat wins)."""
    table, argv = case
    try:
        wanted = oracle_reads(oracle_for(table), table, argv)
    except Refused:
        return  # argparse refuses the line; the option tests check the guard knows (test_options_property.py)
    invocation = parse(table.command.split() + argv, NO_CONFIG_DIR)
    assert isinstance(invocation, Invocation) and invocation.options.command == table.command
    for spec in table.specs:
        given_values = [values for found, _word, values in invocation.parsed if found is spec]
        assert (given_values[-1] if given_values else None) == wanted.get(spec.names), argv
