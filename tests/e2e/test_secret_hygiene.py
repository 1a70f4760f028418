"""No secret ever shown: every tokenguard command, and the guard in front of many az commands, run with
--debug and --verbose; nothing they print or write holds a token, refresh token, id token, client secret or
password. The one exception is get-token's accessToken field."""
import concurrent.futures
import json
import re
import shlex
import subprocess
import sys

import pexpect
import pytest

from azext_tokenguard.guard.classify import READ, classify_words as classify
from tests.conftest import login
from tests.emulator import data
from tests.harness.shell import guard_launch_path
from tests.unit.guard.option_table import all_commands, packed_secret_lines, secret_options

PASSWORD = "Tg-Sentinel-Passw0rd!"
REFUSED_BY_USER = 41  # a password typed into guarded az commands; must never be echoed back


class SecretWatch:
    """Collects every secret az holds (they change as tokens are refreshed) and everything shown."""

    def __init__(self, az):
        self.az = az
        self.secrets = {sp.secret for sp in data.SERVICE_PRINCIPALS} | {PASSWORD}
        self.shown = []

    def harvest(self):
        path = self.az.config_dir / "msal_token_cache.json"
        if path.exists():
            cache = json.loads(path.read_text())
            for section in ("AccessToken", "RefreshToken", "IdToken"):
                self.secrets.update(entry["secret"] for entry in cache.get(section, {}).values())

    def run(self, *args, allow_access_token=False, **kwargs):
        self.harvest()
        result = self.az.run(*args, "--debug", "--verbose", check=False, **kwargs)
        stdout = result.stdout
        # az's own --debug echoes the argv the user typed ("Command arguments: [...]"); that line is az's,
        # not tokenguard's, so it is left out. Everything tokenguard prints stays in.
        stderr = "\n".join(line for line in result.stderr.splitlines()
                           if not line.startswith("DEBUG: cli.knack.cli: Command arguments:"))
        if allow_access_token and result.returncode == 0:
            parsed = json.loads(stdout)
            self.secrets.add(parsed.pop("accessToken"))  # the exception: only this field may hold it
            stdout = json.dumps(parsed)
        self.shown.append((" ".join(args), stdout + stderr))
        self.harvest()
        return result

    def show(self, label, text):
        self.shown.append((label, text))

    def leaks(self):
        return [(label, secret[:12] + "...") for label, text in self.shown for secret in self.secrets
                if secret and secret in text]


@pytest.fixture
def watch(user_az):
    login(user_az, "servicePrincipal")  # a user and a service principal, as on a real workstation
    return SecretWatch(user_az)


def test_no_tokenguard_command_shows_a_secret(watch, tmp_path):
    az = watch.az
    sarif = tmp_path / "scan.sarif"
    token = az.run("account", "get-access-token", "--query", "accessToken", "-o", "tsv").stdout
    watch.run("tokenguard", "status")
    watch.run("tokenguard", "status", "-o", "table")
    watch.run("tokenguard", "get-token", allow_access_token=True)
    watch.run("tokenguard", "get-token", "--resource", "graph", "--min-validity", "10m", allow_access_token=True)
    watch.run("tokenguard", "get-token", "--subscription", "fabrikam-sandbox", allow_access_token=True)
    watch.run("tokenguard", "get-token", "--resource", "User.Read")
    watch.run("tokenguard", "get-token", "--min-validity", "3h")
    watch.run("tokenguard", "get-token", "--list-resources")
    watch.run("tokenguard", "decode", stdin=token)
    watch.run("tokenguard", "decode", "-o", "table", stdin=token)
    watch.run("tokenguard", "scan", "--sarif", str(sarif))
    watch.run("tokenguard", "scan", "-o", "table")
    watch.run("tokenguard", "classify", "--command", f"login --service-principal -u app -p {PASSWORD} --tenant t")
    watch.run("tokenguard", "shell-init", "--shell", "bash")
    watch.run("tokenguard", "pin", "--subscription", "contoso-dev")
    watch.run("tokenguard", "protect", "--subscription", "*-prod")
    watch.run("tokenguard", "policy", "show")
    watch.run("tokenguard", "exec", "--", sys.executable, "-c",
              "import os, urllib.request as u; r = u.Request(os.environ['IDENTITY_ENDPOINT'] + "
              "'?api-version=2019-08-01&resource=https://management.azure.com', "
              "headers={'X-IDENTITY-HEADER': os.environ['IDENTITY_HEADER']}); "
              "print(len(u.urlopen(r).read()) > 0)")
    watch.run("tokenguard", "logout", "--all", "--dry-run")
    watch.run("tokenguard", "logout", "--all", "--yes")
    for path in list((az.config_dir / "tokenguard").iterdir()) + [sarif]:
        watch.show(f"file {path.name}", path.read_text(errors="replace"))
    assert len(watch.secrets) > 5
    assert watch.leaks() == []


