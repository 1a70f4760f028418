"""tokenguard policy: protected subscriptions, the context-line mode and the sign-in rules.

Stored in ``AZURE_CONFIG_DIR/tokenguard/policy.json``::

    {"version": 1, "protected": ["Prod*", "0b1f...-..."], "contextLine": "always",
     "deviceCode": "warn", "ciUserLogin": "warn", "allowSecrets": false}

``allowSecrets``: read-only mode also lets commands that return credentials through (the ``secret`` class).
Only ``policy set --allow-secrets``, which the guard confirms, sets it; no environment variable can.

``protected`` holds subscription names, ids or fnmatch patterns, matched
case-insensitively against both the name and the id.

Fail closed: when the file exists but cannot be read (corrupt, wrong types,
too large, a symlink), the guard treats *every* subscription as protected
(writes and deletes then need the subscription's name typed) and says why
on every command, until the file is fixed or reset.  ``protect`` and
``unprotect`` refuse to overwrite such a file; ``reset_policy`` moves it
aside.  A missing file is simply the default policy.
"""
import stat
import time

from . import az_json as json  # json.loads without importing json: az_json.py
from . import system
from .az_files import POLICY_FILE_NAME, FileAccessError, read_bounded, write_private_file
from .az_files import TOKENGUARD_DIR_NAME as POLICY_DIR_NAME
from .constants import Mode
from .errors import InvalidValueError

POLICY_VERSION = 1
MAX_POLICY_BYTES = 1024 * 1024
MAX_PATTERN_LENGTH = 256
MAX_PATTERNS = 1000
DIR_MODE = 0o700

CONTEXT_ALWAYS = Mode.CONTEXT_ALWAYS
CONTEXT_DESTRUCTIVE_ONLY = Mode.CONTEXT_DESTRUCTIVE_ONLY
CONTEXT_OFF = Mode.CONTEXT_OFF
CONTEXT_AUTO = Mode.CONTEXT_AUTO
CONTEXT_LINE_MODES = Mode.CONTEXT_LINE_MODES

# Sign-in rules: device code sign-in on this machine, and a user identity on a CI agent.
RULE_WARN = Mode.RULE_WARN
RULE_DENY = Mode.RULE_DENY
RULE_MODES = Mode.RULE_MODES

# What the guard lets through: everything it confirms (normal), or reads only (read-only: for AI agents and
# audits). TOKENGUARD_MODE=read-only selects it for one process tree; the policy for the whole machine.
MODE_NORMAL = Mode.NORMAL
MODE_READ_ONLY = Mode.READ_ONLY
MODES = Mode.MODES


class PolicyError(InvalidValueError):
    """A policy change that cannot be made; the message says how to fix it."""

    recommendation = "Run 'az tokenguard policy show' to see the policy."


class Policy:  # pylint: disable=too-few-public-methods,too-many-instance-attributes
    """The loaded policy.  ``error`` is set when the file is unreadable (then everything is protected)."""

    def __init__(self, *, protected=(), context_line=CONTEXT_AUTO, error='', path='', device_code=RULE_WARN,
                 ci_user_login=RULE_WARN, mode=MODE_NORMAL, allow_secrets=False):
        self.protected = list(protected)
        self.context_line = context_line
        self.device_code = device_code
        self.ci_user_login = ci_user_login
        self.mode = mode
        self.allow_secrets = allow_secrets
        self.error = error
        self.path = path

    def is_protected(self, subscription_name='', subscription_id=''):
        if self.error:
            return True
        return any(matches_pattern(p, subscription_name, subscription_id) for p in self.protected)

    def as_dict(self):
        result = {'path': self.path, 'protected': list(self.protected), 'contextLine': self.context_line,
                  'deviceCode': self.device_code, 'ciUserLogin': self.ci_user_login, 'mode': self.mode,
                  'allowSecrets': self.allow_secrets}
        if self.error:
            result['error'] = self.error
            result['effect'] = 'every subscription is treated as protected until the file is fixed or reset'
        return result


