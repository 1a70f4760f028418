"""Inspect token caches on disk and turn what they hold into findings.

Pure logic (no azure.cli): roots, clock and environment come in as arguments.
Never returns a secret value: a finding carries at most a 12-hex-char sha256
prefix of the secret (``fingerprint``) to tell entries apart.

Safety rules: symlinks are reported, never followed, anywhere in a path: from
each root's base down, every directory is opened with O_NOFOLLOW relative to
its parent's descriptor and every file with O_NOFOLLOW relative to its
directory's, so a link in the middle of a path (~/.azd -> elsewhere) or one
swapped in while the scan runs is reported, not read; files are read up to a
size cap; the pickle HTTP cache is never read;
every parse problem becomes a finding instead of an exception; the walk has a
file-count, depth and time budget.
"""
import hashlib
import json
import os
import re
import stat
import time
from dataclasses import dataclass
from typing import Callable, Iterable, List, Mapping, Optional

import jwt
import msal

from azext_tokenguard.hygiene import token_files as tf
from azext_tokenguard._format import printable
from azext_tokenguard.guard import az_files, vault_state
from azext_tokenguard.guard.claims import MAX_TIMESTAMP, utc_iso
from azext_tokenguard.guard.errors import InvalidValueError
from azext_tokenguard.guard.signin import detect_ci  # one list of CI systems, shared with the guard

# --- severities ----------------------------------------------------------------
SEVERITIES = ("info", "low", "medium", "high")
_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
FAIL_ON_NONE = "none"


class InvalidSeverityError(InvalidValueError):
    """An unknown severity name was given (e.g. to --fail-on)."""


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str       # default / highest severity of the rule
    title: str
    fix: str


RULES = {
    "TG001": Rule("refresh-token-plaintext", "high", "User refresh token stored in plain text",
                  "Run 'az logout' (or 'az tokenguard logout --all'); enable core.encrypt_token_cache "
                  "where supported."),
    "TG002": Rule("access-token-cached", "medium", "Access token cached on disk",
                  "Run 'az logout' when done; expired entries are removed by 'az tokenguard logout --all'."),
    "TG003": Rule("sp-secret-plaintext", "high", "Service principal secret stored in plain text",
                  "Run 'az logout --username <app-id>' and rotate the secret: "
                  "az ad app credential reset --id <app-id>. Prefer certificates or workload identity."),
    "TG004": Rule("file-permissions", "high", "Token file readable or writable by group/others",
                  "chmod 600 <file>"),
    "TG005": Rule("dir-permissions", "high", "Token directory accessible by group/others",
                  "chmod 700 <directory>"),
    "TG006": Rule("ci-user-refresh-token", "high", "User refresh token cached on a CI agent",
                  "Sign in CI jobs with a service principal or workload identity (OIDC) and run "
                  "'az logout' at the end of the job."),
    "TG007": Rule("encrypted-cache", "info", "Encrypted or opaque token cache present",
                  "Nothing to fix; 'az logout' removes it when you are done."),
    "TG008": Rule("cache-unreadable", "medium", "Token cache could not be inspected",
                  "Check the file by hand; if it is corrupt, remove it and sign in again."),
    "TG009": Rule("symlink", "info", "Symbolic link not followed",
                  "Scan the link target directly if it belongs to you."),
    "TG010": Rule("sp-certificate-entry", "info", "Service principal signs in with a certificate file",
                  "Keep the PEM file (it holds the private key) mode 0600, or use workload identity."),
    "TG011": Rule("adal-legacy-cache", "high", "Legacy ADAL token cache (accessTokens.json)",
                  "Remove it: az account clear (az >= 2.30 no longer uses it)."),
    "TG012": Rule("secret-in-file", "medium", "Token-shaped secret found in a file",
                  "Remove the secret from the file or delete the file; revoke the token if shared."),
    "TG013": Rule("msal-http-cache", "low", "MSAL HTTP cache (pickle) present",
                  "Removed by 'az tokenguard logout --all'; never load it with pickle."),
    "TG014": Rule("account-record", "info", "Signed-in account recorded",
                  "Run 'az logout' to forget the account."),
    "TG015": Rule("scan-incomplete", "info", "Scan stopped early or skipped entries",
                  "Narrow the scanned paths or raise the limits."),
    "TG016": Rule("profile-subscriptions", "info", "azureProfile.json lists signed-in accounts",
                  "'az tokenguard logout --all' empties the list."),
    "TG017": Rule("vault-locked", "info", "az's tokens are sealed in tokenguard's vault",
                  "Nothing to do: 'az tokenguard vault unlock' opens it when you need az."),
    "TG018": Rule("vault-unlocked", "medium", "tokenguard's vault is unlocked: a plain copy is in memory",
                  "'az tokenguard vault lock' seals it again now; otherwise it locks when its period ends."),
}

