"""The one reading of an az command line: ``parse(argv, config_dir) -> Invocation``.

az reads the words after ``az`` in three steps, and the guard reads them the same way, once:

1. ``@path`` and ``name=@path`` (after the first ``=``) are replaced by the file's text before az even looks
   up the command (azure/cli/core/commands/__init__.py, _expand_file_prefixed_files); ``@-`` (stdin, which
   only az may read) and files the guard will not read whole become ``UNKNOWN_VALUE``;
2. abbreviated long options are written out as az's option table has them (options.py: ``--s`` is
   ``--subscription`` where that is the only option it can stand for); an ambiguous one makes az refuse;
3. each option gets the values argparse gives it (a flag none, ``--ids a b`` both, the last repeat wins
   where az keeps one); a command the table does not know keeps generic rules by name.

Every reader in the guard (classify, the context, steering, confirmation, redaction, the audit record) takes
the Invocation and asks it; none walks the words again. They refuse a plain list (``require``), so a test
can prove it. Standard library only; nothing here is imported that a plain ``az group list`` does not need.
"""
from . import az_files, system
from . import options as az_options
from .resource_ids import REST_COMMAND, add_new, starts_with_subscription, subscriptions_in_path

# What an argument read from stdin (``@-``) or from a file too large to read stands for: the guard cannot
# know it. A NUL byte cannot occur in a real argument.
UNKNOWN_VALUE = '\x00unknown\x00'
MAX_FILE_ARGUMENT_BYTES = 1024 * 1024
HELP_WORDS = frozenset(('-h', '--help'))
# Flags knack strips before parsing, so they may come before the command words.
GLOBAL_FLAGS = frozenset(('--debug', '--verbose', '--only-show-errors'))
STEER_OPTION = '--subscription'
# Options whose value names the subscription, per command ('' = every command).
SUBSCRIPTION_OPTIONS = {
    '': ('--subscription',),
    'account set': ('--subscription', '-s', '--name', '-n'),
    'account show': ('--subscription', '-s', '--name', '-n'),
    # tokenguard's own: `unprotect -s contoso-prod` must be confirmed for contoso-prod, not the default.
    'tokenguard protect': ('--subscription', '-s'),
    'tokenguard unprotect': ('--subscription', '-s'),
    'tokenguard pin': ('--subscription', '-s'),
}
# Options whose values say where a command acts: resource ids, scopes and az rest's URL.
TARGET_ID_OPTIONS = ('--ids', '--id', '--url', '--uri', '-u', '--scope', '--scopes', '--resource-id',
                     '--resource-ids', '--resource', '--target-resource-id')
MULTI_VALUE_OPTIONS = frozenset(('--ids', '--resource-ids', '--scopes'))


def require(invocation):
    """``invocation``, or TypeError for anything else: the guard's readers take the parsed value only."""
    if not isinstance(invocation, Invocation):
        raise TypeError(f'expected an Invocation (invocation.parse), not {type(invocation).__name__}')
    return invocation


def is_passthrough(argv):
    """Help, ``az --version``: the guard touches nothing, not even the files an argument names."""
    return not argv or list(argv) == ['--version'] or any(word in HELP_WORDS for word in argv)


def parse(argv, config_dir=None, *, read_files=True, use_table=True):
    """The Invocation of ``argv`` (the words after ``az``). ``read_files``: expand ``@file`` arguments as az
    does (the guard); off for text that is only shown or classified (`az tokenguard classify`). ``use_table``:
    write abbreviations out with az's option table; off where a caller read the words by name alone."""
    typed = tuple(argv)
    words = tuple(_expand_file_argument(word) for word in typed) if read_files else typed
    options, ambiguous = None, ()
    if use_table and any(word.startswith('--') and word != az_options.END_OF_OPTIONS for word in words):
        options = az_options.options_for(words, config_dir)  # read only when there is a long option
        if options is not None:
            words, ambiguous = _written_out(words, options)
    return Invocation(typed, words, options, ambiguous, config_dir)


