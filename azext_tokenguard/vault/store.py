"""`az tokenguard vault lock|unlock`: keep az's token files sealed at rest, and hand az a copy in memory-backed
storage while unlocked.

No azure.cli here: the guard runs the re-lock at the end of an unlock period through vault/relock.py, in az's
Python but without az. What az 2.91 does, checked against its code and the real az:
- msal-extensions' FilePersistence writes the token cache and the service principal store with
  ``os.open(path, O_RDWR | O_CREAT | O_TRUNC)``, in place; BinaryCache writes msal_http_cache.bin with
  ``open(path, 'wb')``. Both follow a symlink, and O_CREAT creates a missing target. So, while unlocked, each
  store in the config dir is a symlink into the memory copy, and az reads and writes there unchanged.
- Their ``.lockfile`` stays beside the link, in the config dir: it holds a pid, no secret.
- `az account clear` and `az logout` of the last user os.remove() the store: that removes the link, and a later
  sign-in writes a plain file. Sealing takes the config dir's file then, as the newest state.
- While locked, az's token cache and secret store are links into ``tokenguard/vault-is-locked/``, a directory
  that is never created. An az started while unlocked may outlive the period (`az group wait`, a long
  deployment) and write its cache after the re-seal: that write through the link fails with ENOENT
  (msal-extensions passes the error on, and that az command fails), where a missing file would have been
  created plain. A read through it finds nothing, as if the file were not there: msal-extensions takes ENOENT
  as an empty cache. Unlock replaces the links with links into the memory copy (an atomic rename each: az sees
  one link or the other, never no file).

Order, so that a crash at any point loses nothing: the vault is written to a temporary file, flushed, read back
and opened before it replaces the old one; plain files and the memory copy go only after that.
"""
import contextlib
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from azext_tokenguard.hygiene import cleanup
from azext_tokenguard.hygiene import token_files
from azext_tokenguard.vault import crypto as vault_crypto
from azext_tokenguard.guard import az_files, claims, vault_state
from azext_tokenguard.guard.errors import FileAccessError, MissingArgumentError, NotSignedInError, RefusedError
from azext_tokenguard.guard.policy import ensure_private_dir

# The stores az 2.91 may keep token material in on Linux and macOS, sealed and linked alike.
TOKEN_STORES = (token_files.MSAL_TOKEN_CACHE_JSON, token_files.SP_ENTRIES_JSON, token_files.ADAL_TOKEN_CACHE)
# msal_http_cache.bin holds MSAL's throttling and discovery responses, no token (scan's TG013). az writes it at
# the end of every command, a locked one included: so it is sealed and linked with the others, but a plain one
# beside a locked vault is simply dropped (az rebuilds it), never a reason to refuse.
DISPOSABLE_STORES = (token_files.MSAL_HTTP_CACHE,)
STORES = TOKEN_STORES + DISPOSABLE_STORES
# What az 2.91 itself writes: linked on unlock even when the vault has no such file yet, so that a sign-in while
# unlocked (a service principal's first secret) lands in memory, not on disk. The legacy ADAL cache is linked
# only when the vault holds one.
AZ_WRITTEN_STORES = (token_files.MSAL_TOKEN_CACHE_JSON, token_files.SP_ENTRIES_JSON, token_files.MSAL_HTTP_CACHE)
# While locked, links to nowhere in place of the token stores az writes (the module's docstring says why). Not the
# HTTP cache: it holds no token, and az must still write it when plain token files are back beside the vault.
SEALED_LINK_STORES = (token_files.MSAL_TOKEN_CACHE_JSON, token_files.SP_ENTRIES_JSON)
ENCRYPTED_STORES = (token_files.MSAL_TOKEN_CACHE_BIN, token_files.SP_ENTRIES_BIN)
DATA_KEY_FILE = ".data-key"            # in the memory copy: re-seals at the end of the period
MAX_STORE_BYTES = 64 * 1024 * 1024
MAX_VAULT_BYTES = 4 * MAX_STORE_BYTES
OPERATION_LOCK_NAME = "vault.lock"
OPERATION_LOCK_TIMEOUT = 15            # seconds a second vault command waits for the first
DEFAULT_UNLOCK_SECONDS = 8 * 3600
MAX_UNLOCK_SECONDS = 7 * 24 * 3600
MACHINE_ID_FILES = ("/etc/machine-id", "/var/lib/dbus/machine-id")

