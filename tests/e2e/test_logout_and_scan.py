"""`az tokenguard logout --all` leaves nothing behind, and `az tokenguard scan` shows what is there."""
import json
import os
import re

import pytest

from tests.conftest import login
from tests.emulator import data

JWT = re.compile(rb"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
REFRESH_TOKEN_PREFIX = b"tg-emu-rt."  # every refresh token the emulator issues starts with this


def token_material(config_dir):
    """Every JWT, refresh token or client secret in any file under config_dir (links are not followed)."""
    found = []
    for folder, dirs, files in os.walk(config_dir):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d)) and d != "cliextensions"]
        for name in files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            content = open(path, "rb").read()
            if JWT.search(content):
                found.append(f"JWT in {name}")
            if REFRESH_TOKEN_PREFIX in content:
                found.append(f"refresh token in {name}")
            if any(sp.secret.encode() in content for sp in data.SERVICE_PRINCIPALS):
                found.append(f"client secret in {name}")
    return found


@pytest.fixture
def two_identities_on_one_subscription(user_az):
    """alice (device code) and deploy-bot (client secret) both signed in to contoso-dev; the SP is visible."""
    login(user_az, "servicePrincipal")
    assert user_az.json("account", "show")["user"]["type"] == "servicePrincipal"
    return user_az


def test_az_logout_alone_leaves_the_hidden_identitys_tokens(two_identities_on_one_subscription):
    az = two_identities_on_one_subscription
    az.run("logout")
    assert "refresh token in msal_token_cache.json" in token_material(az.config_dir)


def test_logout_all_leaves_no_token_or_secret(two_identities_on_one_subscription, tmp_path):
    az = two_identities_on_one_subscription
    outside = tmp_path / "outside-notes.txt"
    outside.write_text("not az's to delete")
    os.symlink(outside, az.config_dir / "notes-link.txt")
    (az.config_dir / "accessTokens.json").write_text('[{"accessToken": "legacy"}]')
    assert len(token_material(az.config_dir)) >= 3

    report = az.json("tokenguard", "logout", "--all", "--yes")

    assert token_material(az.config_dir) == []
    assert report["verified"] == {"clean": True, "remaining": []}
    assert {i["type"] for i in report["signedOut"]} == {"user", "servicePrincipal"}
    removed = {os.path.basename(r["path"]) for r in report["removed"]}
    assert {"msal_token_cache.json", "service_principal_entries.json", "msal_http_cache.bin",
            "accessTokens.json"} <= removed
    assert {os.path.basename(k["path"]) for k in report["kept"]} >= {"config", "clouds.config"}
    # What the user keeps, keeps working: the custom cloud and the settings survive.
    assert az.json("cloud", "show")["name"] == "TokenguardEmulator"
    assert az.run("config", "get", "core.instance_discovery", "-o", "tsv").stdout.strip().endswith("false")
    # The symlink's target outside the config dir is untouched.
    assert outside.read_text() == "not az's to delete"
    assert az.run("account", "list", "-o", "json").json() == []


def test_dry_run_changes_nothing_and_says_why(two_identities_on_one_subscription):
    az = two_identities_on_one_subscription
    before = sorted(os.listdir(az.config_dir))
    report = az.json("tokenguard", "logout", "--all", "--dry-run")
    assert sorted(os.listdir(az.config_dir)) == before
    reasons = {os.path.basename(r["path"]): r["reason"] for r in report["wouldRemove"]}
    assert "refresh tokens" in reasons["msal_token_cache.json"]
    assert "Kept what holds no secret" in az.run("tokenguard", "logout", "--all", "--dry-run", "-o", "table").stderr


def test_logout_without_a_terminal_or_yes_refuses_and_removes_nothing(sp_az):
    result = sp_az.run("tokenguard", "logout", "--all", check=False)
    assert result.returncode != 0 and "--yes" in result.stderr
    assert token_material(sp_az.config_dir)


def test_scan_finds_the_refresh_token_and_secret_before_and_nothing_after(two_identities_on_one_subscription):
    az = two_identities_on_one_subscription
    mine = str(az.config_dir)

    def secret_findings():
        report = az.json("tokenguard", "scan")
        return {(f["id"], f["severity"]) for f in report["findings"]
                if f["path"].startswith(mine) and f["hasSecret"]}, report

    before, report = secret_findings()
    assert ("TG001", "high") in before  # alice's refresh token in plain text
    assert ("TG003", "high") in before  # deploy-bot's client secret in plain text
    output = az.run("tokenguard", "scan", "-o", "table").output
    assert data.DEPLOY_BOT.secret not in output and "tg-emu-rt." not in output
    az.run("tokenguard", "logout", "--all", "--yes")
    after, _ = secret_findings()
    assert after == set()


