"""Command implementations: thin glue between az (through az_profile) and the pure modules."""
from knack.log import get_logger

from azext_tokenguard import az_profile
from azext_tokenguard.status_report import build_status

logger = get_logger(__name__)


def show_status(cmd):
    account = az_profile.current_account(cmd.cli_ctx)
    config_dir, encrypted, platform = az_profile.token_cache_settings(cmd.cli_ctx)
    return build_status(account, cmd.cli_ctx.cloud.name, config_dir, encrypted, platform)
