"""Every az command's options as az's own parser has them, and argv read with argparse's rules.

az parses a command line with argparse, which takes any unambiguous prefix of a long option (``--s`` for
``--subscription`` in ``group delete``, ``--m`` for ``--method`` in ``rest``) and refuses an ambiguous one.
Which prefixes are unambiguous depends on the command, so the guard reads them from az's own option table:
``data/command_options.json``, written by command_table_export.py from az's parser (every option string of
every command, how many values it takes, and whether az's metadata or its name says it carries a secret),
and regenerated for the user's own az and extensions by ``az tokenguard refresh-classifier`` into
``AZURE_CONFIG_DIR/tokenguard/command_options.json`` (its commands win over the shipped ones).

The file is read only when a command line has a long option, and once per process; a command that is in
neither table (an extension installed since) keeps the guard's generic rules (invocation.py).

Format (one JSON document; each group carries its own table of option specs, so the guard decodes only
the group of the command it reads)::

    {"azVersion": "2.91.0", "commandCount": 6105,
     "common": "SPEC SPEC ...",                      # the options every command has (--help, --output...)
     "groups": {"group": "SPEC SPEC ...\\ndelete\\t1 4 a\\nlist\\t1 7", "login": "SPEC ...\\n\\t0 1 2"}}

``groups`` maps a command's first word to its specs (most used first) on the first line, then one line per
command: the rest of its name, a tab, and the base-36 indexes of its specs. A SPEC is the option strings
joined by ``|`` (long ones without their ``--``, short ones with their ``-``), then what follows: nothing for
one value, ``!`` for none (a flag), ``?`` for an optional one, ``+`` for one or more, ``*`` for any number;
then ``$`` when the value is secret. Example: ``password|-p$``, ``ids+``, ``yes|-y!``. Standard library only.
"""

from . import az_json as json  # json.loads without importing json: az_json.py
from . import az_files, system

DATA_FILE_NAME = 'command_options.json'
SHIPPED_DATA_PATH = system.join(system.dirname(system.abspath(__file__)), 'data', DATA_FILE_NAME)
MAX_DATA_BYTES = 16 * 1024 * 1024

ONE = ''
NONE = '!'
OPTIONAL = '?'
ONE_OR_MORE = '+'
ANY = '*'
NARGS_CODES = (NONE, OPTIONAL, ONE_OR_MORE, ANY)
SECRET_MARK = '$'
NAME_SEPARATOR = '|'
SPEC_SEPARATOR = ' '
END_OF_OPTIONS = '--'

EXACT = 'exact'
ABBREVIATION = 'abbreviation'
AMBIGUOUS = 'ambiguous'
UNKNOWN = 'unknown'


class OptionSpec:  # pylint: disable=too-few-public-methods
    """One argparse action of a command: its option strings, how many values it takes, whether they are secret."""

    def __init__(self, names, nargs=ONE, secret=False):
        self.names = tuple(names)
        self.nargs = nargs
        self.secret = secret

    @property
    def canonical(self):
        """The name an abbreviation is rewritten to: the first long option string (az lists the main one first)."""
        return next((name for name in self.names if name.startswith('--')), self.names[0])

    def encode(self):
        bare = [name[2:] if name.startswith('--') else name for name in self.names]
        return NAME_SEPARATOR.join(bare) + self.nargs + (SECRET_MARK if self.secret else '')

    @classmethod
    def decode(cls, text):
        secret = text.endswith(SECRET_MARK)
        text = text[:-1] if secret else text
        nargs = text[-1] if text[-1:] in NARGS_CODES else ONE
        text = text[:-1] if nargs else text
        names = ['--' + name if not name.startswith('-') else name for name in text.split(NAME_SEPARATOR)]
        return cls(names, nargs, secret)

    def __repr__(self):
        return f'OptionSpec({self.encode()!r})'


