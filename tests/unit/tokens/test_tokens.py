"""The tokens module: a request resolved before any work, one acquisition for get-token and exec, each token
decoded once. az is replaced by a fake source here; the end-to-end tests drive the real az."""
import time

import jwt
import pytest
from azure.cli.core.cloud import AZURE_PUBLIC_CLOUD

from azext_tokenguard.tokens import access as tokens
from azext_tokenguard.guard.errors import TokenRequestError
from azext_tokenguard.tokens.resources import ResourceError
from azext_tokenguard.results import to_json
from azext_tokenguard.tokens.lifetime import LifetimeUnavailableError

NOW = 1_700_000_000
ARM = "https://management.core.windows.net/"
KEY = "a signing key for tests, 32+ bytes long"
CLOUD = tokens.Cloud("AzureCloud", dict(vars(AZURE_PUBLIC_CLOUD.endpoints)), dict(vars(AZURE_PUBLIC_CLOUD.suffixes)))


def make_jwt(aud=ARM, exp=NOW + 3600, **claims):
    return jwt.encode({"aud": aud, "exp": exp, "tid": "t1", "roles": ["Reader"], **claims}, KEY, algorithm="HS256")


class FakeSource:
    """az's cache and its token endpoint, as az_profile returns them; counts the requests."""

    def __init__(self, cached, fresh=None, subscription="s1", tenant="t1"):
        self.tokens = {"cache": cached, "fresh": fresh}
        self.found = (subscription, tenant)
        self.requests = []

    def cached(self, request):
        self.requests.append(("cache", request))
        value, expires_on = self.tokens["cache"]
        return tokens.decoded(value, expires_on, "cache", *self.found)

    def fresh(self, request):
        self.requests.append(("fresh", request))
        value, expires_on = self.tokens["fresh"]
        return tokens.decoded(value, expires_on, "fresh")


def test_a_request_resolves_aliases_from_the_cloud_before_anything_is_sent():
    request = tokens.token_request(CLOUD, resource="graph", min_validity=300)
    assert request.resource == "https://graph.microsoft.com/"
    assert request.scopes == ("https://graph.microsoft.com//.default",)
    assert request.min_validity == 300 and tokens.token_request(CLOUD).resource == ARM


def test_a_permission_passed_as_a_resource_is_refused_with_the_right_call():
    with pytest.raises(ResourceError, match="--scope https://graph.microsoft.com/User.Read") as error:
        tokens.token_request(CLOUD, resource="User.Read")
    assert "--list-resources" in error.value.recommendation


def test_resource_wins_over_resource_type_and_scopes_name_their_resource():
    assert tokens.token_request(CLOUD, resource="keyvault", resource_type="ms-graph").resource == \
        "https://vault.azure.net"
    assert tokens.token_request(CLOUD, resource_type="ms-graph").resource == "https://graph.microsoft.com/"
    assert tokens.token_request(CLOUD, scopes=["https://vault.azure.net/.default"]).resource == \
        "https://vault.azure.net"


def test_the_cached_token_is_decoded_once_and_its_exp_claim_is_the_expiry():
    value = make_jwt(exp=NOW + 1000)
    token = tokens.decoded(value, NOW + 3000, "cache")  # MSAL counts longer than the token itself says
    assert token.expires_on == NOW + 1000 and token.claims["aud"] == ARM
    assert value not in repr(token)
    assert tokens.decoded("not-a-jwt", NOW + 3000, "cache").claims is None


def test_get_token_takes_the_cache_when_it_lives_long_enough():
    source = FakeSource((make_jwt(), NOW + 3600))
    result = to_json(tokens.get_token(tokens.token_request(CLOUD, min_validity=600), source, clock=lambda: NOW))
    assert [kind for kind, _ in source.requests] == ["cache"]
    assert result["tokenSource"] == "cache" and result["secondsRemaining"] == 3600
    assert result["expires_on"] == NOW + 3600 and result["subscription"] == "s1" and result["tenant"] == "t1"
    assert result["audience"] == ARM and result["roles"] == ["Reader"] and result["tokenType"] == "Bearer"


def test_a_short_cached_token_is_replaced_and_keeps_azs_subscription_and_tenant():
    source = FakeSource((make_jwt(exp=NOW + 60), NOW + 60), (make_jwt(exp=NOW + 3600), NOW + 3600))
    result = to_json(tokens.get_token(tokens.token_request(CLOUD, min_validity=600), source, clock=lambda: NOW))
    assert result["tokenSource"] == "fresh" and result["subscription"] == "s1"


def test_a_token_for_another_audience_is_never_returned():
    source = FakeSource((make_jwt(aud="https://vault.azure.net"), NOW + 3600))
    with pytest.raises(tokens.RefusedError, match="is for audience 'https://vault.azure.net'"):
        tokens.get_token(tokens.token_request(CLOUD), source, clock=lambda: NOW)


def test_without_a_subscription_the_key_is_left_out_as_az_does_for_tenant():
    source = FakeSource((make_jwt(), NOW + 3600), subscription=None)
    assert "subscription" not in to_json(tokens.get_token(tokens.token_request(CLOUD), source, clock=lambda: NOW))


def test_a_promise_no_token_keeps_fails_with_the_longest_lifetime():
    source = FakeSource((make_jwt(exp=NOW + 60), NOW + 60), (make_jwt(exp=NOW + 120), NOW + 120))
    with pytest.raises(LifetimeUnavailableError, match="issued one with 2m left at most"):
        tokens.acquire(tokens.token_request(CLOUD, min_validity=3600), source, clock=lambda: NOW)


def test_exec_refuses_resources_off_its_list_and_lifetimes_it_cannot_keep():
    source = FakeSource((make_jwt(exp=NOW + 60), NOW + 60), (make_jwt(exp=NOW + 60), NOW + 60))
    issue = tokens.endpoint_issuer(CLOUD, source, allowed_resources=["arm"], min_validity=300)
    with pytest.raises(TokenRequestError) as off_list:
        issue("https://vault.azure.net")
    with pytest.raises(TokenRequestError) as too_short:
        issue(ARM)
    assert off_list.value.status == 403 and too_short.value.status == tokens.LIFETIME_REFUSAL_STATUS
    assert "Run az tokenguard exec with a --min-validity below that." in str(too_short.value)


def test_exec_hands_out_the_same_acquisition_as_get_token():
    expires_on = int(time.time()) + 3600  # exec's endpoint runs on the wall clock
    value = make_jwt(exp=expires_on)
    source = FakeSource((value, expires_on))
    issue = tokens.endpoint_issuer(CLOUD, source, min_validity=300)
    assert issue(ARM) == (value, expires_on) and [kind for kind, _ in source.requests] == ["cache"]
