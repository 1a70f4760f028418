"""Build the report of `az tokenguard status` from an az account entry. Pure: no azure.cli imports."""
import os

# Where az keeps the MSAL token cache and the service principal store, and how each platform protects the
# encrypted variant (msal-extensions picks the mechanism per platform).
TOKEN_CACHE_BASENAME = "msal_token_cache"
SP_STORE_BASENAME = "service_principal_entries"
_ENCRYPTION_BY_PLATFORM = {"win32": "DPAPI (Windows user account)", "darwin": "macOS Keychain",
                           "linux": "libsecret (Secret Service)"}
_MANAGED_IDENTITY_NAMES = ("systemAssignedIdentity", "userAssignedIdentity")


def cache_path(config_dir, basename, encrypted):
    """az 2.91 stores ``.bin`` when the cache is encrypted and ``.json`` when it is plain text."""
    return os.path.join(config_dir, basename + (".bin" if encrypted else ".json"))


def identity_of(account):
    """Who az signs in as for this account: a user, a service principal or a managed identity."""
    user = account.get("user") or {}
    name, kind = user.get("name"), user.get("type")
    if kind == "servicePrincipal" and name in _MANAGED_IDENTITY_NAMES:
        identity = {"type": "managedIdentity", "name": name}
        assigned = user.get("assignedIdentityInfo")
        if assigned:
            identity["assignedIdentityInfo"] = assigned
        return identity
    if kind == "servicePrincipal":
        return {"type": "servicePrincipal", "name": name, "appId": name}
    if user.get("cloudShellID"):
        return {"type": "user", "name": name, "via": "Cloud Shell"}
    return {"type": "user", "name": name}


def token_cache_report(config_dir, encrypted, platform, exists=os.path.exists):
    path = cache_path(config_dir, TOKEN_CACHE_BASENAME, encrypted)
    return {
        "path": path,
        "exists": exists(path),
        "encrypted": encrypted,
        "protection": _ENCRYPTION_BY_PLATFORM.get(platform, "platform keyring") if encrypted
        else "none: plain-text JSON that any process running as you can read",
        "servicePrincipalStore": cache_path(config_dir, SP_STORE_BASENAME, encrypted),
    }


def build_status(account, cloud_name, config_dir, encrypted, platform, exists=os.path.exists):
    """The secret-free picture of where az commands will land and where its tokens live."""
    return {
        "cloud": cloud_name,
        "tenant": {
            "id": account.get("tenantId"),
            "displayName": account.get("tenantDisplayName"),
            "defaultDomain": account.get("tenantDefaultDomain"),
        },
        "subscription": {
            "id": account.get("id"),
            "name": account.get("name"),
            "state": account.get("state"),
            "isDefault": bool(account.get("isDefault")),
        },
        "identity": identity_of(account),
        "configDir": config_dir,
        "tokenCache": token_cache_report(config_dir, encrypted, platform, exists),
    }