# --- limits ---------------------------------------------------------------------
MAX_CACHE_BYTES = 50 * 1024 * 1024      # a real az cache is KBs; more means trouble
MAX_UNKNOWN_FILE_BYTES = 2 * 1024 * 1024  # unknown files get only the generic detector
MAX_FILES = 5000
MAX_DEPTH = 6
MAX_FINDINGS_PER_FILE = 200
MAX_TEXT_HITS = 500
DEFAULT_TIME_BUDGET_S = 10.0
FINGERPRINT_HEX = 12
SECONDS_PER_DAY = 86400.0
SKIP_DIR_NAMES = frozenset({"cliextensions", "__pycache__", "site-packages", "node_modules", ".git"})

# --- CI detection -------------------------------------------------------------------

# --- MSAL format -----------------------------------------------------------------
_CT = msal.TokenCache.CredentialType
MSAL_SECTIONS = (_CT.ACCESS_TOKEN, _CT.REFRESH_TOKEN, _CT.ID_TOKEN, _CT.ACCOUNT, _CT.APP_METADATA)
_SECRET_SECTIONS = (_CT.ACCESS_TOKEN, _CT.REFRESH_TOKEN, _CT.ID_TOKEN)
_MSAL_KEY_FIELDS = ("home_account_id", "environment", "client_id", "realm", "target", "ext_cache_key")


