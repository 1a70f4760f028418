"""Property test of the guard's reading of az's argv, over real commands of az's option table: every prefix of
every long option, the @file forms (``--opt @f``, ``--opt=@f``, ``@f`` as a command word), and random command
lines of several options, read by the guard exactly as az reads them. The oracle is argparse itself (az's
parser is argparse; a parser is built per command from the same table) behind az's own @file expansion
(azure.cli.core.commands._expand_file_prefixed_files). Seeded, so every run checks the same cases; the
shipped file itself is checked against az's parser end to end (tests/e2e/test_option_table.py)."""
import argparse
import random

import pytest

from azure.cli.core.commands import _expand_file_prefixed_files

from azext_tokenguard.guard.invocation import parse
from azext_tokenguard.guard.options import ANY, NONE, ONE_OR_MORE, OPTIONAL

from tests.unit.fuzz_support import FUZZ_CASES
from tests.unit.guard.option_table import NO_CONFIG_DIR, all_commands, table_of

SEED = 16
SAMPLED_COMMANDS = 60
RANDOM_LINES_PER_COMMAND = 15
# The commands the issue names, always among the sampled ones.
NAMED_COMMANDS = ('group delete', 'rest', 'login', 'deployment group create', 'tag delete', 'keyvault secret set',
                  'storage blob sync', 'vm create', 'role assignment delete', 'monitor diagnostic-settings delete')
FILE_TEXT = 'value-from-file'


class Refused(Exception):
    """argparse's error: az prints it and runs no command."""


class OracleParser(argparse.ArgumentParser):
    def error(self, message):
        raise Refused(message)


def sampled_commands():
    commands = all_commands()
    return sorted(set(random.Random(SEED).sample(commands, SAMPLED_COMMANDS)) | set(NAMED_COMMANDS))


def oracle_for(table):
    parser = OracleParser(prog=table.command, add_help=False, allow_abbrev=True)
    for position, spec in enumerate(table.specs):
        kwargs = {'dest': f'o{position}', 'default': None}
        if spec.nargs == NONE:
            kwargs.update(action='store_const', const=True)
        elif spec.nargs:
            kwargs['nargs'] = spec.nargs
        if spec.nargs == OPTIONAL:
            kwargs['const'] = True  # given without a value: there, with none
        parser.add_argument(*spec.names, **kwargs)
    return parser


def oracle_reads(parser, table, argv):
    """``{spec names: values}`` as argparse reads argv (after az's own @file expansion), or Refused."""
    namespace = parser.parse_args(_expand_file_prefixed_files(list(argv)))
    found = {}
    for position, spec in enumerate(table.specs):
        value = getattr(namespace, f'o{position}')
        if value is not None:
            found[spec.names] = [] if value is True else value if isinstance(value, list) else [value]
    return found


def guard_reads(words, argv):
    """``{spec names: values}`` as the guard reads the command line: its one parse (invocation.parse), as before
    each az command: @file arguments expanded, abbreviations resolved against az's table, values as argparse
    gives them (the last of a repeated option wins, as in argparse's namespace)."""
    seen = parse(list(words) + list(argv), NO_CONFIG_DIR)
    assert seen.options.command == ' '.join(words)
    return {spec.names: values for spec, _word, values in seen.parsed if spec is not None}, seen


def value_forms(spec, prefix, file_path):
    """Command lines giving one option by ``prefix``, with the value az's parser will end up with."""
    if spec.nargs == NONE:
        return [([prefix], [])]
    return [([prefix, 'v1'], ['v1']), ([prefix + '=v1'], ['v1']), ([prefix, '@' + file_path], [FILE_TEXT]),
            ([prefix + '=@' + file_path], [FILE_TEXT])]


@pytest.fixture(scope='module')
def file_path(tmp_path_factory):
    path = tmp_path_factory.mktemp('atfile') / 'value.txt'
    path.write_text(FILE_TEXT + '\n', encoding='utf-8')
    return str(path)


