import base64
import json
import os
import stat
import subprocess
import sys

import msal
import pytest

from azext_tokenguard.hygiene import scan as cache_scan
from azext_tokenguard.hygiene import cleanup
from azext_tokenguard.hygiene import token_files as tf
from tests.unit.files import write

NOW = 1_800_000_000.0
RT_SECRET = "cleanup-refresh-token-secret-1"
SP_SECRET = "cleanup~sp~secret~value"
INSTALLATION_ID = "a1b2c3d4-0000-1111-2222-333344445555"


def msal_cache_json():
    cache = msal.SerializableTokenCache()
    client_info = base64.urlsafe_b64encode(b'{"uid": "u1", "utid": "t1"}').decode()
    cache.add({"client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "scope": ["https://x/.default"],
               "token_endpoint": "https://login.microsoftonline.com/t1/oauth2/v2.0/token",
               "response": {"access_token": "at-value-123456789", "refresh_token": RT_SECRET,
                            "client_info": client_info, "expires_in": 3600}}, now=NOW)
    return cache.serialize()


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


@pytest.fixture
def cfg(tmp_path):
    """A config dir as az 2.91 leaves it after a user and an SP logged in."""
    root = tmp_path / "home" / ".azure"
    write(root / "msal_token_cache.json", msal_cache_json())
    write(root / "msal_token_cache.json.lockfile", "123 az")
    write(root / "service_principal_entries.json",
          json.dumps([{"client_id": "app", "tenant": "t1", "client_secret": SP_SECRET}]))
    write(root / "msal_http_cache.bin", b"\x80\x04}\x94.")
    profile = {"subscriptions": [{"id": "s1", "name": "Sub", "tenantId": "t1", "isDefault": True,
                                  "user": {"name": "alice@contoso.com", "type": "user"}}],
               "installationId": INSTALLATION_ID}
    write(root / "azureProfile.json", b"\xef\xbb\xbf" + json.dumps(profile).encode(), mode=0o644)
    write(root / "config", "[core]\noutput = table\n")
    write(root / "clouds.config", "[AzureCloud]\n")
    write(root / "cliextensions" / "tokenguard" / "setup.py", "")
    os.chmod(root, 0o700)
    return root


def paths(items, key="path"):
    return [os.path.basename(i[key]) for i in items]


def test_plan_lists_removals_keeps_and_rewrite(cfg):
    plan = cleanup.plan_logout_all(str(cfg), include_other_tools=False, home=None)
    assert paths(plan["remove"]) == ["msal_token_cache.json", "service_principal_entries.json",
                                     "msal_http_cache.bin", "msal_token_cache.json.lockfile"]
    assert paths(plan["rewrite"]) == ["azureProfile.json"]
    kept = {os.path.basename(k["path"]): k["reason"] for k in plan["keep"]}
    assert set(kept) == {"config", "clouds.config", "cliextensions"}
    assert all(kept.values())
    assert any("WAM" in c["what"] for c in plan["cannot_clean"])
    json.dumps(plan)
    assert os.path.exists(cfg / "msal_token_cache.json")      # planning touches nothing


def test_execute_removes_tokens_and_keeps_settings(cfg):
    plan = cleanup.plan_logout_all(str(cfg))
    result = cleanup.execute_plan(plan)
    assert result["failed"] == []
    assert sorted(os.listdir(cfg)) == ["azureProfile.json", "cliextensions", "clouds.config", "config"]
    raw = read(cfg / "azureProfile.json")
    assert raw.startswith(b"\xef\xbb\xbf")                    # az writes utf-8-sig
    assert json.loads(raw.decode("utf-8-sig")) == {"subscriptions": [], "installationId": INSTALLATION_ID}
    assert stat.S_IMODE(os.stat(cfg / "azureProfile.json").st_mode) == 0o600
    assert result["rewritten"] == [{"path": str(cfg / "azureProfile.json"), "subscriptionsRemoved": 1}]
    scan = cache_scan.scan_paths([cfg], NOW, {})
    assert [f for f in scan["findings"] if f["hasSecret"]] == []
    assert not cache_scan.severity_at_least(scan["findings"], "low")


def test_symlink_in_config_dir_is_removed_as_link_only(cfg, tmp_path):
    outside = write(tmp_path / "outside" / "my_cache.json", msal_cache_json())
    os.remove(cfg / "msal_token_cache.json")
    os.symlink(outside, cfg / "msal_token_cache.json")
    os.symlink(outside, cfg / "accessTokens.json")
    plan = cleanup.plan_logout_all(str(cfg))
    assert any(c["what"] == outside for c in plan["cannot_clean"])
    result = cleanup.execute_plan(plan)
    assert result["failed"] == []
    assert not os.path.lexists(cfg / "msal_token_cache.json")
    assert not os.path.lexists(cfg / "accessTokens.json")
    assert read(outside) == msal_cache_json().encode()          # the target survives untouched