def fingerprint(value: str) -> str:
    """Short sha256 prefix: tells secrets apart without revealing them."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:FINGERPRINT_HEX]


def severity_at_least(findings: Iterable[dict], level: str) -> bool:
    """True if any finding is at ``level`` or above (for --fail-on)."""
    level = (level or "").lower()
    if level == FAIL_ON_NONE:
        return False
    if level not in _RANK:
        raise InvalidSeverityError(f"Unknown severity '{level}'; use one of: {', '.join(SEVERITIES)}, none.")
    return any(_RANK.get(f.get("severity"), 0) >= _RANK[level] for f in findings)


# --- generic secret detector ---------------------------------------------------------
# The lookbehind anchors a JWT at a token boundary so a long run of "eyJeyJ..."
# cannot make the scan quadratic.
_JWT_RE = re.compile(r"(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{4,}\.eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*")
_FIELD_KINDS = {  # JSON key, lower case without underscores -> kind
    "refreshtoken": "refresh_token", "clientsecret": "client_secret",
    "serviceprincipalsecret": "client_secret", "password": "password",
    "clientassertion": "client_assertion", "accesstoken": "access_token",
    "cachedata": "token_cache_blob",
}
_JSON_FIELD_RE = re.compile(
    r'"(refresh_?token|refreshToken|client_?secret|clientSecret|ServicePrincipalSecret|password|'
    r'client_assertion|access_?token|accessToken|CacheData)"\s*:\s*"([^"\\]{8,})"', re.IGNORECASE)
_MSAL_RT_RE = re.compile(r'"credential_type"\s*:\s*"RefreshToken"\s*,\s*"secret"\s*:\s*"([^"\\]{8,})"'
                         r'|"secret"\s*:\s*"([^"\\]{8,})"\s*,\s*"credential_type"\s*:\s*"RefreshToken"')
_ASSIGN_RE = re.compile(r"(?i)(?<![A-Za-z0-9])(client[_-]?secret|refresh[_-]?token)\s*[=:]\s*['\"]?"
                        r"([^\s'\"&,;]{8,})")
HIGH_RISK_TEXT_KINDS = frozenset({"refresh_token", "client_secret", "password", "token_cache_blob"})


def _is_jwt(candidate: str) -> bool:
    try:
        header = jwt.get_unverified_header(candidate)
        claims = jwt.decode(candidate, options={"verify_signature": False})
    except Exception:  # pylint: disable=broad-except  # any decode failure: not a JWT
        return False
    return isinstance(header, dict) and isinstance(claims, dict)


def find_secrets_in_text(text: str, max_hits: int = MAX_TEXT_HITS) -> List[dict]:
    """Token-shaped secrets in text: JWTs, refresh-token fields, client secrets.

    Returns [{kind, fingerprint, line}] (never the value), one per distinct
    secret, ordered by position. Field names win over the bare-JWT label.
    """
    if not isinstance(text, str) or not text:
        return []
    hits = {}  # fingerprint -> (offset, kind)
    for offset, kind, value in _iter_text_candidates(text):
        fp = fingerprint(value)
        first_offset, first_kind = hits.get(fp, (offset, kind))
        label = kind if first_kind == "jwt" else first_kind
        hits[fp] = (min(offset, first_offset), label)
        if len(hits) >= max_hits:
            break
    ordered = sorted((offset, kind, fp) for fp, (offset, kind) in hits.items())
    return _with_line_numbers(text, ordered)


def _iter_text_candidates(text: str):
    for m in _MSAL_RT_RE.finditer(text):
        yield m.start(), "refresh_token", m.group(1) or m.group(2)
    for m in _JSON_FIELD_RE.finditer(text):
        yield m.start(2), _FIELD_KINDS[m.group(1).lower().replace("_", "")], m.group(2)
    for m in _ASSIGN_RE.finditer(text):
        kind = "client_secret" if "secret" in m.group(1).lower() else "refresh_token"
        yield m.start(2), kind, m.group(2)
    for m in _JWT_RE.finditer(text):
        if _is_jwt(m.group(0)):
            yield m.start(), "jwt", m.group(0)


def _with_line_numbers(text: str, ordered) -> List[dict]:
    results, line, pos = [], 1, 0
    for offset, kind, fp in ordered:
        line += text.count("\n", pos, offset)
        pos = offset
        results.append({"kind": kind, "fingerprint": fp, "line": line})
    return results


# --- scan state ----------------------------------------------------------------------
class _Unreadable(Exception):
    """A file could not be read; the message is safe to show."""


class _ScanState:  # pylint: disable=too-many-instance-attributes
    def __init__(self, now, env, deadline, clock, limits):
        self.now = float(now)
        self.env = env or {}
        self.deadline = deadline
        self.clock = clock
        self.limits = limits
        self.findings, self.caches = [], []
        self.visited_dirs, self.checked_dirs = set(), set()
        self.dir_modes = {}             # directory path -> mode, from the fd the walk opened it with
        self.reported_links = set()
        self.files_seen = self.skipped_large = 0
        self.user_rt_paths = []
        self.incomplete = []

    def out_of_budget(self) -> bool:
        if self.clock() > self.deadline:
            self.stop("time budget of the scan used up")
            return True
        if self.files_seen >= self.limits["max_files"]:
            self.stop(f"more than {self.limits['max_files']} files under the scanned paths")
            return True
        return False

    def stop(self, why):
        """Record why the scan is incomplete (each reason once); the scan reports it as TG015."""
        if why not in self.incomplete:
            self.incomplete.append(why)

    def add(self, rule_id, path, message, *, fingerprint_of=None, severity=None, has_secret=False):
        rule = RULES[rule_id]
        fp = fingerprint(fingerprint_of) if fingerprint_of else fingerprint(f"{rule_id}|{path}|{message}")
        self.findings.append({
            "id": rule_id, "rule": rule.name, "severity": severity or rule.severity,
            # The message is for people, one line: values from the files (names, resources) may hold anything.
            "path": path, "message": printable(message), "fix": rule.fix.replace("<file>", path)
            .replace("<directory>", path), "fingerprint": fp, "hasSecret": has_secret})


def scan_paths(roots: Iterable, now: float, env: Mapping[str, str], *,
               time_budget_s: float = DEFAULT_TIME_BUDGET_S, max_files: int = MAX_FILES,
               max_depth: int = MAX_DEPTH, max_cache_bytes: int = MAX_CACHE_BYTES,
               clock: Callable[[], float] = time.monotonic) -> dict:
    """Scan files and directories for cached token material.

    A root is a path, opened from its parent down without following links, or a ``(base, path)`` pair,
    opened from ``base`` down (a tool cache under a home: ``(home, home/.azd/auth)``); the base itself is
    taken as the OS names it (/home or a mounted image may be links the system made).
    ``now`` is the wall clock (epoch seconds) used for ages and expiry;
    ``env`` is the environment (for CI detection). Returns
    {findings: [...], caches: [...], stats: {...}}, sorted, JSON-serialisable.
    """
    limits = {"max_files": max_files, "max_depth": max_depth, "max_cache_bytes": max_cache_bytes}
    state = _ScanState(now, env, clock() + time_budget_s, clock, limits)
    missing = []
    for root in roots:
        base, path = _root_parts(root)
        if not _scan_root(state, (base, path)):
            missing.append(path)
    _add_ci_findings(state)
    for why in state.incomplete:
        state.add("TG015", "", f"Scan incomplete: {why}.")
    state.findings.sort(key=lambda f: (-_RANK[f["severity"]], f["path"], f["id"], f["fingerprint"]))
    state.caches.sort(key=lambda c: c["path"])
    return {"findings": state.findings, "caches": state.caches,
            "stats": {"filesSeen": state.files_seen, "skippedLargeFiles": state.skipped_large,
                      "missingRoots": missing, "complete": not state.incomplete}}


def _scan_root(state, root) -> bool:
    """Scan one root; False if it does not exist."""
    base, path = root
    try:
        parent = _open_parent(base, path)
    except FileNotFoundError:
        return False
    except _LinkOnPath as linked:
        _report_link_on_path(state, path, linked)
        return True
    except OSError as ex:
        state.add("TG008", path, f"Cannot inspect {path}: {_os_reason(ex)}.")
        return True
    try:
        return _scan_entry(state, parent, os.path.basename(path) or os.curdir, path)
    finally:
        parent.close()


def _scan_entry(state, parent, name, path) -> bool:
    try:
        st = parent.lstat(name)
    except FileNotFoundError:
        return False
    except OSError as ex:
        state.add("TG008", path, f"Cannot inspect {path}: {_os_reason(ex)}.")
        return True
    if stat.S_ISLNK(st.st_mode):
        _report_symlink(state, path, parent.readlink(name))
    elif stat.S_ISDIR(st.st_mode):
        _walk(state, parent, name, path)
    elif stat.S_ISREG(st.st_mode):
        state.files_seen += 1
        try:
            state.dir_modes.setdefault(parent.path, parent.fstat().st_mode)
        except OSError:
            pass                        # its mode is then read by path
        _scan_file(state, path, st, parent)
    return True


def _walk(state, parent, name, path, depth=0):
    """The directory ``name`` of ``parent`` (an open _Dir) and everything below it.

    Each directory is opened relative to its parent's descriptor without following links, so one swapped
    for a link while the scan runs is reported, not entered. At most max_depth + 2 descriptors are open."""
    try:
        directory = parent.child(name, path)
    except _LinkOnPath as linked:
        _report_link_on_path(state, path, linked)
        return
    except OSError as ex:
        state.add("TG008", path, f"Cannot list directory {path}: {_os_reason(ex)}.")
        return
    try:
        for entry in _names_once(state, directory):
            if state.out_of_budget():
                return
            _visit(state, directory, entry, depth)
    finally:
        directory.close()


def _names_once(state, directory):
    """The names in ``directory``; none when it was seen before (bind mounts, hard links) or cannot be listed."""
    try:
        dst = directory.fstat()
        key = (dst.st_dev, dst.st_ino)
        if key in state.visited_dirs:   # bind mounts / hard-linked dirs: no loops
            return []
        state.visited_dirs.add(key)
        state.dir_modes[directory.path] = dst.st_mode
        return directory.names()
    except OSError as ex:
        state.add("TG008", directory.path, f"Cannot list directory {directory.path}: {_os_reason(ex)}.")
        return []


def _visit(state, directory, name, depth):
    path = os.path.join(directory.path, name)
    try:
        st = directory.lstat(name)
    except OSError as ex:
        state.add("TG008", path, f"Cannot inspect {path}: {_os_reason(ex)}.")
        return
    if stat.S_ISLNK(st.st_mode):
        _report_symlink(state, path, directory.readlink(name))
    elif stat.S_ISDIR(st.st_mode):
        if name in SKIP_DIR_NAMES:
            return
        if depth + 1 > state.limits["max_depth"]:
            state.stop(f"directories deeper than {state.limits['max_depth']} levels were skipped")
            return
        _walk(state, directory, name, path, depth + 1)
    elif stat.S_ISREG(st.st_mode):
        state.files_seen += 1
        _scan_file(state, path, st, directory)


def _report_symlink(state, path, target):
    kind = tf.classify(path)
    if os.path.dirname(target) == vault_state.unlocked_memory_dir(os.path.dirname(path)):
        state.add("TG009", path, f"{path} is a link into the unlocked vault's memory copy ({target}); the vault "
                  "seals it again, and logout --all removes both.")
    elif os.path.dirname(target) == vault_state.sealed_links_dir(os.path.dirname(path)):
        state.add("TG009", path, f"{path} is a link of the locked vault to nowhere ({target}): an az still running "
                  "from the unlock period cannot write a plain token file here.")
    elif kind in tf.TOKEN_BEARING_KINDS or kind == tf.KIND_PROFILE:
        state.add("TG009", path, f"{path} is a symlink to {target}; its target (token material) was not "
                  "inspected and logout removes only the link.", severity="medium")
    else:
        state.add("TG009", path, f"{path} is a symlink to {target}; not followed.")


def _report_link_on_path(state, path, linked):
    """A root reached through a link (~/.azd -> elsewhere for ~/.azd/auth): reported once, never entered."""
    if linked.path in state.reported_links:
        return
    state.reported_links.add(linked.path)
    state.add("TG009", linked.path, f"{path} is reached through the symlink {linked.path} (to {linked.target}); "
              "not followed: token caches there were not inspected and logout does not remove them.",
              severity="medium")


# --- opening directories without following links --------------------------------------------
# POSIX: every directory below a root's base is opened with O_NOFOLLOW | O_DIRECTORY relative to its
# parent's fd, and files with O_NOFOLLOW relative to theirs, so no link anywhere in a path is followed,
# however the tree changes while the scan runs. Elsewhere (Windows, where making links needs privileges)
# each component is checked with lstat before it is used.
_FD_WALK = (hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY") and os.open in os.supports_dir_fd
            and os.stat in os.supports_dir_fd and os.readlink in os.supports_dir_fd
            and os.scandir in os.supports_fd)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | \
    getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


class _LinkOnPath(OSError):
    """A directory on the way to a root, or below it, is a symbolic link."""

    def __init__(self, path, target):
        super().__init__(f"{path} is a symlink")
        self.path, self.target = path, target


def _root_parts(root):
    """(base, path): the base is opened as the OS names it (its parent, or the home of a tool cache given
    as a (home, path) pair); everything from there down is opened without following links."""
    if isinstance(root, (tuple, list)):
        base, path = (os.path.abspath(os.fspath(part)) for part in root)
        try:
            if os.path.commonpath([base, path]) == base:
                return base, path
        except ValueError:              # another drive on Windows
            pass
    path = os.path.abspath(os.fspath(root))
    return os.path.dirname(path), path


def _open_parent(base, path):
    """The directory ``path`` is in, opened from ``base`` one component at a time without following links."""
    directory = _Dir.open_base(base)
    rel = os.path.relpath(os.path.dirname(path), base)
    if rel == os.curdir:
        return directory
    try:
        return directory.descend(tuple(rel.split(os.sep)), os.path.dirname(path))
    finally:
        directory.close()


class _Dir:
    """An open directory: by fd where the OS allows (children opened relative to it), else by path."""

    def __init__(self, path, fd=None):
        self.path, self.fd = path, fd

    @classmethod
    def open_base(cls, path):
        if _FD_WALK:
            return cls(path, os.open(path, _DIR_FLAGS))
        if not stat.S_ISDIR(os.stat(path).st_mode):
            raise NotADirectoryError(path)
        return cls(path)

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _at(self, name):
        return name if self.fd is not None else os.path.join(self.path, name)

    def lstat(self, name):
        return os.stat(self._at(name), dir_fd=self.fd, follow_symlinks=False)

    def readlink(self, name):
        try:
            return os.readlink(self._at(name), dir_fd=self.fd)
        except OSError:
            return "?"

    def fstat(self):
        return os.fstat(self.fd) if self.fd is not None else os.lstat(self.path)

    def names(self):
        with os.scandir(self.fd if self.fd is not None else self.path) as entries:
            return sorted(entry.name for entry in entries)

    def open_file(self, name):
        return os.open(self._at(name), _FILE_FLAGS, dir_fd=self.fd)

    def child(self, name, path):
        """The subdirectory ``name``; _LinkOnPath if it is a link (never followed)."""
        if self.fd is None:
            st = os.lstat(os.path.join(self.path, name))
            if _is_link(st):
                raise _LinkOnPath(path, self.readlink(name))
            if not stat.S_ISDIR(st.st_mode):
                raise NotADirectoryError(path)
            return _Dir(path)
        try:
            return _Dir(path, os.open(name, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=self.fd))
        except OSError:
            if _is_link(self.lstat(name)):
                raise _LinkOnPath(path, self.readlink(name)) from None
            raise

    def descend(self, parts, path):
        """The directory ``path``, ``parts`` (one or more names) below this one, opened one by one."""
        current, at = self, self.path
        try:
            for index, part in enumerate(parts):
                at = path if index == len(parts) - 1 else os.path.join(at, part)
                child = current.child(part, at)
                if current is not self:
                    current.close()
                current = child
        except BaseException:
            if current is not self:
                current.close()
            raise
        return current


def _is_link(st):
    return stat.S_ISLNK(st.st_mode) or bool(getattr(st, "st_file_attributes", 0)
                                            & getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0))


# --- per-file inspection ------------------------------------------------------------------
def _scan_file(state, path, st, directory):
    """``path`` is the entry of ``directory`` (an open _Dir) it is read from, without following links."""
    kind = tf.classify(path)
    if kind == tf.KIND_LOCKFILE:
        return                          # a lock file holds a pid, nothing else
    if kind == tf.KIND_HTTP_CACHE:      # a pickle: never read it
        state.add("TG013", path, f"MSAL HTTP cache {path} (pickle) present; not loaded.")
        _record(state, path, st, kind, "pickle")
        _check_permissions(state, path, st, token_bearing=True)
        return
    if kind == tf.KIND_VAULT:
        _scan_vault(state, path)
        return
    if kind is None:
        _scan_unknown_file(state, path, st, directory)
        return
    _scan_known_file(state, path, st, kind, directory)


def _scan_vault(state, path):
    """A sealed vault holds ciphertext only; while unlocked, say where the plain copy lives (not scanned: it is
    the unlocked tokens az is using, in storage a reboot empties)."""
    current = vault_state.read_state(os.path.dirname(os.path.dirname(path)), state.now)
    if current.state in (vault_state.UNLOCKED, vault_state.EXPIRED):
        until = utc_iso(current.expires_at)
        period = f"unlocked until {until}" if current.state == vault_state.UNLOCKED else \
            f"past its unlock period ({until}; the next az command seals it again)"
        state.add("TG018", path, f"Token vault {path} is {period}: a plain copy of az's tokens lives in "
                                 f"{current.memory_dir} (memory-backed storage that a reboot empties).")
        return
    state.add("TG017", path, f"Token vault {path} is locked: az's tokens are sealed (AES-256-GCM, the key from a "
                             "passphrase through scrypt).")


def _scan_unknown_file(state, path, st, directory):
    if st.st_size > MAX_UNKNOWN_FILE_BYTES:
        state.skipped_large += 1
        return
    try:
        text = _decode(_read_bounded(directory, os.path.basename(path), MAX_UNKNOWN_FILE_BYTES))
    except _Unreadable:
        return                          # unknown binary or unreadable: not our business
    hits = find_secrets_in_text(text)
    for hit in hits[:MAX_FINDINGS_PER_FILE]:
        _add_text_hit(state, path, hit, "unexpected file")
    if hits:
        _check_permissions(state, path, st, token_bearing=True)


def _add_text_hit(state, path, hit, where):
    severity = "high" if hit["kind"] in HIGH_RISK_TEXT_KINDS else "medium"
    state.add("TG012", path, f"{hit['kind']}-shaped secret (fp {hit['fingerprint']}) in {where} {path}, "
              f"line {hit['line']}.", severity=severity, has_secret=True)
    state.findings[-1]["fingerprint"] = hit["fingerprint"]


def _scan_known_file(state, path, st, kind, directory):
    record = _record(state, path, st, kind, "unknown")
    try:
        raw = _read_bounded(directory, os.path.basename(path), state.limits["max_cache_bytes"])
    except _Unreadable as ex:
        record["format"] = "unreadable"
        state.add("TG008", path, f"Cannot inspect {path}: {ex}.")
        _check_permissions(state, path, st, token_bearing=kind != tf.KIND_PROFILE)
        return
    data, problem = _parse_json(raw)
    if problem is None:
        record["format"] = "plaintext-json"
        _dispatch_json(state, path, kind, data, record, st=st)
    elif kind in tf.ENCRYPTED_KINDS or (kind == tf.KIND_TOOL_CACHE and not _looks_like_text(raw)):
        record["format"] = "encrypted"
        state.add("TG007", path, f"Encrypted or opaque token cache {path} ({st.st_size} bytes, last written "
                  f"{_age_text(state.now - st.st_mtime)}).")
    elif kind == tf.KIND_TOOL_CACHE:
        record["format"] = "text"
        hits = find_secrets_in_text(_decode_lenient(raw))
        for hit in hits[:MAX_FINDINGS_PER_FILE]:
            _add_text_hit(state, path, hit, "token cache")
    else:
        record["format"] = "corrupt"
        state.add("TG008", path, f"Cannot parse {path}: {problem}.")
    _check_permissions(state, path, st, token_bearing=kind != tf.KIND_PROFILE)


def _record(state, path, st, kind, fmt):
    record = {"path": path, "kind": kind, "format": fmt, "size": st.st_size,
              "lastModifiedDaysAgo": round(max(0.0, state.now - st.st_mtime) / SECONDS_PER_DAY, 1),
              "mode": None if os.name == "nt" else f"{stat.S_IMODE(st.st_mode):04o}",
              "accounts": [], "refreshTokens": [], "accessTokens": [],
              "servicePrincipals": [], "idTokens": 0}
    state.caches.append(record)
    return record


def _dispatch_json(state, path, kind, data, record, *, st):
    if kind == tf.KIND_PROFILE:
        _profile_findings(state, path, data, record)
    elif isinstance(data, dict) and any(s in data for s in MSAL_SECTIONS):
        record["kindDetected"] = "msal"
        _msal_findings(state, path, data, record, st)
    elif isinstance(data, list) and data and all(isinstance(e, dict) for e in data) and \
            any("client_id" in e for e in data):
        _sp_findings(state, path, data, record)
    elif isinstance(data, list) and any(isinstance(e, dict) and
                                        ("refreshToken" in e or "accessToken" in e) for e in data):
        _adal_findings(state, path, data, record)
    elif kind in (tf.KIND_SP_ENTRIES, tf.KIND_SP_ENTRIES_ENCRYPTED) and data == []:
        return                          # az writes [] after the last SP logs out
    else:
        text = json.dumps(data)
        for hit in find_secrets_in_text(text)[:MAX_FINDINGS_PER_FILE]:
            _add_text_hit(state, path, hit, "token cache")
        if kind == tf.KIND_MSAL_CACHE and not isinstance(data, dict):
            state.add("TG008", path, f"{path} is JSON but not an MSAL cache (top level is {type(data).__name__}).")


# --- MSAL ---------------------------------------------------------------------------
def _msal_findings(state, path, data, record, st):
    cleaned, bad = _clean_msal(data)
    cache = msal.SerializableTokenCache()
    cache.deserialize(json.dumps(cleaned))
    accounts = list(cache.search(_CT.ACCOUNT))
    names = {a.get("home_account_id"): a.get("username") or a.get("home_account_id")
             for a in accounts}
    record["accounts"] = sorted({str(a.get("username") or a.get("home_account_id")) for a in accounts})
    record["idTokens"] = len(list(cache.search(_CT.ID_TOKEN)))
    budget = [MAX_FINDINGS_PER_FILE]
    rt_owners = _refresh_token_findings(state, path, cache, names, record, st=st, budget=budget)
    _access_token_findings(state, path, cache, names, record, budget=budget)
    for acct in accounts:
        if acct.get("home_account_id") not in rt_owners:
            state.add("TG014", path, f"Account {names.get(acct.get('home_account_id'))} recorded in {path} "
                      "without a refresh token.")
    if bad:
        state.add("TG008", path, f"{bad} malformed entries in MSAL cache {path} were skipped.")
    if budget[0] < 0:
        state.add("TG015", path, f"More tokens in {path} than listed (limit {MAX_FINDINGS_PER_FILE} findings per "
                  "file).")


def _clean_msal(data):
    """Keep only well-formed entries so msal's own search cannot raise."""
    cleaned, bad = {}, 0
    for section in MSAL_SECTIONS:
        entries = data.get(section, {})
        if not isinstance(entries, dict):
            bad += 1
            continue
        good = {}
        for key, entry in entries.items():
            if _msal_entry_ok(section, entry):
                good[key] = entry
            else:
                bad += 1
        cleaned[section] = good
    return cleaned, bad