class Invocation:  # pylint: disable=too-many-instance-attributes,too-many-public-methods
    """One az command line, read once. ``typed``: the words as given; ``words``: as az reads them (files
    expanded, abbreviations written out); ``options``: the command's CommandOptions from az's table, or None;
    ``ambiguous``: option prefixes az refuses; ``leading``: the words before the first option; ``command``:
    the command path, lowercase (``('group', 'delete')``). Everything else is computed on first use."""

    __slots__ = ('typed', 'words', 'options', 'ambiguous', 'config_dir', 'leading', 'command', '_memo')

    def __init__(self, typed, words, options=None, ambiguous=(), config_dir=None):  # pylint: disable=too-many-arguments
        self.typed = tuple(typed)
        self.words = tuple(words)
        self.options = options
        self.ambiguous = tuple(ambiguous)
        self.config_dir = config_dir
        self.leading = _leading_words(self.words)
        self.command = _command_path(self.words)
        self._memo = {}

    def __repr__(self):
        return f'Invocation({list(self.typed)!r})'

    def with_subscription(self, subscription_id):
        """The command as the shell function runs it after STEER: ``--subscription <id>`` before the first
        ``--``, in both the typed and the read words."""
        return Invocation(_steered(self.typed, subscription_id), _steered(self.words, subscription_id),
                          self.options, self.ambiguous, self.config_dir)

    def _remember(self, key, compute):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # ------------------------------------------------ what the words say

    @property
    def command_name(self):
        return ' '.join(self.command)

    def has_any(self, words):
        """Whether one of ``words`` is a whole word of the command line as az reads it."""
        return any(word in words for word in self.words)

    def typed_has_any(self, words):
        return any(word in words for word in self.typed)

    @property
    def starts_with_option(self):
        """``az --debug group list``: az 2.91 finds no command and fails."""
        return bool(self.words) and self.words[0].startswith('-')

    @property
    def has_unknown_value(self):
        """An argument comes from stdin (``@-``) or a file too large to check."""
        return any(UNKNOWN_VALUE in word for word in self.words)

    @property
    def unknown_outside_values(self):
        """An unknown argument that is no option's value: it may be a command word or a positional."""
        return any(UNKNOWN_VALUE in word and not (index and self.words[index - 1].startswith('-'))
                   for index, word in enumerate(self.words))

    @property
    def command_word_unknown(self):
        """A command word still starting with '@' (not expanded, e.g. by `classify`) or read from stdin: the
        command may be any, ``delete`` included."""
        return any(word.startswith('@') or UNKNOWN_VALUE in word for word in _plain_leading(self.words))

    @property
    def positionals(self):
        """The words after the command path that are neither options nor their values (az's table), or, for a
        command the table does not know, those that follow no option."""
        return self._remember('positionals', self._positionals)

    def _positionals(self):
        rest = self.words[_after_command(self.words, len(self.command)):]
        if self.options is None:
            return tuple(word for index, word in enumerate(rest)
                         if not word.startswith('-') and not (index and rest[index - 1].startswith('-')))
        return tuple(self.options.positionals(list(rest)))

    # ------------------------------------------------ options

    def values(self, names, long_prefix_of=None):
        """Every value given to one of ``names`` (``--x v``, ``--x=v``, ``-xv``), as az reads the line.
        ``long_prefix_of``: also accept argparse abbreviations of this long option (one or a tuple), for a
        command az's table does not know (the table has written them out already)."""
        key = ('values', tuple(names), long_prefix_of)
        if self.options is not None:
            return self._remember(key, lambda: _values_of(self.parsed, names, long_prefix_of))
        return self._remember(key, lambda: _option_values(self.words, names, long_prefix_of))

    @property
    def parsed(self):
        """``((spec or None, typed word, [values]), ...)``: every option as argparse reads it with az's table
        (one pass; repeats kept in order, argparse keeps the last), or () for a command the table lacks."""
        if self.options is None:
            return ()
        return self._remember('parsed', lambda: tuple(self.options.parse(list(self.words))))

    def last_value(self, names, long_prefix_of=None):
        """argparse keeps the last one."""
        found = self.values(names, long_prefix_of)
        return found[-1] if found else None

    def typed_values(self, names):
        """The values of ``names`` in the words as typed (what a person recognises when asked)."""
        if self._typed_has_long_option() and self.typed_options is not None:
            return self._remember(('typed', tuple(names)), lambda: _values_of(
                tuple(self.typed_options.parse(list(self.typed))), names, None))
        return self._remember(('typed', tuple(names)), lambda: _option_values(self.typed, names, None))

    @property
    def typed_options(self):
        """az's table for the command as typed (read on first use: only shown or recorded commands need it)."""
        return self._remember('typed_options', lambda: az_options.options_for(self.typed, self.config_dir))

    @property
    def table(self):
        """az's table for the command as az reads it, read even when no long option asked for it."""
        return self.options or self._remember('table', lambda: az_options.options_for(self.words, self.config_dir))

    def _typed_has_long_option(self):
        return any(word.startswith('--') and word != az_options.END_OF_OPTIONS for word in self.typed)

    def given(self, names):
        """``(name, value)`` for each use of one of ``names`` spelled exactly: its attached value, the next word,
        or '' when the next word is an option or missing (``--delete-destination`` with no value still deletes)."""
        return self._remember(('given', tuple(names)), lambda: _given(self.words, lambda head: head in names))

    def given_abbreviated(self, option, shortest):
        """As ``given``, for ``option`` or any prefix of it at least as long as ``shortest``."""
        return self._remember(('abbrev', option, shortest), lambda: _given(
            self.words, lambda head: head.startswith(shortest) and option.startswith(head)))

    def mentions(self, names):
        """Whether one of ``names`` is given, with its value attached or not."""
        return any(word.partition('=')[0] in names for word in self.words)

    # ------------------------------------------------ where it lands

    @property
    def requested_subscription(self):
        """The subscription named by an option on the command line, or ''."""
        return self._remember('requested', self._requested_subscription)

    def _requested_subscription(self):
        names = SUBSCRIPTION_OPTIONS.get(' '.join(self.leading[:2]), SUBSCRIPTION_OPTIONS[''])
        found = self.values(names, long_prefix_of='--subscription')
        if '--name' in names and not found:
            found = self.values(names, long_prefix_of='--name')
        return found[-1] if found else ''

    @property
    def resource_ids(self):
        """``(target, referenced, doubt)``: subscriptions named in the values of the options that say where a
        command acts (--ids, --scope, az rest --url...), those named in any other value shaped as a resource
        id, and why one of them cannot be read for sure ('' when all can). Lowercase, in order, no repeats; a
        segment that is not a subscription id is kept, so that it cannot be found and reads as unknown."""
        return self._remember('resource_ids', self._resource_ids)

    def _resource_ids(self):
        rest_urls = self.leading[:1] == (REST_COMMAND,)
        target, doubts = [], []
        target_values = self.values(TARGET_ID_OPTIONS, long_prefix_of=TARGET_ID_OPTIONS)
        for value in target_values:
            found, doubt = subscriptions_in_path(value, normalised_by_az=rest_urls)
            add_new(target, found)
            doubts.append(doubt)
        others = []
        for word in self.words:
            value = word.partition('=')[2] if word.startswith('-') else word
            if value in target_values or not starts_with_subscription(value):
                continue
            found, doubt = subscriptions_in_path(value, normalised_by_az=False)
            if found:
                add_new(others, [f for f in found if f not in target])
                doubts.append(doubt)
        return target, others, next((d for d in doubts if d), '')

    # ------------------------------------------------ shown and recorded

    @property
    def redacted(self):
        """The words as typed with secret values replaced by *** (redact.py): what the audit record, the
        confirmation and `classify` show."""
        return self._remember('redacted', lambda: _redacted(self.typed, self.typed_options))

    @property
    def redacted_as_read(self):
        """The words as az reads them (files expanded), secrets replaced: what ``az --debug`` would print."""
        return self._remember('redacted_as_read', lambda: _redacted(self.words, self.table))


