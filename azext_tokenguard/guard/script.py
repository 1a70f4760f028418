"""Find every ``az`` invocation in shell script text, with the line it starts on.

A small one-pass tokenizer for the bash/zsh syntax scripts use around az:
quotes (' " $'...'), backslash escapes and line continuations, comments,
``; & && || | ( )`` separators, redirections and here-documents (bodies are
skipped), ``$(...)`` and backtick substitutions (their commands are found too,
also inside double quotes), ``${...}`` and ``$((...))`` kept as literal text.
It does not expand variables: ``az group delete -n $RG`` gives the word
``$RG``.  Linear in the input, so thousands of lines take milliseconds.

What it cannot read, it says so (an ``UnknownCall``), and ``classify`` denies it: a command word that is
not a literal ``az`` but may run it (a variable, a command substitution, quotes or a backslash around az, a
glob, ``eval``, a shell or a wrapper given text that names az, an alias that names az), and an az call whose
command words come from a variable (``az $VERB ...``, ``az "$@"`` in a function).
"""
import collections
import fnmatch
import re

MAX_NESTING = 32
# The shell splits words on its own blanks only: other characters regex \s would match (\x1c-\x1f, \x85,
# U+00A0...) are ordinary word characters to bash.
PLAIN_RUN = re.compile(r"[^ \t\r\f\v\n'\"\\$`;&|()<>]+")
DOUBLE_QUOTED_RUN = re.compile(r'[^"\\$`]+')
BLANKS = re.compile(r'[ \t\r\f\v]+')
ASSIGNMENT = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=')
# Words that may stand before the command itself: `sudo az ...`, `if az ...`, `FOO=1 az ...`.
PREFIX_WORDS = frozenset((
    'if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time', 'sudo', 'exec', 'command',
    'builtin', 'env', 'nohup', 'nice', 'xargs', 'noglob', 'stdbuf',
))
PREFIX_WITH_VALUE = frozenset(('timeout',))  # `timeout 60 az ...`
# The prefix words that are programs running the next words as a command: their own options may take
# values (`sudo -u bob az`, `env -u X az`), so an az later on their line may still be what they run.
WRAPPERS = frozenset(('sudo', 'exec', 'command', 'builtin', 'env', 'nohup', 'nice', 'xargs', 'noglob',
                      'stdbuf', 'timeout'))
# Commands that run text or words they are given as commands: naming az there may run it.
RUNNERS = frozenset((
    'eval', 'alias', 'source', '.', 'sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'fish', 'su', 'runuser', 'doas',
    'setsid', 'watch', 'flock', 'parallel', 'find', 'ionice', 'taskset', 'chrt', 'unbuffer', 'script', 'strace',
    'busybox', 'ssh', 'trap',
))
AZ_MENTION = re.compile(r"(?:^|[\s;&|(){}`'\"=/\\])az(?:$|[\s;&|(){}`'\"])")
GLOB_CHARACTERS = re.compile(r'[*?[{]')
# `eval "$(az tokenguard use ...)"`: eval of tokenguard's own shell code (exports, the function) runs no az.
SHELL_CODE_COMMANDS = (('tokenguard', 'use'), ('tokenguard', 'pin'), ('tokenguard', 'shell-init'))
REDIRECTIONS = ('<<<', '<<-', '&>>', '<<', '<&', '<>', '>>', '>&', '>|', '&>', '<', '>')
SEPARATORS = ('&&', '||', ';;&', ';;', ';&', '|&', ';', '&', '|', '(', ')', '\n')
ANSI_C_ESCAPES = {'n': '\n', 't': '\t', 'r': '\r', '\\': '\\', "'": "'", '"': '"', 'a': '\a',
                  'b': '\b', 'e': '\x1b', 'E': '\x1b', 'f': '\f', 'v': '\v'}
SUBSTITUTION_PLACEHOLDER = '$(...)'

# One word of a simple command: ``plain`` when written without quotes, backslashes or expansions (what the
# shell runs is then exactly ``text``); ``expands`` when it holds a variable or a command substitution.
Word = collections.namedtuple('Word', 'line text plain expands')


class UnknownCall(list):
    """The words of a command that may run az in a way this scanner cannot read; ``why`` says what."""

    def __init__(self, words, why):
        super().__init__(words)
        self.why = why