GUARDED = [
    ["group", "list"],
    ["group", "delete", "-n", "rg1", "--yes"],
    ["login", "--service-principal", "-u", data.DEPLOY_BOT.app_id, "-p", PASSWORD, "--tenant", "t"],
    ["vm", "create", "-g", "rg1", "-n", "vm1", "--image", "Ubuntu2204", "--admin-password", PASSWORD],
    ["vm", "create", "-g", "rg1", "-n", "vm1", f"--admin-password={PASSWORD}", "--subscription", "contoso-prod"],
    ["storage", "account", "create", "-n", "s", "-g", "rg1", "--subscription", "contoso-prod"],
    ["rest", "--method", "delete", "--url", "/subscriptions/x", "--headers", f"Authorization=Bearer {PASSWORD}"],
    ["account", "show"],
]


def test_the_guard_never_shows_a_secret(watch, session_env):
    launch = guard_launch_path(watch.az)
    watch.az.run("tokenguard", "protect", "--subscription", "contoso-prod")
    env = {**watch.az.env, "TOKENGUARD_CONTEXT_LINE": "always"}
    watch.harvest()
    for argv in GUARDED:
        for flag in ("--debug", "--verbose"):
            result = subprocess.run([sys.executable, "-I", "-S", launch, *argv, flag], env=env, text=True,
                                    capture_output=True, start_new_session=True, stdin=subprocess.DEVNULL,
                                    check=False)
            assert result.stdout == ""  # the guard writes only to stderr and the terminal
            watch.show("guard " + " ".join(argv), result.stderr)
    for path in (watch.az.config_dir / "tokenguard").iterdir():
        watch.show(f"file {path.name}", path.read_text(errors="replace"))
    assert watch.leaks() == []


# ------------------------------------------------------------------ every secret option of az's table

FAKE_SECRET = re.compile(r"TgFake\d+-[^\s\"']*?-Secret")  # tests/unit/guard/option_table.py fake_secret()
PROMPTS = ["(anything else cancels): ", "[y/N] "]


def test_classify_hides_every_secret_option_of_azs_table(watch, tmp_path):
    """One classify --file call holds every command of az's table that has a secret-bearing option, once with
    all of them by full name and once by the shortest prefix az takes; no value comes back."""
    script = tmp_path / "secrets.sh"
    lines = [line for command in all_commands() if secret_options(command)
             for line in packed_secret_lines(command)[0]]
    script.write_text("".join("az " + shlex.join(argv) + "\n" for argv in lines))
    assert len(lines) > 2000
    result = watch.run("tokenguard", "classify", "--file", str(script))
    classified = json.loads(result.stdout)
    assert len(classified) == len(lines)
    assert FAKE_SECRET.findall(result.stdout + result.stderr) == []
    assert watch.leaks() == []