def matches_pattern(pattern, subscription_name, subscription_id):
    pattern = pattern.lower()
    if not any(special in pattern for special in '*?['):  # a plain name or id: no need to import fnmatch (re)
        return any(value and value.lower() == pattern for value in (subscription_name, subscription_id))
    import fnmatch
    return any(value and fnmatch.fnmatchcase(value.lower(), pattern)
               for value in (subscription_name, subscription_id))


def policy_path(config_dir):
    return system.join(config_dir, POLICY_DIR_NAME, POLICY_FILE_NAME)


# ---------------------------------------------------------------- loading

def load_policy(config_dir):
    """The policy under ``config_dir``; never raises (see the module docstring for failures)."""
    path = policy_path(config_dir)
    try:
        data = _read_policy_bytes(path)
    except PolicyError as exc:
        return Policy(error=str(exc), path=path)
    if data is None:
        return Policy(path=path)
    try:
        return _policy_from_document(json.loads(data), path)
    except (ValueError, RecursionError) as exc:
        message = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        return Policy(error=f'{path} is unreadable: {message}', path=path)


def _read_policy_bytes(path):
    """Bytes of the policy file, None when it does not exist; never read through a symlink."""
    try:
        return read_bounded(path, MAX_POLICY_BYTES, follow_links=False)
    except FileAccessError as exc:  # a symlink, not a regular file, too large
        raise PolicyError(f'{path} is {exc}') from None
    except OSError as exc:
        raise PolicyError(f'{path} cannot be read: {exc.strerror}') from None


def _policy_from_document(document, path):
    if not isinstance(document, dict):
        raise ValueError('top level is not a JSON object')
    protected = document.get('protected', [])
    if not isinstance(protected, list) or not all(isinstance(p, str) for p in protected):
        raise ValueError("'protected' is not a list of strings")
    # The limits `protect` enforces; a hand-edited file beyond them could make fnmatch take minutes
    # before every az command (translating '[' * 10000 alone takes seconds).
    if len(protected) > MAX_PATTERNS or any(len(p) > MAX_PATTERN_LENGTH for p in protected):
        raise ValueError(f"'protected' holds more than {MAX_PATTERNS} entries or one longer than "
                         f"{MAX_PATTERN_LENGTH} characters")
    context_line = _choice(document, 'contextLine', CONTEXT_AUTO, CONTEXT_LINE_MODES)
    return Policy(protected=protected, context_line=context_line, path=path,
                  device_code=_choice(document, 'deviceCode', RULE_WARN, RULE_MODES),
                  ci_user_login=_choice(document, 'ciUserLogin', RULE_WARN, RULE_MODES),
                  mode=_choice(document, 'mode', MODE_NORMAL, MODES),
                  allow_secrets=_choice(document, 'allowSecrets', False, (False, True)))


def _choice(document, key, default, allowed):
    value = document.get(key, default)
    if type(value) is not type(default) or value not in allowed:  # pylint: disable=unidiomatic-typecheck
        raise ValueError(f"'{key}' must be one of {', '.join(allowed)}")
    return value


# ---------------------------------------------------------------- saving

def save_policy(config_dir, policy):
    """Write ``policy`` atomically: 0600 temp file in the 0700 tokenguard dir, then rename."""
    directory = ensure_private_dir(system.join(config_dir, POLICY_DIR_NAME))
    document = {'version': POLICY_VERSION, 'protected': policy.protected, 'contextLine': policy.context_line,
                'deviceCode': policy.device_code, 'ciUserLogin': policy.ci_user_login, 'mode': policy.mode,
                'allowSecrets': policy.allow_secrets}
    write_private_file(system.join(directory, POLICY_FILE_NAME),
                       (json.dumps(document, indent=2) + '\n').encode('utf-8'))


def ensure_private_dir(directory):
    """Create ``directory`` 0700 if needed; refuse a symlink in its place."""
    import os  # writing: never on the guard's path
    try:
        os.makedirs(os.path.dirname(directory), exist_ok=True)
        os.mkdir(directory, DIR_MODE)
    except FileExistsError:
        pass
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode):
        raise PolicyError(f'{directory} is not a directory (a symlink?); remove it and retry')
    if os.name == 'posix' and stat.S_IMODE(info.st_mode) != DIR_MODE:
        os.chmod(directory, DIR_MODE)
    return directory


