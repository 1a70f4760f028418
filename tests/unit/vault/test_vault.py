"""The vault's pure parts: the sealed format (vault_crypto), merging plain files in, and the state the guard
reads (guard/vault_state). The end-to-end behaviour with the real az is in tests/e2e/test_vault.py."""
import json
import os

import pytest

from azext_tokenguard.vault import store as vault
from azext_tokenguard.vault import crypto as vault_crypto
from azext_tokenguard.guard import vault_state
from azext_tokenguard.guard.errors import InvalidValueError

FILES = {"msal_token_cache.json": b'{"RefreshToken": {"k": {"secret": "rt"}}}',
         "service_principal_entries.json": b'[{"client_id": "c", "tenant": "t", "client_secret": "s"}]'}
MACHINE = "a" * 32


@pytest.fixture(scope="module")
def sealed():
    """One vault for the module: each seal costs a scrypt run (128 MiB, about 0.3 s)."""
    document, data_key = vault_crypto.seal_new(FILES, vault_crypto.PassphraseKeySource("right passphrase"),
                                               MACHINE, 1_800_000_000)
    return document, data_key


def test_the_passphrase_opens_what_was_sealed(sealed):
    document, data_key = sealed
    files, key = vault_crypto.open_with_key_source(document, vault_crypto.PassphraseKeySource("right passphrase"),
                                                   MACHINE)
    assert files == FILES and key == data_key
    assert vault_crypto.open_with_data_key(document, data_key, MACHINE) == FILES


def test_the_file_holds_no_plain_secret_and_says_how_it_was_sealed(sealed):
    document, _ = sealed
    assert b"RefreshToken" not in document and b"client_secret" not in document
    assert vault_crypto.describe(document) == {"cipher": "AES-256-GCM", "keySource": "passphrase",
                                               "kdf": "scrypt (N=131072, r=8, p=1)"}


