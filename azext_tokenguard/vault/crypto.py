"""The vault file's format: az's token files sealed with AES-256-GCM under a random data key, and that key
wrapped by a key source (a passphrase through scrypt today; an OS keyring can be another source).

Pure logic: the ``cryptography`` package az already ships, and the standard library; no azure.cli, no
filesystem. The file is JSON, so a damaged one can be told from a wrong passphrase:

    {"format": "tokenguard-vault", "version": 1,
     "machine": "<sha256 of this machine's id>" or null,
     "key": {"kind": "passphrase", "kdf": "scrypt", "n": 131072, "r": 8, "p": 1, "salt": "<base64>"},
     "wrappedKey": "<base64 nonce + ciphertext of the data key>",
     "payload": "<base64 nonce + ciphertext of {"files": {name: base64}, "sealedAt": epoch}>"}

Both ciphertexts take the header (format, version, machine, key) as associated data, so a changed header
fails to open like a changed ciphertext. The data key is what an unlocked vault keeps in memory-backed
storage: it lets the vault be sealed again when the unlock period ends without asking for the passphrase.
"""
import base64
import binascii
import json
import os
from typing import Dict, Optional, Protocol, Tuple

from azext_tokenguard.guard.errors import InvalidValueError, RefusedError

FORMAT = "tokenguard-vault"
VERSION = 1
DATA_KEY_BYTES = 32        # AES-256
NONCE_BYTES = 12           # GCM's standard nonce; a fresh random one for every seal
SALT_BYTES = 16

# scrypt's cost, as OWASP's password storage guidance gives it: 2**17 x 8 blocks = 128 MiB, about 0.3 s.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 17, 8, 1
# A vault whose header asks for more is refused rather than run: a changed file must not be able to
# make unlock take minutes or gigabytes.
_SCRYPT_LIMITS = {"n": 2 ** 20, "r": 32, "p": 16}
MIN_PASSPHRASE_LENGTH = 8

Files = Dict[str, bytes]


class VaultDamagedError(InvalidValueError):
    """The vault file is truncated, changed or not a vault."""

    recommendation = ("Restore the vault from a backup, or remove it with 'az tokenguard logout --all' and "
                      "sign in again.")


class WrongKeyError(RefusedError):
    """The key source (passphrase) does not open the vault."""

    recommendation = "Try again with the passphrase you gave to 'az tokenguard vault lock'."


class OtherMachineError(RefusedError):
    """The vault was sealed on another machine."""

    recommendation = ("Sign in on this machine with 'az login' instead; a vault stays on the machine that "
                      "sealed it.")


class KeySource(Protocol):
    """Where the key that wraps the vault's data key comes from."""

    def new_settings(self) -> dict:
        """The settings to store in a new vault's header (no secret), from which ``wrapping_key`` derives."""

    def wrapping_key(self, settings: dict) -> bytes:
        """The 32-byte key for the settings a vault's header holds."""


