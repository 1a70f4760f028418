"""Inspect token caches on disk and turn what they hold into findings.

Pure logic (no azure.cli): roots, clock and environment come in as arguments.
Never returns a secret value: a finding carries at most a 12-hex-char sha256
prefix of the secret (``fingerprint``) to tell entries apart.

Safety rules: symlinks are reported, never followed; files are opened with
O_NOFOLLOW and read up to a size cap; the pickle HTTP cache is never read;
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

from . import token_files as tf
from .guard.signin import detect_ci  # one list of CI systems, shared with the guard

# --- severities ----------------------------------------------------------------
SEVERITIES = ("info", "low", "medium", "high")
_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
FAIL_ON_NONE = "none"


class InvalidSeverityError(ValueError):
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
MAX_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z
SKIP_DIR_NAMES = frozenset({"cliextensions", "__pycache__", "site-packages", "node_modules", ".git"})

# --- CI detection -------------------------------------------------------------------

# --- MSAL format -----------------------------------------------------------------
_CT = msal.TokenCache.CredentialType
MSAL_SECTIONS = (_CT.ACCESS_TOKEN, _CT.REFRESH_TOKEN, _CT.ID_TOKEN, _CT.ACCOUNT, _CT.APP_METADATA)
_SECRET_SECTIONS = (_CT.ACCESS_TOKEN, _CT.REFRESH_TOKEN, _CT.ID_TOKEN)


def fingerprint(value: str) -> str:
    """Short sha256 prefix: tells secrets apart without revealing them."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:FINGERPRINT_HEX]


def severity_at_least(findings: Iterable[dict], level: str) -> bool:
    """True if any finding is at ``level`` or above (for --fail-on)."""
    level = (level or "").lower()
    if level == FAIL_ON_NONE:
        return False
    if level not in _RANK:
        raise InvalidSeverityError("Unknown severity '%s'; use one of: %s, none."
                                   % (level, ", ".join(SEVERITIES)))
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
        self.files_seen = self.skipped_large = 0
        self.user_rt_paths = []
        self.incomplete = []

    def out_of_budget(self) -> bool:
        if self.clock() > self.deadline:
            self._stop("time budget of the scan used up")
            return True
        if self.files_seen >= self.limits["max_files"]:
            self._stop("more than %d files under the scanned paths" % self.limits["max_files"])
            return True
        return False

    def _stop(self, why):
        if why not in self.incomplete:
            self.incomplete.append(why)

    def add(self, rule_id, path, message, fingerprint_of=None, severity=None, has_secret=False):
        rule = RULES[rule_id]
        fp = fingerprint(fingerprint_of) if fingerprint_of else fingerprint(
            "%s|%s|%s" % (rule_id, path, message))
        self.findings.append({
            "id": rule_id, "rule": rule.name, "severity": severity or rule.severity,
            "path": path, "message": message, "fix": rule.fix.replace("<file>", path)
            .replace("<directory>", path), "fingerprint": fp, "has_secret": has_secret})


def scan_paths(roots: Iterable, now: float, env: Mapping[str, str], *,
               time_budget_s: float = DEFAULT_TIME_BUDGET_S, max_files: int = MAX_FILES,
               max_depth: int = MAX_DEPTH, max_cache_bytes: int = MAX_CACHE_BYTES,
               clock: Callable[[], float] = time.monotonic) -> dict:
    """Scan files and directories for cached token material.

    ``now`` is the wall clock (epoch seconds) used for ages and expiry;
    ``env`` is the environment (for CI detection). Returns
    {findings: [...], caches: [...], stats: {...}}, sorted, JSON-serialisable.
    """
    limits = {"max_files": max_files, "max_depth": max_depth, "max_cache_bytes": max_cache_bytes}
    state = _ScanState(now, env, clock() + time_budget_s, clock, limits)
    missing = []
    for root in roots:
        root = os.path.abspath(os.fspath(root))
        if not _scan_root(state, root):
            missing.append(root)
    _add_ci_findings(state)
    for why in state.incomplete:
        state.add("TG015", "", "Scan incomplete: %s." % why)
    state.findings.sort(key=lambda f: (-_RANK[f["severity"]], f["path"], f["id"], f["fingerprint"]))
    state.caches.sort(key=lambda c: c["path"])
    return {"findings": state.findings, "caches": state.caches,
            "stats": {"files_seen": state.files_seen, "skipped_large_files": state.skipped_large,
                      "missing_roots": missing, "complete": not state.incomplete}}


def _scan_root(state, root) -> bool:
    """Scan one root; False if it does not exist."""
    try:
        st = os.lstat(root)
    except FileNotFoundError:
        return False
    except OSError as ex:
        state.add("TG008", root, "Cannot inspect %s: %s." % (root, _os_reason(ex)))
        return True
    if stat.S_ISLNK(st.st_mode):
        _report_symlink(state, root)
    elif stat.S_ISDIR(st.st_mode):
        _walk(state, root)
    elif stat.S_ISREG(st.st_mode):
        state.files_seen += 1
        _scan_file(state, root, st)
    return True