class _Scanner:  # pylint: disable=too-many-instance-attributes
    def __init__(self, text):
        self.text = text
        self.pos = 0
        self.line = 1
        self.found = []            # [(line, argv)]
        self.heredocs = []         # pending (delimiter, strip_tabs) to skip after the next newline

    # ------------------------------------------------------------ words and commands
    def run(self):
        self.scan_commands(stop='', depth=0)
        self.found.sort(key=lambda item: item[0])
        return self.found

    def scan_commands(self, stop, depth):
        """Scan commands until ``stop`` (')' or '`') at this level, or the end of the text."""
        state = _CommandState(len(self.found))
        parens = 0
        text, length = self.text, len(self.text)
        while self.pos < length:
            char = text[self.pos]
            if stop and char == stop and (stop != ')' or parens == 0):
                self.pos += 1
                break
            if char == '(' and stop == ')':
                parens += 1
            elif char == ')' and stop == ')':
                parens -= 1
            self._step(char, state, depth)
        self._finish_command(state)

    def _step(self, char, state, depth):
        text = self.text
        if char in ' \t\r\f\v':
            state.end_word()
            self.pos = BLANKS.match(text, self.pos).end()
        elif char == '\n':
            self._newline(state)
        elif char == '\\':
            self._backslash(state)
        elif char == '#' and not state.in_word():
            end = text.find('\n', self.pos)
            self.pos = len(text) if end < 0 else end
        elif char == "'":
            self._single_quoted(state)
        elif char == '"':
            self._double_quoted(state, depth)
        elif char == '$':
            self._dollar(state, depth)
        elif char == '`':
            self._backtick(state, depth)
        elif char in '<>' or (char == '&' and text.startswith('&>', self.pos)):
            self._redirection(state)
        elif char in ';&|()':
            self._separator(state)
        else:
            match = PLAIN_RUN.match(text, self.pos)
            state.add(match.group(), self.line, plain=True)
            self.pos = match.end()

    def _newline(self, state):
        self._finish_command(state)
        self.pos += 1
        self.line += 1
        if self.heredocs:
            self._skip_heredoc_bodies()

    def _finish_command(self, state):
        state.end_word()
        if state.heredoc_delimiter_wanted:
            state.heredoc_delimiter_wanted = None
        for delimiter, strip in state.take_heredocs():
            self.heredocs.append((delimiter, strip))
        argv, line = az_invocation(state.words, [argv for _line, argv in self.found[state.found_mark:]])
        if argv is not None:
            self.found.append((line, argv))
        state.reset_command(len(self.found))

    def _separator(self, state):
        for operator in SEPARATORS:
            if self.text.startswith(operator, self.pos):
                self._finish_command(state)
                self.pos += len(operator)
                return

    def _redirection(self, state):
        if state.word_is_fd_number():
            state.drop_word()  # the `2` of `2>/dev/null`
        state.end_word()
        operator = next(op for op in REDIRECTIONS if self.text.startswith(op, self.pos))
        self.pos += len(operator)
        state.skip_next_word = True
        if operator in ('<<', '<<-'):
            state.heredoc_delimiter_wanted = operator

    def _skip_heredoc_bodies(self):
        text, pending = self.text, self.heredocs
        self.heredocs = []
        for delimiter, strip in pending:
            while self.pos < len(text):
                end = text.find('\n', self.pos)
                end = len(text) if end < 0 else end
                body_line = text[self.pos:end]
                self.pos = min(end + 1, len(text))
                self.line += 1
                if (body_line.lstrip('\t') if strip else body_line) == delimiter:
                    break

    # ------------------------------------------------------------ quoting
    def _backslash(self, state):
        following = self.text[self.pos + 1:self.pos + 2]
        self.pos += 2
        if following == '\n':
            self.line += 1  # line continuation
        elif following:
            state.add(following, self.line, quoted=True)

    def _single_quoted(self, state):
        end = self.text.find("'", self.pos + 1)
        end = len(self.text) if end < 0 else end
        content = self.text[self.pos + 1:end]
        state.add(content, self.line, quoted=True)
        self.line += content.count('\n')
        self.pos = end + 1

    def _double_quoted(self, state, depth):
        text, length = self.text, len(self.text)
        start_line = self.line
        parts = []
        expands = False
        self.pos += 1
        while self.pos < length and text[self.pos] != '"':
            char = text[self.pos]
            if char == '\\':
                following = text[self.pos + 1:self.pos + 2]
                if following == '\n':
                    self.line += 1
                elif following in '$`"\\':
                    parts.append(following)
                else:
                    parts.append('\\' + following)
                self.pos += 2
            elif char == '$':
                parts.append(self._dollar_text(depth))
                expands = True
            elif char == '`':
                parts.append(self._substitution('`', depth))
                expands = True
            else:
                match = DOUBLE_QUOTED_RUN.match(text, self.pos)
                parts.append(match.group())
                self.line += match.group().count('\n')
                self.pos = match.end()
        self.pos += 1
        state.add(''.join(parts), start_line, quoted=True, expands=expands)

    def _dollar(self, state, depth):
        line = self.line
        if self.text.startswith("$'", self.pos):
            state.add(self._ansi_c_quoted(), line, quoted=True)
        else:
            state.add(self._dollar_text(depth), line, expands=True)

    def _dollar_text(self, depth):
        """Text for a ``$`` construct at pos; runs the commands of ``$(...)``."""
        text = self.text
        if text.startswith('$((', self.pos):
            return self._literal_until('))', 3)
        if text.startswith('$(', self.pos):
            self.pos += 1
            return self._substitution(')', depth)
        if text.startswith('${', self.pos):
            return self._literal_until('}', 2)
        self.pos += 1
        return '$'

    def _literal_until(self, closing, opening_length):
        end = self.text.find(closing, self.pos + opening_length)
        end = len(self.text) if end < 0 else end + len(closing)
        literal = self.text[self.pos:end]
        self.line += literal.count('\n')
        self.pos = end
        return literal

    def _substitution(self, stop, depth):
        self.pos += 1  # the '(' or the opening backtick
        if depth >= MAX_NESTING:
            closing = self.text.find(stop, self.pos)
            self.pos = len(self.text) if closing < 0 else closing + 1
            return SUBSTITUTION_PLACEHOLDER
        self.scan_commands(stop=stop, depth=depth + 1)
        return SUBSTITUTION_PLACEHOLDER

    def _backtick(self, state, depth):
        line = self.line
        state.add(self._substitution('`', depth), line, expands=True)

    def _ansi_c_quoted(self):
        text, length = self.text, len(self.text)
        parts = []
        self.pos += 2
        while self.pos < length and text[self.pos] != "'":
            char = text[self.pos]
            if char == '\\' and self.pos + 1 < length:
                escaped = text[self.pos + 1]
                parts.append(ANSI_C_ESCAPES.get(escaped, '\\' + escaped))
                self.pos += 2
                continue
            if char == '\n':
                self.line += 1
            parts.append(char)
            self.pos += 1
        self.pos += 1
        return ''.join(parts)