def _msal_entry_ok(section, entry) -> bool:
    if not isinstance(entry, dict):
        return False
    if section in _SECRET_SECTIONS and not (isinstance(entry.get("secret"), str) and entry["secret"]):
        return False
    if section == _CT.ACCESS_TOKEN and _as_int(entry.get("expires_on")) is None:
        return False
    # msal joins these into the entry's key (also when it drops an expired token): a list or number crashes it.
    return all(isinstance(entry.get(k, ""), (str, type(None))) for k in _MSAL_KEY_FIELDS)


def _refresh_token_findings(state, path, cache, names, record, *, st, budget):
    owners = set()
    for rt in cache.search(_CT.REFRESH_TOKEN):
        owner_id = rt.get("home_account_id")
        owners.add(owner_id)
        who = names.get(owner_id) or owner_id or "unknown account"
        changed = _as_int(rt.get("last_modification_time"))
        age = state.now - (changed if changed is not None else st.st_mtime)
        fp = fingerprint(rt["secret"])
        record["refreshTokens"].append({"account": who, "clientId": rt.get("client_id"),
                                        "ageDays": round(max(age, 0) / SECONDS_PER_DAY, 1),
                                        "fingerprint": fp})
        budget[0] -= 1
        if budget[0] >= 0:
            state.add("TG001", path, f"Refresh token of {who} (client {rt.get('client_id')}, fp {fp}) in plain text "
                      f"in {path}; last refreshed {_age_text(age)}.", fingerprint_of=rt["secret"], has_secret=True)
    if owners:
        state.user_rt_paths.append(path)
    return owners


