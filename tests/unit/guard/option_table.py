"""az's option table as the tests walk it: every command of the shipped data/command_options.json, and the
guard's view of one (guard/options.py)."""
import json

from azext_tokenguard.guard import options

NO_CONFIG_DIR = '/nonexistent'  # the shipped table alone, whatever the machine's own config dir holds


def all_commands():
    """Every command name of the shipped table, sorted."""
    with open(options.SHIPPED_DATA_PATH, 'rb') as source:
        groups = json.loads(source.read())['groups']
    names = []
    for first, chunk in groups.items():
        for line in chunk.split('\n')[1:]:
            rest = line.split('\t')[0]
            names.append(f'{first} {rest}' if rest else first)
    return sorted(names)


def table_of(command):
    """The guard's CommandOptions of ``command`` from the shipped table."""
    found = options.options_for(command.split(), NO_CONFIG_DIR)
    assert found is not None and found.command == command, command
    return found


def unique_prefix(table, name):
    """The shortest prefix of the long option ``name`` that argparse resolves to it alone, else ``name``."""
    for length in range(3, len(name)):
        if table.candidates(name[:length]) == [name]:
            return name[:length]
    return name


def secret_options(command):
    """``[(spec, long name or the first one)]`` of the command's secret-bearing options."""
    table = table_of(command)
    return [(spec, spec.canonical) for spec in table.specs if spec.secret]


def fake_secret(command, number, name):
    """A fake secret value, unique per option, that names where it was typed when it leaks."""
    return f"TgFake{number}-{name.strip('-')[:12]}-{sum(map(ord, command)) % 10000}-Secret"


def secret_option_lines():
    """``(command line, secret)`` for every secret-bearing option of az's table: by its full name, by the
    shortest prefix argparse takes for it, with ``=``, and by its short name with the value apart and attached."""
    for command in all_commands():
        for number, (spec, name) in enumerate(secret_options(command)):
            secret = fake_secret(command, number, name)
            words = command.split()
            values = [secret, secret + '-2'] if spec.nargs in ('+', '*') else [secret]
            spellings = {name, unique_prefix(table_of(command), name)} if name.startswith('--') else set()
            for spelling in sorted(spellings):
                yield words + [spelling] + values, secret
                yield words + [f'{spelling}={secret}'], secret
            for short in (n for n in spec.names if len(n) == 2):
                yield words + [short, secret], secret
                yield words + [short + secret], secret


def packed_secret_lines(command):
    """``([command line with every secret option in full, the same by prefixes], secrets)``: one az call
    each, for tests that pay per call."""
    words, by_name, by_prefix, secrets = command.split(), [], [], []
    table = table_of(command)
    for number, (spec, name) in enumerate(secret_options(command)):
        secret = fake_secret(command, number, name)
        secrets.append(secret)
        values = [secret, secret + '-2'] if spec.nargs in ('+', '*') else [secret]
        by_name += [name] + values
        by_prefix += [unique_prefix(table, name) if name.startswith('--') else name] + values
    return [words + by_name, words + by_prefix], secrets
