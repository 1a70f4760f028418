"""`az tokenguard status`: where the next az command lands, who it runs as, and where the tokens live."""
import json

from tests.emulator import data


def test_status_for_a_service_principal(sp_az):
    status = sp_az.json("tokenguard", "status")
    assert status["cloud"] == "TokenguardEmulator"
    assert status["tenant"]["id"] == data.CONTOSO.tenant_id
    assert status["subscription"] == {"id": data.CONTOSO_DEV.subscription_id, "name": "contoso-dev",
                                      "state": "Enabled", "isDefault": True}
    assert status["identity"] == {"type": "servicePrincipal", "name": data.DEPLOY_BOT.app_id,
                                  "appId": data.DEPLOY_BOT.app_id}
    cache = status["tokenCache"]
    assert cache["path"] == str(sp_az.config_dir / "msal_token_cache.json")
    assert cache["exists"] is True and cache["encrypted"] is False
    assert "plain-text" in cache["protection"]


def test_status_for_a_user_names_the_tenant(user_az):
    status = user_az.json("tokenguard", "status")
    assert status["identity"] == {"type": "user", "name": data.ALICE.username}
    assert status["tenant"]["displayName"] == "Contoso"
    assert status["tenant"]["defaultDomain"] == "contoso.example"


def test_status_follows_the_global_subscription_argument(user_az):
    status = user_az.json("tokenguard", "status", "--subscription", "fabrikam-sandbox")
    assert status["subscription"]["name"] == "fabrikam-sandbox"
    assert status["tenant"] == {"id": data.FABRIKAM.tenant_id, "displayName": "Fabrikam",
                                "defaultDomain": "fabrikam.example"}


def test_status_table_is_readable(user_az):
    table = user_az.run("tokenguard", "status", "-o", "table").stdout
    header, rule, row = table.splitlines()[:3]
    assert header.split() == ["Cloud", "Tenant", "Subscription", "Identity", "TokenCache", "Encrypted", "Vault"]
    assert f"Contoso ({data.CONTOSO.tenant_id})" in row
    assert f"contoso-dev ({data.CONTOSO_DEV.subscription_id})" in row
    assert "user: alice@contoso.example" in row


def test_status_works_with_query_and_every_output_format(sp_az):
    assert sp_az.run("tokenguard", "status", "--query", "subscription.name", "-o", "tsv").stdout == "contoso-dev\n"
    assert "subscription:" in sp_az.run("tokenguard", "status", "-o", "yaml").stdout


def test_status_without_login_says_az_login(anonymous_az):
    result = anonymous_az.run("tokenguard", "status", check=False)
    assert result.returncode != 0
    assert "No account is logged in to the Azure CLI." in result.stderr
    assert "az login" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_status_with_an_unknown_subscription_is_one_clear_error(sp_az):
    result = sp_az.run("tokenguard", "status", "--subscription", "nope", check=False)
    assert result.returncode != 0
    assert "Subscription 'nope' not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_output_holds_no_secret_even_with_debug(user_az, sp_az):
    for az in (user_az, sp_az):
        result = az.run("tokenguard", "status", "--debug")
        cache = json.loads((az.config_dir / "msal_token_cache.json").read_text())
        secrets = [entry["secret"] for section in ("AccessToken", "RefreshToken", "IdToken")
                   for entry in cache.get(section, {}).values()]
        secrets.append(data.DEPLOY_BOT.secret)
        assert secrets
        for secret in secrets:
            assert secret not in result.output


def test_status_as_tsv_is_one_flat_line_in_the_tables_order(sp_az):
    (line,) = sp_az.run("tokenguard", "status", "-o", "tsv").stdout.splitlines()
    assert line.split("\t") == [
        "TokenguardEmulator", data.CONTOSO.tenant_id,
        f"contoso-dev ({data.CONTOSO_DEV.subscription_id})", f"servicePrincipal: {data.DEPLOY_BOT.app_id}",
        str(sp_az.config_dir / "msal_token_cache.json"), "no", "none"]
    assert sp_az.run("tokenguard", "status", "-o", "tsv", "--query", "cloud").stdout.strip() == "TokenguardEmulator"


def test_policy_show_as_a_table_lists_the_protected_subscriptions(sp_az):
    sp_az.run("tokenguard", "protect", "--subscription", "contoso-prod")
    sp_az.run("tokenguard", "protect", "--subscription", "*-staging")
    header, _rule, row = sp_az.run("tokenguard", "policy", "show", "-o", "table").stdout.splitlines()
    assert header.split()[0] == "Protected" and row.startswith("contoso-prod, *-staging ")
