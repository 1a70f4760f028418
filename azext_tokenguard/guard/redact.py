"""Hide secret values in az command lines before they are shown or written anywhere.

Used for the confirmation prompt, `az tokenguard classify` output and the audit log, through the parsed
invocation's ``redacted`` (invocation.py). Errs on the side of hiding: a redacted non-secret costs nothing, a
shown secret cannot be taken back. Standard library only.
"""
import re

from .options import ONE, ONE_OR_MORE

REDACTED = '***'
# Option names whose value is a secret: exact names, and words that mark one wherever they appear.
SECRET_OPTIONS = frozenset(('-p', '--value', '--key', '--sas', '--pat'))
SECRET_WORDS = ('password', 'secret', 'token', 'connection-string', 'sas-', 'credential', 'passphrase')
SECRET_SUFFIXES = ('-key', '-sas', '-pat')
# Values that are secrets whatever option carries them: JWTs and bearer/authorization header values.
# Group 1, where present, is a label that stays visible ("AccountKey=***"). A JWT starts where a run of its
# characters starts: retrying at every "eyJ" inside one long word would cost quadratic time.
_SECRET_VALUE = re.compile(r'(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.?[A-Za-z0-9_-]*'
                           r'|(?i:authorization)\s*[:=]\s*(?:(?i:bearer|basic)\s+)?\S+|(?i:bearer|basic)\s+\S+'
                           r'|((?i:AccountKey|SharedAccessKey|SharedAccessSignature|Password|sig)=)[^;&\s]+')
# Secrets by shape, whatever the option: a key that names a secret, then its value.
SECRET_KEY_WORDS = ('pass', 'pwd', 'secret', 'key', 'token', 'credential', 'connectionstring', 'connection-string',
                    'connection_string', 'sas', 'sig', 'auth', 'cookie', 'private')
# Every pattern below starts a key only where a run of key characters starts (the look-behind), so that a
# long argument costs linear time, not a retry at every character.
_KEY_RUN = re.compile(r'[\w.\[\]-]+')
# JSON ("administratorLoginPassword": "x"), and key=value or "Key: value" pairs inside a longer value
# (--parameters, --headers, connection strings). The key is judged by _is_secret_key.
_JSON_PAIR = re.compile(r'(?<![\w.\[\]-])("([\w.\[\]-]+)"\s*:\s*)"(?:[^"\\]|\\.)*"')
_PAIR_KEY = re.compile(r'(?<![\w.\[\]-])([\w.\[\]-]+)\s*[=:]\s*(?!")')
_PAIR_VALUE = re.compile(r'[^\s&;,}"]+')
# Query parameters that carry credentials (Functions' ?code=, SAS sig=, ?access_token=, subscription-key=).
_SECRET_QUERY = re.compile(r'([?&](?i:code|sig|key|token|access_token|id_token|subscription-key|apikey|api-key'
                           r'|client_secret|password|secret|signature|auth|sas)=)[^&#\s]+')
# URL userinfo (https://user:password@host, https://<PAT>@github.com): all of it, a token may be the user, and
# up to the last "@" of the authority, as URL parsers read it (a password may hold one).
_USERINFO = re.compile(r'(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]*@')


def _is_secret_key(key):
    """Whether a key names a secret: pass(word), pwd, secret, key (API_KEY, x-functions-key,
    Ocp-Apim-Subscription-Key, AzureWebJobsStorage__accessKey), token, credential, connection string, SAS,
    sig(nature)...; keys may hold dots, dashes, underscores and indexes (properties...secrets[0].value)."""
    lowered = key.lower()
    return any(word in lowered for word in SECRET_KEY_WORDS)


# What az's secret-bearing options end in; an abbreviation of any of them (argparse takes `--admin-pass` for
# `--admin-password`, `--client-sec` for `--client-secret`, `--val` for `--value`) is a secret too.
SECRET_LAST_WORDS = ('password', 'passwd', 'secret', 'key', 'keys', 'token', 'sas', 'pat', 'passphrase',
                     'credential', 'credentials', 'string', 'value', 'signature')


def is_secret_option(name):
    name = name.lower()
    if name in SECRET_OPTIONS:
        return True
    bare = name.lstrip('-')
    return (bare.endswith(SECRET_SUFFIXES) or any(word in bare for word in SECRET_WORDS)
            or _abbreviates_a_secret_option(name))


def _abbreviates_a_secret_option(name):
    """``--admin-pass``, ``--account-k``, ``--pass``: a prefix of an option whose last word names a secret.
    A one-word prefix needs three letters, so ``--s`` (``--subscription``) and ``--n`` stay visible."""
    if not name.startswith('--'):
        return False
    words = name[2:].split('-')
    last = words[-1]
    shortest = 3 if len(words) == 1 else 1
    if name.startswith('--connection-'):
        return True
    return len(last) >= shortest and any(word.startswith(last) for word in SECRET_LAST_WORDS)