def _access_token_findings(state, path, cache, names, record, *, budget):
    # now=0: msal would otherwise silently drop expired tokens we want to report
    for at in cache.search(_CT.ACCESS_TOKEN, now=0):
        owner_id = at.get("home_account_id")
        who = names.get(owner_id) or owner_id or f"service principal {at.get('client_id')}"
        expires_on = _as_int(at.get("expires_on"))
        remaining = expires_on - state.now
        fp = fingerprint(at["secret"])
        record["accessTokens"].append({"account": who, "target": at.get("target", ""),
                                       "expiresOn": expires_on, "expired": remaining <= 0,
                                       "fingerprint": fp})
        budget[0] -= 1
        if budget[0] < 0:
            continue
        when = f"expired {_age_text(-remaining)}" if remaining <= 0 else \
            f"valid for {int(remaining // 60)} more minutes"
        state.add("TG002", path, f"Access token of {who} for '{at.get('target', '')}' (fp {fp}) cached in {path}; "
                  f"{when}.", fingerprint_of=at["secret"],
                  severity="medium" if remaining > 0 else "low", has_secret=True)


# --- service principals, ADAL, profile --------------------------------------------------
def _sp_findings(state, path, entries, record):
    for entry in entries[:MAX_FINDINGS_PER_FILE]:
        client_id, tenant = str(entry.get("client_id")), str(entry.get("tenant"))
        info = {"clientId": client_id, "tenant": tenant, "credential": None, "fingerprint": None}
        secret, assertion = entry.get("client_secret"), entry.get("client_assertion")
        if isinstance(secret, str) and secret:
            info.update(credential="client_secret", fingerprint=fingerprint(secret))
            state.add("TG003", path, f"Client secret of service principal {client_id} (tenant {tenant}, "
                      f"fp {info['fingerprint']}) in plain text in {path}.",
                      fingerprint_of=secret, has_secret=True)
        elif isinstance(assertion, str) and assertion:
            info.update(credential="client_assertion", fingerprint=fingerprint(assertion))
            state.add("TG003", path, f"Federated token of service principal {client_id} (tenant {tenant}, "
                      f"fp {info['fingerprint']}) stored in {path}.",
                      fingerprint_of=assertion, severity="medium", has_secret=True)
        elif entry.get("certificate"):
            info["credential"] = "certificate"
            state.add("TG010", path, f"Service principal {client_id} signs in with certificate file "
                      f"{entry.get('certificate')}.")
        record["servicePrincipals"].append(info)


