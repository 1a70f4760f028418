"""An ``az`` on PATH that guards: for scripts, make, cron, IDE tasks, Python's subprocess and AI agents.

``az tokenguard shell-init --shim DIR`` writes ``DIR/az``, a POSIX sh script that runs the same guard as the
shell function, then executes the real az at the absolute path recorded when it was installed:

* it never finds itself: the recorded az is checked not to be a shim when it is written, and again before
  each run; if it is gone (az moved or upgraded), another az is looked up on PATH, skipping every shim;
* it guards once: the shell function runs the real az directly (the one it recorded, else the first az on
  PATH that is not a shim), never through a shim; no environment variable lets a command past the shim;
* when the guard itself is gone (az's Python replaced by an upgrade), it fails closed as the function does:
  destructive-looking commands are refused with the command that repairs it, the rest run;
* ``az tokenguard shell-init --shim DIR --remove`` deletes it, and only a file this module wrote.

Standard library only; the extension's ``shell-init`` command calls it.
"""
import os
import stat

from .constants import ExitCode
from .shell_init import (GUARD_PYTHON_FLAGS, SHIM_MARKER, ShellInitError, check_path, guard_call_shell_code, quote,
                         real_az_shell_code, selection_shell_code)

SHIM_NAME = 'az'
SHIM_MODE = 0o700  # only its owner runs it; it holds no secret, only paths
MAX_SHIM_BYTES = 64 * 1024

TEMPLATE = r'''#!/bin/sh
{marker}
# An az that runs tokenguard's guard first (context line, confirmation, pins, read-only mode), then the real
# az. Written by `az tokenguard shell-init --shim {directory}`; remove it with
#   az tokenguard shell-init --shim {directory} --remove
tg_python={python}
tg_launch={launch}
tg_az={az}
tg_self_dir={directory}

{real_az}

tg_run() {{
    tg_target=$(tg_real_az) || {{
        printf '%s\n' "tokenguard: no az found besides this shim ($0); reinstall az, then run: az tokenguard shell-init --shim {directory}" >&2
        exit 127
    }}
    exec "$tg_target" "$@"
}}

tg_refuse_fallback() {{
    printf '%s\n' "tokenguard: refused: this looks destructive and the guard cannot run ($tg_launch; was az upgraded?). Repair: az tokenguard shell-init --shim {directory}  (or bypass deliberately with the real az's full path)" >&2
    exit {refused_missing}
}}

tg_fallback() {{
    # The guard could not run: refuse what looks destructive, as the shell function does.
{selection_fallback}
    tg_in_path=1
    tg_value_of=
    for tg_word in "$@"; do
        if [ -n "$tg_value_of" ]; then
            case $tg_word in [Dd][Ee][Ll][Ee][Tt][Ee]|[Cc][Oo][Mm][Pp][Ll][Ee][Tt][Ee]) tg_refuse_fallback ;; esac
            tg_value_of=
            continue
        fi
        case $tg_word in
            -m|--method|--mode) tg_in_path=; tg_value_of=1 ;;
            --method=[Dd][Ee][Ll][Ee][Tt][Ee]|-m[Dd][Ee][Ll][Ee][Tt][Ee]|--mode=[Cc][Oo][Mm][Pp][Ll][Ee][Tt][Ee]) tg_refuse_fallback ;;
            @*) [ -n "$tg_in_path" ] && tg_refuse_fallback ;;
            -*) tg_in_path= ;;
            *)
                if [ -n "$tg_in_path" ]; then
                    case $tg_word in
                        {destructive_words}) tg_refuse_fallback ;;
                    esac
                fi
                ;;
        esac
    done
}}

if [ -n "${{_ARGCOMPLETE-}}" ]; then
    tg_run "$@"  # tab completion: az only lists completions (the guard lets it through too)
fi
tg_rc=0
tg_steer=
tg_added=
tg_yes=
{guard_call}
tg_run "$@"
'''

