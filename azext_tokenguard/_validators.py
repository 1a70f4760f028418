"""Argument checks, run by az before a command does any work (``validator=`` in _params.py).

Each takes az's parsed ``namespace``; a check that turns a value into what the command works with (a duration
into seconds, --since into the audit log's time format) stores the result back in the namespace.
"""
import datetime
import os
import time

from azext_tokenguard.az_command import az_command
from azext_tokenguard.tokens.durations import DurationError, parse_duration
from azext_tokenguard.guard.errors import (ConflictingArgumentsError, InvalidValueError, MissingArgumentError,
                                           RefusedError)

EXEC_MARKER = "TOKENGUARD_EXEC"  # set for exec's child, so an exec inside an exec is refused
AGENT_MARKER = "TOKENGUARD_AGENT"  # set for an agent's child (agent/sandbox.py)
DEFAULT_EXEC_MIN_VALIDITY = "5m"  # azure-identity refreshes 5 minutes before expiry too
AUDIT_LOOKBACK_SECONDS = 366 * 24 * 3600
AUDIT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # UTC, as the audit log records it


def _exclusive(namespace, first, second, recommendation):
    """Refuse two options given together (``first``, ``second``: (dest, option) pairs)."""
    if getattr(namespace, first[0], None) and getattr(namespace, second[0], None):
        raise ConflictingArgumentsError(f"{first[1]} and {second[1]} cannot be used together.",
                                        recommendation=recommendation)


def _duration_in_seconds(namespace, option, default=None):
    """namespace.min_validity as whole seconds (``default`` when not given)."""
    value = namespace.min_validity if namespace.min_validity is not None else default
    try:
        namespace.min_validity = parse_duration(value) if value is not None else 0
    except DurationError as error:
        raise DurationError(f"{option}: {error}", recommendation=f"For example: {option} 45m") from None


# --- get-token ------------------------------------------------------------------------------------------

@az_command
def validate_get_token_min_validity(namespace):
    _duration_in_seconds(namespace, "--min-validity")


@az_command
def validate_resource_or_scope(namespace):
    _exclusive(namespace, ("resource", "--resource"), ("scopes", "--scope"),
               "Use --resource for a resource, or --scope for explicit scopes.")


@az_command
def validate_subscription_or_tenant(namespace):
    _exclusive(namespace, ("subscription", "--subscription"), ("tenant", "--tenant"),
               "Pass one of them, as with az account get-access-token.")


# --- decode, logout -------------------------------------------------------------------------------------

@az_command
def validate_token_or_file(namespace):
    if namespace.token is not None and namespace.file is not None:
        raise ConflictingArgumentsError("--token and --file cannot be used together.",
                                        recommendation="Pass the token one way only.")


@az_command
def validate_logout_all(namespace):
    if not namespace.all_identities:
        raise MissingArgumentError("Only 'az tokenguard logout --all' is supported.",
                                   recommendation="To sign out one account, use 'az logout --username NAME'.")


# --- exec -----------------------------------------------------------------------------------------------

# exec's own options and az's global ones: anything else starting with - before a `--` belongs to the child.
EXEC_OPTIONS = frozenset(("--resource", "-r", "--min-validity", "-m", "--subscription", "-s", "--output", "-o",
                          "--query", "--debug", "--verbose", "--only-show-errors", "--help", "-h"))


def exec_without_double_dash_hint(args):
    """The one-line hint for `az tokenguard exec python3 -c ...`, whose -c argparse reads as exec's own (and
    refuses as "unrecognized arguments"); None when the command line is fine."""
    if list(args[:2]) != ["tokenguard", "exec"] or "--" in args:
        return None
    strays = [word for word in args[2:] if word.startswith("-") and word.split("=", 1)[0] not in EXEC_OPTIONS]
    if not strays:
        return None
    return (f"'{strays[0]}' is not an option of az tokenguard exec: put the command to run after --, e.g. "
            "az tokenguard exec -- python3 -c '...'")


@az_command
def validate_exec_command(namespace):
    if not namespace.command_args:
        raise MissingArgumentError("No command to run.",
                                   recommendation="Put it after --, e.g. az tokenguard exec -- python job.py")
    if os.environ.get(EXEC_MARKER):
        raise RefusedError("Already inside 'az tokenguard exec'.",
                           recommendation="Run the command directly: its token endpoint is already set.")


@az_command
def validate_agent_command(namespace):
    if not namespace.command_args:
        raise MissingArgumentError("No command to run.",
                                   recommendation="Put it after --, e.g. az tokenguard agent -- claude")
    if os.environ.get(EXEC_MARKER) or os.environ.get(AGENT_MARKER):
        raise RefusedError("Already inside 'az tokenguard exec' or 'az tokenguard agent'.",
                           recommendation="Run the agent from a shell outside it.")


@az_command
def validate_exec_min_validity(namespace):
    _duration_in_seconds(namespace, "--min-validity", default=DEFAULT_EXEC_MIN_VALIDITY)


# --- vault unlock ---------------------------------------------------------------------------------------

@az_command
def validate_unlock_period(namespace):
    """--for as whole seconds; 8 hours when not given: a working day."""
    from azext_tokenguard.vault.store import DEFAULT_UNLOCK_SECONDS, MAX_UNLOCK_SECONDS
    if namespace.period is None:
        namespace.period = DEFAULT_UNLOCK_SECONDS
        return
    try:
        namespace.period = parse_duration(namespace.period, max_seconds=MAX_UNLOCK_SECONDS)
    except DurationError as error:
        raise DurationError(f"--for: {error}", recommendation="For example: --for 8h") from None
    if namespace.period <= 0:
        raise InvalidValueError("--for: the period must be longer than 0 seconds.",
                                recommendation="For example: --for 8h")


# --- audit show -----------------------------------------------------------------------------------------

@az_command
def validate_since(namespace):
    """--since as the log's UTC time: a duration back from now (1h, 2d) or an ISO 8601 time."""
    if namespace.since is None:
        return
    try:
        moment = time.time() - parse_duration(namespace.since, max_seconds=AUDIT_LOOKBACK_SECONDS)
    except DurationError:
        try:
            parsed = datetime.datetime.fromisoformat(namespace.since.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidValueError(f"--since: '{namespace.since}' is neither a duration nor an ISO 8601 time.",
                                    recommendation="For example: --since 2h or --since 2026-11-23T08:00:00Z") \
                from None
        moment = (parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)).timestamp()
    namespace.since = datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).strftime(AUDIT_TIME_FORMAT)