def test_scan_gates_ci_and_writes_sarif(two_identities_on_one_subscription, tmp_path):
    az = two_identities_on_one_subscription
    sarif = tmp_path / "report.sarif"
    result = az.run("tokenguard", "scan", "--fail-on", "high", "--sarif", str(sarif), check=False)
    assert result.returncode != 0 and "finding(s) at severity high or above" in result.stderr
    assert "TG001" in result.stderr and "Traceback" not in result.stderr
    document = json.loads(sarif.read_text())
    assert document["version"] == "2.1.0"
    assert any(r["ruleId"] == "TG003" for r in document["runs"][0]["results"])
    assert oct(sarif.stat().st_mode & 0o777) == "0o600"


def test_scan_of_a_given_path_with_a_corrupt_cache_is_a_finding(sp_az, tmp_path):
    image = tmp_path / "image" / "home" / "bob" / ".azure"
    image.mkdir(parents=True)
    (image / "msal_token_cache.json").write_bytes(b'{"RefreshToken": {"x": ')
    report = sp_az.json("tokenguard", "scan", "--path", str(tmp_path / "image"))
    assert any(f["id"] == "TG008" and "bob" in f["path"] for f in report["findings"])


def test_logout_all_never_writes_through_a_symlinked_profile(two_identities_on_one_subscription, tmp_path):
    """az's own sign-out opens azureProfile.json for writing, which follows a link: the link goes first."""
    az = two_identities_on_one_subscription
    outside = tmp_path / "dotfiles" / "azureProfile.json"
    outside.parent.mkdir()
    profile = az.config_dir / "azureProfile.json"
    os.replace(profile, outside)
    os.symlink(outside, profile)
    before = outside.read_bytes()
    assert b"contoso-dev" in before

    plan = az.json("tokenguard", "logout", "--all", "--dry-run")
    assert any(r["path"] == str(profile) and "symlink" in r["reason"] for r in plan["wouldRemove"])
    assert profile.is_symlink() and outside.read_bytes() == before

    report = az.json("tokenguard", "logout", "--all", "--yes")

    assert outside.read_bytes() == before  # the file outside the config dir is exactly as it was
    assert not profile.is_symlink()
    assert json.loads(profile.read_text("utf-8-sig"))["subscriptions"] == []
    assert token_material(az.config_dir) == [] and report["verified"]["clean"]
    assert any(r["path"] == str(profile) for r in report["removed"])
    assert any(c["what"] == str(outside) for c in report["cannotCleanHere"])  # says what is left out there
    assert az.run("account", "list", "-o", "json").json() == []


def test_scan_does_not_follow_a_symlink_in_the_middle_of_a_path(sp_az, tmp_path):
    """~/.azd -> a directory elsewhere: the Azure Developer CLI root ~/.azd/auth goes through the link."""
    home = tmp_path / "home"
    home.mkdir()
    elsewhere = tmp_path / "someone-elses" / "azd"
    (elsewhere / "auth").mkdir(parents=True)
    (elsewhere / "auth" / "auth.json").write_text('{"refresh_token": "0.AAAA-not-yours-to-read-xyz"}')
    os.symlink(elsewhere, home / ".azd")

    report = sp_az.json("tokenguard", "scan", env={"HOME": str(home)})

    below_link = [f for f in report["findings"] if f["path"].startswith(str(home / ".azd"))]
    assert below_link and all(not f["hasSecret"] for f in below_link), below_link
    assert not [c for c in report["caches"] if c["path"].startswith(str(home / ".azd"))]
    assert any(f["id"] == "TG009" and str(home / ".azd") in f["message"] for f in below_link)


def test_logout_all_answered_no_exits_41_like_the_guard_and_removes_nothing(sp_az):
    import pexpect
    from tests.harness.az import AZ
    child = pexpect.spawn(AZ, ["tokenguard", "logout", "--all"], env=sp_az.env, cwd=sp_az.env["HOME"],
                          encoding="utf-8", timeout=120)
    child.expect_exact("(y/N):")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 41
    assert "Nothing was removed." in child.before
    assert token_material(sp_az.config_dir)  # still signed in
