"""No table or tsv output of tokenguard passes a terminal escape through from a file name, a command line,
a script, a token or a profile: someone else's file name must not drive root's terminal."""
import base64
import json
import os

from tests.emulator import data
from tests.harness.shell import run_guarded_script

# Sets the window title, clears the screen, turns the text red.
ESCAPE = "\x1b]0;owned\x07\x1b[2J\x1b[31m"
# Lists of flat records print whole; tsv prints nested objects as nothing, so for those --query picks the strings.
FOR_PEOPLE = (["-o", "table"], ["-o", "tsv"])


def assert_no_control_characters(text, expected_word):
    assert expected_word in text
    assert not [c for c in text if not c.isprintable() and c not in "\n\t"], repr(text)


def test_scan_prints_no_escape_from_a_file_name(sp_az, tmp_path):
    image = tmp_path / "image" / "home" / "mallory" / ".azure"
    image.mkdir(parents=True)
    (image / f"notes{ESCAPE}.txt").write_text('client_secret = "s3cr3t-value-123456"\n')
    os.symlink(f"/tmp/{ESCAPE}target", image / f"link{ESCAPE}")
    scan = ["tokenguard", "scan", "--path", str(tmp_path / "image")]
    for output in (["-o", "table"], ["--query", "findings", "-o", "table"], ["--query", "findings[].path", "-o", "tsv"],
                   ["--query", "findings[?id=='TG012']", "-o", "tsv"]):
        assert_no_control_characters(sp_az.run(*scan, *output).stdout, "notes")
    gated = sp_az.run(*scan, "--fail-on", "medium", "-o", "table", check=False)
    assert gated.returncode != 0
    assert_no_control_characters(gated.stderr, "notes")  # the findings it logs when it fails
    # JSON output keeps the exact name (JSON escapes it), for the tools that read it.
    report = json.loads(sp_az.run(*scan, "-o", "json").stdout)
    assert any(f["path"].endswith(f"notes{ESCAPE}.txt") for f in report["findings"])


def test_audit_show_prints_no_escape_from_a_command_line(user_az):
    refused = run_guarded_script(user_az, "az group delete -n $'rg\\e]0;owned\\a\\e[2J' --yes")
    assert refused.returncode == 42
    for output in (*FOR_PEOPLE, ["--query", "[].command", "-o", "tsv"]):
        assert_no_control_characters(user_az.run("tokenguard", "audit", "show", *output).stdout, "group delete")


def test_classify_prints_no_escape_from_a_script_or_a_command(user_az, tmp_path):
    script = tmp_path / "deploy.sh"
    script.write_text(f"az group delete -n 'rg{ESCAPE}' --yes\n")
    for source in (["--file", str(script)], ["--command", f"group delete -n 'rg{ESCAPE}'"]):
        for output in FOR_PEOPLE:
            assert_no_control_characters(user_az.run("tokenguard", "classify", *source, *output).stdout,
                                         "group delete")


def _unsigned_token(claims):
    def part(document):
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_decode_prints_no_escape_from_a_token(sp_az):
    token = _unsigned_token({"aud": "https://management.azure.com/", "name": f"Eve{ESCAPE}",
                             f"x{ESCAPE}": "claim", "exp": 4102444800, "iat": 1700000000})
    for output in (["-o", "table"], ["--query", "claims", "-o", "tsv"], ["--query", "claims", "-o", "table"]):
        assert_no_control_characters(sp_az.run("tokenguard", "decode", *output, stdin=token).stdout, "Eve")


def test_status_prints_no_escape_from_a_subscription_name(sp_az):
    path = sp_az.config_dir / "azureProfile.json"
    profile = json.loads(path.read_text("utf-8-sig"))
    for subscription in profile["subscriptions"]:
        subscription["name"] = f"contoso{ESCAPE}"
    path.write_text(json.dumps(profile), "utf-8-sig")
    for output in (["-o", "table"], ["--query", "subscription", "-o", "tsv"],
                   ["--query", "subscription.name", "-o", "tsv"]):
        assert_no_control_characters(sp_az.run("tokenguard", "status", *output).stdout, "contoso")


def test_use_prints_no_escape_from_a_subscription_name(user_az):
    path = user_az.config_dir / "azureProfile.json"
    profile = json.loads(path.read_text("utf-8-sig"))
    for subscription in profile["subscriptions"]:
        subscription["name"] += ESCAPE
        subscription["tenantDisplayName"] = f"Contoso{ESCAPE}"
    path.write_text(json.dumps(profile), "utf-8-sig")
    prod = next(s for s in profile["subscriptions"] if s["name"].startswith("contoso-prod"))
    chosen = user_az.run("tokenguard", "use", "--subscription", prod["id"])
    assert_no_control_characters(chosen.stdout + chosen.stderr, "contoso-prod")
    assert f"export TOKENGUARD_SUBSCRIPTION={prod['id']}" in chosen.stdout  # the code for eval is whole
    cleared = user_az.run("tokenguard", "use", "--clear", env={"TOKENGUARD_SUBSCRIPTION": prod["id"]})
    assert_no_control_characters(cleared.stdout + cleared.stderr, "contoso-dev")  # az's default, named
    noted = user_az.run("tokenguard", "use", "--subscription", prod["id"], env={"ARM_SUBSCRIPTION_ID": f"x{ESCAPE}"})
    assert_no_control_characters(noted.stdout + noted.stderr, "ARM_SUBSCRIPTION_ID is already set to x")
    refused = user_az.run("tokenguard", "use", "--subscription", prod["id"], "--tenant", data.FABRIKAM.tenant_id,
                          check=False)
    assert refused.returncode != 0
    assert_no_control_characters(refused.stderr, "contoso-prod")