def _walk(state, root):
    stack = [(root, 0)]
    while stack and not state.out_of_budget():
        directory, depth = stack.pop()
        try:
            dst = os.lstat(directory)
            key = (dst.st_dev, dst.st_ino)
            if key in state.visited_dirs:   # bind mounts / hard-linked dirs: no loops
                continue
            state.visited_dirs.add(key)
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as ex:
            state.add("TG008", directory, "Cannot list directory %s: %s." % (directory, _os_reason(ex)))
            continue
        for entry in entries:
            if state.out_of_budget():
                return
            _visit(state, entry, depth, stack)


def _visit(state, entry, depth, stack):
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError as ex:
        state.add("TG008", entry.path, "Cannot inspect %s: %s." % (entry.path, _os_reason(ex)))
        return
    if stat.S_ISLNK(st.st_mode):
        _report_symlink(state, entry.path)
    elif stat.S_ISDIR(st.st_mode):
        if entry.name in SKIP_DIR_NAMES:
            return
        if depth + 1 > state.limits["max_depth"]:
            state._stop("directories deeper than %d levels were skipped" % state.limits["max_depth"])
            return
        stack.append((entry.path, depth + 1))
    elif stat.S_ISREG(st.st_mode):
        state.files_seen += 1
        _scan_file(state, entry.path, st)


def _report_symlink(state, path):
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    kind = tf.classify(path)
    if kind in tf.TOKEN_BEARING_KINDS or kind == tf.KIND_PROFILE:
        state.add("TG009", path, "%s is a symlink to %s; its target (token material) was not "
                  "inspected and logout removes only the link." % (path, target), severity="medium")
    else:
        state.add("TG009", path, "%s is a symlink to %s; not followed." % (path, target))


# --- per-file inspection ------------------------------------------------------------------
def _scan_file(state, path, st):
    kind = tf.classify(path)
    if kind == tf.KIND_LOCKFILE:
        return                          # a lock file holds a pid, nothing else
    if kind == tf.KIND_HTTP_CACHE:      # a pickle: never read it
        state.add("TG013", path, "MSAL HTTP cache %s (pickle) present; not loaded." % path)
        _record(state, path, st, kind, "pickle")
        _check_permissions(state, path, st, token_bearing=True)
        return
    if kind is None:
        _scan_unknown_file(state, path, st)
        return
    _scan_known_file(state, path, st, kind)


def _scan_unknown_file(state, path, st):
    if st.st_size > MAX_UNKNOWN_FILE_BYTES:
        state.skipped_large += 1
        return
    try:
        text = _decode(_read_bounded(path, MAX_UNKNOWN_FILE_BYTES))
    except _Unreadable:
        return                          # unknown binary or unreadable: not our business
    hits = find_secrets_in_text(text)
    for hit in hits[:MAX_FINDINGS_PER_FILE]:
        _add_text_hit(state, path, hit, "unexpected file")
    if hits:
        _check_permissions(state, path, st, token_bearing=True)


def _add_text_hit(state, path, hit, where):
    severity = "high" if hit["kind"] in HIGH_RISK_TEXT_KINDS else "medium"
    state.add("TG012", path, "%s-shaped secret (fp %s) in %s %s, line %d."
              % (hit["kind"], hit["fingerprint"], where, path, hit["line"]),
              severity=severity, has_secret=True)
    state.findings[-1]["fingerprint"] = hit["fingerprint"]


def _scan_known_file(state, path, st, kind):
    record = _record(state, path, st, kind, "unknown")
    try:
        raw = _read_bounded(path, state.limits["max_cache_bytes"])
    except _Unreadable as ex:
        record["format"] = "unreadable"
        state.add("TG008", path, "Cannot inspect %s: %s." % (path, ex))
        _check_permissions(state, path, st, token_bearing=kind != tf.KIND_PROFILE)
        return
    data, problem = _parse_json(raw)
    if problem is None:
        record["format"] = "plaintext-json"
        _dispatch_json(state, path, kind, data, record, st)
    elif kind in tf.ENCRYPTED_KINDS or (kind == tf.KIND_TOOL_CACHE and not _looks_like_text(raw)):
        record["format"] = "encrypted"
        state.add("TG007", path, "Encrypted or opaque token cache %s (%d bytes, last written %s)."
                  % (path, st.st_size, _age_text(state.now - st.st_mtime)))
    elif kind == tf.KIND_TOOL_CACHE:
        record["format"] = "text"
        hits = find_secrets_in_text(_decode_lenient(raw))
        for hit in hits[:MAX_FINDINGS_PER_FILE]:
            _add_text_hit(state, path, hit, "token cache")
    else:
        record["format"] = "corrupt"
        state.add("TG008", path, "Cannot parse %s: %s." % (path, problem))
    _check_permissions(state, path, st, token_bearing=kind != tf.KIND_PROFILE)


