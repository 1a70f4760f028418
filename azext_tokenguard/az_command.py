"""The edge between tokenguard and az, for every function az calls (commands and argument validators).

On the way out, a result becomes JSON once (``results.to_json``), and a tokenguard error becomes the
``azure.cli.core.azclierror`` type of its kind, with its message and recommendation. This is the one place
that maps the two hierarchies: the modules behind it raise ``guard.errors`` kinds and know nothing of az's.
"""
import functools

from azure.cli.core import azclierror
from knack.log import get_logger

from azext_tokenguard.guard import errors
from azext_tokenguard.guard.exitcodes import ExitCode
from azext_tokenguard.results import to_json

# The first kind an error is an instance of decides its az type.
AZ_ERROR_TYPES = (
    (errors.ConflictingArgumentsError, azclierror.MutuallyExclusiveArgumentError),
    (errors.MissingArgumentError, azclierror.RequiredArgumentMissingError),
    (errors.InvalidValueError, azclierror.InvalidArgumentValueError),
    (errors.FileAccessError, azclierror.FileOperationError),
    (errors.NotSignedInError, azclierror.AuthenticationError),
    (errors.RefusedError, azclierror.ValidationError),
    (errors.CancelledError, azclierror.ManualInterrupt),
    (errors.FindingsError, azclierror.UnclassifiedUserFault),
)


def seal_expired_vault():
    """A vault whose unlock period is over is sealed again by the first az or tokenguard command after it: the
    guard does it for az commands; this does it for tokenguard's own (no process runs in the background)."""
    import time
    from azext_tokenguard.guard import az_files, vault_state
    config_dir = az_files.config_dir()
    if vault_state.read_state(config_dir).state != vault_state.EXPIRED:
        return
    from azext_tokenguard.vault import store as vault
    outcome = vault.relock_if_expired(config_dir, time.time())
    if outcome is not None:
        get_logger(__name__).warning("The vault's unlock period ended: az's tokens are sealed again (%d files; the "
                                     "memory copy is wiped).", len(outcome.sealed))


def as_az_error(error):
    """The az error a user sees for ``error``: the same message, and its recommendation when it has one."""
    az_type = next((az for kind, az in AZ_ERROR_TYPES if isinstance(error, kind)), azclierror.UserFault)
    return az_type(str(error), recommendation=error.recommendation or None)


def az_command(function):
    """Wrap a command or validator: its result as JSON, its tokenguard errors as az's. The signature az reads
    to build the arguments is the wrapped function's (functools.wraps)."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            seal_expired_vault()
            return to_json(function(*args, **kwargs))
        except errors.CancelledError as error:
            # "No" ends with the guard's exit status for it (41), whichever asked: az's handler knows only 1.
            as_az_error(error).print_error()
            raise SystemExit(ExitCode.REFUSED_BY_USER) from None
        except errors.TokenguardError as error:
            raise as_az_error(error) from None
    return run
