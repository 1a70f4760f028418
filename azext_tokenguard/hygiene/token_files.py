"""Knowledge of which files hold Azure token material.

Pure logic: nothing here imports azure.cli. Paths come in as arguments; the
only filesystem access is listing known cache directories (lstat, never
following symlinks) in ``other_tool_caches``.

Facts (azure-cli 2.91, msal 1.39, msal-extensions 1.3):
- azure/cli/core/auth/identity.py names the stores ``msal_token_cache``,
  ``service_principal_entries`` (+ ``.json`` plain text, or ``.bin`` when
  ``core.encrypt_token_cache`` is on: DPAPI on Windows) and
  ``msal_http_cache.bin`` (a pickle: must never be unpickled).
- msal_extensions locks a store with ``<store file>.lockfile``.
- azureProfile.json holds subscriptions and account names, but no secret.
"""
import fnmatch
import os
import stat
from dataclasses import dataclass
from typing import Iterable, List, Optional

from azext_tokenguard.guard.az_files import (CLOUDS_FILE_NAME, CONFIG_FILE_NAME, PROFILE_FILE_NAME,
                                             SP_STORE_BASENAME, TOKEN_CACHE_BASENAME, TOKENGUARD_DIR_NAME)
from azext_tokenguard.guard.vault_state import VAULT_FILE_NAME

# --- kinds of file -----------------------------------------------------------
KIND_MSAL_CACHE = "msal_token_cache"                      # plain-text MSAL JSON
KIND_MSAL_CACHE_ENCRYPTED = "msal_token_cache_encrypted"  # DPAPI / opaque
KIND_SP_ENTRIES = "service_principal_entries"             # plain-text secrets
KIND_SP_ENTRIES_ENCRYPTED = "service_principal_entries_encrypted"
KIND_HTTP_CACHE = "msal_http_cache"                       # pickle, never loaded
KIND_LOCKFILE = "lockfile"
KIND_ADAL_CACHE = "adal_token_cache"                      # legacy accessTokens.json
KIND_PROFILE = "az_profile"                               # no secrets, rewritten
KIND_PS_CONTEXT = "azure_powershell_context"              # may hold an SP secret
KIND_TOOL_CACHE = "tool_token_cache"                      # other tool, format sniffed
KIND_ACCOUNT_RECORD = "account_record"                    # names the user, no secret
KIND_KEPT = "kept"
KIND_VAULT = "tokenguard_vault"                           # az's token files, sealed (vault.py)

TOKEN_BEARING_KINDS = frozenset({
    KIND_MSAL_CACHE, KIND_MSAL_CACHE_ENCRYPTED, KIND_SP_ENTRIES,
    KIND_SP_ENTRIES_ENCRYPTED, KIND_HTTP_CACHE, KIND_ADAL_CACHE,
    KIND_PS_CONTEXT, KIND_TOOL_CACHE})
ENCRYPTED_KINDS = frozenset({KIND_MSAL_CACHE_ENCRYPTED, KIND_SP_ENTRIES_ENCRYPTED})

# --- az config dir -----------------------------------------------------------
AZ_TOOL = "Azure CLI"
LOCK_SUFFIX = ".lockfile"
MSAL_TOKEN_CACHE_JSON = TOKEN_CACHE_BASENAME + ".json"
MSAL_TOKEN_CACHE_BIN = TOKEN_CACHE_BASENAME + ".bin"
SP_ENTRIES_JSON = SP_STORE_BASENAME + ".json"
SP_ENTRIES_BIN = SP_STORE_BASENAME + ".bin"
MSAL_HTTP_CACHE = "msal_http_cache.bin"
ADAL_TOKEN_CACHE = "accessTokens.json"
AZ_PROFILE = PROFILE_FILE_NAME

# Stores az guards with msal_extensions' CrossPlatLock("<file>.lockfile").
AZ_LOCKED_STORES = (MSAL_TOKEN_CACHE_JSON, MSAL_TOKEN_CACHE_BIN,
                    SP_ENTRIES_JSON, SP_ENTRIES_BIN)

_AZ_TOKEN_FILES = (
    (MSAL_TOKEN_CACHE_JSON, KIND_MSAL_CACHE,
     "MSAL token cache in plain text: refresh tokens, access tokens, ID tokens, accounts"),
    (MSAL_TOKEN_CACHE_BIN, KIND_MSAL_CACHE_ENCRYPTED,
     "MSAL token cache, encrypted (DPAPI on Windows); still signs you in"),
    (SP_ENTRIES_JSON, KIND_SP_ENTRIES,
     "service principal client secrets / certificate paths / federated tokens in plain text"),
    (SP_ENTRIES_BIN, KIND_SP_ENTRIES_ENCRYPTED,
     "service principal credentials, encrypted (DPAPI on Windows)"),
    (MSAL_HTTP_CACHE, KIND_HTTP_CACHE,
     "MSAL HTTP response cache (pickle); token endpoint state, never loaded by tokenguard"),
    (ADAL_TOKEN_CACHE, KIND_ADAL_CACHE,
     "legacy ADAL token cache (az < 2.30) with access and refresh tokens"),
)