def _record(state, path, st, kind, fmt):
    record = {"path": path, "kind": kind, "format": fmt, "size": st.st_size,
              "last_modified_days_ago": round(max(0.0, state.now - st.st_mtime) / SECONDS_PER_DAY, 1),
              "mode": None if os.name == "nt" else "%04o" % stat.S_IMODE(st.st_mode),
              "accounts": [], "refresh_tokens": [], "access_tokens": [],
              "service_principals": [], "id_tokens": 0}
    state.caches.append(record)
    return record


def _dispatch_json(state, path, kind, data, record, st):
    if kind == tf.KIND_PROFILE:
        _profile_findings(state, path, data, record)
    elif isinstance(data, dict) and any(s in data for s in MSAL_SECTIONS):
        record["kind_detected"] = "msal"
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
            state.add("TG008", path, "%s is JSON but not an MSAL cache (top level is %s)."
                      % (path, type(data).__name__))


# --- MSAL ---------------------------------------------------------------------------
def _msal_findings(state, path, data, record, st):
    cleaned, bad = _clean_msal(data)
    cache = msal.SerializableTokenCache()
    cache.deserialize(json.dumps(cleaned))
    accounts = list(cache.search(_CT.ACCOUNT))
    names = {a.get("home_account_id"): a.get("username") or a.get("home_account_id")
             for a in accounts}
    record["accounts"] = sorted({str(a.get("username") or a.get("home_account_id")) for a in accounts})
    record["id_tokens"] = len(list(cache.search(_CT.ID_TOKEN)))
    budget = [MAX_FINDINGS_PER_FILE]
    rt_owners = _refresh_token_findings(state, path, cache, names, record, st, budget)
    _access_token_findings(state, path, cache, names, record, budget)
    for acct in accounts:
        if acct.get("home_account_id") not in rt_owners:
            state.add("TG014", path, "Account %s recorded in %s without a refresh token."
                      % (names.get(acct.get("home_account_id")), path))
    if bad:
        state.add("TG008", path, "%d malformed entries in MSAL cache %s were skipped." % (bad, path))
    if budget[0] < 0:
        state.add("TG015", path, "More tokens in %s than listed (limit %d findings per file)."
                  % (path, MAX_FINDINGS_PER_FILE))


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
    return all(isinstance(entry.get(k, ""), (str, type(None))) for k in ("target", "home_account_id"))


def _refresh_token_findings(state, path, cache, names, record, st, budget):
    owners = set()
    for rt in cache.search(_CT.REFRESH_TOKEN):
        owner_id = rt.get("home_account_id")
        owners.add(owner_id)
        who = names.get(owner_id) or owner_id or "unknown account"
        changed = _as_int(rt.get("last_modification_time"))
        age = state.now - (changed if changed is not None else st.st_mtime)
        fp = fingerprint(rt["secret"])
        record["refresh_tokens"].append({"account": who, "client_id": rt.get("client_id"),
                                         "age_days": round(max(age, 0) / SECONDS_PER_DAY, 1),
                                         "fingerprint": fp})
        budget[0] -= 1
        if budget[0] >= 0:
            state.add("TG001", path, "Refresh token of %s (client %s, fp %s) in plain text in %s; "
                      "last refreshed %s." % (who, rt.get("client_id"), fp, path, _age_text(age)),
                      fingerprint_of=rt["secret"], has_secret=True)
    if owners:
        state.user_rt_paths.append(path)
    return owners