# ---------------------------------------------------------------- commands

def _load_for_change(config_dir):
    policy = load_policy(config_dir)
    if policy.error:
        raise PolicyError(f'{policy.error}. Fix the file by hand, or move it aside with '
                          '`az tokenguard policy reset`.')
    return policy


def validate_pattern(pattern):
    if not isinstance(pattern, str) or not pattern.strip():
        raise PolicyError('Give a subscription name, id or pattern, e.g. --subscription "Prod*".')
    pattern = pattern.strip()
    if len(pattern) > MAX_PATTERN_LENGTH or not pattern.isprintable():
        raise PolicyError(f'The subscription pattern must be printable text of at most {MAX_PATTERN_LENGTH} '
                          'characters.')
    return pattern


def protect(config_dir, pattern):
    """Add a protected name/id/pattern (case-insensitive, no duplicates); returns the policy dict."""
    pattern = validate_pattern(pattern)
    policy = _load_for_change(config_dir)
    if pattern.lower() not in [p.lower() for p in policy.protected]:
        if len(policy.protected) >= MAX_PATTERNS:
            raise PolicyError(f'At most {MAX_PATTERNS} protected entries; remove some with unprotect.')
        policy.protected.append(pattern)
        save_policy(config_dir, policy)
    return policy.as_dict()


def unprotect(config_dir, pattern):
    """Remove a protected entry (exact text, case-insensitive); returns the policy dict."""
    pattern = validate_pattern(pattern)
    policy = _load_for_change(config_dir)
    remaining = [p for p in policy.protected if p.lower() != pattern.lower()]
    if len(remaining) == len(policy.protected):
        raise PolicyError(f"'{pattern}' is not in the protected list ({', '.join(policy.protected) or 'empty'}); "
                          "see `az tokenguard policy show`.")
    policy.protected = remaining
    save_policy(config_dir, policy)
    return policy.as_dict()


def set_settings(config_dir, context_line=None, device_code=None, ci_user_login=None, mode=None, *,  # pylint: disable=too-many-arguments
                 allow_secrets=None):
    """Change any of the policy's settings at once (None leaves one as it is); returns the policy dict."""
    changes = (('context_line', context_line, CONTEXT_LINE_MODES, 'context line mode'),
               ('device_code', device_code, RULE_MODES, 'device code rule'),
               ('ci_user_login', ci_user_login, RULE_MODES, 'CI user login rule'),
               ('mode', mode, MODES, 'mode'),
               ('allow_secrets', allow_secrets, (False, True), 'allow-secrets setting'))
    for _, value, allowed, label in changes:
        if value is not None and value not in allowed:
            raise PolicyError(f"The {label} must be one of: {', '.join(allowed)}.")
    policy = _load_for_change(config_dir)
    for attribute, value, _, _ in changes:
        if value is not None:
            setattr(policy, attribute, value)
    save_policy(config_dir, policy)
    return policy.as_dict()


def policy_show(config_dir):
    """The policy as a dict, including ``error`` when the file is unreadable."""
    return load_policy(config_dir).as_dict()


def reset_policy(config_dir, now=None):
    """Back to the default policy. A valid file is rewritten in place (the caller has confirmed the protections
    it lifts); an unreadable one is moved aside (``policy.json.bad-<time>``), so what was in it is not lost."""
    path = policy_path(config_dir)
    moved_to = ''
    import os  # writing: never on the guard's path
    if load_policy(config_dir).error:
        stamp = time.strftime('%Y%m%d%H%M%S', time.gmtime(now if now is not None else time.time()))
        moved_to = f'{path}.bad-{stamp}'
        os.replace(path, moved_to)
    elif os.path.lexists(path):
        save_policy(config_dir, Policy(path=path))
    result = load_policy(config_dir).as_dict()
    result['movedAside'] = moved_to
    return result
