"""`az tokenguard get-token`: the right token, for the right resource, with the lifetime a script needs."""
import datetime
import time

import pytest

from tests.conftest import login
from tests.emulator import data

AZ_KEYS = {"accessToken", "tokenType", "expiresOn", "expires_on", "subscription", "tenant"}
SUMMARY_KEYS = {"audience", "scopes", "roles", "identityType", "expiresAt", "secondsRemaining", "tokenSource"}
ARM = "https://management.core.windows.net/"


def test_output_keeps_every_key_of_az_account_get_access_token(logged_in_az):
    ours = logged_in_az.json("tokenguard", "get-token")
    theirs = logged_in_az.json("account", "get-access-token")
    assert AZ_KEYS <= set(theirs) | {"subscription"} and set(theirs) <= set(ours)
    assert set(ours) == AZ_KEYS | SUMMARY_KEYS
    assert ours["subscription"] == theirs["subscription"] == data.CONTOSO_DEV.subscription_id
    assert ours["tenant"] == theirs["tenant"] == data.CONTOSO.tenant_id
    assert ours["tokenType"] == "Bearer"
    assert ours["audience"] == ARM


def test_summary_for_a_user_and_for_a_service_principal(user_az, sp_az):
    user = user_az.json("tokenguard", "get-token")
    assert (user["identityType"], user["scopes"], user["roles"]) == ("user", ["user_impersonation"], [])
    app = sp_az.json("tokenguard", "get-token")
    assert (app["identityType"], app["scopes"], app["roles"]) == ("application", [], list(data.DEPLOY_BOT.roles))
    assert app["expiresAt"].endswith("Z") and 3000 < app["secondsRemaining"] <= 3600


def test_query_access_token_tsv_prints_only_the_token(sp_az):
    out = sp_az.run("tokenguard", "get-token", "--query", "accessToken", "-o", "tsv").stdout
    assert out.count("\n") == 1 and out.count(".") == 2 and out.startswith("eyJ")


@pytest.mark.parametrize("alias, audience", [("graph", "https://graph.microsoft.com/"),
                                             ("keyvault", "https://vault.azure.net"),
                                             ("storage", "https://storage.azure.com/"),
                                             ("arm", ARM)])
def test_aliases_resolve_from_the_active_cloud(sp_az, emulator, alias, audience):
    token = sp_az.json("tokenguard", "get-token", "--resource", alias)
    assert token["audience"] == audience
    assert token["roles"] == list(data.DEPLOY_BOT.roles)
    asked = [r["scope"] for r in emulator.requests(service="entra") if r.get("grant_type")]
    # az login left an ARM token in the cache; any other is asked for with az's resource_to_scopes, which keeps a
    # trailing slash (https://graph.microsoft.com/ -> https://graph.microsoft.com//.default).
    assert asked == ([] if alias == "arm" else [audience + "/.default"])


def test_list_resources_shows_the_active_clouds_table(sp_az):
    rows = {r["alias"]: r for r in sp_az.json("tokenguard", "get-token", "--list-resources")}
    for alias in ("arm", "graph", "keyvault", "storage", "sql", "devops", "loganalytics", "batch", "synapse",
                  "datalake", "cosmos", "appinsights"):
        assert alias in rows
    assert rows["graph"]["resource"] == "https://graph.microsoft.com/"
    assert "Alias" in sp_az.run("tokenguard", "get-token", "--list-resources", "-o", "table").stdout


def test_scope_and_tenant_options_work_like_az(user_az):
    token = user_az.json("tokenguard", "get-token", "--scope", "https://graph.microsoft.com/User.Read")
    assert token["audience"] == "https://graph.microsoft.com" and token["scopes"] == ["User.Read"]
    other = user_az.json("tokenguard", "get-token", "--tenant", data.FABRIKAM.tenant_id)
    assert other["tenant"] == data.FABRIKAM.tenant_id
    assert not other.get("subscription")  # a token for a tenant names no subscription, as with az
    by_sub = user_az.json("tokenguard", "get-token", "--subscription", "fabrikam-sandbox")
    assert by_sub["subscription"] == data.FABRIKAM_SANDBOX.subscription_id
    assert by_sub["tenant"] == data.FABRIKAM.tenant_id