def _adal_findings(state, path, entries, record):
    for entry in entries[:MAX_FINDINGS_PER_FILE]:
        if not isinstance(entry, dict):
            continue
        who = str(entry.get("userId") or entry.get("_clientId") or "unknown account")
        for field, kind in (("refreshToken", "refresh token"), ("accessToken", "access token")):
            value = entry.get(field)
            if isinstance(value, str) and value:
                state.add("TG011", path, f"Legacy ADAL {kind} of {who} for {entry.get('resource')} "
                          f"(fp {fingerprint(value)}) in {path}.",
                          fingerprint_of=value, has_secret=True,
                          severity="high" if field == "refreshToken" else "medium")
        record["accounts"].append(who)
    record["accounts"] = sorted(set(record["accounts"]))


def _profile_findings(state, path, data, record):
    subs = data.get("subscriptions") if isinstance(data, dict) else None
    if not isinstance(subs, list):
        state.add("TG008", path, f"{path} has no subscriptions list.")
        return
    users = sorted({str((s.get("user") or {}).get("name")) for s in subs
                    if isinstance(s, dict) and isinstance(s.get("user"), dict)})
    record["accounts"] = users
    if subs:
        state.add("TG016", path, f"{path} lists {len(subs)} subscriptions for {', '.join(users)}.")


