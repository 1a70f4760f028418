"""An ``az`` (and ``azd``) first on the PATH of `az tokenguard exec`'s child, which refuse to hand out tokens.

AZURE_TOKEN_CREDENTIALS=prod keeps today's DefaultAzureCredential on exec's endpoint. Older ones (azure-identity
before 1.23, @azure/identity before 4.10) ignore it: when the endpoint refuses a resource, they go on to
AzureCliCredential, which runs ``az account get-access-token`` with the user's own sign-in, and to
AzureDeveloperCliCredential (``azd auth token``). So exec puts a directory of its own first on the child's PATH:
its ``az`` fails ``account get-access-token`` (in any case, wherever the two words stand, as az accepts them)
with one line on stderr naming exec, and runs every other command with the az that PATH found before, by its
absolute path (never a PATH lookup, which could find itself). ``azd`` does the same for ``auth token``, when an
azd is on PATH at all. A failing CLI makes those credentials raise, so DefaultAzureCredential ends in an error.

It stops SDK fallbacks, not a determined child: exec is no sandbox (``az tokenguard agent`` is one). The
directory is 0700, its scripts 0700, and it is removed when the child ends. POSIX only: elsewhere the PATH
is left as it is.
"""
import contextlib
import os
import shutil
import tempfile

from azext_tokenguard.guard.shell_init import quote

# Each CLI that an older DefaultAzureCredential runs, and the two command words by which it asks for a token.
TOKEN_COMMANDS = {"az": ("account", "get-access-token"), "azd": ("auth", "token")}
SCRIPT_MODE = 0o700

TEMPLATE = r'''#!/bin/sh
# Written by `az tokenguard exec` for its child, and removed when the child ends. The child's tokens come from
# exec's endpoint; this {name} refuses '{name} {first} {second}', so that an SDK's fallback to {name} fails
# instead of taking a token with your own sign-in. Every other command runs the {name} found on PATH before:
tg_real={real}
tg_first=
for tg_word in "$@"; do
    case $tg_word in
        {first_pattern}) tg_first=1 ;;
        {second_pattern})
            if [ -n "$tg_first" ]; then
                printf '%s\n' "az tokenguard exec refused '{name} {first} {second}' in its child: the child takes its tokens from exec's endpoint, for the resources in --resource only. Ask exec for the resource, or run it outside exec." >&2
                exit 1
            fi
            ;;
    esac
done
exec "$tg_real" "$@"
'''


def case_insensitive_pattern(word):
    """A sh case pattern matching word in any case ('get-access-token' -> '[Gg][Ee][Tt]-...')."""
    return "".join(f"[{char.upper()}{char.lower()}]" if char.isalpha() else char for char in word)


def render(name, real_path):
    first, second = TOKEN_COMMANDS[name]
    return TEMPLATE.format(name=name, first=first, second=second, real=quote(real_path),
                           first_pattern=case_insensitive_pattern(first),
                           second_pattern=case_insensitive_pattern(second))


@contextlib.contextmanager
def refusing_token_commands(path_env):
    """Yield the child's PATH: a new directory with the refusing CLIs first, then path_env; removed on exit.

    Only CLIs found on path_env get one (with none, no fallback can happen); none found, path_env is yielded."""
    found = {name: shutil.which(name, path=path_env) for name in TOKEN_COMMANDS}
    found = {name: os.path.abspath(path) for name, path in found.items() if path}
    if os.name != "posix" or not found:
        yield path_env
        return
    with tempfile.TemporaryDirectory(prefix="tokenguard-exec-") as directory:  # 0700
        for name, real_path in found.items():
            _write_script(os.path.join(directory, name), render(name, real_path))
        yield os.pathsep.join([directory, path_env]) if path_env else directory


def _write_script(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), SCRIPT_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