@pytest.mark.parametrize('command', sampled_commands())
def test_every_prefix_of_every_option_reads_as_az_reads_it(command, file_path):
    table = table_of(command)
    parser = oracle_for(table)
    words = command.split()
    exact = {name: spec for spec in table.specs for name in spec.names}
    checked = 0
    for spec in table.specs:
        for name in (n for n in spec.names if n.startswith('--')):
            for length in range(3, len(name) + 1):
                target = exact.get(name[:length], spec)  # argparse: an exact name wins (--what-if, not -format)
                for argv, expected in value_forms(target, name[:length], file_path):
                    check_one(parser, table, words, (argv, target, expected))
                    checked += 1
    assert checked > 20


def check_one(parser, table, words, case):
    argv, spec, expected = case
    FUZZ_CASES['argv against argparse (guard options)'] += 1
    prefix = argv[0].partition('=')[0]
    try:
        wanted = oracle_reads(parser, table, argv)
    except Refused as refusal:
        guard_view, seen = guard_reads(words, argv)
        spellings = {table.resolve(name)[0] for name in table.candidates(prefix)}
        assert 'ambiguous option' in str(refusal), (argv, str(refusal))
        # argparse refuses: the guard knows az will too, or the prefix names one action by several spellings
        # (--ur for --url/--uri), which newer Pythons take and the guard therefore reads as that action.
        assert seen.ambiguous == (prefix,) or (len(spellings) == 1 and guard_view == {spec.names: expected})
        return
    assert wanted == {spec.names: expected}, argv
    guard_view, seen = guard_reads(words, argv)
    assert guard_view == wanted, argv
    assert seen.values(spec.names) == expected  # what the guard's rules and redaction read
    assert seen.ambiguous == ()


@pytest.mark.parametrize('command', sampled_commands())
def test_random_command_lines_read_as_az_reads_them(command, file_path):
    """Several options at once, each by a random unambiguous prefix or its full name, values as their nargs
    allow (a flag none, + and * several, ? one or none), some from @file."""
    table = table_of(command)
    parser = oracle_for(table)
    rng = random.Random(f'{SEED}:{command}')
    for _ in range(RANDOM_LINES_PER_COMMAND):
        argv = random_line(rng, table, file_path)
        FUZZ_CASES['argv against argparse (guard options)'] += 1
        guard_view, _seen = guard_reads(command.split(), argv)
        assert guard_view == oracle_reads(parser, table, argv), argv


def random_line(rng, table, file_path):
    argv = []
    for spec in rng.sample(table.specs, min(len(table.specs), rng.randint(1, 5))):
        long_names = [name for name in spec.names if name.startswith('--')] or list(spec.names)
        name = rng.choice(long_names)
        argv.append(rng.choice(unambiguous_prefixes(table, spec, name)))
        argv.extend(random_values(rng, spec, file_path))
    return argv


def unambiguous_prefixes(table, spec, name):
    if not name.startswith('--'):
        return [name]
    return [name[:length] for length in range(3, len(name) + 1)
            if name[:length] == name or (table.candidates(name[:length]) == [name] and
                                         table.resolve(name[:length])[0] is spec)]


def random_values(rng, spec, file_path):
    count = {NONE: 0, OPTIONAL: rng.randint(0, 1), ONE_OR_MORE: rng.randint(1, 3), ANY: rng.randint(0, 3)}
    values = [rng.choice(('v1', 'rg-2', 'a b', '@' + file_path, '-1', 'x=y'))
              for _ in range(count.get(spec.nargs, 1))]
    return values


@pytest.mark.parametrize('command', NAMED_COMMANDS)
def test_a_command_word_from_a_file_is_that_word(command, tmp_path):
    """az expands @file before it looks up the command: `az group @f` with f holding `delete` is group delete."""
    words = command.split()
    word_file = tmp_path / 'word'
    word_file.write_text(words[-1] + '\n', encoding='utf-8')
    table = table_of(command)
    spec = next(spec for spec in table.specs if spec.nargs == '' and spec.names[0].startswith('--'))
    shortest = unambiguous_prefixes(table, spec, spec.names[0])[0]
    typed = words[:-1] + ['@' + str(word_file), shortest, 'v1']
    assert list(parse(typed, use_table=False).words) == _expand_file_prefixed_files(list(typed))  # az's own
    seen = parse(typed, NO_CONFIG_DIR)
    assert seen.options.command == command and seen.command == tuple(words)
    assert seen.values(spec.names) == ['v1'] == guard_reads(words, [shortest, 'v1'])[0][spec.names]
