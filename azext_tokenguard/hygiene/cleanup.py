"""Plan and perform removal of cached token material (``az tokenguard logout --all``).

Pure logic (no azure.cli). Safety rules:
- only files tokenguard knows by name are removed; directories never are;
- a symlink is removed as a link (os.unlink of the link itself); its target is
  never opened, changed or deleted; links are removed before az's own sign-out
  runs (``detach_links``), because az writes its files with open(), through a
  link (a symlinked azureProfile.json would be emptied outside the config dir);
- a file is unlinked relative to a directory fd opened with O_NOFOLLOW, and
  only when no path component between the cleaned root and the file is a
  symlink, so nothing outside the cleaned directories can be reached;
- az's own msal-extensions lock files are held while data files go, and lock
  files are removed last (a removed lock file protects nothing).
"""
import contextlib
import json
import os
import stat
from typing import List, Optional

from azext_tokenguard.hygiene import token_files as tf
from azext_tokenguard.guard import az_files, vault_state
from azext_tokenguard.guard.az_files import MAX_PROFILE_BYTES
from azext_tokenguard.guard.errors import FileAccessError


class CleanupError(FileAccessError):
    """Base class: a cleanup step cannot be done safely."""


class UnsafePathError(CleanupError):
    """A path goes through a symlink or leaves the cleaned directories."""


class ProfileFormatError(CleanupError):
    """azureProfile.json cannot be parsed or rewritten."""


class LockBusyError(CleanupError):
    """Another process holds az's token cache lock."""


_IS_WINDOWS = os.name == "nt"


# --- planning --------------------------------------------------------------------------
def plan_logout_all(config_dir: str, include_other_tools: bool = False,
                    home: Optional[str] = None) -> dict:
    """Dry-run report of what ``logout --all`` removes, rewrites and keeps.

    Returns {config_dir, roots, remove: [{path, kind, reason}], rewrite: [{path, reason}],
    keep: [{path, reason}], cannot_clean: [{what, why, how}]}. ``remove`` is in
    execution order: data files first, lock files last.
    """
    root = _resolve_config_dir(config_dir)
    plan = {"config_dir": root, "roots": [], "remove": [], "rewrite": [], "keep": [],
            "cannot_clean": []}
    if root is not None:
        plan["roots"].append(root)
        _plan_az(plan, root)
    if include_other_tools and home:
        _plan_other_tools(plan, home)
    _order_removals(plan)
    plan["cannot_clean"].extend(tf.not_cleanable_here())
    return plan


def _resolve_config_dir(config_dir: str) -> Optional[str]:
    """The configured dir itself may be a link (the user chose it); nothing below is followed."""
    if not config_dir:
        raise CleanupError("No Azure CLI config directory given; set AZURE_CONFIG_DIR or use ~/.azure.")
    root = os.path.realpath(os.path.abspath(os.path.expanduser(config_dir)))
    try:
        st = os.lstat(root)
    except FileNotFoundError:
        return None                     # nothing was ever cached there
    except OSError as ex:
        raise CleanupError(f"Cannot read {root} ({ex.strerror}); check its permissions.") from None
    if not stat.S_ISDIR(st.st_mode):
        raise CleanupError(f"{root} is not a directory; point AZURE_CONFIG_DIR at the az config directory.")
    return root


def _plan_az(plan, root):
    _plan_vault(plan, root)
    for entry in tf.az_token_files(root):
        _plan_entry(plan, entry)
    _plan_profile(plan, tf.az_profile_path(root))
    _plan_kept(plan, root, {e.path: e.why for e in tf.kept_files(root)})


VAULT_FILES = (vault_state.VAULT_FILE_NAME, vault_state.VAULT_FILE_NAME + ".new", vault_state.UNLOCKED_FILE_NAME,
               "vault.lock")


def _plan_vault(plan, root):
    """tokenguard's vault and, when unlocked, its plain copy in memory: both go with everything else."""
    for name in VAULT_FILES:
        path = os.path.join(az_files.tokenguard_dir(root), name)
        if az_files.lstat_or_none(path) is not None:
            plan["remove"].append({"path": path, "kind": tf.KIND_VAULT,
                                   "reason": "tokenguard's vault of az's tokens (sealed), or its state"})
    if os.name != "posix":
        return                          # no memory copy off POSIX: the vault is for Linux and macOS
    memory_dir = vault_state.unlocked_memory_dir(root) or vault_state.memory_dir_for(root)
    info = az_files.lstat_or_none(memory_dir)
    if info is None or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return
    plan["memory_dir"] = memory_dir
    plan["roots"].append(memory_dir)
    for name in sorted(os.listdir(memory_dir)):
        plan["remove"].append({"path": os.path.join(memory_dir, name), "kind": tf.KIND_VAULT,
                               "reason": "plain copy of az's tokens while the vault is unlocked (memory-backed)"})


