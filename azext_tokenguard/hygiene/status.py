"""Build the report of `az tokenguard status` from an az account entry. Pure: no azure.cli imports."""
import os
from dataclasses import dataclass
from typing import Optional

from azext_tokenguard.guard import az_files
from azext_tokenguard.guard.az_files import SP_STORE_BASENAME, TOKEN_CACHE_BASENAME
from azext_tokenguard.results import optional

# How each platform protects the encrypted token cache (msal-extensions picks the mechanism per platform).
_ENCRYPTION_BY_PLATFORM = {"win32": "DPAPI (Windows user account)", "darwin": "macOS Keychain",
                           "linux": "libsecret (Secret Service)"}


@dataclass(frozen=True)
class Tenant:
    id: Optional[str]
    display_name: Optional[str]
    default_domain: Optional[str]


@dataclass(frozen=True)
class Subscription:
    id: Optional[str]
    name: Optional[str]
    state: Optional[str]
    is_default: bool


@dataclass(frozen=True)
class Identity:
    """Who az signs in as; the name is az's own (an app id, systemAssignedIdentity, a user name)."""
    type: str
    name: Optional[str]
    app_id: Optional[str] = optional()
    assigned_identity_info: Optional[str] = optional()  # which user-assigned identity: MSIClient-<id>, ...
    via: Optional[str] = optional()


@dataclass(frozen=True)
class TokenCache:
    path: str
    exists: bool
    encrypted: bool
    protection: str
    service_principal_store: str


@dataclass(frozen=True)
class Status:  # pylint: disable=too-many-instance-attributes
    cloud: str
    tenant: Tenant
    subscription: Subscription
    identity: Identity
    config_dir: str
    token_cache: TokenCache
    # This shell's own selection (az tokenguard use), which the report follows instead of az's default.
    selection: Optional[dict] = optional()
    # tokenguard's vault (az tokenguard vault): none, locked, unlocked or expired, and the time left.
    vault: Optional[dict] = optional()


def cache_path(config_dir, basename, encrypted):
    """az 2.91 stores ``.bin`` when the cache is encrypted and ``.json`` when it is plain text."""
    return os.path.join(config_dir, basename + (".bin" if encrypted else ".json"))


def identity_of(account):
    """Who az signs in as for this account: a user, a service principal or a managed identity, named as the
    guard's context line names it (az_files.identity_of)."""
    user = account.get("user") or {}
    kind, name = az_files.identity_of(user)
    name = name or None
    if kind == az_files.MANAGED_IDENTITY:
        return Identity(kind, name, assigned_identity_info=user.get("assignedIdentityInfo") or None)
    if kind == az_files.SERVICE_PRINCIPAL:
        return Identity(kind, name, app_id=name)
    return Identity(kind, name, via="Cloud Shell" if user.get("cloudShellID") else None)


def token_cache_report(config_dir, encrypted, platform, exists=os.path.exists):
    path = cache_path(config_dir, TOKEN_CACHE_BASENAME, encrypted)
    protection = _ENCRYPTION_BY_PLATFORM.get(platform, "platform keyring") if encrypted \
        else "none: plain-text JSON that any process running as you can read"
    return TokenCache(path, exists(path), encrypted, protection, cache_path(config_dir, SP_STORE_BASENAME, encrypted))


def build_status(account, cloud_name, config_dir, encrypted, platform, *, exists=os.path.exists,  # pylint: disable=too-many-arguments
                 selection=None, vault=None):
    """The secret-free picture of where az commands will land and where its tokens live."""
    return Status(
        cloud=cloud_name,
        tenant=Tenant(account.get("tenantId"), account.get("tenantDisplayName"), account.get("tenantDefaultDomain")),
        subscription=Subscription(account.get("id"), account.get("name"), account.get("state"),
                                  bool(account.get("isDefault"))),
        identity=identity_of(account),
        config_dir=config_dir,
        token_cache=token_cache_report(config_dir, encrypted, platform, exists),
        selection=selection,
        vault=vault,
    )
