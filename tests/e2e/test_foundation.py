"""The extension installs from its wheel into the real az, and the harness keeps everything on this machine."""
from tests.emulator import data


def test_extension_is_installed_from_its_wheel(anonymous_az):
    extensions = anonymous_az.json("extension", "list")
    tokenguard = next(e for e in extensions if e["name"] == "tokenguard")
    assert tokenguard["version"] == "0.4.1"


def test_help_lists_the_commands(anonymous_az):
    result = anonymous_az.run("tokenguard", "-h")
    assert "status" in result.stdout
    assert "Show the active cloud, tenant, subscription and identity" in result.stdout


def test_the_harness_records_and_refuses_egress(anonymous_az, egress):
    # A request for a public host goes to the recording proxy instead of the internet, and fails.
    result = anonymous_az.run("rest", "--method", "get", "--url", "https://management.example.invalid/x",
                              "--skip-authorization-header", check=False)
    assert result.returncode != 0
    assert egress.take() == ["CONNECT management.example.invalid:443"]


def test_az_talks_to_the_emulator_over_https_on_loopback(sp_az, emulator):
    groups = sp_az.json("group", "list")
    assert [g["name"] for g in groups] == ["rg1"]
    calls = emulator.requests(service="arm", method="GET")
    assert any(c["path"].endswith("/resourcegroups") for c in calls)
    assert emulator.url.startswith("https://127.0.0.1:")


def test_a_service_principal_and_a_user_both_sign_in(sp_az, user_az):
    assert sp_az.json("account", "show")["user"] == {"name": data.DEPLOY_BOT.app_id, "type": "servicePrincipal"}
    assert user_az.json("account", "show")["user"] == {"name": data.ALICE.username, "type": "user"}
    assert len(user_az.json("account", "list")) == 3