KeySourceFactory = Callable[[bool], vault_crypto.KeySource]  # (a new vault?) -> key source


class VaultBusyError(FileAccessError):
    recommendation = "Wait for the other 'az tokenguard vault' command to finish, then try again."


@dataclass
class Outcome:  # pylint: disable=too-many-instance-attributes
    """What a vault command did; custom.py turns it into the command's result."""
    action: str                  # sealed | merged | resealed | already-locked | unlocked | extended
    vault: str
    sealed: List[str] = field(default_factory=list)    # store names in the vault now
    removed: List[str] = field(default_factory=list)   # plain files and links taken out of the config dir
    expires_at: Optional[float] = None
    memory_dir: Optional[str] = None


# ---------------------------------------------------------------- commands

def lock(config_dir: str, key_source_for: KeySourceFactory, now: float) -> Outcome:
    """Seal az's token files: the memory copy when unlocked (no passphrase needed), the plain files otherwise."""
    config_dir = _checked_config_dir(config_dir)
    with _operation_lock(config_dir):
        current = vault_state.read_state(config_dir, now)
        if current.state in (vault_state.UNLOCKED, vault_state.EXPIRED):
            return _seal_memory_copy(config_dir, current, now)
        _drop_leftovers(config_dir, current)
        if not vault_state.plain_stores(config_dir, TOKEN_STORES):
            if current.state == vault_state.NONE:
                raise NotSignedInError(f"az keeps no token files in {config_dir} to seal.",
                                       recommendation="Sign in with 'az login' first, then run "
                                                      "'az tokenguard vault lock'.")
            with cleanup.held_az_locks(config_dir):
                dropped = _leave_sealed_links(config_dir)  # a plain HTTP cache goes; a 0.3 vault gets its links
            return Outcome("already-locked", vault_state.vault_path(config_dir), removed=dropped)
        # The passphrase is asked before az's locks are taken: az commands must not wait for a person.
        key_source = key_source_for(current.state == vault_state.NONE)
        with cleanup.held_az_locks(config_dir):
            plain = _plain_files(config_dir)
            if current.state == vault_state.NONE:
                return _seal_first(config_dir, plain, key_source, now)
            return _seal_into_existing(config_dir, plain, key_source, now)


def unlock(config_dir: str, key_source_for: KeySourceFactory, seconds: int, now: float) -> Outcome:
    """A memory copy of the vault that az uses for ``seconds``; an unlocked vault gets its period extended."""
    config_dir = _checked_config_dir(config_dir)
    with _operation_lock(config_dir):
        current = vault_state.read_state(config_dir, now)
        if current.state == vault_state.NONE:
            raise MissingArgumentError(f"There is no vault in {config_dir}.",
                                       recommendation="Seal az's tokens first with 'az tokenguard vault lock'.")
        if current.state == vault_state.UNLOCKED:
            return _extend(config_dir, current, key_source_for(False), now + seconds)
        if current.state == vault_state.EXPIRED:
            _seal_memory_copy(config_dir, current, now)
        _drop_leftovers(config_dir, vault_state.read_state(config_dir, now))
        _refuse_plain_files(config_dir)
        files, data_key = _open_vault(config_dir, key_source_for(False))
        memory_dir = _serve_from_memory(config_dir, files, data_key, now, now + seconds)
        return Outcome("unlocked", vault_state.vault_path(config_dir), sorted(files), expires_at=now + seconds,
                       memory_dir=memory_dir)


def relock_if_expired(config_dir: str, now: float) -> Optional[Outcome]:
    """Seal the memory copy back when its period is over; None when there was nothing to do."""
    if vault_state.read_state(config_dir, now).state != vault_state.EXPIRED:
        return None
    config_dir = _checked_config_dir(config_dir)
    with _operation_lock(config_dir):
        current = vault_state.read_state(config_dir, now)  # another command may have re-locked meanwhile
        return _seal_memory_copy(config_dir, current, now) if current.state == vault_state.EXPIRED else None