def redact_value(text):
    """A value with any embedded token, key, bearer header, secret-named field, credential query parameter or
    URL userinfo hidden: by its shape, whichever option carries it."""
    text = _SECRET_VALUE.sub(lambda match: (match.group(1) or '') + REDACTED, text)
    label = _secret_word_label(text)
    if label:
        return label + REDACTED
    text = _USERINFO.sub(lambda match: match.group(1) + REDACTED + '@', text)
    text = _SECRET_QUERY.sub(lambda match: match.group(1) + REDACTED, text)
    text = _JSON_PAIR.sub(lambda match: match.group(1) + '"' + REDACTED + '"' if _is_secret_key(match.group(2))
                          else match.group(0), text)
    return _hide_pair_values(text)


def _hide_pair_values(text):
    """The values after secret keys of key=value and "Key: value" pairs hidden. Only the key and its separator
    are matched, so that a pair with a harmless key (Server=tcp:x) does not swallow the next one."""
    pieces, done = [], 0
    for match in _PAIR_KEY.finditer(text):
        if match.start() < done or not _is_secret_key(match.group(1)):
            continue
        value = _PAIR_VALUE.match(text, match.end())
        if value:
            pieces.append(text[done:match.end()] + REDACTED)
            done = value.end()
    return ''.join(pieces) + text[done:]


def _secret_word_label(word):
    """``KEY=`` (after an option's own ``--name=``, if any) when the whole word is KEY=VALUE and KEY names a
    secret (--settings API_KEY=x, --env DB_PASS=x, --set ...secrets[0].value=x): then all of the value is
    hidden, whatever it holds (a password may hold ',', ';', '&' or spaces). Else ''."""
    prefix = ''
    key, sep, rest = word.partition('=')
    if sep and key.startswith('-') and '=' in rest:
        prefix, (key, sep, rest) = key + sep, rest.partition('=')
    if sep and _KEY_RUN.fullmatch(key) and _is_secret_key(key):
        return prefix + key + sep
    return ''


def redact(invocation):
    """The words of a parsed command line (invocation.Invocation) as typed, with the values of secret-bearing
    options (``--x v``, ``--x=v``, ``-pv``) replaced by ***; TypeError for anything else."""
    if not hasattr(invocation, 'redacted'):
        raise TypeError(f'expected an Invocation (invocation.parse), not {type(invocation).__name__}')
    return list(invocation.redacted)


def redact_words(words, options):
    """``words`` with secret values replaced by ***. With ``options`` (az's table for the command, options.py)
    every option is resolved as az's parser resolves it (``--p`` is ``login``'s ``--password``), and its values
    are the ones argparse gives it; an option is secret when the table says so or its name does. Without, the
    rules by name alone."""
    if options is None:
        return _redact_by_name(words)
    return _redact_by_table(words, options)


def _redact_by_table(argv, options):
    redacted, index = [], 0
    while index < len(argv):
        word = argv[index]
        index += 1
        if word == '--':  # what follows goes to another program (exec): by name and shape only
            return redacted + [word] + _redact_by_name(argv[index:])
        if not options.stands_as_option(word):
            redacted.append(redact_value(word))
            continue
        spec, _status, attached = options.resolve(word)
        if spec is None:
            shown, covered = _redact_unresolved(options, word, argv[index:])
            redacted.extend(shown)
            index += covered
        elif not (spec.secret or any(is_secret_option(name) for name in (word.partition('=')[0],) + spec.names)):
            redacted.append(redact_value(word))
        elif attached is not None:
            redacted.append(word[:len(word) - len(attached)] + REDACTED)  # --x=***, -p***
        else:
            hidden = len(options.parse(argv[index - 1:])[0][2])  # the values argparse gives it
            if not hidden and spec.nargs in (ONE, ONE_OR_MORE) and argv[index:index + 1] not in ([], ['--']):
                hidden = 1  # `--password -x...`: az refuses it, but the word typed there is the secret
            redacted.extend([word] + [REDACTED] * hidden)
            index += hidden
    return redacted


def _redact_unresolved(options, word, following):
    """``(shown words, how many of following they cover)`` for an option az's table does not resolve: unknown
    to the command, or an ambiguous prefix (az refuses both), secret by its name or by any option it may be."""
    head, sep, _value = word.partition('=')
    secret = is_secret_option(head) or (head.startswith('--') and
                                        any(options.is_secret(name) for name in options.candidates(head)))
    if secret and sep:
        return [head + '=' + REDACTED], 0
    if not head.startswith('--') and len(word) > 2 and is_secret_option(word[:2]):
        return [word[:2] + REDACTED], 0  # -pVALUE
    if secret and following and not options.stands_as_option(following[0]):
        return [word, REDACTED], 1
    return [redact_value(word)], 0


def _redact_by_name(argv):
    redacted, hide_next = [], False
    for word in argv:
        if hide_next:
            redacted.append(REDACTED)
            hide_next = False
            continue
        if word.startswith('--') and '=' in word:
            name, _, _value = word.partition('=')
            redacted.append(name + '=' + REDACTED if is_secret_option(name) else redact_value(word))
            continue
        if word.startswith('-') and not word.startswith('--') and len(word) > 2 and is_secret_option(word[:2]):
            redacted.append(word[:2] + REDACTED)  # -pVALUE
            continue
        if word.startswith('-') and is_secret_option(word):
            redacted.append(word)
            hide_next = True
            continue
        redacted.append(redact_value(word))
    return redacted