def _redacted(words, options):
    from .redact import redact_words  # imports re: only for commands that are shown or recorded
    return tuple(redact_words(list(words), options))


def _steered(words, subscription_id):
    if az_options.END_OF_OPTIONS in words:
        at = words.index(az_options.END_OF_OPTIONS)
        return words[:at] + (STEER_OPTION, subscription_id) + words[at:]
    return words + (STEER_OPTION, subscription_id)


# ---------------------------------------------------------------- the command path

def _leading_words(words):
    """Leading words before the first option: the command path as typed."""
    leading = []
    for word in words:
        if word.startswith('-'):
            break
        leading.append(word)
    return tuple(leading)


def _plain_leading(words):
    return _leading_words(word for word in words if word not in GLOBAL_FLAGS)


def _after_command(words, size):
    """The index of the first word after the ``size`` words of the command path (global flags skipped)."""
    index = 0
    while size and index < len(words):
        size -= words[index] not in GLOBAL_FLAGS
        index += 1
    return index


def _command_path(words):
    """The command words, lowercase: leading plain words before the first option, global flags skipped."""
    path = []
    for word in _plain_leading(words):
        if not _is_command_word(word):
            break  # a positional value such as `config set core.output=json`
        path.append(word.lower())
    return tuple(path)


def _is_command_word(word):
    # az has command names with underscores (`security alerts-suppression-rule delete_scope`).
    return bool(word) and word[0].isalpha() and word.isascii() and all(c.isalnum() or c in '-_' for c in word)


# ---------------------------------------------------------------- @file arguments