def describe(config_dir: str, now: float) -> dict:
    """The vault's state for status, scan and `vault show`: no secret, nothing decrypted."""
    current = vault_state.read_state(config_dir, now)
    described = {"state": current.state, "vault": vault_state.vault_path(config_dir)}
    if current.state == vault_state.NONE:
        return described
    with contextlib.suppress(vault_crypto.VaultDamagedError, OSError):
        described.update(vault_crypto.describe(_read_vault(config_dir)))
    if current.state in (vault_state.UNLOCKED, vault_state.EXPIRED):
        described.update(_period(current.expires_at, now), memoryCopy=current.memory_dir)
    if current.memory_copy_lost:
        described["memoryCopyLost"] = True
    return described


def report(outcome: Outcome, now: float) -> dict:
    """A vault command's result: what it did, and the state it left."""
    result = {"action": outcome.action, "vault": outcome.vault, "state": vault_state.read_state(
        os.path.dirname(os.path.dirname(outcome.vault)), now).state}
    if outcome.sealed:
        result["files"] = outcome.sealed
    if outcome.removed:
        result["removedFromConfigDir"] = outcome.removed
    if outcome.expires_at is not None:
        result.update(_period(outcome.expires_at, now), memoryCopy=outcome.memory_dir)
    return result


def _period(expires_at, now):
    return {"expiresOn": claims.utc_iso(expires_at),
            "timeLeft": vault_state.format_time_left(max(0, expires_at - now))}


# ---------------------------------------------------------------- sealing

def _seal_first(config_dir, plain, key_source, now):
    document, data_key = vault_crypto.seal_new(plain, key_source, machine_fingerprint(), int(now))
    _write_vault(config_dir, document, data_key, plain)
    return Outcome("sealed", vault_state.vault_path(config_dir), sorted(plain), _leave_sealed_links(config_dir))


def _seal_into_existing(config_dir, plain, key_source, now):
    """Plain files beside a locked vault: az signed in without the vault (or a lock was cut off). Merge them in:
    they are newer than what the vault holds."""
    sealed, data_key = _open_vault(config_dir, key_source)
    merged = merge_stores(sealed, plain)
    _write_vault(config_dir, vault_crypto.reseal(_read_vault(config_dir), merged, data_key, int(now)), data_key,
                 merged)
    return Outcome("merged", vault_state.vault_path(config_dir), sorted(merged), _leave_sealed_links(config_dir))


def _seal_memory_copy(config_dir, current, now):
    """Write what az has now (the memory copy, or a plain file az put in a link's place) back into the vault,
    then take the links, the memory copy and the unlocked state away."""
    data_key = _memory_data_key(current.memory_dir)
    with cleanup.held_az_locks(config_dir):
        files = _files_in_use(config_dir, current.memory_dir)
        document = vault_crypto.reseal(_read_vault(config_dir), files, data_key, int(now))
        _write_vault(config_dir, document, data_key, files)
        removed = _leave_sealed_links(config_dir)  # in place of our links, and of any plain file az put there
    _wipe_memory_copy(current.memory_dir)
    _remove_quietly(vault_state.unlocked_path(config_dir))
    return Outcome("resealed", vault_state.vault_path(config_dir), sorted(files), removed)


def _files_in_use(config_dir, memory_dir):
    files = {}
    for name in STORES:
        path = os.path.join(config_dir, name)
        info = az_files.lstat_or_none(path)
        if info is None:
            continue                      # az removed it (account clear, logout): it is not sealed again
        if stat.S_ISLNK(info.st_mode):
            data = _read_linked(path, memory_dir, name)
        else:
            data = _read_store(path)
        if data is not None:
            files[name] = data
    return files


def _read_linked(path, memory_dir, name):
    """The memory copy's file behind one of our links; a link that points elsewhere is not ours to seal."""
    if os.readlink(path) != os.path.join(memory_dir, name):
        return None
    return _read_store(os.path.join(memory_dir, name))


def merge_stores(sealed: Dict[str, bytes], plain: Dict[str, bytes]) -> Dict[str, bytes]:
    """The vault's files with the plain ones merged in, the plain ones winning where both hold an entry.

    msal_token_cache.json is msal's serialized TokenCache: sections (AccessToken, RefreshToken, ...) of
    key -> entry. service_principal_entries.json is a list of entries, one per (client_id, tenant). Anything
    else, or a file that does not parse, is taken whole from the plain side."""
    merged = dict(sealed)
    for name, data in plain.items():
        merged[name] = _merge_one(name, sealed.get(name), data)
    return merged