def _plan_profile(plan, path):
    st = az_files.lstat_or_none(path)
    if st is None:
        return
    if stat.S_ISREG(st.st_mode):
        plan["rewrite"].append({"path": path, "reason": tf.PROFILE_REASON})
    elif stat.S_ISLNK(st.st_mode):
        _plan_profile_link(plan, path)
    else:
        plan["cannot_clean"].append({"what": path, "why": "not a regular file (symlink?); not rewritten",
                                     "how": "run 'az account clear' or edit the target by hand"})


def _plan_profile_link(plan, path):
    """az's own sign-out rewrites azureProfile.json with open(path, 'w'), which writes through a link into the
    target: so the link is removed before az signs out (see detach_links), and az writes a new, empty one."""
    target = _link_target(path)
    plan["remove"].append({"path": path, "kind": tf.KIND_PROFILE,
                           "reason": f"symlink (to {target}): removed before az signs out, which would write "
                                     "through it; az then writes a new azureProfile.json with no subscriptions, "
                                     "and the target is left alone"})
    plan["cannot_clean"].append({"what": target, "why": f"the profile {path} linked to still lists your "
                                                        "subscriptions (no secret)",
                                 "how": "empty its \"subscriptions\" by hand if the file is yours"})


def _plan_kept(plan, root, known_reasons):
    planned = {i["path"] for i in plan["remove"] + plan["rewrite"]}
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return
    for name in names:
        path = os.path.join(root, name)
        if path in planned or any(c["what"] == path for c in plan["cannot_clean"]):
            continue
        reason = known_reasons.get(path) or "not known to hold tokens; left untouched"
        plan["keep"].append({"path": path, "reason": reason})


def _plan_other_tools(plan, home):
    home = os.path.realpath(os.path.abspath(os.path.expanduser(home)))
    seen = {os.path.normcase(i["path"]) for i in plan["remove"]}
    for loc_dir in tf.other_tool_dirs(home):
        if os.path.isdir(loc_dir) and tf.symlink_on_path(home, loc_dir) is None \
                and loc_dir not in plan["roots"]:
            plan["roots"].append(loc_dir)
    for entry in tf.other_tool_caches(home):
        if os.path.normcase(entry.path) in seen:   # ~/.Azure is ~/.azure on Windows and macOS
            continue
        link = tf.symlink_on_path(home, os.path.dirname(entry.path))
        if link is not None:
            plan["cannot_clean"].append({
                "what": entry.path, "why": f"its directory is reached through symlink {link}",
                "how": "remove it by hand if the target directory is yours"})
            continue
        _plan_entry(plan, entry)
    for entry in tf.other_tool_kept(home):
        if az_files.lstat_or_none(entry.path) is not None:
            plan["keep"].append({"path": entry.path, "reason": entry.why})


def _plan_entry(plan, entry):
    st = az_files.lstat_or_none(entry.path)
    if st is None:
        return
    if stat.S_ISLNK(st.st_mode):
        _plan_symlink(plan, entry)
    elif stat.S_ISREG(st.st_mode):
        plan["remove"].append({"path": entry.path, "kind": entry.kind, "reason": entry.why})
    else:
        plan["cannot_clean"].append({"what": entry.path, "why": "expected a file, found something else",
                                     "how": "inspect and remove it by hand"})


def _plan_symlink(plan, entry):
    target = _link_target(entry.path)
    memory_dir = plan.get("memory_dir")
    if memory_dir and os.path.dirname(target) == memory_dir:
        plan["remove"].append({"path": entry.path, "kind": entry.kind,
                               "reason": f"symlink into the unlocked vault's memory copy ({target}), removed too"})
        return
    if os.path.dirname(target) == vault_state.sealed_links_dir(os.path.dirname(entry.path)):
        plan["remove"].append({"path": entry.path, "kind": entry.kind,
                               "reason": f"link of the locked vault to nowhere ({target}), which keeps az from "
                                         "writing a plain token file there; removed with the vault"})
        return
    plan["remove"].append({"path": entry.path, "kind": entry.kind,
                           "reason": f"symlink (to {target}): the link is removed, its target is left alone"})
    if entry.kind in tf.TOKEN_BEARING_KINDS:
        plan["cannot_clean"].append({
            "what": target, "why": f"token material outside the cleaned directory (target of {entry.path})",
            "how": "delete it yourself if it is yours"})