def test_a_wrong_passphrase_is_told_apart_from_damage(sealed):
    document, data_key = sealed
    with pytest.raises(vault_crypto.WrongKeyError):
        vault_crypto.open_with_key_source(document, vault_crypto.PassphraseKeySource("wrong"), MACHINE)
    changed = json.loads(document)
    payload = changed["payload"]
    changed["payload"] = payload[:30] + ("B" if payload[30] == "A" else "A") + payload[31:]
    with pytest.raises(vault_crypto.VaultDamagedError):
        vault_crypto.open_with_data_key(json.dumps(changed).encode(), data_key, MACHINE)
    for broken in (document[:len(document) // 2], b"", b"\xff\xfe", b"[]"):
        with pytest.raises(vault_crypto.VaultDamagedError):
            vault_crypto.open_with_data_key(broken, data_key, MACHINE)


def test_a_vault_from_another_machine_is_refused(sealed):
    document, data_key = sealed
    with pytest.raises(vault_crypto.OtherMachineError):
        vault_crypto.open_with_data_key(document, data_key, "b" * 32)
    assert vault_crypto.open_with_data_key(document, data_key, None) == FILES  # no machine id here: no check


def test_a_changed_header_does_not_open(sealed):
    document, data_key = sealed
    changed = json.loads(document)
    changed["machine"] = None  # dropping the binding changes the associated data
    with pytest.raises(vault_crypto.VaultDamagedError):
        vault_crypto.open_with_data_key(json.dumps(changed).encode(), data_key, None)


def test_a_header_that_asks_scrypt_for_too_much_is_refused_before_running_it(sealed):
    document, _ = sealed
    changed = json.loads(document)
    changed["key"]["n"] = 2 ** 30
    with pytest.raises(vault_crypto.VaultDamagedError, match="out of range"):
        vault_crypto.open_with_key_source(json.dumps(changed).encode(),
                                          vault_crypto.PassphraseKeySource("right passphrase"), MACHINE)


def test_resealing_keeps_the_key_and_refuses_a_strangers_key(sealed):
    document, data_key = sealed
    newer = {**FILES, "msal_http_cache.bin": b"\x80\x04}"}
    resealed = vault_crypto.reseal(document, newer, data_key, 1_800_000_100)
    assert json.loads(resealed)["wrappedKey"] == json.loads(document)["wrappedKey"]
    files, _ = vault_crypto.open_with_key_source(resealed, vault_crypto.PassphraseKeySource("right passphrase"),
                                                 MACHINE)
    assert files == newer
    with pytest.raises(vault_crypto.VaultDamagedError):
        vault_crypto.reseal(document, newer, os.urandom(32), 1_800_000_100)


def test_a_new_passphrase_must_not_be_short():
    with pytest.raises(InvalidValueError, match="shorter than 8"):
        vault_crypto.check_new_passphrase("short")
    vault_crypto.check_new_passphrase("long enough")


def test_plain_files_merge_into_the_vault_and_win():
    sealed = {"msal_token_cache.json": json.dumps({"AccessToken": {"old": {"t": 1}, "same": {"t": 1}},
                                                   "Account": {"a": {}}}).encode(),
              "service_principal_entries.json": json.dumps([{"client_id": "c1", "tenant": "t"},
                                                            {"client_id": "c2", "tenant": "t", "v": 1}]).encode()}
    plain = {"msal_token_cache.json": json.dumps({"AccessToken": {"same": {"t": 2}, "new": {"t": 2}}}).encode(),
             "service_principal_entries.json": json.dumps([{"client_id": "c2", "tenant": "t", "v": 2}]).encode(),
             "msal_http_cache.bin": b"pickle"}
    merged = vault.merge_stores(sealed, plain)
    cache = json.loads(merged["msal_token_cache.json"])
    assert cache["AccessToken"] == {"old": {"t": 1}, "same": {"t": 2}, "new": {"t": 2}}
    assert cache["Account"] == {"a": {}}
    assert json.loads(merged["service_principal_entries.json"]) == [{"client_id": "c1", "tenant": "t"},
                                                                    {"client_id": "c2", "tenant": "t", "v": 2}]
    assert merged["msal_http_cache.bin"] == b"pickle"
    assert vault.merge_stores(sealed, {"msal_token_cache.json": b"not json"})["msal_token_cache.json"] == b"not json"


def _state_dir(tmp_path, unlocked=None):
    (tmp_path / "tokenguard").mkdir()
    (tmp_path / "tokenguard" / "vault.json").write_text("{}")
    if unlocked is not None:
        (tmp_path / "tokenguard" / "vault-unlocked.json").write_text(json.dumps(unlocked))
    return str(tmp_path)


def test_the_state_the_guard_reads(tmp_path):
    memory = tmp_path / "memory"
    memory.mkdir()
    assert vault_state.read_state(str(tmp_path / "none")).state == vault_state.NONE
    config_dir = _state_dir(tmp_path, {"expiresAt": 1000, "memoryDir": str(memory)})
    assert vault_state.read_state(config_dir, now=400).state == vault_state.UNLOCKED
    assert vault_state.read_state(config_dir, now=400).seconds_left(400) == 600
    assert vault_state.read_state(config_dir, now=1000).state == vault_state.EXPIRED
    memory.rmdir()
    gone = vault_state.read_state(config_dir, now=400)
    assert gone.state == vault_state.LOCKED and gone.memory_copy_lost


@pytest.mark.parametrize("unlocked", ["not json", {"expiresAt": "soon", "memoryDir": "/x"},
                                      {"expiresAt": 1, "memoryDir": "relative"}, [1, 2]])
def test_a_state_file_that_makes_no_sense_counts_as_locked(tmp_path, unlocked):
    config_dir = _state_dir(tmp_path)
    path = tmp_path / "tokenguard" / "vault-unlocked.json"
    path.write_text(unlocked if isinstance(unlocked, str) else json.dumps(unlocked))
    assert vault_state.read_state(config_dir, now=0).state == vault_state.LOCKED


@pytest.mark.parametrize("seconds, text", [(0, "<1m"), (29, "<1m"), (119, "2m"), (3600, "1h00m"),
                                           (8 * 3600 - 20, "8h00m"), (3900, "1h05m")])
def test_time_left_reads_well_in_a_prompt(seconds, text):
    assert vault_state.format_time_left(seconds) == text


def test_the_memory_copy_lives_in_the_runtime_dir_else_dev_shm(tmp_path):
    assert vault_state.memory_root({"XDG_RUNTIME_DIR": str(tmp_path)}) == str(tmp_path / "tokenguard")
    assert vault_state.memory_root({}) == f"/dev/shm/tokenguard-{os.getuid()}"
    assert vault_state.memory_root({"XDG_RUNTIME_DIR": "relative/dir"}).startswith("/dev/shm/")
    one, other = vault_state.memory_dir_for("/a/.azure", {}), vault_state.memory_dir_for("/b/.azure", {})
    assert one != other and os.path.dirname(one) == os.path.dirname(other)


def _no_passphrase_needed(_new):
    raise AssertionError("asked for a passphrase")


def test_while_locked_the_token_stores_are_links_to_nowhere(tmp_path):
    """A reboot left links into a memory copy that is gone, and az a plain HTTP cache: `lock` makes the token
    stores links into a directory that does not exist (a late az cannot create them there), and the HTTP
    cache goes."""
    config_dir = _state_dir(tmp_path, {"expiresAt": 1000, "memoryDir": str(tmp_path / "gone")})
    for name in ("msal_token_cache.json", "service_principal_entries.json", "msal_http_cache.bin"):
        os.symlink(str(tmp_path / "gone" / name), os.path.join(config_dir, name))
    (tmp_path / "msal_http_cache.bin").unlink()
    (tmp_path / "msal_http_cache.bin").write_bytes(b"pickle")

    outcome = vault.lock(config_dir, _no_passphrase_needed, now=2000)

    sealed_dir = vault_state.sealed_links_dir(os.path.realpath(config_dir))
    assert outcome.action == "already-locked" and outcome.removed == ["msal_http_cache.bin"]
    for name in ("msal_token_cache.json", "service_principal_entries.json"):
        assert os.readlink(tmp_path / name) == os.path.join(sealed_dir, name)
        with pytest.raises(FileNotFoundError):
            os.open(tmp_path / name, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)  # what msal-extensions does
    assert not os.path.lexists(tmp_path / "msal_http_cache.bin") and not os.path.lexists(sealed_dir)
    assert not (tmp_path / "tokenguard" / "vault-unlocked.json").exists()