def _add_ci_findings(state):
    marker = detect_ci(state.env)
    if not marker:
        return
    for path in state.user_rt_paths:
        state.add("TG006", path, f"CI environment ({marker} is set) has a user's refresh token cached in {path}.",
                  has_secret=True)


# --- permissions ------------------------------------------------------------------------
def _check_permissions(state, path, st, token_bearing):
    if os.name == "nt":
        return                          # NTFS ACLs: out of scope of mode bits
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        high = token_bearing and mode & 0o066
        can = "read or change" if mode & 0o066 else "access"
        state.add("TG004", path, f"{path} has mode {mode:04o}: group/others can {can} it.",
                  severity="high" if high else "medium")
    _check_dir_permissions(state, os.path.dirname(path))


def _check_dir_permissions(state, directory):
    if directory in state.checked_dirs:
        return
    state.checked_dirs.add(directory)
    try:
        mode = stat.S_IMODE(state.dir_modes.get(directory) or os.lstat(directory).st_mode)
    except OSError:
        return
    if mode & 0o022:
        state.add("TG005", directory, f"Directory {directory} has mode {mode:04o}: group/others can replace the "
                  "token files in it.", severity="high")
    elif mode & 0o055:
        state.add("TG005", directory, f"Directory {directory} has mode {mode:04o}: group/others can list it.",
                  severity="low")


