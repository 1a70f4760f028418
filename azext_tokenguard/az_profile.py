"""The one module that talks to az's Profile: accounts, subscriptions, tokens and az's own settings."""
import sys

from azure.cli.core._environment import get_config_dir
from azure.cli.core.azclierror import AuthenticationError
from knack.util import CLIError

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
            raise AuthenticationError("No account is logged in to the Azure CLI.",
                                      recommendation=LOGIN_RECOMMENDATION) from None
        raise AuthenticationError(message, recommendation="Run 'az account list -o table' to see the "
                                                          "subscriptions az knows.") from None


def token_cache_settings(cli_ctx):
    """(config dir, whether az encrypts its token cache, platform) as az itself decides them."""
    from azure.cli.core.util import should_encrypt_token_cache
    return get_config_dir(), should_encrypt_token_cache(cli_ctx), sys.platform