def test_symlinked_lockfile_does_not_write_through(cfg, tmp_path):
    victim = write(tmp_path / "outside" / "victim.txt", "keep me")
    os.remove(cfg / "msal_token_cache.json.lockfile")
    os.symlink(victim, cfg / "msal_token_cache.json.lockfile")
    result = cleanup.execute_plan(cleanup.plan_logout_all(str(cfg)))
    assert result["failed"] == []
    assert read(victim) == b"keep me"
    assert not os.path.lexists(cfg / "msal_token_cache.json.lockfile")


def test_config_dir_given_through_symlink_is_resolved(cfg, tmp_path):
    link = tmp_path / "azlink"
    os.symlink(cfg, link)
    plan = cleanup.plan_logout_all(str(link))
    assert plan["config_dir"] == os.path.realpath(cfg)
    assert cleanup.execute_plan(plan)["failed"] == []
    assert not os.path.exists(cfg / "msal_token_cache.json")


def test_missing_config_dir_gives_empty_plan(tmp_path):
    plan = cleanup.plan_logout_all(str(tmp_path / "none"))
    assert plan["remove"] == [] and plan["rewrite"] == [] and plan["config_dir"] is None
    assert cleanup.execute_plan(plan) == {"removed": [], "absent": [], "rewritten": [], "failed": []}


def test_config_dir_that_is_a_file_is_an_error(tmp_path):
    with pytest.raises(cleanup.CleanupError, match="not a directory"):
        cleanup.plan_logout_all(write(tmp_path / "file", "x"))
    with pytest.raises(cleanup.CleanupError):
        cleanup.plan_logout_all("")


def test_other_tools_are_cleaned_only_when_asked(cfg, tmp_path):
    home = tmp_path / "home"
    write(home / ".IdentityService" / "msal.cache.nocae", msal_cache_json())
    write(home / ".Azure" / "AzureRmContext.json", "{}")
    write(home / ".Azure" / "AzureRmContextSettings.json", "{}")
    write(home / ".kube" / "config", "apiVersion: v1")
    outside = write(tmp_path / "outside" / "kl.json", '{"refresh_token": "kubelogin-rt-123"}')
    os.makedirs(home / ".kube" / "cache")
    os.symlink(tmp_path / "outside", home / ".kube" / "cache" / "kubelogin")

    assert not any(".IdentityService" in r["path"] for r in cleanup.plan_logout_all(str(cfg))["remove"])
    plan = cleanup.plan_logout_all(str(cfg), include_other_tools=True, home=str(home))
    removed = [os.path.relpath(r["path"], home) for r in plan["remove"]]
    assert ".IdentityService/msal.cache.nocae" in removed and ".Azure/AzureRmContext.json" in removed
    assert any(k["path"].endswith("AzureRmContextSettings.json") for k in plan["keep"])
    assert any(c["what"].endswith("kl.json") and "symlink" in c["why"] for c in plan["cannot_clean"])

    result = cleanup.execute_plan(plan)
    assert result["failed"] == []
    assert not os.path.exists(home / ".IdentityService" / "msal.cache.nocae")
    assert os.path.exists(home / ".Azure" / "AzureRmContextSettings.json")
    assert os.path.exists(home / ".kube" / "config") and os.path.exists(outside)


def test_remove_refuses_outside_roots_and_directories(cfg, tmp_path):
    outside = write(tmp_path / "elsewhere.txt", "x")
    with pytest.raises(cleanup.UnsafePathError, match="outside"):
        cleanup.remove_file_no_follow(outside, [str(cfg)])
    with pytest.raises(cleanup.UnsafePathError, match="directory"):
        cleanup.remove_file_no_follow(str(cfg / "cliextensions"), [str(cfg)])
    assert cleanup.remove_file_no_follow(str(cfg / "absent.json"), [str(cfg)]) is False
    os.symlink(tmp_path, cfg / "sub")
    with pytest.raises(cleanup.UnsafePathError, match="symlink"):
        cleanup.remove_file_no_follow(str(cfg / "sub" / "elsewhere.txt"), [str(cfg)])
    assert os.path.exists(outside)


def test_tampered_plan_cannot_delete_outside(cfg, tmp_path):
    outside = write(tmp_path / "precious.txt", "x")
    plan = cleanup.plan_logout_all(str(cfg))
    plan["remove"].append({"path": outside, "kind": tf.KIND_MSAL_CACHE, "reason": "evil"})
    result = cleanup.execute_plan(plan)
    assert [f["path"] for f in result["failed"]] == [outside]
    assert os.path.exists(outside)


def test_strip_subscriptions_keeps_other_keys(tmp_path):
    path = write(tmp_path / "azureProfile.json", json.dumps(
        {"subscriptions": [{"id": 1}, {"id": 2}], "installationId": "x", "extra": [1]}))
    assert cleanup.strip_subscriptions(path)["subscriptionsRemoved"] == 2
    assert json.loads(read(path).decode("utf-8-sig")) == {"subscriptions": [], "installationId": "x",
                                                          "extra": [1]}
    assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp")] == []


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe", b'{"subscriptions": "x"}'])
def test_strip_subscriptions_rejects_bad_profiles(tmp_path, content):
    path = write(tmp_path / "azureProfile.json", content)
    with pytest.raises(cleanup.ProfileFormatError):
        cleanup.strip_subscriptions(path)
    assert read(path) == content