def _order_removals(plan):
    # stable: data files keep their order, lock files go last
    plan["remove"].sort(key=lambda item: item["kind"] == tf.KIND_LOCKFILE)


# --- execution -------------------------------------------------------------------------------
def detach_links(plan: dict) -> List[str]:
    """Unlink every symlink the plan removes, and drop them from the plan; returns their paths.

    Run before az's own sign-out: az opens its profile, token cache, secret store and their locks with open(),
    which follows a link, so it would change the files the links point to, outside the config dir. A link that
    cannot be removed raises CleanupError, so that the caller signs nobody out.
    """
    roots = list(plan.get("roots") or [])
    detached = []
    for item in plan.get("remove") or []:
        if not az_files.is_link(item["path"]):
            continue
        try:
            remove_file_no_follow(item["path"], roots)
        except OSError as ex:
            raise CleanupError(f"Cannot remove the symlink {item['path']} ({_one_line(ex)}); nothing was signed "
                               "out.") from None
        detached.append(item["path"])
    plan["remove"] = [item for item in plan.get("remove") or [] if item["path"] not in detached]
    return detached


def execute_plan(plan: dict, use_az_locks: bool = True) -> dict:
    """Carry out a plan from ``plan_logout_all``.

    Returns {removed: [path], absent: [path], rewritten: [{path, subscriptionsRemoved}],
    failed: [{path, error}]}. Raises LockBusyError (nothing removed) if az holds its lock.
    """
    result = {"removed": [], "absent": [], "rewritten": [], "failed": []}
    roots = list(plan.get("roots") or [])
    items = list(plan.get("remove") or [])
    locks = [i for i in items if i.get("kind") == tf.KIND_LOCKFILE]
    data = [i for i in items if i.get("kind") != tf.KIND_LOCKFILE]
    # A symlinked lock file would make the lock write through the link: unlink such links first.
    for item in [i for i in locks if az_files.is_link(i["path"])]:
        _remove_into(result, item["path"], roots)
        locks.remove(item)
    config_dir = plan.get("config_dir")
    guard = held_az_locks(config_dir) if (use_az_locks and config_dir) else contextlib.nullcontext()
    with guard:
        for item in data:
            _remove_into(result, item["path"], roots)
        for item in plan.get("rewrite") or []:
            _rewrite_into(result, item["path"], roots)
    for item in locks:
        _remove_into(result, item["path"], roots)
    return result


def _remove_into(result, path, roots):
    try:
        removed = remove_file_no_follow(path, roots)
    except (CleanupError, OSError) as ex:
        result["failed"].append({"path": path, "error": _one_line(ex)})
        return
    result["removed" if removed else "absent"].append(path)


def _rewrite_into(result, path, roots):
    try:
        _ensure_inside(path, roots)
        result["rewritten"].append(strip_subscriptions(path))
    except (CleanupError, OSError) as ex:
        result["failed"].append({"path": path, "error": _one_line(ex)})


def remove_file_no_follow(path: str, roots: List[str]) -> bool:
    """Unlink ``path`` (a file or a symlink itself) if it lies inside ``roots``.

    Returns False if it was already gone. Never removes a directory, never
    follows a symlink in the path below the root.
    """
    parent, name = _ensure_inside(path, roots)
    if not _supports_dir_fd():
        return _remove_by_path(path)
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        dir_fd = os.open(parent, flags)
    except FileNotFoundError:
        return False
    try:
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        if stat.S_ISDIR(st.st_mode):
            raise UnsafePathError(f"{path} is a directory; tokenguard removes files only.")
        os.unlink(name, dir_fd=dir_fd)
        return True
    finally:
        os.close(dir_fd)


def _remove_by_path(path):
    """Windows fallback: lstat + unlink never follow a final symlink either."""
    st = az_files.lstat_or_none(path)
    if st is None:
        return False
    if stat.S_ISDIR(st.st_mode):
        raise UnsafePathError(f"{path} is a directory; tokenguard removes files only.")
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _supports_dir_fd():
    return os.unlink in os.supports_dir_fd and os.stat in os.supports_dir_fd


def _ensure_inside(path, roots):
    """(parent, name) if ``path`` is a direct-or-nested file of a root with no symlink between."""
    path = os.path.abspath(path)
    parent, name = os.path.split(path)
    for root in roots:
        root = os.path.abspath(root)
        try:
            inside = os.path.commonpath([root, parent]) == root
        except ValueError:              # different drives on Windows
            inside = False
        if not inside or not name:
            continue
        if az_files.is_link(root) or tf.symlink_on_path(root, parent) is not None:
            raise UnsafePathError(f"{path} is reached through a symlink; not touched.")
        return parent, name
    raise UnsafePathError(f"{path} is outside the directories being cleaned; not touched.")