# The words the fallback refuses in command position (the same list as the shell function's).
DESTRUCTIVE_WORDS = ('*[Dd][Ee][Ll][Ee][Tt][Ee]*|*[Pp][Uu][Rr][Gg][Ee]*|*[Rr][Ee][Mm][Oo][Vv][Ee]*|clear|destroy|'
                     'wipe|erase|reimage|*regenerate*|*rotate*|renew|reset|reset[-_]*|revoke*|revert*|rollback|'
                     '*fail-over|*failover*|failback|break|break[-_]*|force[-_]*|simulate-eviction|'
                     'offline-region|unprotect')


def is_shim_file(path):
    """True when ``path`` is a regular file (not a symlink) that a tokenguard shim wrote."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SHIM_BYTES:
            return False
        with open(path, 'rb') as handle:
            head = handle.read(256).decode('utf-8', 'replace').splitlines()
    except OSError:
        return False
    return len(head) > 1 and head[1] == SHIM_MARKER


def real_az(path_env, skip_dir):
    """The first az on ``path_env`` that is neither in ``skip_dir`` nor a shim, or ''."""
    skip = os.path.realpath(skip_dir) if skip_dir else ''
    for entry in (path_env or '').split(os.pathsep):
        candidate = os.path.join(entry or '.', SHIM_NAME)
        if skip and os.path.realpath(entry or '.') == skip:
            continue
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK) and not is_shim_file(candidate):
            return os.path.abspath(candidate)
    return ''


def render_shim(directory, python_path, launch_script, az_path):
    """The shim's text, with every path absolute and quoted."""
    return TEMPLATE.format(
        marker=SHIM_MARKER, directory=quote(check_path('shim directory', directory)),
        python=quote(check_path('Python', python_path)), launch=quote(check_path('guard', launch_script)),
        az=quote(check_path('az', az_path)), flags=GUARD_PYTHON_FLAGS,
        broken=ExitCode.GUARD_BROKEN, refused_missing=ExitCode.REFUSED_GUARD_MISSING,
        refusals='|'.join(str(code) for code in ExitCode.REFUSALS), destructive_words=DESTRUCTIVE_WORDS,
        **_selection_values())


def _selection_values():
    return {'guard_call': guard_call_shell_code('tg_', 'exit', 0), 'real_az': real_az_shell_code('tg_'),
            'selection_fallback': selection_shell_code('tg_', 'exit', 8)[1]}


def install_shim(directory, python_path, launch_script, path_env):
    """Write ``directory/az`` (temp file, then rename) and describe it; never replaces a real az."""
    directory = os.path.abspath(os.path.expanduser(directory))
    target = os.path.join(directory, SHIM_NAME)
    if os.path.lexists(target) and not is_shim_file(target):
        raise ShellInitError(f'{target} exists and is not a tokenguard shim; choose another directory '
                             '(one of your own, such as ~/.local/bin) or move that file first.')
    az_path = real_az(path_env, directory)
    if not az_path:
        raise ShellInitError('No az found on PATH besides this directory; install az first.')
    os.makedirs(directory, mode=0o755, exist_ok=True)
    _write_executable(target, render_shim(directory, python_path, launch_script, az_path))
    return {'shim': target, 'realAz': az_path, 'firstOnPath': _first_az_on_path(path_env) == target,
            'remove': f'az tokenguard shell-init --shim {quote(directory)} --remove'}


def remove_shim(directory):
    """Delete ``directory/az`` if, and only if, it is a shim (a symlink or anything else is left alone)."""
    target = os.path.join(os.path.abspath(os.path.expanduser(directory)), SHIM_NAME)
    if not os.path.lexists(target):
        return {'shim': target, 'removed': False}
    if not is_shim_file(target):
        raise ShellInitError(f'{target} is not a tokenguard shim; it was left alone.')
    os.unlink(target)
    return {'shim': target, 'removed': True}


def _first_az_on_path(path_env):
    for entry in (path_env or '').split(os.pathsep):
        candidate = os.path.join(os.path.abspath(entry or '.'), SHIM_NAME)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return ''


def _write_executable(path, text):
    temporary = f'{path}.tokenguard-{os.getpid()}.tmp'
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0), SHIM_MODE)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
