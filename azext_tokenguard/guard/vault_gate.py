"""The guard's part of the vault: re-lock when the unlock period is over, and refuse, in one line that says how
to unlock, az commands that need a token while az's tokens are sealed. Standard library only: sealing needs
``cryptography``, so it runs in a child process (vault/relock.py), once per unlock period.
"""
import os
import sys

from . import vault_state
from .constants import ExitCode

# Commands that read only azureProfile.json or act on the az installation: they run while locked.
NO_TOKEN_COMMANDS = frozenset(('account list', 'account show', 'account set', 'account clear'))
SIGN_IN_GROUP = 'login'
RELOCK_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'vault', 'relock.py')
RELOCK_TIMEOUT = 120


def refusal(command, context_free, config_dir, say):
    """ExitCode.REFUSED_VAULT_LOCKED, or None when az may run."""
    state = vault_state.read_state(config_dir)
    if state.state == vault_state.EXPIRED:
        state = _relock(config_dir, say)
    if state.state != vault_state.LOCKED:
        return None
    if vault_state.plain_tokens_back(config_dir):
        say("tokenguard: warning: az's plain-text token files are back beside the locked vault; run "
            "'az tokenguard vault lock' to seal them.")
        return None
    group = command.split()[0] if command else ''
    if group == SIGN_IN_GROUP:
        say("tokenguard: refused: the token vault is locked, and a sign-in now would write plain-text tokens "
            f"beside it; {vault_state.UNLOCK_HINT}, then sign in (or remove the vault with "
            "'az tokenguard logout --all').")
        return ExitCode.REFUSED_VAULT_LOCKED
    if context_free or command in NO_TOKEN_COMMANDS:
        return None
    lost = ' (its memory copy is gone: a reboot)' if state.memory_copy_lost else ''
    say(f"tokenguard: refused: az's tokens are sealed in the token vault{lost}; {vault_state.UNLOCK_HINT}.")
    return ExitCode.REFUSED_VAULT_LOCKED


def _relock(config_dir, say):
    """Seal the memory copy back in a child process; its one line goes to the user. If sealing fails, the
    vault counts as locked: commands that need a token are refused until `vault lock` succeeds."""
    import subprocess  # only here: most guard runs never start a process
    try:
        result = subprocess.run([sys.executable, '-I', RELOCK_SCRIPT, config_dir], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=RELOCK_TIMEOUT,
                                check=False, env=_without_passphrase(os.environ))
        message = result.stderr.decode('utf-8', 'replace').strip()
    except (OSError, subprocess.SubprocessError) as error:
        message = f'tokenguard: the vault could not be sealed again ({type(error).__name__}).'
    for line in message.splitlines()[-2:]:
        say(''.join(c for c in line if c.isprintable()))
    state = vault_state.read_state(config_dir)
    return vault_state.VaultState(vault_state.LOCKED) if state.state == vault_state.EXPIRED else state


def _without_passphrase(environ):
    """Re-sealing takes the data key from the memory copy: the child needs no passphrase, so it gets none."""
    return {name: value for name, value in environ.items() if name != vault_state.PASSPHRASE_ENV}
