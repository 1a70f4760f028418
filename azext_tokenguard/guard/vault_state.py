"""Whether az's tokens are sealed in tokenguard's vault, and for how long they are unlocked. Standard library only:
the guard asks this before every az command, so it costs one stat when there is no vault, and never imports
``cryptography`` (sealing and opening live in the extension's vault.py).

Files, in ``AZURE_CONFIG_DIR/tokenguard/``:
- ``vault.json``: az's token files, sealed (vault_crypto.py describes the format);
- ``vault-unlocked.json``: present while unlocked: where the memory copy lives and when the period ends;
- ``vault-is-locked/``: never created; while locked, az's stores in the config dir are links into it.
"""
import os
import time

from . import az_json as json  # json.loads without importing json: az_json.py
from . import constants
from .az_files import SP_STORE_BASENAME, TOKEN_CACHE_BASENAME, TOKENGUARD_DIR_NAME, is_plain_file, \
    read_bounded

VAULT_FILE_NAME = constants.VAULT_FILE_NAME
UNLOCKED_FILE_NAME = 'vault-unlocked.json'
# While locked, az's stores are links into this directory, which is never created: an az that outlives the
# unlock period then fails to write its token cache (ENOENT) instead of creating a plain one (vault.py).
SEALED_LINKS_DIR_NAME = 'vault-is-locked'
MAX_STATE_BYTES = 64 * 1024

NONE = 'none'          # no vault: az keeps its tokens as it always does
LOCKED = 'locked'      # sealed; az has no tokens until `vault unlock`
UNLOCKED = 'unlocked'  # a memory copy serves az until expires_at
EXPIRED = 'expired'    # the period is over but the memory copy is still there: re-lock before anything else

PLAIN_STORES = (TOKEN_CACHE_BASENAME + '.json', SP_STORE_BASENAME + '.json')
PASSPHRASE_ENV = 'TOKENGUARD_VAULT_PASSPHRASE'  # vault_keys.py reads it; no child of tokenguard's gets it
UNLOCK_HINT = "run 'az tokenguard vault unlock' (add --for 8h to choose how long)"


class VaultState:  # pylint: disable=too-few-public-methods
    """The vault's state; a plain class, not a dataclass: importing dataclasses costs the guard about 11 ms."""

    __slots__ = ('state', 'expires_at', 'memory_dir', 'memory_copy_lost')

    def __init__(self, state, expires_at=None, memory_dir=None, memory_copy_lost=False):
        self.state = state
        self.expires_at = expires_at
        self.memory_dir = memory_dir
        self.memory_copy_lost = memory_copy_lost  # unlocked once, but the memory copy is gone (a reboot)

    def seconds_left(self, now):
        return max(0, int(self.expires_at - now)) if self.state == UNLOCKED and self.expires_at else 0


def vault_path(config_dir):
    return os.path.join(config_dir, TOKENGUARD_DIR_NAME, VAULT_FILE_NAME)


def unlocked_path(config_dir):
    return os.path.join(config_dir, TOKENGUARD_DIR_NAME, UNLOCKED_FILE_NAME)


def sealed_links_dir(config_dir):
    return os.path.join(config_dir, TOKENGUARD_DIR_NAME, SEALED_LINKS_DIR_NAME)


def memory_root(env=None):
    """Memory-backed storage that a reboot empties: $XDG_RUNTIME_DIR (systemd's per-user tmpfs), else /dev/shm."""
    env = os.environ if env is None else env
    runtime = env.get('XDG_RUNTIME_DIR')
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return os.path.join(runtime, 'tokenguard')
    return os.path.join('/dev/shm', f'tokenguard-{os.getuid()}')


def memory_dir_for(config_dir, env=None):
    """One memory copy per config dir, named by a hash of its real path."""
    import hashlib  # only here: importing it costs the guard about 6 ms on every az command
    digest = hashlib.sha256(os.path.realpath(config_dir).encode('utf-8')).hexdigest()[:16]
    return os.path.join(memory_root(env), digest)


def read_state(config_dir, now=None):
    """The vault's state for ``config_dir``. A state file that cannot be read counts as locked (fail closed:
    the guard then says how to unlock, and unlock or lock repairs it)."""
    if not os.path.lexists(vault_path(config_dir)):
        return VaultState(NONE)
    unlocked = _read_unlocked(config_dir)
    if unlocked is None:
        return VaultState(LOCKED)
    expires_at, memory_dir = unlocked
    if not os.path.isdir(memory_dir):
        return VaultState(LOCKED, memory_dir=memory_dir, memory_copy_lost=True)
    now = time.time() if now is None else now
    return VaultState(EXPIRED if now >= expires_at else UNLOCKED, expires_at, memory_dir)


def unlocked_memory_dir(config_dir):
    """Where the state file says the memory copy lives, whether or not it is still there."""
    unlocked = _read_unlocked(config_dir)
    return unlocked[1] if unlocked else None


def _read_unlocked(config_dir):
    """(expires at, memory dir) from the state file, or None when there is none or it makes no sense."""
    try:
        raw = read_bounded(unlocked_path(config_dir), MAX_STATE_BYTES, follow_links=False)
        document = json.loads(raw.decode('utf-8')) if raw else None
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    expires_at, memory_dir = document.get('expiresAt'), document.get('memoryDir')
    if not isinstance(expires_at, (int, float)) or isinstance(expires_at, bool) or not isinstance(memory_dir, str) \
            or not os.path.isabs(memory_dir):
        return None
    return float(expires_at), memory_dir


def format_time_left(seconds):
    """``1h05m``, ``4m``, ``<1m``, to the nearest minute: short enough for a prompt."""
    hours, minutes = divmod((int(seconds) + 30) // 60, 60)
    if hours:
        return f'{hours}h{minutes:02d}m'
    return f'{minutes}m' if minutes else '<1m'


def plain_stores(config_dir, names=PLAIN_STORES):
    """Which of az's stores ``names`` are plain files in the config dir, not links into the vault."""
    return [name for name in names if is_plain_file(os.path.join(config_dir, name))]


def plain_tokens_back(config_dir):
    """Whether az's token cache or secret store is a plain file again beside a locked vault (a sign-in that
    went around the guard, or a lock cut off before it removed them): az then works, from those files."""
    return bool(plain_stores(config_dir))