def _expand_file_argument(word, read_limit=MAX_FILE_ARGUMENT_BYTES):
    if '@' not in word:
        return word
    head, sep, tail = word.partition('=')
    if sep:
        return head + sep + _maybe_file_content(tail, read_limit)
    return _maybe_file_content(word, read_limit)


def _maybe_file_content(value, read_limit):
    if not value.startswith('@') or len(value) == 1:
        return value
    path = value[1:]
    if path == '-':
        return UNKNOWN_VALUE
    try:
        data = _read_argument_file(system.expanduser(path), read_limit)
    except OSError:
        return value  # az: "Failed to load ..., assume not a file"
    if data is None:
        return UNKNOWN_VALUE
    for encoding in ('utf-8-sig', 'utf-16'):  # az tries utf-8 first, then utf-16; else it base64-encodes
        try:
            return data.decode(encoding).rstrip(system.LINESEP)
        except UnicodeDecodeError:
            continue
    return UNKNOWN_VALUE


def _read_argument_file(path, limit):
    """The bytes of a regular file of at most ``limit`` bytes, else None; OSError when az could not open it either.
    Never a FIFO or device: reading ``@/dev/stdin`` would take az's input, and a FIFO would hang the guard."""
    try:
        data = az_files.read_bounded(path, limit)
    except (az_files.FileTooLargeError, az_files.NotRegularFileError):
        return None
    if data is None:
        raise FileNotFoundError(path)
    return data


# ---------------------------------------------------------------- options

def _written_out(words, options):
    """The words with every abbreviated option written out in full (``--s X`` becomes ``--subscription X``),
    and the prefixes that are ambiguous for the command; nothing after ``--``."""
    end = words.index(az_options.END_OF_OPTIONS) if az_options.END_OF_OPTIONS in words else len(words)
    ambiguous = []
    written = tuple(_written_out_word(options, word, ambiguous) if position < end else word
                    for position, word in enumerate(words))
    return written, tuple(ambiguous)


def _written_out_word(options, word, ambiguous):
    if not word.startswith('--'):
        return word
    spec, status, attached = options.resolve(word)
    if status == az_options.AMBIGUOUS:
        ambiguous.append(word.partition('=')[0])
    if status != az_options.ABBREVIATION:
        return word
    return spec.canonical if attached is None else f'{spec.canonical}={attached}'


def _values_of(parsed, names, long_prefix_of):
    """The values argparse gave the options among ``names`` (and ``long_prefix_of``), from az's table."""
    extra = (long_prefix_of,) if isinstance(long_prefix_of, str) else tuple(long_prefix_of or ())
    wanted = set(names) | set(extra)
    return [value for spec, _word, given in parsed if spec is not None and wanted & set(spec.names)
            for value in given]


def _option_values(words, names, long_prefix_of):
    """For a command az's table lacks: argparse's allow_abbrev by name (any prefix of ``long_prefix_of``),
    ``--ids a b`` gives a and b."""
    values = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        name, attached = _split_option(word, names, long_prefix_of)
        if name is None:
            continue
        if attached is not None:
            values.append(attached)
            continue
        while index < len(words) and not _looks_like_option(words[index]):
            values.append(words[index])
            index += 1
            if not any(multi.startswith(name) for multi in MULTI_VALUE_OPTIONS):
                break
    return values


def _split_option(word, names, long_prefix_of):
    if not word.startswith('-') or word == '--':
        return None, None
    head, sep, tail = word.partition('=')
    if head in names or _is_abbreviation(head, long_prefix_of):
        return head, (tail if sep else None)
    for name in names:
        if len(name) == 2 and word.startswith(name) and len(word) > 2:  # -sVALUE
            return name, word[2:]
    return None, None


def _is_abbreviation(head, long_options):
    """argparse's allow_abbrev: ``--s`` stands for ``--subscription`` (``long_options``: one or a tuple)."""
    if not long_options or not head.startswith('--') or len(head) < 3:
        return False
    if isinstance(long_options, str):
        long_options = (long_options,)
    return any(option.startswith(head) for option in long_options if option.startswith('--'))


def _looks_like_option(word):
    return word.startswith('-') and len(word) > 1 and not _is_number(word)


def _is_number(word):
    try:
        float(word)
    except ValueError:
        return False
    return True


def _given(words, matches):
    found = []
    for index, word in enumerate(words):
        head, sep, value = word.partition('=')
        if not matches(head):
            continue
        if not sep:
            following = words[index + 1] if index + 1 < len(words) else ''
            value = '' if following.startswith('-') else following
        found.append((head, value))
    return tuple(found)
