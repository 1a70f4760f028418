"""Plan and perform removal of cached token material (``az tokenguard logout --all``).

Pure logic (no azure.cli). Safety rules:
- only files tokenguard knows by name are removed; directories never are;
- a symlink is removed as a link (os.unlink of the link itself); its target is
  never opened, changed or deleted;
- a file is unlinked relative to a directory fd opened with O_NOFOLLOW, and
  only when no path component between the cleaned root and the file is a
  symlink, so nothing outside the cleaned directories can be reached;
- az's own msal-extensions lock files are held while data files go, and lock
  files are removed last (a removed lock file protects nothing).
"""
import contextlib
import errno
import json
import os
import stat
import tempfile
from typing import List, Optional

from . import token_files as tf


class CleanupError(ValueError):
    """Base class: a cleanup step cannot be done safely."""


class UnsafePathError(CleanupError):
    """A path goes through a symlink or leaves the cleaned directories."""


class ProfileFormatError(CleanupError):
    """azureProfile.json cannot be parsed or rewritten."""


class LockBusyError(CleanupError):
    """Another process holds az's token cache lock."""


MAX_PROFILE_BYTES = 10 * 1024 * 1024
PRIVATE_FILE_MODE = 0o600
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
        raise CleanupError("Cannot read %s (%s); check its permissions." % (root, ex.strerror)) from None
    if not stat.S_ISDIR(st.st_mode):
        raise CleanupError("%s is not a directory; point AZURE_CONFIG_DIR at the az config directory."
                           % root)
    return root


def _plan_az(plan, root):
    for entry in tf.az_token_files(root):
        _plan_entry(plan, entry)
    _plan_profile(plan, tf.az_profile_path(root))
    _plan_kept(plan, root, {e.path: e.why for e in tf.kept_files(root)})


def _plan_profile(plan, path):
    st = _lstat(path)
    if st is None:
        return
    if stat.S_ISREG(st.st_mode):
        plan["rewrite"].append({"path": path, "reason": tf.PROFILE_REASON})
    else:
        plan["cannot_clean"].append({"what": path, "why": "not a regular file (symlink?); not rewritten",
                                     "how": "run 'az account clear' or edit the target by hand"})


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
                "what": entry.path, "why": "its directory is reached through symlink %s" % link,
                "how": "remove it by hand if the target directory is yours"})
            continue
        _plan_entry(plan, entry)
    for entry in tf.other_tool_kept(home):
        if _lstat(entry.path) is not None:
            plan["keep"].append({"path": entry.path, "reason": entry.why})


def _plan_entry(plan, entry):
    st = _lstat(entry.path)
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
    try:
        target = os.readlink(entry.path)
    except OSError:
        target = "?"
    plan["remove"].append({"path": entry.path, "kind": entry.kind,
                           "reason": "symlink (to %s): the link is removed, its target is left alone"
                           % target})
    if entry.kind in tf.TOKEN_BEARING_KINDS:
        plan["cannot_clean"].append({
            "what": target, "why": "token material outside the cleaned directory (target of %s)"
            % entry.path, "how": "delete it yourself if it is yours"})


def _order_removals(plan):
    # stable: data files keep their order, lock files go last
    plan["remove"].sort(key=lambda item: item["kind"] == tf.KIND_LOCKFILE)


# --- execution -------------------------------------------------------------------------------
def execute_plan(plan: dict, use_az_locks: bool = True) -> dict:
    """Carry out a plan from ``plan_logout_all``.

    Returns {removed: [path], absent: [path], rewritten: [{path, subscriptions_removed}],
    failed: [{path, error}]}. Raises LockBusyError (nothing removed) if az holds its lock.
    """
    result = {"removed": [], "absent": [], "rewritten": [], "failed": []}
    roots = list(plan.get("roots") or [])
    items = list(plan.get("remove") or [])
    locks = [i for i in items if i.get("kind") == tf.KIND_LOCKFILE]
    data = [i for i in items if i.get("kind") != tf.KIND_LOCKFILE]
    # A symlinked lock file would make the lock write through the link: unlink such links first.
    for item in [i for i in locks if _is_link(i["path"])]:
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
            raise UnsafePathError("%s is a directory; tokenguard removes files only." % path)
        os.unlink(name, dir_fd=dir_fd)
        return True
    finally:
        os.close(dir_fd)


