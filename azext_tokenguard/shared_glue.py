"""What the commands' glue in several folders shares: read-only refusal, the shell's selection, the
locked vault's refusal, az's output transform hooks and the one message for a file that cannot be written."""
import os

from knack.log import get_logger

from azext_tokenguard.guard import az_files
from azext_tokenguard.guard.errors import FileAccessError, RefusedError

logger = get_logger(__name__)


def refuse_in_read_only(command, options=()):
    """Read-only mode covers tokenguard itself here too, not only in the guard in front of az: a caller that
    reaches the real az around the shim is refused the same (exit status 47, the guard's line). The policy's
    mode or TOKENGUARD_MODE decides; the variable can only tighten the policy (decision.read_only_source)."""
    from azext_tokenguard.guard.classify import READ, Classification
    from azext_tokenguard.guard.decision import read_only_refusal
    from azext_tokenguard.guard.exitcodes import ExitCode
    from azext_tokenguard.guard.invocation import parse
    from azext_tokenguard.guard.policy import load_policy
    invocation = parse(command.split() + list(options), read_files=False, use_table=False)
    refusal = read_only_refusal(Classification(READ, "changes only local az settings", command),
                                load_policy(az_files.config_dir()), os.environ, invocation)
    if refusal:
        logger.error(refusal)
        raise SystemExit(ExitCode.REFUSED_READ_ONLY)


def shell_subscription():
    """This shell's selected subscription id (az tokenguard use), or None: tokens follow the shell's choice."""
    from azext_tokenguard.guardcmd.use import shell_selection
    return shell_selection(os.environ, az_files.config_dir())[0]


def refuse_locked_vault():
    """Say the vault is locked, instead of az's "run az login", when az's tokens are sealed."""
    from azext_tokenguard.guard import vault_state
    config_dir = az_files.config_dir()
    if vault_state.read_state(config_dir).state == vault_state.LOCKED and not vault_state.plain_tokens_back(config_dir):
        raise RefusedError("az's tokens are sealed in the token vault.",
                           recommendation="Run 'az tokenguard vault unlock' (add --for 8h to choose how long).")


def transform_result(cli_ctx, transform):
    """az turns every result into plain dicts after the command returns, so an order (an OrderedDict) is set
    once that is done, as knack's --query hooks in."""
    from knack.events import EVENT_INVOKER_TRANSFORM_RESULT

    def apply(_cli_ctx, **kwargs):
        cli_ctx.unregister_event(EVENT_INVOKER_TRANSFORM_RESULT, apply)
        kwargs["event_data"]["result"] = transform(kwargs["event_data"]["result"])
    cli_ctx.register_event(EVENT_INVOKER_TRANSFORM_RESULT, apply)


def plain_tsv(cmd):
    """-o tsv without --query: what a script reads by position."""
    params = cmd.cli_ctx.data.get("safe_params") or []
    return cmd.cli_ctx.invocation.data.get("output") == "tsv" and "--query" not in params


def cannot_write(path, error):
    return FileAccessError(f"Cannot write {path}: {error.strerror}. Nothing was changed.",
                           recommendation="Free some disk space or make the directory writable, then try again.")