class CommandOptions:
    """The options of one command, resolved as argparse resolves them."""

    def __init__(self, command, specs):
        self.command = command
        self.specs = tuple(specs)
        self._by_name = {name: spec for spec in self.specs for name in spec.names}
        self._long_names = sorted(name for name in self._by_name if name.startswith('--'))

    def resolve(self, word):
        """``(spec, status, attached value or None)`` for a word that stands where an option may: argparse's
        ``_parse_optional``. ``--s`` is the one option it abbreviates (ABBREVIATION), several actions make it
        AMBIGUOUS (az refuses the command), none UNKNOWN. Several spellings of one action (``--ur`` for
        ``--url``/``--uri``) count as that action: Python 3.11's argparse calls that ambiguous, later ones
        may not, and the guard assumes the command runs."""
        if word in self._by_name:
            return self._by_name[word], EXACT, None
        head, sep, tail = word.partition('=')
        attached = tail if sep else None
        if sep and head in self._by_name:
            return self._by_name[head], EXACT, attached
        if word.startswith('--'):
            return self._resolve_prefix(head, attached)
        if len(word) > 2 and word[:2] in self._by_name:  # -gNAME: the short option and its value
            return self._by_name[word[:2]], EXACT, word[2:]
        return None, UNKNOWN, None

    def _resolve_prefix(self, prefix, attached):
        matches = {id(spec): spec for spec in (self._by_name[name] for name in self._long_names
                                               if name.startswith(prefix))}
        if len(matches) == 1:
            return next(iter(matches.values())), ABBREVIATION, attached
        return None, (AMBIGUOUS if matches else UNKNOWN), None

    def is_secret(self, name):
        """Whether the option spelled exactly ``name`` takes a secret value."""
        spec = self._by_name.get(name)
        return bool(spec and spec.secret)

    def candidates(self, prefix):
        """The long option strings a prefix could stand for (for the message about an ambiguous one)."""
        return [name for name in self._long_names if name.startswith(prefix.partition('=')[0])]

    def stands_as_option(self, word):
        """Whether argparse reads ``word`` as an option (an 'O' in its pattern) rather than as a value."""
        if not word.startswith('-') or word in ('-', END_OF_OPTIONS):
            return word == END_OF_OPTIONS
        if self.resolve(word)[1] != UNKNOWN:
            return True
        return not (_is_negative_number(word) or ' ' in word)

    def parse(self, argv, start=0):
        """``[(spec or None, typed word, [values])]`` for every option from ``argv[start:]``, values taken as
        argparse takes them (a flag none, an option one, ``+``/``*`` all that follow); stops at ``--``."""
        found = []
        index = start
        while index < len(argv):
            word = argv[index]
            index += 1
            if word == END_OF_OPTIONS:
                break
            if not self.stands_as_option(word):
                continue
            spec, _status, attached = self.resolve(word)
            values = [] if attached is None else [attached]
            if spec is not None and attached is None and spec.nargs != NONE:
                index = self._take_values(argv, index, spec, values)
            found.append((spec, word, values))
        return found

    def positionals(self, argv):
        """The words of ``argv`` that are neither options nor the values argparse gives them."""
        found, index = [], 0
        while index < len(argv):
            word = argv[index]
            index += 1
            if word == END_OF_OPTIONS:
                return found + argv[index:]
            if not self.stands_as_option(word):
                found.append(word)
                continue
            spec, _status, attached = self.resolve(word)
            if spec is not None and attached is None and spec.nargs != NONE:
                index = self._take_values(argv, index, spec, [])
        return found

    def _take_values(self, argv, index, spec, values):
        while index < len(argv) and not self.stands_as_option(argv[index]):
            values.append(argv[index])
            index += 1
            if spec.nargs in (ONE, OPTIONAL):
                break
        return index


def _is_negative_number(word):
    """argparse's ``^-\\d+$|^-\\d*\\.\\d+$`` (``$`` also before a final newline), without importing re: a word
    like this is a value, not an option, as no az command has an option that looks like a number."""
    body = word[1:-1] if word.endswith('\n') else word[1:]
    whole, dot, fraction = body.partition('.')
    if not dot:
        return body.isdecimal()
    return (not whole or whole.isdecimal()) and fraction.isdecimal()


# ---------------------------------------------------------------- the table