def test_a_malformed_scope_is_one_line_before_any_request(sp_az, emulator):
    result = sp_az.run("tokenguard", "get-token", "--scope", "https://vault.azure.net/.default x", check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "a resource is a single URI, alias or GUID without spaces" in result.stderr
    assert emulator.requests(service="entra") == []


@pytest.mark.parametrize("value", ["User.Read", "https://graph.microsoft.com/User.Read"])
def test_a_permission_passed_as_resource_is_explained_before_any_request(sp_az, emulator, value):
    result = sp_az.run("tokenguard", "get-token", "--resource", value, check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "is a permission (scope), not a resource" in result.stderr
    assert "--scope https://graph.microsoft.com/User.Read" in result.stderr
    assert emulator.requests(service="entra") == []


def test_min_validity_longer_than_the_provider_issues_fails_and_names_the_longest(sp_az):
    result = sp_az.run("tokenguard", "get-token", "--min-validity", "2h", check=False)
    assert result.returncode != 0
    assert "No token with 2h left could be obtained" in result.stderr
    assert "issued one with 59m" in result.stderr or "issued one with 1h" in result.stderr
    assert "eyJ" not in result.stdout + result.stderr


@pytest.mark.parametrize("value", ["abc", "-5m", "10x", "25h"])
def test_bad_min_validity_is_one_line_with_the_format(sp_az, value):
    result = sp_az.run("tokenguard", "get-token", f"--min-validity={value}", check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "use a number of seconds or a value like 300s, 45m, 1h" in result.stderr


def test_verbose_logs_the_expiry_but_never_the_token(sp_az):
    result = sp_az.run("tokenguard", "get-token", "--min-validity", "10m", "--verbose", "--debug")
    token = result.json()["accessToken"]
    assert "Token for https://management.core.windows.net/ from cache" in result.stderr
    assert token not in result.stderr


def test_fresh_token_on_demand(new_az, emulator):
    """400-second tokens; 15 s later az's cache has < 390 s, tokenguard gets a new one with >= 390 s."""
    emulator.set_token_lifetime(400)
    azs = {identity: new_az() for identity in ("servicePrincipal", "user")}
    for identity, az in azs.items():
        login(az, identity)
    time.sleep(15)  # the point of the test is a cached token that has aged; nothing else to wait for
    for identity, az in azs.items():
        cached = az.json("account", "get-access-token")
        assert cached["expires_on"] - time.time() < 390, identity
        emulator.reset(token_lifetime=400)
        fresh = az.json("tokenguard", "get-token", "--min-validity", "390s")
        assert fresh["secondsRemaining"] >= 390 and fresh["tokenSource"] == "fresh", identity
        assert fresh["accessToken"] != cached["accessToken"]
        grants = [r["grant_type"] for r in emulator.requests(service="entra") if r.get("grant_type")]
        assert grants == ["client_credentials" if identity == "servicePrincipal" else "refresh_token"]


def _long_loop(az, emulator, seconds):
    started, tokens, statuses = time.monotonic(), set(), []
    while time.monotonic() - started < seconds:
        result = az.json("tokenguard", "get-token", "--min-validity", "60s")
        assert result["secondsRemaining"] >= 60
        tokens.add(result["accessToken"])
        statuses.append(emulator.arm_get("/subscriptions?api-version=2022-12-01", result["accessToken"]))
    return tokens, statuses


@pytest.mark.slow
@pytest.mark.parametrize("identity", ["servicePrincipal", "user"])
def test_long_loop_never_sees_401(new_az, emulator, identity):
    """70-second tokens; a script loops for over 2 minutes: get-token --min-validity 60s, then ARM."""
    emulator.set_token_lifetime(70)
    az = new_az()
    login(az, identity)
    tokens, statuses = _long_loop(az, emulator, seconds=125)
    assert set(statuses) == {200}, statuses
    assert len(tokens) >= 2  # the 70-second tokens really were replaced along the way
    assert not [r for r in emulator.requests(service="arm") if r["status"] == 401]


@pytest.mark.parametrize("cloud, graph, keyvault", [
    ("AzureUSGovernment", "https://graph.microsoft.us/", "https://vault.usgovcloudapi.net"),
    ("AzureChinaCloud", "https://microsoftgraph.chinacloudapi.cn", "https://vault.azure.cn"),
])
def test_aliases_follow_a_sovereign_cloud(anonymous_az, cloud, graph, keyvault):
    anonymous_az.run("cloud", "set", "-n", cloud, "--only-show-errors")
    rows = {r["alias"]: r["resource"] for r in anonymous_az.json("tokenguard", "get-token", "--list-resources")}
    assert rows["graph"] == graph and rows["keyvault"] == keyvault
    assert not any("windows.net" in (value or "") or "graph.microsoft.com" in (value or "")
                   for alias, value in rows.items() if alias in ("graph", "keyvault", "sql", "arm"))
    assert rows["devops"] is None  # no value for this cloud: none is made up


def _tsv_row(az, *args):
    return az.run(*args, "-o", "tsv").stdout.rstrip("\n").split("\t")


def _same_row_as_az(ours, theirs):
    """accessToken, expiresOn, expires_on, [subscription,] tenant, tokenType, by position. The expiry may be
    a second earlier: get-token reports the token's own exp claim where MSAL's clock rounded the other way."""
    assert ours[0] == theirs[0]
    assert 0 <= int(theirs[2]) - int(ours[2]) <= 1
    # local 'YYYY-MM-DD HH:MM:SS.ffffff', as az prints it; the same second apart as expires_on (a minute prefix
    # would differ when that second crosses a minute)
    earlier = datetime.datetime.fromisoformat(theirs[1]) - datetime.datetime.fromisoformat(ours[1])
    assert datetime.timedelta(0) <= earlier <= datetime.timedelta(seconds=1)
    assert ours[3:len(theirs)] == theirs[3:]


@pytest.mark.parametrize("options", [(), ("--resource-type", "ms-graph")])
def test_tsv_prints_azs_columns_first_in_azs_order(logged_in_az, options):
    theirs = _tsv_row(logged_in_az, "account", "get-access-token", *options)
    ours = _tsv_row(logged_in_az, "tokenguard", "get-token", *options)
    assert len(theirs) == 6 and len(ours) == 6 + len(SUMMARY_KEYS)
    _same_row_as_az(ours, theirs)


def test_tsv_for_another_tenant_has_azs_five_columns_first(user_az):
    theirs = _tsv_row(user_az, "account", "get-access-token", "--tenant", data.FABRIKAM.tenant_id)
    ours = _tsv_row(user_az, "tokenguard", "get-token", "--tenant", data.FABRIKAM.tenant_id)
    assert len(theirs) == 5 and theirs[3] == data.FABRIKAM.tenant_id  # no subscription column in az either
    _same_row_as_az(ours, theirs)


@pytest.mark.parametrize("resource_type, audience", [("ms-graph", "https://graph.microsoft.com/"), ("arm", ARM),
                                                     ("data-lake", "https://datalake.azure.net/")])
def test_resource_type_works_as_in_az(sp_az, resource_type, audience):
    ours = sp_az.json("tokenguard", "get-token", "--resource-type", resource_type)
    theirs = sp_az.json("tokenguard", "decode", stdin=sp_az.json(
        "account", "get-access-token", "--resource-type", resource_type)["accessToken"])
    assert ours["audience"] == theirs["claims"]["aud"] == audience
    wins = sp_az.json("tokenguard", "get-token", "--resource-type", "ms-graph", "--resource", "keyvault")
    assert wins["audience"] == "https://vault.azure.net"  # as in az, --resource wins


def test_resource_type_takes_azs_values_only(sp_az, emulator):
    wrong = sp_az.run("tokenguard", "get-token", "--resource-type", "graph", check=False)
    assert wrong.returncode != 0 and "ms-graph" in wrong.stderr and "Traceback" not in wrong.stderr
    assert not [r for r in emulator.requests(service="entra") if r.get("grant_type")]


def test_resource_type_a_cloud_has_no_endpoint_for_is_an_error_not_an_arm_token(anonymous_az):
    """az hands out an ARM token for --resource-type data-lake in AzureChinaCloud, which has no Data Lake."""
    anonymous_az.run("cloud", "set", "-n", "AzureChinaCloud", "--only-show-errors")
    missing = anonymous_az.run("tokenguard", "get-token", "--resource-type", "data-lake", check=False)
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert "has no active_directory_data_lake_resource_id" in missing.stderr
    assert "--resource" in missing.stderr  # how to fix it
