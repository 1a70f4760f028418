"""Glue for az tokenguard get-token and decode: az's side (through az_profile) to tokens/."""
import sys
import time

from knack.log import get_logger

from azext_tokenguard.az_command import az_command
from azext_tokenguard.guard.errors import FileAccessError, MissingArgumentError
from azext_tokenguard.shared_glue import refuse_locked_vault, shell_subscription, transform_result
from azext_tokenguard.tokens import access as tokens
from azext_tokenguard.tokens import jwt_inspect
from azext_tokenguard.tokens import resources

logger = get_logger(__name__)


@az_command
def get_token(cmd, *, resource=None, scopes=None, subscription=None, tenant=None, min_validity=None,
              list_resources=False, resource_type=None):
    """min_validity comes in seconds (_validators); --resource and --scope, --subscription and --tenant are
    already known not to come together."""
    cloud = tokens.active_cloud(cmd.cli_ctx)
    if list_resources:
        return resources.resource_table(cloud.endpoints, cloud.suffixes, cloud.name)
    if subscription is None and tenant is None:
        subscription = shell_subscription()
    refuse_locked_vault()
    request = tokens.token_request(cloud, resource=resource, scopes=scopes, resource_type=resource_type,
                                   subscription=subscription, tenant=tenant, min_validity=min_validity)
    result = tokens.get_token(request, tokens.AzSource(cmd.cli_ctx))
    _keep_az_columns_first(cmd.cli_ctx)
    return result


def _keep_az_columns_first(cli_ctx):
    """-o tsv prints a plain dict's values sorted by key, which would put the summary's 'audience' in column 2,
    where az has expiresOn: az's columns first, in az's order."""
    from azext_tokenguard._format import az_columns_first
    transform_result(cli_ctx, az_columns_first)


@az_command
def decode_token(token=None, file=None):
    return jwt_inspect.inspect_token(_token_text(token, file), time.time())


def _token_text(token, file):
    if token is not None:
        return token
    limit = jwt_inspect.MAX_TOKEN_CHARS + 1  # read no more than a token can be: the decoder reports the rest
    if file is not None:
        return _read_token_file(file, limit)
    if sys.stdin is None or sys.stdin.isatty():
        raise MissingArgumentError("No token given.",
                                   recommendation="Pass --token, --file, or pipe the token into standard input.")
    return sys.stdin.buffer.read(limit)


def _read_token_file(path, limit):
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError as error:
        raise FileAccessError(f"Cannot read {path}: {error.strerror}.",
                              recommendation="Check the path passed to --file.") from None