class PassphraseKeySource:
    """A passphrase stretched with scrypt: the key source that works headless (servers, WSL, CI)."""

    def __init__(self, passphrase: str):
        self._passphrase = passphrase.encode("utf-8")

    def new_settings(self) -> dict:
        return {"kind": "passphrase", "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                "salt": _b64(os.urandom(SALT_BYTES))}

    def wrapping_key(self, settings: dict) -> bytes:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
        if settings.get("kind") != "passphrase" or settings.get("kdf") != "scrypt":
            raise VaultDamagedError(f"The vault is sealed with a key source this tokenguard does not know "
                                    f"({settings.get('kind')!r}).")
        cost = _scrypt_cost(settings)
        salt = _unb64(settings.get("salt"), "salt")
        return Scrypt(salt=salt, length=DATA_KEY_BYTES, **cost).derive(self._passphrase)


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise InvalidValueError(f"The passphrase is shorter than {MIN_PASSPHRASE_LENGTH} characters.",
                                recommendation="Choose a longer passphrase; a few random words are easy to type.")


def seal_new(files: Files, key_source: KeySource, machine: Optional[str], now: int) -> Tuple[bytes, bytes]:
    """A new vault holding ``files``, and its data key."""
    header = {"format": FORMAT, "version": VERSION, "machine": machine, "key": key_source.new_settings()}
    data_key = os.urandom(DATA_KEY_BYTES)
    wrapped = _encrypt(key_source.wrapping_key(header["key"]), data_key, header)
    return _document(header, wrapped, _encrypt(data_key, _payload(files, now), header)), data_key


def reseal(vault: bytes, files: Files, data_key: bytes, now: int) -> bytes:
    """The same vault (header and wrapped key) holding ``files`` instead."""
    document = _parse(vault)
    header = _header(document)
    _open_payload(document, header, data_key)  # the key must be this vault's: never seal with a stranger's
    return _document(header, document["wrappedKey"], _encrypt(data_key, _payload(files, now), header))


def open_with_key_source(vault: bytes, key_source: KeySource, machine: Optional[str]) -> Tuple[Files, bytes]:
    """The files and the data key; raises VaultDamagedError, WrongKeyError or OtherMachineError."""
    document = _parse(vault)
    header = _header(document)
    _check_machine(header, machine)
    wrapping_key = key_source.wrapping_key(header["key"])
    try:
        data_key = _decrypt(wrapping_key, document["wrappedKey"], header)
    except _AuthenticationFailed:
        raise WrongKeyError("Wrong passphrase (or a changed vault file): the vault did not open, and nothing was "
                            "changed.") from None
    return _open_payload(document, header, data_key), data_key


def open_with_data_key(vault: bytes, data_key: bytes, machine: Optional[str]) -> Files:
    document = _parse(vault)
    header = _header(document)
    _check_machine(header, machine)
    return _open_payload(document, header, data_key)


def describe(vault: bytes) -> dict:
    """What the header says, for status and scan: no secret, nothing decrypted."""
    header = _header(_parse(vault))
    key = header["key"]
    return {"cipher": "AES-256-GCM", "keySource": key.get("kind"),
            "kdf": f"{key.get('kdf')} (N={key.get('n')}, r={key.get('r')}, p={key.get('p')})"}


# ---------------------------------------------------------------- the document

class _AuthenticationFailed(Exception):
    """GCM's tag did not match: wrong key, or changed bytes."""


def _payload(files: Files, now: int) -> bytes:
    return json.dumps({"files": {name: _b64(data) for name, data in sorted(files.items())},
                       "sealedAt": int(now)}).encode("utf-8")


def _open_payload(document, header, data_key) -> Files:
    try:
        plain = _decrypt(data_key, document.get("payload"), header)
    except _AuthenticationFailed:
        raise VaultDamagedError("The vault is damaged: its contents do not match their checksum.") from None
    try:
        files = json.loads(plain.decode("utf-8"))["files"]
        return {str(name): _unb64(data, name) for name, data in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise VaultDamagedError("The vault is damaged: its contents are not what tokenguard seals.") from None


def _document(header, wrapped, payload) -> bytes:
    return (json.dumps({**header, "wrappedKey": wrapped, "payload": payload}, indent=1) + "\n").encode("utf-8")


def _parse(vault: bytes) -> dict:
    try:
        document = json.loads(vault.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        document = None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise VaultDamagedError("The vault file is damaged or truncated: it is not a tokenguard vault.")
    if document.get("version") != VERSION:
        raise VaultDamagedError(f"The vault has format version {document.get('version')!r}; this tokenguard "
                                f"reads version {VERSION}.", recommendation="Upgrade tokenguard.")
    return document


def _header(document) -> dict:
    key = document.get("key")
    if not isinstance(key, dict) or not isinstance(document.get("wrappedKey"), str):
        raise VaultDamagedError("The vault file is damaged: its key settings are missing.")
    return {"format": document["format"], "version": document["version"], "machine": document.get("machine"),
            "key": key}


def _check_machine(header, machine):
    sealed_on = header.get("machine")
    if sealed_on and machine and sealed_on != machine:
        raise OtherMachineError("This vault was sealed on another machine (its machine id differs); "
                                "nothing was changed.")


def _scrypt_cost(settings) -> dict:
    cost = {name: settings.get(name) for name in ("n", "r", "p")}
    for name, value in cost.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= _SCRYPT_LIMITS[name]:
            raise VaultDamagedError(f"The vault's scrypt setting {name}={value!r} is out of range; the file was "
                                    "changed.")
    if cost["n"] & (cost["n"] - 1) or cost["n"] < 2:
        raise VaultDamagedError("The vault's scrypt setting n is not a power of two; the file was changed.")
    return {"n": cost["n"], "r": cost["r"], "p": cost["p"]}


def _associated_data(header) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _encrypt(key: bytes, plain: bytes, header) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    nonce = os.urandom(NONCE_BYTES)
    return _b64(nonce + AESGCM(key).encrypt(nonce, plain, _associated_data(header)))


def _decrypt(key: bytes, sealed, header) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    raw = _unb64(sealed, "ciphertext")
    if len(raw) < NONCE_BYTES + 16:
        raise VaultDamagedError("The vault file is damaged or truncated: a ciphertext is too short.")
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(header))
    except InvalidTag:
        raise _AuthenticationFailed() from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text, what) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (AttributeError, UnicodeEncodeError, binascii.Error, ValueError):
        raise VaultDamagedError(f"The vault file is damaged: its {what} is not base64.") from None
