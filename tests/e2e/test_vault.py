"""`az tokenguard vault`: no plain-text token at rest, against the real az and the emulator.

The guard runs as shell-init puts it in front of az (a bash script without a terminal); the unlock period's end
is reached by running the guard under libfaketime, a clock shifted forward, instead of waiting.
"""
import json
import os
import resource
import shutil
import subprocess
import threading

import pytest

from tests.conftest import login
from tests.e2e.test_logout_and_scan import token_material
from tests.emulator import data
from tests.harness.az import AZ
from tests.harness.faketime import faketime_env
from tests.harness.shell import GuardedShell, run_guarded_script

PASSPHRASE = "correct horse battery staple"
VAULT_LOCKED = 48
STORES = ("msal_token_cache.json", "service_principal_entries.json")


@pytest.fixture
def vault_env(tmp_path):
    """The passphrase for headless use, and a runtime dir of this test's own for the memory copy."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    return {"TOKENGUARD_VAULT_PASSPHRASE": PASSPHRASE, "XDG_RUNTIME_DIR": str(runtime)}


def vault(az, env, *args, check=True):
    return az.run("tokenguard", "vault", *args, env=env, check=check)


def vault_file(az):
    return az.config_dir / "tokenguard" / "vault.json"


def memory_dirs(env):
    root = os.path.join(env["XDG_RUNTIME_DIR"], "tokenguard")
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def guarded(az, env, command, **extra):
    return run_guarded_script(az, command, **env, **extra)


def arm_requests(emulator):
    return emulator.requests(service="arm")


def cached_targets(az):
    """The resources the token cache az uses holds access tokens for (read through az's own file)."""
    cache = json.loads((az.config_dir / "msal_token_cache.json").read_text())
    return {entry["target"] for entry in cache["AccessToken"].values()}


def secret_findings(az):
    return [f for f in az.json("tokenguard", "scan")["findings"]
            if f["hasSecret"] and f["path"].startswith(str(az.config_dir))]


# ---------------------------------------------------------------- locking

def test_lock_leaves_no_token_or_secret_and_the_guard_says_how_to_unlock(user_az, vault_env, emulator):
    login(user_az, "servicePrincipal")  # alice and deploy-bot: a refresh token and a client secret
    assert len(token_material(user_az.config_dir)) >= 2

    result = vault(user_az, vault_env, "lock").json()

    assert result["state"] == "locked" and set(STORES) <= set(result["removedFromConfigDir"])
    assert token_material(user_az.config_dir) == []
    assert secret_findings(user_az) == []
    scan = user_az.json("tokenguard", "scan")["findings"]
    assert any(f["id"] == "TG017" and "locked" in f["message"] for f in scan)
    assert oct(vault_file(user_az).stat().st_mode & 0o777) == "0o600"
    assert oct(vault_file(user_az).parent.stat().st_mode & 0o777) == "0o700"

    emulator.reset()
    refused = guarded(user_az, vault_env, "az group list")
    assert refused.returncode == VAULT_LOCKED
    assert "az tokenguard vault unlock" in refused.stderr and "Traceback" not in refused.stderr
    assert arm_requests(emulator) == []
    assert guarded(user_az, vault_env, "az account show").returncode == 0  # the profile alone still answers
    assert guarded(user_az, vault_env, "az account list -o none").returncode == 0
    # Around the guard, az reads the token cache through the vault's link to nowhere: no token, and it says so.
    around = user_az.run("group", "list", check=False)
    assert around.returncode != 0 and "az login" in around.stderr and "Traceback" not in around.stderr
    # A sign-in around the guard cannot write the token cache beside the vault either.
    signed_in_around = user_az.run("login", "--use-device-code", check=False)
    assert signed_in_around.returncode != 0 and "No such file or directory" in signed_in_around.stderr
    assert token_material(user_az.config_dir) == []
    login_refused = guarded(user_az, vault_env, "az login --use-device-code")
    assert login_refused.returncode == VAULT_LOCKED and "vault unlock" in login_refused.stderr


def test_status_and_the_prompt_show_the_vault(sp_az, vault_env):
    vault(sp_az, vault_env, "lock")
    assert sp_az.json("tokenguard", "status", env=vault_env)["vault"]["state"] == "locked"
    vault(sp_az, vault_env, "unlock", "--for", "2h")
    status = sp_az.json("tokenguard", "status", env=vault_env)["vault"]
    assert status["state"] == "unlocked" and status["timeLeft"] == "2h00m"
    assert status["memoryCopy"].startswith(vault_env["XDG_RUNTIME_DIR"])
    prompt = guarded(sp_az, vault_env, 'printf "%s" "$(__tokenguard_prompt)"').stdout
    assert prompt == "[contoso-dev|unlocked 2h00m] "
    vault(sp_az, vault_env, "lock")
    prompt = guarded(sp_az, vault_env, 'printf "%s" "$(__tokenguard_prompt)"').stdout
    assert prompt == "[contoso-dev|locked] "


# ---------------------------------------------------------------- unlocking

def test_unlock_serves_az_and_what_az_wrote_is_sealed_back(user_az, vault_env, emulator):
    vault(user_az, vault_env, "lock")
    unlocked = vault(user_az, vault_env, "unlock", "--for", "2m").json()
    assert unlocked["state"] == "unlocked" and unlocked["timeLeft"] == "2m"
    assert all(os.path.islink(user_az.config_dir / name) for name in STORES)

    emulator.reset()
    names = guarded(user_az, vault_env, "az group list --query [].name -o tsv")
    assert names.returncode == 0 and "rg1" in names.stdout.split()
    # az refreshes: a Key Vault token from the refresh token, written into the memory copy.
    user_az.run("account", "get-access-token", "--resource", "https://vault.azure.net", "-o", "none")
    assert "refresh_token" in [r["grant_type"] for r in emulator.requests(service="entra") if r.get("grant_type")]
    assert any("vault.azure.net" in target for target in cached_targets(user_az))

    sealed = vault(user_az, vault_env, "lock").json()
    assert sealed["action"] == "resealed" and memory_dirs(vault_env) == []
    assert token_material(user_az.config_dir) == [] and links_to_nowhere(user_az, STORES)

    vault(user_az, vault_env, "unlock")
    assert any("vault.azure.net" in target for target in cached_targets(user_az))  # the new token was kept


def test_the_first_command_after_the_period_seals_the_vault_again(sp_az, vault_env, emulator):
    vault(sp_az, vault_env, "lock")
    vault(sp_az, vault_env, "unlock", "--for", "2m")
    sp_az.run("account", "get-access-token", "--resource", "https://vault.azure.net", "-o", "none")
    assert memory_dirs(vault_env)

    emulator.reset()
    later = guarded(sp_az, vault_env, "az group list", **faketime_env(FAKETIME="+3m"))

    assert "unlock period ended" in later.stderr and "sealed again" in later.stderr
    assert later.returncode == VAULT_LOCKED and arm_requests(emulator) == []
    assert memory_dirs(vault_env) == [] and token_material(sp_az.config_dir) == []
    vault(sp_az, vault_env, "unlock")
    assert any("vault.azure.net" in target for target in cached_targets(sp_az))
    assert guarded(sp_az, vault_env, "az group list -o none").returncode == 0


def links_to_nowhere(az, names):
    """Each name in the config dir is a link whose target does not exist: nothing az could read or write."""
    return all(os.path.islink(az.config_dir / name) and not os.path.exists(az.config_dir / name) for name in names)


def test_an_az_that_outlives_the_period_cannot_write_a_plain_token_cache(user_az, vault_env, emulator, tmp_path):
    """`az group wait`, started while unlocked, is still polling when the period ends and the vault is sealed
    again; then its access token expires, and msal writes the cache (dropping the expired token, then adding the
    one a refresh_token grant brings): no write may land in a plain file beside the locked vault. The late
    writer's clock is libfaketime's, read from a file the test moves forward; the group it waits for appears
    once it has refreshed its token, so it ends either way, and each step waits for an event, not a time."""
    vault(user_az, vault_env, "lock")
    vault(user_az, vault_env, "unlock", "--for", "2m")
    subscription = user_az.json("account", "show")["id"]
    clock = tmp_path / "late-writer-clock"
    clock.write_text("+0\n")
    emulator.reset()
    late_writer = subprocess.Popen(  # pylint: disable=consider-using-with
        [AZ, "group", "wait", "-n", "rg-late", "--created", "--interval", "1", "--timeout", "120"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=user_az.env["HOME"],
        env={**user_az.env, **vault_env, **faketime_env(FAKETIME_TIMESTAMP_FILE=str(clock), FAKETIME_NO_CACHE="1")})
    try:
        emulator.wait_for_request(service="arm", method="GET", path_contains="/resourcegroups/rg-late")
        resealed = guarded(user_az, vault_env, "az group list", **faketime_env(FAKETIME="+3m"))
        assert "sealed again" in resealed.stderr and resealed.returncode == VAULT_LOCKED
        emulator.add_resource_group(subscription, "rg-late", when={
            "since": len(emulator.requests()), "service": "entra", "grant_type": "refresh_token"})
        clock.write_text("+2h\n")  # the late writer's token has expired: its next poll refreshes it
        _, stderr = late_writer.communicate(timeout=150)
    finally:
        if late_writer.poll() is None:
            late_writer.kill()
            late_writer.communicate()

    assert token_material(user_az.config_dir) == []
    assert links_to_nowhere(user_az, STORES)
    assert memory_dirs(vault_env) == []
    # What its user sees: the command failed on its token cache (az's own message for an unexpected error).
    assert late_writer.returncode != 0, stderr
    assert "No such file or directory" in stderr and "msal_token_cache.json" in stderr, stderr
    assert "eyJ" not in stderr
    vault(user_az, vault_env, "unlock")  # the vault itself is intact and serves az again
    assert guarded(user_az, vault_env, "az group list -o none").returncode == 0


def test_a_reboot_loses_the_memory_copy_but_not_the_vault(sp_az, vault_env):
    vault(sp_az, vault_env, "lock")
    vault(sp_az, vault_env, "unlock")
    shutil.rmtree(os.path.join(vault_env["XDG_RUNTIME_DIR"], "tokenguard"))  # what a reboot does to tmpfs

    refused = guarded(sp_az, vault_env, "az group list")
    assert refused.returncode == VAULT_LOCKED and "memory copy is gone" in refused.stderr

    assert vault(sp_az, vault_env, "unlock").json()["state"] == "unlocked"
    assert guarded(sp_az, vault_env, "az group list -o none").returncode == 0


def test_the_passphrase_can_come_on_standard_input(sp_az, vault_env):
    env = {"XDG_RUNTIME_DIR": vault_env["XDG_RUNTIME_DIR"]}
    vault(sp_az, env, "lock", "--passphrase-file", "-", check=False)  # no passphrase anywhere: refused
    assert not vault_file(sp_az).exists()
    sp_az.run("tokenguard", "vault", "lock", "--passphrase-file", "-", stdin=PASSPHRASE + "\n", env=env)
    no_terminal = vault(sp_az, env, "unlock", check=False)
    assert no_terminal.returncode != 0 and "No terminal to ask for the vault passphrase" in no_terminal.stderr
    sp_az.run("tokenguard", "vault", "unlock", "--passphrase-file", "-", stdin=PASSPHRASE + "\n", env=env)
    assert sp_az.json("tokenguard", "vault", "show", env=env)["state"] == "unlocked"


def test_at_a_terminal_the_passphrase_is_asked_and_never_echoed(sp_az, vault_env):
    env = {**sp_az.env, "XDG_RUNTIME_DIR": vault_env["XDG_RUNTIME_DIR"]}
    shell = GuardedShell("bash", env)
    try:
        shell.type_command("az tokenguard vault lock -o none")
        shell.expect("New vault passphrase:")
        shell.sendline(PASSPHRASE)
        shell.expect("Confirm New vault passphrase:")
        shell.sendline(PASSPHRASE)
        locked = shell.until_prompt()
        shell.type_command("az tokenguard vault unlock --for 1h -o none")
        shell.expect("Vault passphrase:")
        shell.sendline(PASSPHRASE)
        unlocked = shell.until_prompt()
        assert shell.exit_status() == 0
    finally:
        shell.close()
    assert PASSPHRASE not in locked + unlocked
    assert sp_az.json("tokenguard", "vault", "show", env=vault_env)["timeLeft"] == "1h00m"


# ---------------------------------------------------------------- faults

def assert_refused_and_unchanged(result, message, vault_path, before):
    assert result.returncode != 0 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) <= 2
    assert vault_path.read_bytes() == before


def test_a_wrong_passphrase_changes_nothing(sp_az, vault_env):
    vault(sp_az, vault_env, "lock")
    before = vault_file(sp_az).read_bytes()
    wrong = vault(sp_az, {**vault_env, "TOKENGUARD_VAULT_PASSPHRASE": "not the passphrase"}, "unlock", check=False)
    assert_refused_and_unchanged(wrong, "Wrong passphrase", vault_file(sp_az), before)
    assert memory_dirs(vault_env) == [] and token_material(sp_az.config_dir) == []
    assert vault(sp_az, vault_env, "unlock").json()["state"] == "unlocked"


@pytest.mark.parametrize("damage", ["truncated", "flipped", "other-machine"])
def test_a_damaged_or_foreign_vault_is_refused_and_kept(sp_az, vault_env, damage):
    vault(sp_az, vault_env, "lock")
    path = vault_file(sp_az)
    original = path.read_bytes()
    document = json.loads(original)
    if damage == "truncated":
        path.write_bytes(original[:len(original) // 2])
        expected = "damaged or truncated"
    elif damage == "flipped":
        payload = document["payload"]
        document["payload"] = payload[:40] + ("A" if payload[40] != "A" else "B") + payload[41:]
        path.write_text(json.dumps(document))
        expected = "damaged"
    else:
        document["machine"] = "0" * 32
        path.write_text(json.dumps(document))
        expected = "sealed on another machine"
    before = path.read_bytes()

    result = vault(sp_az, vault_env, "unlock", check=False)

    assert_refused_and_unchanged(result, expected, path, before)
    assert memory_dirs(vault_env) == [] and token_material(sp_az.config_dir) == []
    path.write_bytes(original)  # restored from a backup: everything is still there
    assert vault(sp_az, vault_env, "unlock").json()["state"] == "unlocked"


def test_a_full_disk_while_locking_leaves_the_tokens_where_they_were(sp_az, vault_env):
    before = {name: (sp_az.config_dir / name).read_bytes() for name in STORES}
    limit = 4096  # az's own files are written already; the vault (larger) cannot be
    result = subprocess.run([AZ, "tokenguard", "vault", "lock"], capture_output=True, text=True, check=False,
                            env={**sp_az.env, **vault_env}, cwd=sp_az.env["HOME"],
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert result.returncode != 0 and "Cannot write the vault" in result.stderr
    assert "Traceback" not in result.stderr
    assert {name: (sp_az.config_dir / name).read_bytes() for name in STORES} == before
    assert not vault_file(sp_az).exists() and sorted(os.listdir(vault_file(sp_az).parent)) == ["vault.lock"]
    assert guarded(sp_az, vault_env, "az group list -o none").returncode == 0


def test_a_lock_cut_off_before_the_plain_files_went_loses_nothing(user_az, vault_env):
    """A crash between writing the vault and removing the plain files leaves both; the state is made here by
    putting the plain files back beside the sealed vault."""
    saved = {name: (user_az.config_dir / name).read_bytes() for name in ("msal_token_cache.json",)}
    vault(user_az, vault_env, "lock")
    for name, content in saved.items():  # a crash before the plain file gave way to the vault's link
        (user_az.config_dir / name).unlink()
        (user_az.config_dir / name).write_bytes(content)

    warned = guarded(user_az, vault_env, "az group list -o none")
    assert warned.returncode == 0 and "plain-text token files are back" in warned.stderr
    refused = vault(user_az, vault_env, "unlock", check=False)
    assert refused.returncode != 0 and "az tokenguard vault lock" in refused.stderr
    assert (user_az.config_dir / "msal_token_cache.json").read_bytes() == saved["msal_token_cache.json"]

    assert vault(user_az, vault_env, "lock").json()["action"] == "merged"
    assert token_material(user_az.config_dir) == []
    vault(user_az, vault_env, "unlock")
    assert guarded(user_az, vault_env, "az group list -o none").returncode == 0


def test_two_unlocks_at_once_leave_one_working_copy(sp_az, vault_env):
    vault(sp_az, vault_env, "lock")
    before = vault_file(sp_az).read_bytes()
    results = []

    def unlock():
        results.append(vault(sp_az, vault_env, "unlock", check=False))
    threads = [threading.Thread(target=unlock) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert sorted(r.json()["action"] for r in results) == ["extended", "unlocked"]
    assert len(memory_dirs(vault_env)) == 1 and vault_file(sp_az).read_bytes() == before
    assert guarded(sp_az, vault_env, "az group list -o none").returncode == 0
    vault(sp_az, vault_env, "lock")
    assert memory_dirs(vault_env) == [] and token_material(sp_az.config_dir) == []


# ---------------------------------------------------------------- logout

def test_logout_all_removes_the_vault_and_the_unlocked_copy(sp_az, vault_env):
    vault(sp_az, vault_env, "lock")
    vault(sp_az, vault_env, "unlock")
    memory = os.path.join(vault_env["XDG_RUNTIME_DIR"], "tokenguard", memory_dirs(vault_env)[0])
    assert os.listdir(memory)

    report = sp_az.json("tokenguard", "logout", "--all", "--yes", env=vault_env)

    assert report["verified"]["clean"] is True
    assert not vault_file(sp_az).exists() and os.listdir(memory) == []
    assert token_material(sp_az.config_dir) == []
    assert not [e for e in report["cannotCleanHere"] if memory in e["what"]]
    assert sp_az.json("tokenguard", "vault", "show", env=vault_env)["state"] == "none"


def test_logout_all_of_a_locked_vault_takes_its_links_and_az_signs_in_again(user_az, vault_env):
    vault(user_az, vault_env, "lock")
    assert links_to_nowhere(user_az, STORES)

    report = user_az.json("tokenguard", "logout", "--all", "--yes", env=vault_env)

    assert report["verified"]["clean"] is True
    assert not any(os.path.lexists(user_az.config_dir / name) for name in STORES)
    assert not [e for e in report["cannotCleanHere"] if "vault-is-locked" in e["what"]]
    login(user_az, "user")
    assert guarded(user_az, vault_env, "az group list -o none").returncode == 0


def test_the_guard_never_loads_cryptography_to_check_the_vault(sp_az, vault_env):
    """The guard runs with -S (no site-packages): it could not import cryptography if it tried, so a guarded
    command that works locked, unlocked and expired proves it does not on its fast path."""
    vault(sp_az, vault_env, "lock")
    assert guarded(sp_az, vault_env, "az group list").returncode == VAULT_LOCKED
    vault(sp_az, vault_env, "unlock")
    result = guarded(sp_az, vault_env, "az group list -o none")
    assert result.returncode == 0 and result.stderr == ""