# Kept on purpose: none of these holds a token or secret.
_AZ_KEPT = (
    (CONFIG_FILE_NAME, "your az settings (defaults, output format); no secrets"),
    (CLOUDS_FILE_NAME, "cloud endpoint registrations; no secrets"),
    ("cloudEndpoints.json", "cached cloud metadata; no secrets"),
    ("az.json", "az session settings; no secrets"),
    ("az.sess", "short-lived session data; no tokens"),
    ("commandIndex.json", "command index cache; no secrets"),
    ("extensionIndex.json", "extension index cache; no secrets"),
    ("helpIndex.json", "help index cache; no secrets"),
    ("extensionHelpIndex.json", "extension help cache; no secrets"),
    ("extensionCommandTree.json", "extension command tree cache; no secrets"),
    ("versionCheck.json", "update-check timestamp; no secrets"),
    ("cliextensions", "installed extensions (including this one)"),
    ("commands", "per-command logs; az masks tokens in them"),
    ("logs", "az logs; az masks tokens in them"),
    ("telemetry", "telemetry queue; no tokens"),
    ("telemetry.txt", "telemetry marker; no tokens"),
)
PROFILE_REASON = ("kept, but its subscriptions are emptied: they name your accounts; "
                  "installationId is kept so telemetry identity does not change")


@dataclass(frozen=True)
class Entry:
    """A file (or known file name) that tokenguard knows about."""
    path: str
    kind: str
    tool: str
    why: str


def lockfile_for(path: str) -> str:
    """msal_extensions' lock file name for a store."""
    return path + LOCK_SUFFIX


def az_token_files(config_dir: str) -> List[Entry]:
    """Every file az may keep token material in, whether or not it exists.

    Data files first, then their lock files: removal must follow this order
    because a removed lock file no longer protects anything.
    """
    data = [Entry(os.path.join(config_dir, name), kind, AZ_TOOL, why)
            for name, kind, why in _AZ_TOKEN_FILES]
    locks = [Entry(lockfile_for(os.path.join(config_dir, name)), KIND_LOCKFILE, AZ_TOOL,
                   "msal-extensions lock file of " + name)
             for name in AZ_LOCKED_STORES]
    return data + locks


def az_profile_path(config_dir: str) -> str:
    return os.path.join(config_dir, AZ_PROFILE)


def kept_files(config_dir: str) -> List[Entry]:
    """Files of the az config dir that logout keeps, and why."""
    kept = [Entry(os.path.join(config_dir, name), KIND_KEPT, AZ_TOOL, why)
            for name, why in _AZ_KEPT]
    kept.append(Entry(az_profile_path(config_dir), KIND_PROFILE, AZ_TOOL, PROFILE_REASON))
    return kept


# --- other tools -------------------------------------------------------------
@dataclass(frozen=True)
class ToolLocation:
    """A directory (relative to a home dir) dedicated to one tool's auth state."""
    tool: str
    rel_dir: str
    patterns: tuple          # fnmatch patterns (case-sensitive) of files to remove
    kind: str
    why: str
    keep: tuple = ()         # (name, reason) known files that hold no secrets