def test_strip_subscriptions_refuses_symlink(tmp_path):
    target = write(tmp_path / "real.json", '{"subscriptions": [{"id": 1}]}')
    os.symlink(target, tmp_path / "azureProfile.json")
    with pytest.raises(cleanup.ProfileFormatError, match="symlink"):
        cleanup.strip_subscriptions(str(tmp_path / "azureProfile.json"))
    assert json.loads(read(target))["subscriptions"] == [{"id": 1}]


def test_symlinked_profile_is_not_rewritten(cfg, tmp_path):
    target = write(tmp_path / "real.json", '{"subscriptions": [{"id": 1}]}')
    os.remove(cfg / "azureProfile.json")
    os.symlink(target, cfg / "azureProfile.json")
    plan = cleanup.plan_logout_all(str(cfg))
    assert plan["rewrite"] == []
    link = [r for r in plan["remove"] if r["path"] == str(cfg / "azureProfile.json")]
    assert link and "removed before az signs out" in link[0]["reason"]
    assert any(c["what"] == target and "subscriptions" in c["why"] for c in plan["cannot_clean"])


def test_links_are_detached_before_az_signs_out_and_targets_stay(cfg, tmp_path):
    profile_target = write(tmp_path / "dotfiles" / "azureProfile.json", '{"subscriptions": [{"id": 1}]}')
    cache_target = write(tmp_path / "outside" / "cache.json", msal_cache_json())
    for name, target in (("azureProfile.json", profile_target), ("msal_token_cache.json", cache_target)):
        os.remove(cfg / name)
        os.symlink(target, cfg / name)
    plan = cleanup.plan_logout_all(str(cfg))
    detached = cleanup.detach_links(plan)
    assert sorted(os.path.basename(p) for p in detached) == ["azureProfile.json", "msal_token_cache.json"]
    assert not os.path.lexists(cfg / "azureProfile.json") and not os.path.lexists(cfg / "msal_token_cache.json")
    assert not set(detached) & {r["path"] for r in plan["remove"]}  # done: execute_plan leaves them alone
    # az's sign-out now writes a new, regular azureProfile.json; the rest of the plan must not remove it.
    write(cfg / "azureProfile.json", '{"subscriptions": [], "installationId": "new"}')
    assert cleanup.execute_plan(plan)["failed"] == []
    assert json.loads(read(cfg / "azureProfile.json"))["installationId"] == "new"
    assert read(profile_target) == b'{"subscriptions": [{"id": 1}]}'
    assert read(cache_target) == msal_cache_json().encode()


def test_a_link_that_cannot_be_detached_stops_before_sign_out(cfg, tmp_path, monkeypatch):
    os.remove(cfg / "azureProfile.json")
    os.symlink(write(tmp_path / "real.json", "{}"), cfg / "azureProfile.json")
    plan = cleanup.plan_logout_all(str(cfg))

    def refuse(path, roots):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(cleanup, "remove_file_no_follow", refuse)
    with pytest.raises(cleanup.CleanupError, match="nothing was signed out"):
        cleanup.detach_links(plan)


_TRY_LOCK = """
import sys, portalocker
with open(sys.argv[1], "a") as f:
    try:
        portalocker.lock(f, portalocker.LOCK_EX | portalocker.LOCK_NB)
    except portalocker.exceptions.LockException:
        sys.exit(3)
"""


def test_held_az_locks_blocks_other_processes_and_cleans_up(cfg):
    lock = str(cfg / "msal_token_cache.json.lockfile")
    os.remove(lock)
    with cleanup.held_az_locks(str(cfg)) as held:
        assert lock in held and str(cfg / "service_principal_entries.json.lockfile") in held
        assert os.path.exists(lock)
        busy = subprocess.run([sys.executable, "-c", _TRY_LOCK, lock], check=False)
        assert busy.returncode == 3
    assert not os.path.exists(lock)        # CrossPlatLock deletes its lock file on release


def test_az_lock_paths_include_existing_bin_stores(cfg):
    write(cfg / "msal_token_cache.bin", b"\x01\x02")
    names = [os.path.basename(p) for p in cleanup.az_lock_paths(str(cfg))]
    assert "msal_token_cache.bin.lockfile" in names
    assert "service_principal_entries.bin.lockfile" not in names


_HOLD_LOCK = """
import sys, time, portalocker
with open(sys.argv[1], "a") as f:
    portalocker.lock(f, portalocker.LOCK_EX | portalocker.LOCK_NB)
    print("held", flush=True)
    time.sleep(30)
"""


def test_stale_lock_is_cleared_but_a_live_one_is_not(cfg):
    lock = str(cfg / "msal_token_cache.json.lockfile")
    cleanup._clear_stale_lock(lock)                 # nobody holds the fixture's lock file
    assert not os.path.exists(lock)
    write(lock, "456 az")
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, lock], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        cleanup._clear_stale_lock(lock)
        assert os.path.exists(lock)
    finally:
        holder.kill()
        holder.wait()
