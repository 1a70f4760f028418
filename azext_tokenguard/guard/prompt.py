"""The prompt segment: the subscription's short name (red when protected), the tenant when it is not
the signed-in account's home tenant, and the vault's state when az's tokens are sealed (``|locked``,
``|unlocked 1h05m``). Standard library only.

The shell function that shell-init defines calls this only when azureProfile.json, the policy or
AZURE_CONFIG_DIR changed since its last prompt; it checks with the shell's own `-nt` test against a stamp
file per shell, so an unchanged prompt forks nothing. The stamp gets the mtime of the newest file read,
so a change made while this runs is still seen at the next prompt. The stamp also holds the segment, so
``$(__tokenguard_prompt)`` (a subshell, whose variables die with it) can read it back with the shell's own
``read``.
"""
import os
import time

from . import vault_state
from .policy import POLICY_DIR_NAME, load_policy, policy_path
from .invocation import parse
from .profile import NOT_SIGNED_IN, PROFILE_FILE_NAME, default_config_dir, load_context
from .render import RED_BOLD, RESET
from .selection import SUBSCRIPTION_ENV, TENANT_ENV
from .az_files import PROMPT_STAMP_DIR_NAME as STAMP_DIR_NAME

MAX_NAME_CHARS = 24
PER_SHELL_MARK = 'shell:'  # the segment names this shell's own selection (az tokenguard use), not az's default
# The stamp's second line: the selection its segment was made for, as the shell spells it (shell_init.py).
SELECTION_KEY_PREFIX = 'sel:'
STALE_STAMP_SECONDS = 7 * 24 * 3600
# Non-printing markers around colour codes, so line editing counts the prompt's width right.
INVISIBLE = {'bash': ('\001', '\002'), 'zsh': ('%{', '%}'), 'fish': ('', '')}  # fish needs no markers


def short(name):
    name = ''.join(c for c in (name or '') if c.isprintable())
    return name if len(name) <= MAX_NAME_CHARS else name[:MAX_NAME_CHARS - 1] + '~'


def home_tenant_differs(context):
    """A user's home tenant is the one whose domain their user name carries; a guest elsewhere shows it."""
    if context.identity_type != 'user' or '@' not in (context.identity_name or ''):
        return False
    domain = context.identity_name.rsplit('@', 1)[1].lower()
    return '#ext#' in context.identity_name.lower() or domain != (context.tenant_default_domain or '').lower()


def vault_marker(vault, now):
    """``|locked`` or ``|unlocked 1h05m`` after the name while tokenguard's vault holds az's tokens."""
    if vault.state == vault_state.UNLOCKED:
        return '|unlocked ' + vault_state.format_time_left(vault.seconds_left(now))
    return '' if vault.state == vault_state.NONE else '|locked'  # an expired copy is sealed by the next command


def segment(context, protected, shell, colour, *, per_shell=False, vault=''):
    if not context.known:
        what = 'not signed in' if context.reason == NOT_SIGNED_IN else '?'
        return f"[{PER_SHELL_MARK if per_shell else 'az: '}{what}{vault}] "
    text = (PER_SHELL_MARK if per_shell else '') + short(context.subscription_name or context.subscription_id)
    if home_tenant_differs(context):
        text += ' @' + short(context.tenant_display_name or context.tenant_default_domain or context.tenant_id)
    text += vault
    if shell == 'zsh':
        text = text.replace('%', '%%')  # zsh expands prompt escapes in the result: "100%d" must stay text
    if protected and colour:
        start, end = INVISIBLE.get(shell, ('', ''))
        return f'{start}{RED_BOLD}{end}[{text}]{start}{RESET}{end} '
    return f"[{text}{'!' if protected else ''}] "


def _newest_mtime_ns(paths):
    newest = 0
    for path in paths:
        try:
            newest = max(newest, os.stat(path).st_mtime_ns)
        except OSError:
            pass
    return newest


def stamp_path(config_dir, shell, shell_pid):
    """One stamp per shell process; the shell's name is part of it because the colour markers differ."""
    return os.path.join(config_dir, POLICY_DIR_NAME, STAMP_DIR_NAME, f'{shell}-{shell_pid}')


def selection_key(env):
    return f'{SELECTION_KEY_PREFIX}{env.get(SUBSCRIPTION_ENV, "")}|{env.get(TENANT_ENV, "")}'


def _stamp(config_dir, shell, shell_pid, mtime_ns, text, *, key=SELECTION_KEY_PREFIX + '|'):  # pylint: disable=too-many-arguments
    """Write the segment and the selection it is for to this shell's stamp, then give the stamp the mtime of
    the files it reflects."""
    path = stamp_path(config_dir, shell, shell_pid)
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, 'O_NOFOLLOW', 0), 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        handle.write(text + '\n' + key + '\n')  # two lines: the shell's `read` takes them back
    os.utime(path, ns=(mtime_ns, mtime_ns))
    _prune(directory)


def _prune(directory):
    """Stamps of shells long gone: stamps carry file mtimes, so age is judged by the change time."""
    cutoff = time.time() - STALE_STAMP_SECONDS
    for entry in os.scandir(directory):
        try:
            if entry.stat(follow_symlinks=False).st_ctime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass


def main(argv, env, stdout):
    """``--tokenguard-prompt SHELL PID``: print the segment, then stamp this shell's prompt state."""
    shell, shell_pid = (argv + ['bash', '0'])[:2]
    if shell not in INVISIBLE or not shell_pid.isdigit():
        shell, shell_pid = 'bash', '0'  # they name the stamp file: never a path
    config_dir = default_config_dir(env)
    mtime_ns = _newest_mtime_ns([os.path.join(config_dir, PROFILE_FILE_NAME), policy_path(config_dir)])
    context, per_shell = _prompt_context(config_dir, env)
    policy = load_policy(config_dir)
    protected = policy.is_protected(context.subscription_name, context.subscription_id)
    vault = vault_state.read_state(config_dir)
    if vault.state == vault_state.UNLOCKED:
        mtime_ns = 1  # the time left changes by the minute: an unlocked vault's segment is made at every prompt
    text = segment(context, protected, shell, colour=not env.get('NO_COLOR'), per_shell=per_shell,
                   vault=vault_marker(vault, time.time()))
    stdout.write(text)
    try:
        _stamp(config_dir, shell, shell_pid, mtime_ns, text, key=selection_key(env))
    except OSError:
        pass  # no stamp: the next prompt simply asks again
    return 0


def _prompt_context(config_dir, env):
    """``(context, per shell)``: this shell's selection when it has one, else az's default."""
    if not (env.get(SUBSCRIPTION_ENV, '').strip() or env.get(TENANT_ENV, '').strip()):
        return load_context(parse((), read_files=False, use_table=False), config_dir, env), False
    from .profile import context_unknown
    from .selection import selected_context
    context, error = selected_context(env, config_dir)
    return (context or context_unknown(error)), True