_documents = {}


def user_data_path(config_dir):
    """Where `az tokenguard refresh-classifier` writes the table for the user's own az and extensions."""
    return system.join(az_files.tokenguard_dir(config_dir), DATA_FILE_NAME)


def options_for(argv, config_dir=None):
    """The CommandOptions of the command ``argv`` runs (its longest leading words that name one), from the
    user's regenerated table, else the shipped one; None when neither has it."""
    words = _leading_words(argv)
    if not words:
        return None
    config_dir = config_dir or az_files.config_dir()
    for path in (user_data_path(config_dir), SHIPPED_DATA_PATH):
        found = _command_in(_document(path), words)
        if found is not None:
            return found
    return None


def _leading_words(argv):
    words = []
    for word in argv:
        if word.startswith('-') or not word:
            break
        words.append(word.lower())
    return words


def _document(path):
    """The table at ``path`` (cached for the process); empty when missing or malformed."""
    if path not in _documents:
        try:
            data = az_files.read_bounded(path, MAX_DATA_BYTES)
        except (OSError, ValueError):
            data = None
        _documents[path] = _Table(data or b'')
    return _documents[path]


class _Table:
    """One table file, read without parsing all of it: parsing the whole 400 kB document would cost the guard
    milliseconds before every command. Its string values hold no quote (option names, command words, digits),
    so ``"group":`` can only be a key: the guard finds it inside ``groups`` and decodes that one string. A
    file without ``groups`` where the writer puts it is parsed whole instead."""

    def __init__(self, data):
        self.data = data
        self._whole = None
        self.commands = {}  # words -> CommandOptions or None: `classify --file` asks for the same ones again

    def chunk(self, group):
        """The text of one command group, or None."""
        start = self.data.find(b'"groups"')
        if start < 0:
            return self._parsed_field('groups', group)
        return self._string_after(json.dumps(group).encode('utf-8') + b':', start, self.data.find(b'}', start))

    def common(self):
        text = self._string_after(b'"common":')
        return (text if text is not None else self._parsed_field('common') or '').split()

    def _string_after(self, key, start=0, end=-1):
        """The JSON string that follows ``key`` (between ``start`` and ``end``), or None."""
        at = self.data.find(key, max(start, 0), end if end >= 0 else len(self.data))
        if start < 0 or at < 0:
            return None
        at += len(key)
        while self.data[at:at + 1].isspace():
            at += 1
        close = self.data.find(b'"', at + 1)
        if self.data[at:at + 1] != b'"' or close < 0:
            return None
        try:
            value = json.loads(self.data[at:close + 1])
        except ValueError:
            return None
        return value if isinstance(value, str) else None

    def _parsed_field(self, key, inner=None):
        if self._whole is None:
            try:
                whole = json.loads(self.data) if self.data else {}
            except (ValueError, RecursionError):
                whole = {}
            self._whole = whole if isinstance(whole, dict) else {}
        value = self._whole.get(key)
        if inner is not None:
            value = value.get(inner) if isinstance(value, dict) else None
        return value if isinstance(value, str) else None


def _command_in(table, words):
    key = tuple(words)
    if key not in table.commands:
        table.commands[key] = _find_command(table, words)
    return table.commands[key]


def _find_command(table, words):
    chunk = table.chunk(words[0])
    if chunk is None:
        return None
    specs, _, lines = chunk.partition('\n')
    lines = '\n' + lines
    for size in range(len(words), 0, -1):
        rest = ' '.join(words[1:size])
        start = lines.find('\n' + rest + '\t')
        if start >= 0:
            line = lines[start + len(rest) + 2:].split('\n', 1)[0]
            return _command_options(table, ' '.join(words[:size]), specs.split(SPEC_SEPARATOR), line)
    return None


def _command_options(table, command, specs, line):
    try:
        own = [OptionSpec.decode(specs[int(index, 36)]) for index in line.split()]
        common = [OptionSpec.decode(text) for text in table.common()]
    except (ValueError, IndexError):
        return None
    return CommandOptions(command, common + own)