def _remove_by_path(path):
    """Windows fallback: lstat + unlink never follow a final symlink either."""
    st = _lstat(path)
    if st is None:
        return False
    if stat.S_ISDIR(st.st_mode):
        raise UnsafePathError("%s is a directory; tokenguard removes files only." % path)
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
        if _is_link(root) or tf.symlink_on_path(root, parent) is not None:
            raise UnsafePathError("%s is reached through a symlink; not touched." % path)
        return parent, name
    raise UnsafePathError("%s is outside the directories being cleaned; not touched." % path)


# --- azureProfile.json ---------------------------------------------------------------------------
def strip_subscriptions(profile_path: str) -> dict:
    """Empty ``subscriptions`` in azureProfile.json, keeping every other key (installationId).

    Read with utf-8-sig, written back atomically (temp file in the same dir,
    mode 0600, os.replace) with a BOM, as az writes it. A symlink is refused.
    Returns {path, subscriptions_removed}.
    """
    data = _read_profile(profile_path)
    subs = data.get("subscriptions", [])
    if not isinstance(subs, list):
        raise ProfileFormatError("%s: 'subscriptions' is not a list; move the file aside and run az login."
                                 % profile_path)
    if subs or "subscriptions" not in data:
        data["subscriptions"] = []
        write_private_file_atomic(profile_path, json.dumps(data).encode("utf-8-sig"))
    return {"path": profile_path, "subscriptions_removed": len(subs)}


def _read_profile(path):
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as ex:
        if ex.errno == errno.ELOOP:
            raise ProfileFormatError("%s is a symlink; not rewritten." % path) from None
        raise ProfileFormatError("Cannot read %s (%s)." % (path, ex.strerror)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ProfileFormatError("%s is not a regular file; not rewritten." % path)
        raw = os.read(fd, MAX_PROFILE_BYTES + 1)
    finally:
        os.close(fd)
    if len(raw) > MAX_PROFILE_BYTES:
        raise ProfileFormatError("%s is larger than %d bytes; move it aside and run az login."
                                 % (path, MAX_PROFILE_BYTES))
    try:
        data = json.loads(raw.decode("utf-8-sig")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ProfileFormatError("%s is not valid JSON; move it aside and run az login." % path) from None
    if not isinstance(data, dict):
        raise ProfileFormatError("%s is not a JSON object; move it aside and run az login." % path)
    return data


def write_private_file_atomic(path: str, content: bytes) -> None:
    """Write ``content`` to ``path`` via a 0600 temp file in the same dir + os.replace.

    os.replace swaps the directory entry: if ``path`` was a symlink, the link
    is replaced and its target is untouched.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tokenguard-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, PRIVATE_FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --- az's locks ----------------------------------------------------------------------------------
def az_lock_paths(config_dir: str) -> List[str]:
    """Lock files az uses for its stores: those whose data file exists, plus the
    platform default (.json, or .bin on Windows where az encrypts by default)."""
    default_ext = ".bin" if _IS_WINDOWS else ".json"
    paths = []
    for store in tf.AZ_LOCKED_STORES:
        data_path = os.path.join(config_dir, store)
        if store.endswith(default_ext) or _lstat(data_path) is not None:
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
            if _is_link(path):
                raise UnsafePathError("Lock file %s is a symlink; remove the link and retry." % path)
            _clear_stale_lock(path)
            try:
                stack.enter_context(CrossPlatLock(path))
            except LockError:
                raise LockBusyError("Another az command holds %s; wait for it to finish and retry."
                                    % path) from None
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
def _lstat(path):
    try:
        return os.lstat(path)
    except OSError:
        return None


def _is_link(path):
    st = _lstat(path)
    return st is not None and stat.S_ISLNK(st.st_mode)


def _one_line(ex):
    text = str(ex) if isinstance(ex, CleanupError) else (getattr(ex, "strerror", None) or str(ex))
    return " ".join(text.split())
