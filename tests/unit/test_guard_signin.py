"""Unit tests of the sign-in checks and the prompt segment."""
from azext_tokenguard.guard.profile import Context
from azext_tokenguard.guard.prompt import segment
from azext_tokenguard.guard.signin import ci_user_message, detect_ci, is_device_code_login


def test_ci_systems_are_detected_by_their_variables():
    assert detect_ci({"GITHUB_ACTIONS": "true"}) == "GITHUB_ACTIONS"
    assert detect_ci({"TF_BUILD": "True"}) == "TF_BUILD"
    assert detect_ci({"CI": "false", "HOME": "/h"}) is None


def test_device_code_login_is_recognised_with_argparse_prefixes():
    assert is_device_code_login("login", ["login", "--use-device-code"])
    assert is_device_code_login("login", ["login", "--use-device"])
    assert not is_device_code_login("login", ["login", "--service-principal"])
    assert not is_device_code_login("group list", ["group", "list", "--use-device-code"])


def test_ci_message_says_what_to_use_instead():
    text = ci_user_message("CI", "alice@contoso.example", refused=True)
    assert text.startswith("refused: a user (alice@contoso.example)")
    assert "workload identity federation" in text


def _context(name="contoso-dev", user="alice@contoso.example", domain="contoso.example", tenant="Contoso"):
    return Context(True, tenant_id="t", tenant_display_name=tenant, tenant_default_domain=domain,
                   subscription_id="s", subscription_name=name, identity_name=user, identity_type="user")


def test_prompt_segment_shows_name_protection_and_a_foreign_tenant():
    assert segment(_context(), False, "bash", colour=False) == "[contoso-dev] "
    assert segment(_context(), True, "bash", colour=False) == "[contoso-dev!] "
    assert segment(_context(domain="fabrikam.example", tenant="Fabrikam"), False, "zsh", False) == \
        "[contoso-dev @Fabrikam] "
    assert segment(_context(), True, "bash", colour=True) == "\001\x1b[1;31m\002[contoso-dev]\001\x1b[0m\002 "
    assert segment(_context(), True, "zsh", colour=True) == "%{\x1b[1;31m%}[contoso-dev]%{\x1b[0m%} "
    assert segment(Context(False, reason="no profile"), False, "bash", False) == "[az: ?] "
