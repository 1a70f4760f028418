"""Glue for az tokenguard agent: az's token source to the agent run (agent/)."""
import os

from knack.log import get_logger

from azext_tokenguard import az_profile
from azext_tokenguard.az_command import az_command
from azext_tokenguard.guard import az_files
from azext_tokenguard.guard.errors import InvalidValueError, RefusedError
from azext_tokenguard.shared_glue import refuse_locked_vault, shell_subscription
from azext_tokenguard.tokens import access as tokens

logger = get_logger(__name__)


@az_command
def agent_command(cmd, command_args=None, mode="read-only", subscription=None):
    """Run an untrusted command with no credential in reach; the proxy enforces --mode per request."""
    from azext_tokenguard.agent import sandbox
    from azext_tokenguard.agent.ask import ask_on_terminal
    from azext_tokenguard.agent.run import REAL_TOKEN_MARGIN_SECONDS, AgentRun
    from azext_tokenguard.agent.session import new_run_id, run_agent
    from azext_tokenguard.guard import audit
    subscription = subscription or shell_subscription()
    refuse_locked_vault()
    account = az_profile.current_account(cmd.cli_ctx, subscription)
    cloud = tokens.active_cloud(cmd.cli_ctx)
    config_dir = az_files.config_dir()
    real_token = tokens.endpoint_issuer(cloud, tokens.AzSource(cmd.cli_ctx), min_validity=REAL_TOKEN_MARGIN_SECONDS,
                                        subscription=account["id"])
    run = AgentRun(mode=mode, command=command_args, account=account,
                   subscriptions=az_profile.cached_subscriptions(cmd.cli_ctx),
                   arm_resources=[cloud.endpoints["active_directory_resource_id"], cloud.endpoints["resource_manager"]],
                   arm_url=cloud.endpoints["resource_manager"], login_url=cloud.endpoints["active_directory"],
                   real_token=real_token, ask=ask_on_terminal, audit=lambda record: audit.append(config_dir, record),
                   run_id=new_run_id())
    logger.warning("tokenguard agent run %s (%s): audit with 'az tokenguard audit show --run %s'.", run.run_id, mode,
                   run.run_id)
    try:
        code = run_agent(run, parent_env=os.environ, parent_config_dir=config_dir,
                         subscriptions=az_profile.cached_subscriptions(cmd.cli_ctx), logger=logger)
    except sandbox.SandboxUnavailableError as error:
        raise RefusedError(f"{error} The agent is not started without a sandbox.",
                           recommendation="Install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; "
                                          "Fedora: sudo dnf install bubblewrap) and allow unprivileged user "
                                          "namespaces, then run it again.") from None
    except OSError as error:
        raise InvalidValueError(f"Cannot run '{command_args[0]}': {error.strerror}.",
                                recommendation="Check the command after --.") from None
    if code:
        raise SystemExit(code)