def _merge_one(name, sealed, plain):
    if sealed is None:
        return plain
    try:
        old, new = json.loads(sealed), json.loads(plain)
    except ValueError:
        return plain
    if name == token_files.MSAL_TOKEN_CACHE_JSON and isinstance(old, dict) and isinstance(new, dict):
        sections = {key: {**(old.get(key) if isinstance(old.get(key), dict) else {}), **value}
                    if isinstance(value, dict) else value for key, value in new.items()}
        return json.dumps({**old, **sections}).encode("utf-8")
    if name == token_files.SP_ENTRIES_JSON and isinstance(old, list) and isinstance(new, list):
        def key(entry):
            return (entry.get("client_id"), entry.get("tenant")) if isinstance(entry, dict) else None
        newer = {key(entry) for entry in new}
        return json.dumps([e for e in old if key(e) not in newer] + new, indent=4).encode("utf-8")
    return plain


def _write_vault(config_dir, document, data_key, files):
    """Write the vault beside the old one, flush it, read it back and open it; only then replace the old one."""
    directory = ensure_private_dir(az_files.tokenguard_dir(config_dir))
    path = vault_state.vault_path(config_dir)
    pending = path + ".new"
    try:
        az_files.write_private_file(pending, document)
        if vault_crypto.open_with_data_key(_read_file(pending), data_key, machine_fingerprint()) != files:
            raise vault_crypto.VaultDamagedError("The vault read back differs from what was written.")
        os.replace(pending, path)
        _fsync_directory(directory)
    except OSError as error:
        _remove_quietly(pending)
        raise FileAccessError(f"Cannot write the vault {path} ({error.strerror or error}); az's tokens were left "
                              "where they were.",
                              recommendation="Free some disk space (or fix the permissions), then run the command "
                                             "again.") from None
    except vault_crypto.VaultDamagedError:
        _remove_quietly(pending)
        raise


# ---------------------------------------------------------------- unlocking

def _open_vault(config_dir, key_source):
    return vault_crypto.open_with_key_source(_read_vault(config_dir), key_source, machine_fingerprint())


def _extend(config_dir, current, key_source, expires_at):
    _open_vault(config_dir, key_source)  # the passphrase must still be known to keep the vault open longer
    _write_unlocked_state(config_dir, current.memory_dir, time.time(), expires_at)
    return Outcome("extended", vault_state.vault_path(config_dir), expires_at=expires_at,
                   memory_dir=current.memory_dir)


def _refuse_plain_files(config_dir):
    plain = vault_state.plain_stores(config_dir, TOKEN_STORES)
    if plain:
        raise RefusedError(f"az wrote plain-text token files since the vault was locked ({', '.join(plain)}); "
                           "unlocking now would hide them.",
                           recommendation="Run 'az tokenguard vault lock' to seal them into the vault, then unlock.")


def _serve_from_memory(config_dir, files, data_key, now, expires_at):
    """Write the memory copy, link az's stores to it, record the period; undone whole if any step fails."""
    memory_dir = vault_state.memory_dir_for(config_dir)
    try:
        _write_memory_copy(memory_dir, files, data_key)
        _link_stores(config_dir, memory_dir, sorted(set(AZ_WRITTEN_STORES) | set(files)))
        _write_unlocked_state(config_dir, memory_dir, now, expires_at)
    except BaseException:
        _seal_links_to(config_dir, memory_dir)
        _wipe_memory_copy(memory_dir)
        _remove_quietly(vault_state.unlocked_path(config_dir))
        raise
    return memory_dir


def _write_memory_copy(memory_dir, files, data_key):
    _private_dir_of_mine(os.path.dirname(memory_dir))
    _private_dir_of_mine(memory_dir)
    _wipe_files(memory_dir)  # a copy left by a cut-off unlock: replaced wholesale
    for name, data in files.items():
        az_files.write_private_file(os.path.join(memory_dir, name), data)
    az_files.write_private_file(os.path.join(memory_dir, DATA_KEY_FILE), data_key)