# --- reading and parsing ------------------------------------------------------------------
def _read_bounded(directory, name, limit) -> bytes:
    try:
        fd = directory.open_file(name)  # O_NOFOLLOW, relative to the directory's fd
    except OSError as ex:
        raise _Unreadable(_os_reason(ex)) from None
    try:
        return az_files.read_regular_file(fd, limit)
    except az_files.FileTooLargeError:
        raise _Unreadable(f"larger than the {limit}-byte limit") from None
    except az_files.NotRegularFileError as ex:
        raise _Unreadable(str(ex)) from None
    except OSError as ex:
        raise _Unreadable(_os_reason(ex)) from None
    finally:
        os.close(fd)


def _decode(raw: bytes) -> str:
    if b"\x00" in raw:
        raise _Unreadable("contains NUL bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Unreadable("not valid UTF-8") from None


def _decode_lenient(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _looks_like_text(raw: bytes) -> bool:
    """Heuristic on the first 4 KiB: UTF-8 without NUL bytes."""
    head = raw[:4096]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as ex:
        return len(raw) > len(head) and ex.start >= len(head) - 3   # cut multi-byte char
    return True


def _parse_json(raw: bytes):
    """(data, None) or (None, one-line reason)."""
    if not raw.strip():
        return None, "file is empty"
    try:
        text = _decode(raw)
    except _Unreadable as ex:
        return None, str(ex)
    try:
        return json.loads(text), None
    except RecursionError:
        return None, "JSON nested too deeply"
    except ValueError as ex:
        return None, f"truncated or invalid JSON ({str(ex).split(':', maxsplit=1)[0]})"


# --- small helpers ---------------------------------------------------------------------------
def _as_int(value) -> Optional[int]:
    """A timestamp as int, or None; a number beyond year 9999 is garbage, and would overflow float maths."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if abs(number) <= MAX_TIMESTAMP else None


def _age_text(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 3600:
        return f"{int(seconds // 60)} minutes ago"
    if seconds < SECONDS_PER_DAY:
        return f"{int(seconds // 3600)} hours ago"
    return f"{int(seconds // SECONDS_PER_DAY)} days ago"


def _os_reason(ex: OSError) -> str:
    return ex.strerror or type(ex).__name__