class _CommandState:  # pylint: disable=too-many-instance-attributes
    """Words of the simple command being read."""

    def __init__(self, found_mark=0):
        self.words = []              # [Word]
        self.word = None             # parts of the word being read
        self.word_line = 0
        self.word_quoted = False
        self.word_plain = True
        self.word_expands = False
        self.found_mark = found_mark  # az calls found from here on are in this command's substitutions
        self.skip_next_word = False  # a redirection target
        self.heredoc_delimiter_wanted = None
        self.heredocs = []

    def in_word(self):
        return self.word is not None

    def add(self, part, line, quoted=False, plain=False, expands=False):  # pylint: disable=too-many-arguments
        if self.word is None:
            self.word, self.word_line = [], line
            self.word_quoted, self.word_plain, self.word_expands = False, True, False
        self.word.append(part)
        self.word_quoted = self.word_quoted or quoted
        self.word_plain = self.word_plain and plain
        self.word_expands = self.word_expands or expands

    def word_is_fd_number(self):
        return self.word is not None and not self.word_quoted and ''.join(self.word).isdigit()

    def drop_word(self):
        self.word = None

    def end_word(self):
        if self.word is None:
            return
        word, self.word = ''.join(self.word), None
        if self.heredoc_delimiter_wanted:
            self.heredocs.append((word, self.heredoc_delimiter_wanted == '<<-'))
            self.heredoc_delimiter_wanted = None
            self.skip_next_word = False
        elif self.skip_next_word:
            self.skip_next_word = False
        else:
            self.words.append(Word(self.word_line, word, self.word_plain, self.word_expands))

    def take_heredocs(self):
        heredocs, self.heredocs = self.heredocs, []
        return heredocs

    def reset_command(self, found_mark):
        self.words = []
        self.skip_next_word = False
        self.found_mark = found_mark


def _is_az(word):
    return word == 'az' or word.endswith('/az')


