"""Glue for az tokenguard exec: az's token source to the endpoint and the child (exec/)."""
import os

from knack.log import get_logger

from azext_tokenguard import az_profile
from azext_tokenguard.az_command import az_command
from azext_tokenguard.guard.errors import InvalidValueError
from azext_tokenguard.shared_glue import refuse_in_read_only, refuse_locked_vault, shell_subscription
from azext_tokenguard.tokens import access as tokens

logger = get_logger(__name__)


@az_command
def exec_command(cmd, command_args=None, allowed_resources=None, min_validity=None, subscription=None):
    """A command to run is given, no exec runs around this one, and min_validity is in seconds (_validators)."""
    from azext_tokenguard._validators import EXEC_MARKER
    from azext_tokenguard.exec.child_clis import refusing_token_commands
    from azext_tokenguard.exec.child import exec_again_blanking, run_child
    from azext_tokenguard.exec.endpoint import SECRET_VARIABLES, TokenEndpoint, child_environment
    refuse_in_read_only("tokenguard exec")
    exec_again_blanking(SECRET_VARIABLES)  # before anything else: the child must not find them in our /proc
    subscription = subscription or shell_subscription()
    refuse_locked_vault()
    az_profile.current_account(cmd.cli_ctx, subscription)  # not logged in: say so now, not on the first request
    issue = tokens.endpoint_issuer(tokens.active_cloud(cmd.cli_ctx), tokens.AzSource(cmd.cli_ctx),
                                   allowed_resources=allowed_resources, min_validity=min_validity,
                                   subscription=subscription)
    parent_path = os.environ.get("PATH", os.defpath)  # unset, the child would search the default path
    with TokenEndpoint(issue, logger=logger) as endpoint, refusing_token_commands(parent_path) as child_path:
        logger.info("Token endpoint for the child listens on %s.", endpoint.url)
        environment, removed, replaced = child_environment(os.environ, endpoint.variables())
        _log_child_environment(removed, replaced, child_path != parent_path)
        try:
            code = run_child(command_args, {**environment, "PATH": child_path, EXEC_MARKER: "1"})
        except OSError as error:
            raise InvalidValueError(f"Cannot run '{command_args[0]}': {error.strerror}.",
                                    recommendation="Check the command after --.") from None
    if code:
        raise SystemExit(code)  # az exits with the child's code; knack passes SystemExit through


def _log_child_environment(removed, replaced, refusing_clis):
    """Names only, never values: they are credentials."""
    from azext_tokenguard.exec.endpoint import TOKEN_CREDENTIALS
    if removed:
        logger.info("Unset for the child, so that its SDKs take their tokens from the endpoint: %s.",
                    ", ".join(removed))
    if replaced:
        logger.info("Replaced for the child by the endpoint's own: %s.", ", ".join(replaced))
    logger.info("The child gets %s=%s: its DefaultAzureCredential uses the endpoint and nothing else, so a "
                "refused token is an error there, not a fallback to az.", *TOKEN_CREDENTIALS)
    if refusing_clis:
        logger.info("The child's PATH starts with exec's own az (and azd, when there is one), which refuse "
                    "'az account get-access-token' and 'azd auth token': an older DefaultAzureCredential, which "
                    "ignores %s, ends in an error there too.", TOKEN_CREDENTIALS[0])