def _private_dir_of_mine(directory):
    """A 0700 directory that this user owns and that is not a link: /dev/shm is shared by every user, so anyone
    could have made the name first."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(directory, 0o700)
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise RefusedError(f"{directory} is not a directory of yours; the memory copy is not written there.",
                           recommendation=f"Remove {directory}, then unlock again.")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(directory, 0o700)


def _link_stores(config_dir, memory_dir, names):
    """Each store becomes a link into the memory copy; a missing file there is created by az through it."""
    with cleanup.held_az_locks(config_dir):
        _point_stores(config_dir, memory_dir, names)


def _point_stores(config_dir, target_dir, names):
    for name in names:
        link = os.path.join(config_dir, name)
        temporary = link + ".tokenguard-link"
        _remove_quietly(temporary)
        os.symlink(os.path.join(target_dir, name), temporary)
        os.replace(temporary, link)  # atomic: az sees the old entry or the link, never no entry


def _leave_sealed_links(config_dir):
    """Once sealed: az's token cache and secret store become links into a directory that does not exist, so that
    an az still running from the unlock period cannot write them plain (the module's docstring says why); the
    HTTP cache and the legacy ADAL cache just go. Returns the names that held something else (plain files, links
    to the copy)."""
    sealed_dir = vault_state.sealed_links_dir(config_dir)
    replaced = [name for name in STORES if az_files.lstat_or_none(os.path.join(config_dir, name)) is not None
                and az_files.link_target(os.path.join(config_dir, name)) != os.path.join(sealed_dir, name)]
    _seal_stores(config_dir, STORES)
    return sorted(replaced)


def _seal_stores(config_dir, names):
    """Of ``names``, the token stores become links to nowhere (_leave_sealed_links) and the others go."""
    _point_stores(config_dir, vault_state.sealed_links_dir(config_dir),
                  [name for name in names if name in SEALED_LINK_STORES])
    _remove_stores(config_dir, [name for name in names if name not in SEALED_LINK_STORES])


def _write_unlocked_state(config_dir, memory_dir, now, expires_at):
    ensure_private_dir(az_files.tokenguard_dir(config_dir))
    document = {"memoryDir": memory_dir, "unlockedAt": int(now), "expiresAt": int(expires_at)}
    az_files.write_private_file(vault_state.unlocked_path(config_dir), json.dumps(document).encode("utf-8"))


# ---------------------------------------------------------------- taking things away

def _remove_stores(config_dir, names):
    """Unlink stores of the config dir (a link itself, never its target); the names that were there."""
    return sorted(name for name in names
                  if cleanup.remove_file_no_follow(os.path.join(config_dir, name), [config_dir]))


def _seal_links_to(config_dir, memory_dir):
    """An unlock undone: our links into the memory copy are sealed again."""
    ours = [name for name in STORES
            if az_files.link_target(os.path.join(config_dir, name)) == os.path.join(memory_dir, name)]
    _seal_stores(config_dir, ours)


def _drop_leftovers(config_dir, current):
    """A memory copy that is gone (a reboot) leaves links to it and a stale unlocked state: the vault still
    holds what it held, so the links become sealed links and the state goes."""
    if current.state != vault_state.LOCKED:
        return
    sealed_dir = vault_state.sealed_links_dir(config_dir)

    def dangling_link_of_a_copy(name):
        path = os.path.join(config_dir, name)
        return az_files.link_target(path) not in (None, os.path.join(sealed_dir, name)) and not os.path.exists(path)
    _seal_stores(config_dir, [name for name in STORES if dangling_link_of_a_copy(name)])
    _remove_quietly(vault_state.unlocked_path(config_dir))


def _wipe_memory_copy(memory_dir):
    if not _isdir(memory_dir):
        return
    _wipe_files(memory_dir)
    with contextlib.suppress(OSError):
        os.rmdir(memory_dir)


def _wipe_files(directory):
    """Overwrite each file before unlinking it: tmpfs pages are freed, not cleared."""
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "wb") as handle:
                handle.write(b"\0" * os.fstat(handle.fileno()).st_size)
                handle.flush()
        _remove_quietly(path)


# ---------------------------------------------------------------- files

def _plain_files(config_dir):
    return {name: _read_store(os.path.join(config_dir, name)) for name in STORES
            if az_files.is_plain_file(os.path.join(config_dir, name))}


def _checked_config_dir(config_dir):
    """The config dir's real path (it may be a link the user chose; nothing below it is followed)."""
    _refuse_unsupported(config_dir)
    return os.path.realpath(config_dir)


def _refuse_unsupported(config_dir):
    if os.name == "nt":
        raise RefusedError("The vault is for Linux and macOS: on Windows az already encrypts its token cache "
                           "with DPAPI (msal_token_cache.bin).",
                           recommendation="Keep az's default core.encrypt_token_cache=true on Windows.")
    encrypted = [name for name in ENCRYPTED_STORES if os.path.lexists(os.path.join(config_dir, name))]
    if encrypted:
        raise RefusedError(f"az encrypts its token cache here already ({', '.join(encrypted)}); the vault seals "
                           "plain-text caches only.",
                           recommendation="Use either core.encrypt_token_cache or the vault, not both.")


def _read_store(path):
    try:
        return az_files.read_bounded(path, MAX_STORE_BYTES, follow_links=True)
    except (az_files.FileTooLargeError, az_files.NotRegularFileError) as error:
        raise FileAccessError(f"{path} is {error}; tokenguard does not seal it.",
                              recommendation="Move it aside, then run the command again.") from None
    except OSError as error:
        raise FileAccessError(f"Cannot read {path} ({error.strerror}).",
                              recommendation="Check its permissions, then run the command again.") from None


def _read_vault(config_dir):
    path = vault_state.vault_path(config_dir)
    try:
        data = _read_file(path)
    except az_files.FileTooLargeError:
        raise vault_crypto.VaultDamagedError(f"The vault {path} is larger than any vault tokenguard writes.") \
            from None
    except az_files.NotRegularFileError as error:
        raise vault_crypto.VaultDamagedError(f"The vault {path} is {error}.") from None
    except OSError as error:
        raise FileAccessError(f"Cannot read the vault {path} ({error.strerror}).",
                              recommendation="Check its permissions, then run the command again.") from None
    if data is None:
        raise MissingArgumentError(f"There is no vault in {os.path.dirname(path)}.",
                                   recommendation="Seal az's tokens first with 'az tokenguard vault lock'.")
    return data


def _read_file(path):
    return az_files.read_bounded(path, MAX_VAULT_BYTES, follow_links=False)


def _memory_data_key(memory_dir):
    try:
        key = az_files.read_bounded(os.path.join(memory_dir, DATA_KEY_FILE), 64, follow_links=False)
    except OSError:
        key = None
    if not key or len(key) != vault_crypto.DATA_KEY_BYTES:
        raise RefusedError(f"The memory copy in {memory_dir} has no usable key, so it cannot be sealed back.",
                           recommendation=f"Remove {memory_dir} (what it holds is lost), then run 'az tokenguard "
                                          "vault lock' again; the vault keeps what it had at unlock.")
    return key


def machine_fingerprint() -> Optional[str]:
    """A hash of this machine's id (systemd's /etc/machine-id), never the id itself; None where there is none."""
    for path in MACHINE_ID_FILES:
        with contextlib.suppress(OSError):
            machine_id = az_files.read_bounded(path, 4096) or b""
            if machine_id.strip():
                return hashlib.sha256(b"tokenguard-vault:" + machine_id.strip()).hexdigest()[:32]
    return None


@contextlib.contextmanager
def _operation_lock(config_dir):
    """One vault command at a time per config dir; a second one waits for the first, then sees its result."""
    import portalocker
    directory = ensure_private_dir(az_files.tokenguard_dir(config_dir))
    path = os.path.join(directory, OPERATION_LOCK_NAME)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600))  # 0600 from the start
    try:
        with portalocker.Lock(path, mode="a", timeout=OPERATION_LOCK_TIMEOUT, check_interval=0.05,
                              flags=portalocker.LOCK_EX | portalocker.LOCK_NB):
            yield
    except portalocker.exceptions.LockException:
        raise VaultBusyError(f"Another vault command has held {path} for {OPERATION_LOCK_TIMEOUT} s.") from None


def _fsync_directory(directory):
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_quietly(path):
    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
        os.unlink(path)


def _isdir(path):
    return bool(path) and os.path.isdir(path) and not os.path.islink(path)