def az_invocation(words, inner=()):
    """``(argv, line)`` when the simple command ``[Word]`` runs az, ``(UnknownCall, line)`` when it may run az in
    a way that cannot be read here, else ``(None, 0)``. ``inner``: the az calls found in its substitutions."""
    index, wrapper = _command_word_index(words)
    if index is None or index >= len(words):
        return None, 0
    head, rest = words[index], words[index + 1:]
    if head.plain and _is_az(head.text):
        if any(word.expands for word in _command_words(rest)):
            return UnknownCall(_texts(words), 'an az command word comes from a variable or a command substitution: '
                                              'it may be any command, delete included'), head.line
        return _texts(rest), head.line
    why = _unreadable_reason(head, rest, wrapper, inner)
    return (UnknownCall(_texts(words), why), head.line) if why else (None, 0)


def _command_word_index(words):
    """``(index of the command word, the last wrapper before it or '')``; ``(None, '')`` for ``command -v``."""
    index, wrapper = 0, ''
    while index < len(words):
        word = words[index]
        if ASSIGNMENT.match(word.text):
            index += 1
        elif not word.plain:
            break
        elif word.text == 'command' and index + 1 < len(words) and words[index + 1].text in ('-v', '-V'):
            return None, ''  # `command -v az` only looks az up
        elif word.text == 'function':
            index += 2  # `function f { az ...; }`: the body is read as the commands it holds
        elif word.text in PREFIX_WORDS:
            wrapper = word.text if word.text in WRAPPERS else wrapper
            index += 1
            while index < len(words) and words[index].text.startswith('-') and not _is_az(words[index].text):
                index += 1  # `sudo -E az`, `time -p az`
        elif word.text in PREFIX_WITH_VALUE:
            wrapper = word.text
            index += 2
        else:
            break
    return index, wrapper


def _unreadable_reason(head, rest, wrapper, inner):
    """Why the command word ``head`` (not a literal az) may still run az, or '' when it cannot."""
    if head.expands:
        return f'the command word ({head.text}) comes from a variable or a command substitution: it may be az'
    if _is_az(head.text):
        return f'az is written with quotes or a backslash ({head.text}): only a literal az is read'
    if head.plain and GLOB_CHARACTERS.search(head.text) and _pattern_may_be_az(head.text):
        return f'the command word ({head.text}) is a pattern the shell may expand to az'
    names_az = any(word.expands or AZ_MENTION.search(word.text) for word in rest)
    if head.plain and head.text in RUNNERS and names_az and not _evals_tokenguard_code(head, rest, inner):
        return f'{head.text} runs the text it is given as a command, and that text may run az'
    if wrapper and any(_is_az(word.text) or AZ_MENTION.search(word.text) for word in rest):
        return f'az after {wrapper} and options whose values tokenguard cannot tell apart from the command'
    return ''


def _evals_tokenguard_code(head, rest, inner):
    """``eval "$(az tokenguard use ...)"``: only tokenguard's own shell code (exports, the function) is run."""
    return (head.text == 'eval' and bool(rest) and bool(inner)
            and all(word.text == SUBSTITUTION_PLACEHOLDER for word in rest)
            and all(not isinstance(argv, UnknownCall) and tuple(argv[:2]) in SHELL_CODE_COMMANDS for argv in inner))


def _pattern_may_be_az(text):
    name = text.rsplit('/', 1)[-1]
    return '{' in name or fnmatch.fnmatchcase('az', name)


def _command_words(words):
    """The words az reads as its command path: those before the first option."""
    for word in words:
        if word.text.startswith('-'):
            return
        yield word


def _texts(words):
    return [word.text for word in words]


def split_script(text):
    """``[(line_no, argv)]``: every az invocation in ``text``, ``argv`` the words after ``az``."""
    if not isinstance(text, str):
        raise TypeError('script text must be str')
    return _Scanner(text.replace('\r\n', '\n')).run()


def _ends_simple_command(char):
    return char in ';&|()\n'


def _first_command_words(text):
    """The words of the first simple command of ``text``."""
    scanner = _Scanner(text)
    state = _CommandState()
    while scanner.pos < len(text) and not _ends_simple_command(text[scanner.pos]):
        scanner._step(text[scanner.pos], state, 0)  # pylint: disable=protected-access
    state.end_word()
    return state.words


def starts_with_az(text):
    """Whether the first simple command of ``text`` runs az (``az ...``, ``sudo az ...``, ``RG=x az ...``)."""
    return az_invocation(_first_command_words(text))[0] is not None


def needs_az_prefix(text):
    """Whether ``classify --command`` text is written without its leading ``az`` (``group delete -n rg1``): its
    first simple command is neither az (or what may run it) nor a bare assignment (``A=az; $A ...``)."""
    words = _first_command_words(text)
    if not words or all(ASSIGNMENT.match(word.text) for word in words):
        return False
    return az_invocation(words)[0] is None