def _access_token_findings(state, path, cache, names, record, budget):
    # now=0: msal would otherwise silently drop expired tokens we want to report
    for at in cache.search(_CT.ACCESS_TOKEN, now=0):
        owner_id = at.get("home_account_id")
        who = names.get(owner_id) or owner_id or "service principal %s" % at.get("client_id")
        expires_on = _as_int(at.get("expires_on"))
        remaining = expires_on - state.now
        fp = fingerprint(at["secret"])
        record["access_tokens"].append({"account": who, "target": at.get("target", ""),
                                        "expires_on": expires_on, "expired": remaining <= 0,
                                        "fingerprint": fp})
        budget[0] -= 1
        if budget[0] < 0:
            continue
        when = ("expired %s" % _age_text(-remaining)) if remaining <= 0 else \
            "valid for %d more minutes" % (remaining // 60)
        state.add("TG002", path, "Access token of %s for '%s' (fp %s) cached in %s; %s."
                  % (who, at.get("target", ""), fp, path, when), fingerprint_of=at["secret"],
                  severity="medium" if remaining > 0 else "low", has_secret=True)


# --- service principals, ADAL, profile --------------------------------------------------
def _sp_findings(state, path, entries, record):
    for entry in entries[:MAX_FINDINGS_PER_FILE]:
        client_id, tenant = str(entry.get("client_id")), str(entry.get("tenant"))
        info = {"client_id": client_id, "tenant": tenant, "credential": None, "fingerprint": None}
        secret, assertion = entry.get("client_secret"), entry.get("client_assertion")
        if isinstance(secret, str) and secret:
            info.update(credential="client_secret", fingerprint=fingerprint(secret))
            state.add("TG003", path, "Client secret of service principal %s (tenant %s, fp %s) in "
                      "plain text in %s." % (client_id, tenant, info["fingerprint"], path),
                      fingerprint_of=secret, has_secret=True)
        elif isinstance(assertion, str) and assertion:
            info.update(credential="client_assertion", fingerprint=fingerprint(assertion))
            state.add("TG003", path, "Federated token of service principal %s (tenant %s, fp %s) "
                      "stored in %s." % (client_id, tenant, info["fingerprint"], path),
                      fingerprint_of=assertion, severity="medium", has_secret=True)
        elif entry.get("certificate"):
            info["credential"] = "certificate"
            state.add("TG010", path, "Service principal %s signs in with certificate file %s."
                      % (client_id, entry.get("certificate")))
        record["service_principals"].append(info)


def _adal_findings(state, path, entries, record):
    for entry in entries[:MAX_FINDINGS_PER_FILE]:
        if not isinstance(entry, dict):
            continue
        who = str(entry.get("userId") or entry.get("_clientId") or "unknown account")
        for field, kind in (("refreshToken", "refresh token"), ("accessToken", "access token")):
            value = entry.get(field)
            if isinstance(value, str) and value:
                state.add("TG011", path, "Legacy ADAL %s of %s for %s (fp %s) in %s."
                          % (kind, who, entry.get("resource"), fingerprint(value), path),
                          fingerprint_of=value, has_secret=True,
                          severity="high" if field == "refreshToken" else "medium")
        record["accounts"].append(who)
    record["accounts"] = sorted(set(record["accounts"]))


def _profile_findings(state, path, data, record):
    subs = data.get("subscriptions") if isinstance(data, dict) else None
    if not isinstance(subs, list):
        state.add("TG008", path, "%s has no subscriptions list." % path)
        return
    users = sorted({str((s.get("user") or {}).get("name")) for s in subs
                    if isinstance(s, dict) and isinstance(s.get("user"), dict)})
    record["accounts"] = users
    if subs:
        state.add("TG016", path, "%s lists %d subscriptions for %s." % (path, len(subs), ", ".join(users)))


def _add_ci_findings(state):
    marker = detect_ci(state.env)
    if not marker:
        return
    for path in state.user_rt_paths:
        state.add("TG006", path, "CI environment (%s is set) has a user's refresh token cached in %s."
                  % (marker, path), has_secret=True)


# --- permissions ------------------------------------------------------------------------
def _check_permissions(state, path, st, token_bearing):
    if os.name == "nt":
        return                          # NTFS ACLs: out of scope of mode bits
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        high = token_bearing and mode & 0o066
        state.add("TG004", path, "%s has mode %04o: group/others can %s it."
                  % (path, mode, "read or change" if mode & 0o066 else "access"),
                  severity="high" if high else "medium")
    _check_dir_permissions(state, os.path.dirname(path))


def _check_dir_permissions(state, directory):
    if directory in state.checked_dirs:
        return
    state.checked_dirs.add(directory)
    try:
        mode = stat.S_IMODE(os.lstat(directory).st_mode)
    except OSError:
        return
    if mode & 0o022:
        state.add("TG005", directory, "Directory %s has mode %04o: group/others can replace the "
                  "token files in it." % (directory, mode), severity="high")
    elif mode & 0o055:
        state.add("TG005", directory, "Directory %s has mode %04o: group/others can list it."
                  % (directory, mode), severity="low")


# --- reading and parsing ------------------------------------------------------------------
def _read_bounded(path, limit) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | \
        getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as ex:
        raise _Unreadable(_os_reason(ex)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _Unreadable("not a regular file")
        if st.st_size > limit:
            raise _Unreadable("%d bytes is larger than the %d-byte limit" % (st.st_size, limit))
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise _Unreadable("larger than the %d-byte limit" % limit)
        return b"".join(chunks)
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
        return None, "truncated or invalid JSON (%s)" % str(ex).split(":")[0]


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
        return "%d minutes ago" % (seconds // 60)
    if seconds < SECONDS_PER_DAY:
        return "%d hours ago" % (seconds // 3600)
    return "%d days ago" % (seconds // SECONDS_PER_DAY)


def _os_reason(ex: OSError) -> str:
    return ex.strerror or type(ex).__name__
