"""Unit tests of the prompt segment: its text, and the stamp the shell compares mtimes against."""
import io
import json
import os

from azext_tokenguard.guard import prompt
from azext_tokenguard.guard.profile import Context
from azext_tokenguard.guard.prompt import home_tenant_differs, segment, short, stamp_path


def _context(name="contoso-dev", user="alice@contoso.example", domain="contoso.example", tenant="Contoso",
             identity_type="user"):
    return Context(True, tenant_id="t", tenant_display_name=tenant, tenant_default_domain=domain,
                   subscription_id="s", subscription_name=name, identity_name=user, identity_type=identity_type)


def test_prompt_segment_shows_name_protection_and_a_foreign_tenant():
    assert segment(_context(), False, "bash", colour=False) == "[contoso-dev] "
    assert segment(_context(), True, "bash", colour=False) == "[contoso-dev!] "
    assert segment(_context(domain="fabrikam.example", tenant="Fabrikam"), False, "zsh", False) == \
        "[contoso-dev @Fabrikam] "
    assert segment(_context(), True, "bash", colour=True) == "\001\x1b[1;31m\002[contoso-dev]\001\x1b[0m\002 "
    assert segment(_context(), True, "zsh", colour=True) == "%{\x1b[1;31m%}[contoso-dev]%{\x1b[0m%} "
    assert segment(Context(False, reason="no profile"), False, "bash", False) == "[az: ?] "


def test_the_home_tenant_is_judged_only_for_users():
    assert not home_tenant_differs(_context())
    assert home_tenant_differs(_context(user="alice_contoso.example#EXT#@fabrikam.example",
                                        domain="fabrikam.example"))
    assert not home_tenant_differs(_context(user="app-id", identity_type="servicePrincipal", domain="x"))


def test_names_are_shortened_and_cannot_inject_control_or_prompt_codes():
    assert short("a" * 40) == "a" * 23 + "~"
    assert short("dev\x1b[2J\n") == "dev[2J"
    assert segment(_context(name="100%d"), False, "zsh", False) == "[100%%d] "  # zsh would expand %d
    assert segment(_context(name="100%d"), False, "bash", False) == "[100%d] "


def _profile(config_dir, name):
    entry = {"id": "s-1", "name": name, "isDefault": True, "tenantId": "t", "tenantDisplayName": "Contoso",
             "tenantDefaultDomain": "contoso.example", "user": {"name": "alice@contoso.example", "type": "user"}}
    (config_dir / "azureProfile.json").write_text(json.dumps({"subscriptions": [entry]}))


def test_main_prints_the_segment_and_stamps_it_with_the_profile_mtime(tmp_path):
    _profile(tmp_path, "contoso-dev")
    os.utime(tmp_path / "azureProfile.json", ns=(1_700_000_000_123_456_789,) * 2)
    out = io.StringIO()
    assert prompt.main(["bash", "4242"], {"AZURE_CONFIG_DIR": str(tmp_path), "NO_COLOR": "1"}, out) == 0
    assert out.getvalue() == "[contoso-dev] "
    stamp = stamp_path(str(tmp_path), "bash", "4242")
    assert os.stat(stamp).st_mtime_ns == 1_700_000_000_123_456_789  # not "now": a later change stays newer
    # read back by $(__tokenguard_prompt): the segment, then the selection it is for (none here)
    assert open(stamp, encoding="utf-8").read() == "[contoso-dev] \nsel:|\n"
    assert oct(os.stat(stamp).st_mode & 0o777) == "0o600"


def test_a_bad_shell_or_pid_never_becomes_a_path(tmp_path):
    _profile(tmp_path, "contoso-dev")
    prompt.main(["fish", "../../x"], {"AZURE_CONFIG_DIR": str(tmp_path)}, io.StringIO())
    assert os.listdir(os.path.dirname(stamp_path(str(tmp_path), "bash", "0"))) == ["bash-0"]


def test_stale_stamps_of_gone_shells_are_pruned(tmp_path, monkeypatch):
    _profile(tmp_path, "contoso-dev")
    prompt.main(["bash", "1"], {"AZURE_CONFIG_DIR": str(tmp_path)}, io.StringIO())
    monkeypatch.setattr(prompt, "STALE_STAMP_SECONDS", -10)  # every stamp counts as old
    prompt.main(["zsh", "2"], {"AZURE_CONFIG_DIR": str(tmp_path)}, io.StringIO())
    assert os.listdir(os.path.dirname(stamp_path(str(tmp_path), "bash", "1"))) == []


def test_nobody_signed_in_is_said_in_words():
    from azext_tokenguard.guard.profile import NOT_SIGNED_IN
    assert segment(Context(False, reason=NOT_SIGNED_IN), False, "bash", False) == "[az: not signed in] "