# --- azureProfile.json ---------------------------------------------------------------------------
def strip_subscriptions(profile_path: str) -> dict:
    """Empty ``subscriptions`` in azureProfile.json, keeping every other key (installationId).

    Read with utf-8-sig, written back atomically (temp file in the same dir,
    mode 0600, os.replace) with a BOM, as az writes it. A symlink is refused.
    Returns {path, subscriptionsRemoved}.
    """
    data = _read_profile(profile_path)
    subs = data.get("subscriptions", [])
    if subs or "subscriptions" not in data:
        data["subscriptions"] = []
        az_files.write_private_file(profile_path, json.dumps(data).encode("utf-8-sig"))
    return {"path": profile_path, "subscriptionsRemoved": len(subs)}


def _read_profile(path):
    """The profile's document; an empty file is an empty one. Never read through a symlink."""
    try:
        raw = az_files.read_bounded(path, MAX_PROFILE_BYTES, follow_links=False)
    except az_files.FileTooLargeError as ex:
        raise ProfileFormatError(f"{path} is {ex}; move it aside and run az login.") from None
    except az_files.NotRegularFileError as ex:
        raise ProfileFormatError(f"{path} is {ex}; not rewritten.") from None
    except OSError as ex:
        raise ProfileFormatError(f"Cannot read {path} ({ex.strerror}).") from None
    if raw is None:
        raise ProfileFormatError(f"Cannot read {path} (it does not exist).")
    if not raw.strip():
        return {}
    try:
        return az_files.parse_profile(raw)
    except az_files.ProfileFormatError as ex:
        raise ProfileFormatError(f"{path} is not a profile az wrote ({ex}); move it aside and run az login.") \
            from None


# --- az's locks ----------------------------------------------------------------------------------
def az_lock_paths(config_dir: str) -> List[str]:
    """Lock files az uses for its stores: those whose data file exists, plus the
    platform default (.json, or .bin on Windows where az encrypts by default)."""
    default_ext = ".bin" if _IS_WINDOWS else ".json"
    paths = []
    for store in tf.AZ_LOCKED_STORES:
        data_path = os.path.join(config_dir, store)
        if store.endswith(default_ext) or az_files.lstat_or_none(data_path) is not None:
            paths.append(tf.lockfile_for(data_path))
    return sorted(paths)                # fixed order: no deadlock between two cleanups


@contextlib.contextmanager
def held_az_locks(config_dir: str):
    """Hold az's own msal-extensions locks on its token stores.

    A concurrent az command then waits instead of writing a half cache. The
    locks delete their lock files on release (CrossPlatLock.__exit__).
    Raises LockBusyError if another process keeps a lock for ~10 s.
    """
    from msal_extensions.cache_lock import CrossPlatLock, LockError
    with contextlib.ExitStack() as stack:
        paths = az_lock_paths(config_dir)
        for path in paths:
            if az_files.is_link(path):
                raise UnsafePathError(f"Lock file {path} is a symlink; remove the link and retry.")
            _clear_stale_lock(path)
            try:
                stack.enter_context(CrossPlatLock(path))
            except LockError:
                raise LockBusyError(f"Another az command holds {path}; wait for it to finish and retry.") from None
        yield paths


def _clear_stale_lock(path: str) -> None:
    """Delete a lock file nobody holds (left by a crashed az).

    CrossPlatLock would otherwise wait 5 s for it to disappear. The file is
    locked by us while it is unlinked, so a live holder is never robbed.
    """
    import portalocker
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return                          # absent (fine) or not ours to judge
    with os.fdopen(fd, "rb+") as handle:
        try:
            portalocker.lock(handle, portalocker.LOCK_EX | portalocker.LOCK_NB)
        except portalocker.exceptions.LockException:
            return                      # held by a live process: CrossPlatLock will wait
        try:
            if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                with contextlib.suppress(OSError):   # Windows cannot unlink an open file
                    os.unlink(path)
        finally:
            portalocker.unlock(handle)


# --- helpers ----------------------------------------------------------------------------------
def _link_target(path):
    return az_files.link_target(path) or "?"


def _one_line(ex):
    text = str(ex) if isinstance(ex, CleanupError) else (getattr(ex, "strerror", None) or str(ex))
    return " ".join(text.split())
