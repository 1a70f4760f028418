"""Hide secret values in az command lines before they are shown or written anywhere.

Used for the confirmation prompt, `az tokenguard classify` output and the audit log. Errs on the side of
hiding: a redacted non-secret costs nothing, a shown secret cannot be taken back. Standard library only.
"""
import re

REDACTED = '***'
# Option names whose value is a secret: exact names, and words that mark one wherever they appear.
SECRET_OPTIONS = frozenset(('-p', '--value', '--key', '--sas', '--pat'))
SECRET_WORDS = ('password', 'secret', 'token', 'connection-string', 'sas-', 'credential', 'passphrase')
SECRET_SUFFIXES = ('-key', '-sas', '-pat')
# Values that are secrets whatever option carries them: JWTs and bearer/authorization header values.
# Group 1, where present, is a label that stays visible ("AccountKey=***").
_SECRET_VALUE = re.compile(r'eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.?[A-Za-z0-9_-]*'
                           r'|(?i:authorization)\s*[:=]\s*(?:(?i:bearer|basic)\s+)?\S+|(?i:bearer|basic)\s+\S+'
                           r'|((?i:AccountKey|SharedAccessKey|SharedAccessSignature|Password|sig)=)[^;&\s]+')
# A key that names a secret, then its value: JSON ("administratorLoginPassword": "x"), key=value pairs of
# --parameters, --headers and query strings (adminSecret=x, x-functions-key=x, ?sig=x). Group 1 stays.
_SECRET_KEY = r'[\w.-]*(?i:password|passwd|pwd|secret|token|apikey|api-key|functions-key|accountkey|sig|sas)[\w.-]*'
_SECRET_PAIR = re.compile(r'("' + _SECRET_KEY + r'"\s*:\s*)"(?:[^"\\]|\\.)*"'
                          r'|(\b' + _SECRET_KEY + r'(?<![=:])[=:])(?!\s*")[^\s&;,}"]+')


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
    """A value with any embedded token, key, bearer header or secret-named field hidden."""
    text = _SECRET_VALUE.sub(lambda match: (match.group(1) or '') + REDACTED, text)
    return _SECRET_PAIR.sub(_hide_pair_value, text)


def _hide_pair_value(match):
    if match.group(1):
        return match.group(1) + '"' + REDACTED + '"'
    return match.group(2) + REDACTED


def redact_argv(argv):
    """argv with the values of secret-bearing options (``--x v``, ``--x=v``, ``-pv``) replaced by ***."""
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
