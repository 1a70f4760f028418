"""The one module that talks to az's Profile: accounts, subscriptions, tokens and az's own settings."""
import sys

from knack.util import CLIError

from azext_tokenguard.guard import az_files
from azext_tokenguard.guard.errors import NotSignedInError

LOGIN_RECOMMENDATION = "Run 'az login' (or 'az login --service-principal ...') and try again."


def _profile(cli_ctx):
    from azure.cli.core._profile import Profile
    return Profile(cli_ctx=cli_ctx)


def current_account(cli_ctx, subscription=None):
    """The account entry az would use: the default, or the one az's global --subscription names."""
    # az's global --subscription lands in cli_ctx.data, as client_factory.get_subscription_id reads it.
    subscription = subscription or cli_ctx.data.get("subscription_id")
    try:
        return _profile(cli_ctx).get_subscription(subscription)
    except CLIError as error:
        message = str(error).strip()
        if "az login" in message:  # az's "Please run 'az login' to setup account."
            raise NotSignedInError("No account is logged in to the Azure CLI.",
                                   recommendation=LOGIN_RECOMMENDATION) from None
        raise NotSignedInError(message, recommendation="Run 'az account list -o table' to see the "
                                                       "subscriptions az knows.") from None


def cached_subscriptions(cli_ctx):
    """The subscriptions az knows for the active cloud (azureProfile.json's entries), as dicts."""
    return _profile(cli_ctx).load_cached_subscriptions(False)


def sign_out_everyone(cli_ctx):
    """Sign out every user and service principal az knows (az's own logout_all); return who they were."""
    profile = _profile(cli_ctx)
    identities = sorted({(s["user"]["type"], s["user"]["name"]) for s in profile.load_cached_subscriptions(True)
                         if s.get("user")})
    profile.logout_all()
    return [{"type": kind, "name": name} for kind, name in identities]


def token_cache_settings(cli_ctx):
    """(config dir, whether az encrypts its token cache, platform) as az itself decides them."""
    from azure.cli.core.util import should_encrypt_token_cache
    return az_files.config_dir(), should_encrypt_token_cache(cli_ctx), sys.platform


def cached_token(cli_ctx, scopes, subscription=None, tenant=None):
    """The token `az account get-access-token` would return: MSAL's cache first, refreshed by MSAL only
    when less than 5 minutes are left. Returns (token, expires_on epoch, subscription id, tenant id)."""
    (_, token, entry), subscription_id, tenant_id = _profile(cli_ctx).get_raw_token(
        scopes=scopes, subscription=subscription, tenant=tenant)
    return token, int(entry["expires_on"]), subscription_id, tenant_id


def fresh_token(cli_ctx, scopes, subscription=None, tenant=None):
    """A newly issued token, past MSAL's cache: users redeem their refresh token, service principals make a
    new client-credentials request.

    MSAL refuses force_refresh for client credentials, but a claims challenge always bypasses its cache,
    for both kinds of identity. The challenge asks for a token issued now or later (nbf), which is what an
    ARM CAE challenge asks for too. It goes through the credential's SDK protocol (get_token(claims=...)),
    which az supports. Returns (token, expires_on epoch)."""
    import json
    import time
    claims = json.dumps({"access_token": {"nbf": {"essential": True, "value": str(int(time.time()))}}})
    profile = _profile(cli_ctx)
    account = profile.get_subscription(subscription)
    if tenant and tenant.lower() != account["tenantId"].lower():
        # Another tenant than the account's: az builds that credential as an auxiliary (cross-tenant) one.
        credential, _, _ = profile.get_login_credentials(subscription_id=account["id"], aux_tenants=[tenant])
        (access_token,) = credential.get_auxiliary_tokens(*scopes, claims_challenge=claims)
    else:
        credential, _, _ = profile.get_login_credentials(subscription_id=account["id"])
        access_token = credential.get_token(*scopes, claims=claims)
    return access_token.token, int(access_token.expires_on)


def cloud_endpoints(cli_ctx):
    """(cloud name, endpoints, suffixes) of the active cloud as plain dicts, for the pure resource table."""
    cloud = cli_ctx.cloud
    return cloud.name, dict(vars(cloud.endpoints)), dict(vars(cloud.suffixes))
