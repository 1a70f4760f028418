"""Access tokens for `get-token` and `exec`: a request checked before any work, and one way to acquire it.

``token_request`` resolves get-token's arguments against the active cloud and refuses mix-ups (a permission
passed as a resource, an alias the cloud has no value for) before anything is sent. ``acquire`` is what both
commands call: az's cached token when it lives at least ``min_validity`` longer, else a newly issued one, else
an error naming the longest lifetime obtained. Each token is decoded once, into ``Token.claims``; its true
expiry is the earlier of MSAL's and the token's own ``exp`` claim, which is what the resource checks.

az is reached only through ``AzSource`` (az_profile), so everything else here is unit-tested with a fake source.
"""
import dataclasses
import datetime
import time
from dataclasses import dataclass
from typing import Optional

from knack.log import get_logger

from azext_tokenguard import az_profile
from azext_tokenguard.guard import claims as claims_of
from azext_tokenguard.tokens import jwt_inspect
from azext_tokenguard.tokens import resources
from azext_tokenguard.tokens.durations import format_duration
from azext_tokenguard.guard.errors import RefusedError, TokenRequestError
from azext_tokenguard.results import key, optional
from azext_tokenguard.tokens.lifetime import LifetimeUnavailableError, obtain

logger = get_logger(__name__)

LIFETIME_REFUSAL_STATUS = 400  # not 5xx: clients retry those with back-off for minutes, and this will not pass
AZ_EXPIRES_ON_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # az account get-access-token's expiresOn, in local time


@dataclass(frozen=True)
class Cloud:
    """The active cloud's name, endpoints and suffixes as plain dicts (az's attribute names)."""
    name: str
    endpoints: dict
    suffixes: dict


@dataclass(frozen=True)
class TokenRequest:
    """What to ask az for, resolved and checked; nothing of it has been sent anywhere yet."""
    scopes: tuple
    resource: Optional[str]  # the audience the token must be for; None when the scopes do not tell
    subscription: Optional[str] = None
    tenant: Optional[str] = None
    min_validity: int = 0  # seconds the token must still be valid when it is handed out


@dataclass(frozen=True)
class Token:
    """An access token from az, decoded once. ``value`` is the secret: it is in no repr and no log."""
    value: str = dataclasses.field(repr=False)
    expires_on: int = 0  # epoch seconds
    claims: Optional[dict] = dataclasses.field(default=None, repr=False)  # None when it is not a JWT
    source: str = "cache"  # cache | fresh
    subscription: Optional[str] = None  # as az reported them for the cached token
    tenant: Optional[str] = None


@dataclass(frozen=True)
class AccessToken:  # pylint: disable=too-many-instance-attributes
    """get-token's result: every key of `az account get-access-token`, then a summary with no secret in it."""
    access_token: str = dataclasses.field(repr=False)
    expires_on: int = key("expires_on")
    expires_on_local: str = key("expiresOn")
    tenant: Optional[str] = None
    audience: Optional[str] = None
    scopes: tuple = ()
    roles: tuple = ()
    identity_type: str = "unknown"
    expires_at: Optional[str] = None
    seconds_remaining: Optional[int] = None  # negative once expired
    token_source: str = "cache"
    subscription: Optional[str] = optional()  # az leaves it out for --tenant
    token_type: str = "Bearer"


def active_cloud(cli_ctx):
    return Cloud(*az_profile.cloud_endpoints(cli_ctx))


def token_request(cloud, *, resource=None, scopes=None, resource_type=None, subscription=None, tenant=None,
                  min_validity=0):
    """The request for get-token's arguments, resolved against ``cloud``; ResourceError says what to fix.
    ``--resource`` wins over ``--resource-type``, as in az; with neither, and no scopes, it is ARM's."""
    if resource_type and not resource:
        resource = resources.resource_of_type(resource_type, cloud.endpoints, cloud.name)
    if scopes:
        return TokenRequest(tuple(scopes), resources.resource_of_scopes(scopes), subscription, tenant, min_validity)
    uri = resources.resolve_resource(resource or "arm", cloud.endpoints, cloud.suffixes, cloud.name)
    return TokenRequest(tuple(resources.scopes_for_resource(uri)), uri, subscription, tenant, min_validity)