OTHER_TOOL_LOCATIONS = (
    ToolLocation("Azure PowerShell", ".Azure", ("AzureRmContext.json",), KIND_PS_CONTEXT,
                 "Az.Accounts contexts: accounts, tenants; older versions stored SP secrets here",
                 keep=(("AzureRmContextSettings.json",
                        "Az.Accounts settings (autosave mode, cache location); no secrets"),)),
    ToolLocation("Azure PowerShell", ".Azure", ("msal.cache", "msal.cache.*", "TokenCache.dat"),
                 KIND_TOOL_CACHE, "Az.Accounts MSAL/ADAL token cache"),
    ToolLocation("Azure SDKs (azure-identity shared cache)", ".IdentityService",
                 ("msal.cache", "msal.cache.*", "*.cae", "*.nocae", "*.lockfile"),
                 KIND_TOOL_CACHE,
                 "shared MSAL token cache of azure-identity, Visual Studio, Graph PowerShell"),
    ToolLocation("Microsoft Graph PowerShell", ".mg", ("mg.authrecord.json", "mg.context.json"),
                 KIND_ACCOUNT_RECORD, "Graph PowerShell sign-in record (tokens live in .IdentityService)",
                 keep=(("mg.graphoptions.json", "Graph PowerShell options; no secrets"),)),
    ToolLocation("Microsoft Graph PowerShell v1", ".graph", ("*.bin3", "*context*.json"),
                 KIND_TOOL_CACHE, "Graph PowerShell v1 token cache"),
    ToolLocation("Azure Developer CLI", os.path.join(".azd", "auth"), ("*.json", "*.bin"),
                 KIND_TOOL_CACHE, "azd sign-in state and credentials"),
    ToolLocation("Azure Developer CLI", os.path.join(".azd", "auth", "msal"), ("*",),
                 KIND_TOOL_CACHE, "azd MSAL token cache"),
    ToolLocation("kubelogin", os.path.join(".kube", "cache", "kubelogin"), ("*.json", "*.lock"),
                 KIND_TOOL_CACHE, "kubelogin access/refresh tokens for AKS"),
)


def other_tool_dirs(home: str) -> List[str]:
    """The directories other tools keep auth state in (scan roots)."""
    seen = []
    for loc in OTHER_TOOL_LOCATIONS:
        path = os.path.join(home, loc.rel_dir)
        if path not in seen:
            seen.append(path)
    return seen


def symlink_on_path(base: str, path: str) -> Optional[str]:
    """First component of ``path`` below ``base`` that is a symlink, else None.

    Cleaning must never walk through a symlink into someone else's directory.
    Missing components are not symlinks.
    """
    rel = os.path.relpath(path, base)
    current = base
    for part in rel.split(os.sep):
        current = os.path.join(current, part)
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                return current
        except OSError:
            return None
    return None


def _list_names(directory: str) -> List[str]:
    # Listing names through a symlinked directory is harmless and lets the
    # planner tell the user about it; removal re-checks and refuses.
    try:
        if not stat.S_ISDIR(os.stat(directory).st_mode):
            return []
        return sorted(os.listdir(directory))
    except OSError:
        return []


def _entry_if_file(path: str, kind: str, tool: str, why: str) -> Optional[Entry]:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return None
    return Entry(path, kind, tool, why)


def other_tool_caches(home: str) -> List[Entry]:
    """Existing files other tools keep tokens or sign-in state in.

    Only names matching the known patterns inside the known directories are
    returned; nothing is listed recursively. Entries whose directory is reached
    through a symlink are returned with ``why`` saying so (the planner refuses
    to touch them).
    """
    entries, seen = [], set()
    for loc in OTHER_TOOL_LOCATIONS:
        directory = os.path.join(home, loc.rel_dir)
        link = symlink_on_path(home, directory)
        for name in _list_names(directory):
            if not any(fnmatch.fnmatchcase(name, p) for p in loc.patterns):
                continue
            path = os.path.join(directory, name)
            why = loc.why if link is None else f"{loc.why} (reached through symlink {link})"
            entry = _entry_if_file(path, loc.kind, loc.tool, why)
            if entry and path not in seen:
                seen.add(path)
                entries.append(entry)
    return entries


def other_tool_kept(home: str) -> List[Entry]:
    """Known files in other tools' directories that hold no secrets."""
    return [Entry(os.path.join(home, loc.rel_dir, name), KIND_KEPT, loc.tool, why)
            for loc in OTHER_TOOL_LOCATIONS for name, why in loc.keep]


# --- classification by name (for the scanner) --------------------------------
_AZ_NAME_KINDS = {name: kind for name, kind, _ in _AZ_TOKEN_FILES}
_AZ_NAME_KINDS[AZ_PROFILE] = KIND_PROFILE


def classify(path: str) -> Optional[str]:
    """Kind of a file from its name and parent directories, or None if unknown."""
    name = os.path.basename(path)
    parts = path.replace("\\", "/").split("/")
    if name in _AZ_NAME_KINDS:
        return _AZ_NAME_KINDS[name]
    if name.endswith(LOCK_SUFFIX):
        return KIND_LOCKFILE
    if name == VAULT_FILE_NAME and parts[-2:-1] == [TOKENGUARD_DIR_NAME]:
        return KIND_VAULT
    for loc in OTHER_TOOL_LOCATIONS:
        rel_parts = loc.rel_dir.replace("\\", "/").split("/")
        in_dir = parts[-1 - len(rel_parts):-1] == rel_parts
        if in_dir and any(fnmatch.fnmatchcase(name, p) for p in loc.patterns):
            return loc.kind
    return None