def test_the_guards_prompt_and_audit_log_hide_every_secret_option(watch, emulator):
    """The guard in front of az, at a terminal, in a protected subscription (so every write asks): the prompt
    shows the command line, the answer is no, the audit log records it. Every command of az's table with
    secret-bearing options that the guard asks for (reads are never shown or logged), each with all of them
    by full name and by prefix."""
    az = watch.az
    launch = guard_launch_path(az)
    az.run("tokenguard", "protect", "--subscription", data.CONTOSO_DEV.display_name)
    asked = [command for command in all_commands() if secret_options(command)
             and classify(command.split()).kind != READ]
    # Named: `vm user update --p` (its --password) and an AAZ password argument were shown before the table.
    named = ["vm create", "keyvault secret set", "vm user update", "netappfiles account ad add"]
    assert set(named) <= set(asked)
    sample = sorted(asked)
    env = {**az.env, "TOKENGUARD_CONTEXT_LINE": "always", "TERM": "dumb"}
    def ask_and_answer_no(argv):
        child = pexpect.spawn(sys.executable, ["-I", "-S", launch, *argv], env=env, encoding="utf-8",
                              timeout=60, dimensions=(60, 400))
        child.expect_exact(PROMPTS)
        asked_text = child.before + child.after
        child.sendline("no")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == REFUSED_BY_USER, (argv, asked_text)
        return asked_text + child.before

    lines = [argv for command in sample for argv in packed_secret_lines(command)[0]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:  # one terminal per core
        shown = list(pool.map(ask_and_answer_no, lines))
    log = (az.config_dir / "tokenguard" / "audit.log").read_text()
    assert len(log.splitlines()) == len(lines)
    assert FAKE_SECRET.findall("\n".join(shown) + log) == []
    assert [r for r in emulator.requests() if FAKE_SECRET.search(r["path"] + str(r.get("query")))] == []


# ------------------------------------------------------------------ secrets by shape, whatever the option

# The nine spellings of the second adversarial review: each carries its secret by its shape (a KEY=VALUE pair
# whose key names a secret, a URL's userinfo, a credential query parameter), under an option that is not secret.
BY_SHAPE = [
    ["webapp", "config", "appsettings", "set", "-g", "rg1", "-n", "app", "--settings", "API_KEY=TgShape1-Secret"],
    ["rest", "-m", "post", "-u", "https://app.azurewebsites.net/api/fn?code=TgShape2-Secret"],
    ["rest", "-m", "put", "-u", "https://deploy:TgShape3-Secret@files.example.net/upload"],
    ["rest", "-m", "post", "-u", "https://apim.example.net/orders", "--headers",
     "Ocp-Apim-Subscription-Key=TgShape4-Secret"],
    ["resource", "update", "-g", "rg1", "-n", "app", "--resource-type", "Microsoft.App/containerApps", "--set",
     "properties.configuration.secrets[0].value=TgShape5-Secret"],
    ["container", "create", "-g", "rg1", "-n", "c1", "--image", "nginx", "--secure-environment-variables",
     "DB_PASS=TgShape6-Secret"],
    ["webapp", "deployment", "source", "config", "-g", "rg1", "-n", "app", "--repo-url",
     "https://bot:TgShape7-Secret@github.com/contoso/app"],
    ["container", "create", "-g", "rg1", "-n", "c1", "--image", "nginx", "--env", "DB_PASS=TgShape8,Secret"],
    ["functionapp", "config", "appsettings", "set", "-g", "rg1", "-n", "fn", "--settings",
     "AzureWebJobsStorage__accessKey=TgShape9-Secret"],
]
SHAPE_SECRET = re.compile(r"TgShape\d")


def test_secrets_spelled_by_shape_reach_no_prompt_audit_log_or_classify(user_az, emulator, tmp_path):
    """At a terminal, in a protected subscription (every write asks): the prompt, the audit log (as `az tokenguard
    audit show` prints it and as the file holds it) and `az tokenguard classify` show none of the nine values."""
    launch = guard_launch_path(user_az)
    user_az.run("tokenguard", "protect", "--subscription", data.CONTOSO_DEV.display_name)
    env = {**user_az.env, "TOKENGUARD_CONTEXT_LINE": "always", "TERM": "dumb"}
    shown = []
    for argv in BY_SHAPE:
        child = pexpect.spawn(sys.executable, ["-I", "-S", launch, *argv], env=env, encoding="utf-8", timeout=60,
                              dimensions=(60, 400))
        child.expect_exact(PROMPTS)
        shown.append(child.before + child.after)
        child.sendline("no")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == REFUSED_BY_USER, shown[-1]
        shown.append(child.before)
    assert "API_KEY=***" in shown[0] and "https://***@github.com/contoso/app" in shown[12]  # shown, hidden
    audit = user_az.run("tokenguard", "audit", "show", "-o", "json").stdout
    assert len(json.loads(audit)) == len(BY_SHAPE)
    shown += [audit, (user_az.config_dir / "tokenguard" / "audit.log").read_text()]
    script = tmp_path / "deploy.sh"
    script.write_text("".join("az " + shlex.join(argv) + "\n" for argv in BY_SHAPE))
    shown.append(user_az.run("tokenguard", "classify", "--file", str(script), "-o", "json").stdout)
    shown += [user_az.run("tokenguard", "classify", "--command", shlex.join(argv), "-o", "tsv").stdout
              for argv in BY_SHAPE]
    assert SHAPE_SECRET.findall("\n".join(shown)) == []
    assert [r for r in emulator.requests() if r["method"] != "GET"] == []  # answered no: az never ran