def decoded(value, expires_on, source, subscription=None, tenant=None):
    """The Token for what az returned. MSAL counts from expires_in; the token's exp claim is what the resource
    checks, so the earlier of the two is its expiry."""
    try:
        claims = jwt_inspect.decode_unverified(value)[1]
    except jwt_inspect.TokenFormatError:
        claims = None
    exp = claims_of.expiry(claims) if claims is not None else None
    expires_on = int(expires_on) if exp is None else min(int(expires_on), int(exp))
    return Token(value, expires_on, claims, source, subscription, tenant)


class AzSource:
    """Tokens from az itself, through az_profile: its MSAL cache, or a newly issued one."""

    def __init__(self, cli_ctx):
        self.cli_ctx = cli_ctx

    def cached(self, request):
        value, expires_on, subscription, tenant = az_profile.cached_token(
            self.cli_ctx, list(request.scopes), request.subscription, request.tenant)
        return decoded(value, expires_on, "cache", subscription, tenant)

    def fresh(self, request):
        value, expires_on = az_profile.fresh_token(self.cli_ctx, list(request.scopes), request.subscription,
                                                   request.tenant)
        return decoded(value, expires_on, "fresh")


def acquire(request, source, clock=time.time):
    """A Token for ``request`` with at least ``request.min_validity`` seconds left (the promise of
    --min-validity): the cached one, else a newly issued one. LifetimeUnavailableError when neither lasts."""
    cached = source.cached(request)

    def fresh():
        logger.info("The cached token has less than %s left; requesting a new one.",
                    format_duration(request.min_validity))
        token = dataclasses.replace(source.fresh(request), subscription=cached.subscription, tenant=cached.tenant)
        return token, token.expires_on

    token, _, _ = obtain(lambda: (cached, cached.expires_on), fresh, request.min_validity, clock)
    return token


def get_token(request, source, clock=time.time):
    """get-token: the token ``request`` asks for as az's own command returns it, with its checked summary."""
    token = acquire(request, source, clock)
    result = access_token_result(token, request, clock())
    logger.info("Token for %s from %s: expires %s (%s left).", result.audience, token.source, result.expires_at,
                format_duration(max(result.seconds_remaining or 0, 0)))
    return result


def access_token_result(token, request, now):
    """The AccessToken for ``token``; RefusedError when its audience is not what was asked (no token is shown)."""
    expires_on_local = datetime.datetime.fromtimestamp(token.expires_on).strftime(AZ_EXPIRES_ON_FORMAT)
    result = AccessToken(token.value, token.expires_on, expires_on_local, tenant=token.tenant,
                         subscription=token.subscription or None, token_source=token.source)
    if token.claims is None:
        logger.warning("The token is not a JWT, so its audience and lifetime cannot be checked here.")
        return result
    summary = claims_of.token_summary(token.claims, now)
    if request.resource and not claims_of.audience_matches(request.resource, summary["audience"]):
        raise RefusedError(f"The token that came back is for audience '{summary['audience']}', not for "
                           f"'{request.resource}' as asked.",
                           recommendation="Check the resource or scope you passed; no token was returned.")
    return dataclasses.replace(result, audience=summary["audience"], scopes=summary["scopes"],
                               roles=summary["roles"], identity_type=summary["identityType"],
                               expires_at=summary["expiresAt"], seconds_remaining=summary["secondsRemaining"])


def endpoint_issuer(cloud, source, *, allowed_resources=(), min_validity=0, subscription=None):
    """exec's token source for its endpoint: resource -> (token, expires_on), or TokenRequestError with the HTTP
    status the child gets. The --resource list is resolved now, before the child starts."""
    from azure.cli.core.azclierror import AzCLIError
    allowed = [token_request(cloud, resource=resource).resource for resource in allowed_resources or ()]
    graph = cloud.endpoints.get("microsoft_graph_resource_id")

    def issue(resource):
        if allowed and not any(resources.same_resource(a, resource, cloud.endpoints) for a in allowed):
            raise TokenRequestError(403, f"Resource '{resource}' is not in this exec's --resource list.")
        hint = resources.detect_permission_as_resource(resource, graph)
        if hint:
            raise TokenRequestError(400, hint)
        request = TokenRequest(tuple(resources.scopes_for_resource(resource)), resource, subscription, None,
                               min_validity)
        try:
            token = acquire(request, source)
        except LifetimeUnavailableError as error:  # --min-validity cannot be met: retrying will not help
            raise TokenRequestError(LIFETIME_REFUSAL_STATUS, f"{error} Run az tokenguard exec with a "
                                                             "--min-validity below that.") from None
        except AzCLIError as error:
            raise TokenRequestError(500, str(error)) from None
        return token.value, token.expires_on
    return issue