# --- which homes to scan -----------------------------------------------------
NO_LOGIN_SHELLS = ("nologin", "false", "sync", "shutdown", "halt")
NOT_A_HOME = ("/", "/nonexistent", "/dev/null", "/bin", "/sbin", "/usr/sbin", "/var/empty")


def home_dirs_to_scan(passwd_lines: Optional[Iterable[str]] = None,
                      home_listing: Optional[Iterable[str]] = None,
                      home_root: str = "/home", min_uid: int = 1000,
                      include_root: bool = True) -> List[str]:
    """Home directories of human users. Pure: pass the lines of /etc/passwd
    and/or the names found in ``home_root``; returns sorted unique absolute paths.
    """
    homes = set()
    for line in passwd_lines or ():
        home = _home_from_passwd_line(line, min_uid, include_root)
        if home:
            homes.add(home)
    for name in home_listing or ():
        if name and "/" not in name and name not in (".", "..") and not name.startswith("."):
            homes.add(os.path.join(home_root, name))
    return sorted(homes)


def _home_from_passwd_line(line: str, min_uid: int, include_root: bool) -> Optional[str]:
    fields = line.strip().split(":")
    if len(fields) < 7 or line.lstrip().startswith("#"):
        return None
    try:
        uid = int(fields[2])
    except ValueError:
        return None
    home, shell = fields[5], fields[6]
    human = uid >= min_uid or (include_root and uid == 0)
    if not human or uid == 65534 or os.path.basename(shell) in NO_LOGIN_SHELLS:
        return None
    if not home.startswith("/") or os.path.normpath(home) in NOT_A_HOME:
        return None
    return os.path.normpath(home)


# --- what no file removal can clean ------------------------------------------
def not_cleanable_here() -> List[dict]:
    """Sign-in state that lives outside files tokenguard may remove."""
    return [
        {"what": "Windows WAM broker accounts (az login with core.enable_broker_on_windows)",
         "why": "tokens are held by the Web Account Manager, not in the az config dir",
         "how": "Settings > Accounts > Email & accounts / Access work or school: remove the account"},
        {"what": "Browser sign-in session at login.microsoftonline.com",
         "why": "a browser cookie lets the next az login finish without a password",
         "how": "sign out in the browser (https://login.microsoftonline.com/logout.oauth2) or clear its cookies"},
        {"what": "macOS Keychain / Linux libsecret items (core.encrypt_token_cache=true)",
         "why": "the encrypted cache lives in the OS keyring; the .bin file may be only a marker",
         "how": "remove the az/MSAL items in Keychain Access or seahorse (secret-tool clear)"},
        {"what": "Refresh tokens already issued or copied elsewhere",
         "why": "deleting a local copy does not invalidate the token at Entra ID",
         "how": "revoke sessions: az rest -m POST -u https://graph.microsoft.com/v1.0/me/revokeSignInSessions"},
        {"what": "Service principal client secrets",
         "why": "the secret stays valid at Entra ID after the local copy is deleted",
         "how": "rotate it: az ad app credential reset --id <app-id>"},
        {"what": "VS Code / Visual Studio account stores",
         "why": "kept in the editor's secret storage (OS keyring), not in known files",
         "how": "sign out from the Accounts menu of the editor"},
    ]


def scan_roots(config_dir: str, home: str, extra_paths: Iterable[str] = (), passwd_lines: Iterable[str] = (),
               home_listing: Iterable[str] = (), *, home_root: str = "/home",
               readable=lambda path: True) -> list:
    """Where `az tokenguard scan` looks: the az config dir, the other tools' caches in this home, the .azure
    of every other home this user may read (every user's when run as root), and any --path given.

    Another tool's cache dir comes as a (home, dir) pair: the scan opens it from the home down without
    following links, so ~/.azd -> elsewhere is reported, not read (cache_scan.scan_paths)."""
    roots = [config_dir] + _tool_roots(home)
    for other_home in home_dirs_to_scan(passwd_lines, home_listing, home_root):
        if os.path.abspath(other_home) != os.path.abspath(home) and readable(other_home):
            roots.append(os.path.join(other_home, ".azure"))
            roots.extend(_tool_roots(other_home))
    roots.extend(extra_paths)
    seen = set()
    return [r for r in roots if not (_root_key(r) in seen or seen.add(_root_key(r)))]


def _tool_roots(home):
    return [(home, directory) for directory in other_tool_dirs(home)]


def _root_key(root):
    return os.path.abspath(root[1] if isinstance(root, tuple) else root)
