"""Unit tests of the sign-in checks: device code sign-in and a user login on a CI agent."""
import json

import pytest

from azext_tokenguard.guard import audit
from azext_tokenguard.guard.exitcodes import ExitCode
from azext_tokenguard.guard.policy import set_settings
from azext_tokenguard.guard.signin import ci_user_message, detect_ci, is_device_code_login
from tests.unit.guard.parsed import as_written
from tests.unit.guard.test_main import make_config_dir, run


@pytest.fixture
def config_dir(tmp_path):
    return make_config_dir(tmp_path)


def test_ci_systems_are_detected_by_their_variables():
    assert detect_ci({"GITHUB_ACTIONS": "true"}) == "GITHUB_ACTIONS"
    assert detect_ci({"TF_BUILD": "True"}) == "TF_BUILD"
    assert detect_ci({"CI": "false", "HOME": "/h"}) is None


def test_device_code_login_is_recognised_with_argparse_prefixes():
    assert is_device_code_login("login", as_written(["login", "--use-device-code"]))
    assert is_device_code_login("login", as_written(["login", "--use-device"]))
    assert not is_device_code_login("login", as_written(["login", "--service-principal"]))
    assert not is_device_code_login("group list", as_written(["group", "list", "--use-device-code"]))


def test_ci_message_says_what_to_use_instead():
    text = ci_user_message("CI", "alice@contoso.example", refused=True)
    assert text.startswith("refused: a user (alice@contoso.example)")
    assert "workload identity federation" in text


def test_every_named_ci_system_is_detected():
    for name in ("CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BUILDKITE", "CIRCLECI"):
        assert detect_ci({name: "https://x" if name == "JENKINS_URL" else "1"}) == name
    assert detect_ci({"CI": "0", "GITLAB_CI": "", "TF_BUILD": "off"}) is None


def audit_lines(config_dir):
    with open(audit.log_path(str(config_dir)), encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_device_code_sign_in_warns_then_asks_on_the_terminal(config_dir):
    code, err, terminal = run(config_dir, "login --use-device-code", answer="y\n")
    assert code == ExitCode.RUN and "can be phished" in err
    assert "continue only if you started this sign-in yourself, on this machine" in err
    assert "Did you start this sign-in yourself" in terminal.written
    assert run(config_dir, "login --use-device-code", answer="\n")[0] == ExitCode.REFUSED_BY_USER  # default no
    assert [(r["decision"], r["how"]) for r in audit_lines(config_dir)] == [
        ("confirmed", "answered at the terminal"), ("refused", "answered at the terminal")]


def test_device_code_without_a_terminal_needs_the_explicit_variable(config_dir):
    code, err, _ = run(config_dir, "login --use-device-code")
    assert code == ExitCode.REFUSED_NO_TERMINAL and "TOKENGUARD_ALLOW_DEVICE_CODE=1" in err
    assert run(config_dir, "login --use-device-code", env={"TOKENGUARD_ALLOW_DEVICE_CODE": "yes"})[0] == \
        ExitCode.REFUSED_NO_TERMINAL  # only the documented value counts
    assert run(config_dir, "login --use-device-code", env={"TOKENGUARD_ALLOW_DEVICE_CODE": "1"})[0] == ExitCode.RUN
    assert [r["how"] for r in audit_lines(config_dir)] == ["no terminal", "no terminal",
                                                           "TOKENGUARD_ALLOW_DEVICE_CODE"]


def test_a_deny_policy_refuses_device_code_without_asking(config_dir):
    set_settings(str(config_dir), device_code="deny")
    code, err, terminal = run(config_dir, "login --use-device-code", answer="y\n")
    assert code == ExitCode.REFUSED_BY_POLICY and terminal.opened == 0
    assert "forbidden on this machine by the tokenguard policy" in err
    assert audit_lines(config_dir)[0]["how"] == "device-code policy"
    assert run(config_dir, "login --service-principal -u app -p x --tenant t")[0] == ExitCode.RUN  # other sign-ins


@pytest.mark.parametrize("command", ["group list", "group show -n rg1", "account show"])
def test_a_user_on_a_ci_agent_is_warned_on_every_command(config_dir, command):
    code, err, _ = run(config_dir, command, env={"GITHUB_ACTIONS": "true"})
    assert code == ExitCode.RUN
    assert "warning: a user (alice@contoso.com) is signed in on a CI agent (GITHUB_ACTIONS is set)" in err
    assert "workload identity federation" in err


def test_a_ci_user_deny_policy_refuses_but_leaves_sign_in_and_tokenguard_usable(config_dir):
    set_settings(str(config_dir), ci_user_login="deny")
    code, err, _ = run(config_dir, "group list", env={"CI": "true"})
    assert code == ExitCode.REFUSED_BY_POLICY and "refused: a user" in err
    for command in ("logout", "login --service-principal -u app -p x --tenant t", "tokenguard status"):
        assert run(config_dir, command, env={"CI": "true"})[0] == ExitCode.RUN
    assert run(config_dir, "group list")[0] == ExitCode.RUN  # not on CI: no rule applies
