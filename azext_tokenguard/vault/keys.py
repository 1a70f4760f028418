"""Where the vault's passphrase comes from: a file (--passphrase-file, ``-`` for standard input), the
TOKENGUARD_VAULT_PASSPHRASE variable for headless machines, else a question on the terminal (knack's prompt,
which reads the terminal, not standard input). A passphrase is never logged or echoed.

An OS keyring would be one more key source (vault_crypto.KeySource); the passphrase is the one that works
headless, on servers, WSL, containers and CI agents.
"""
import os
import sys

from azext_tokenguard.guard.errors import InvalidValueError, MissingArgumentError
from azext_tokenguard.guard.vault_state import PASSPHRASE_ENV
from azext_tokenguard.vault.crypto import PassphraseKeySource, check_new_passphrase

MAX_PASSPHRASE_FILE_BYTES = 4096
HOW_TO_GIVE = f"Pass --passphrase-file FILE (- reads standard input), or set {PASSPHRASE_ENV}."


def passphrase_sources(passphrase_file=None, env=None):
    """``key_source_for(new)``: the vault's key source, asking for the passphrase only when it is needed."""
    env = os.environ if env is None else env

    def key_source_for(new):
        passphrase = _passphrase(passphrase_file, env, new)
        if new:
            check_new_passphrase(passphrase)
        return PassphraseKeySource(passphrase)
    return key_source_for


def _passphrase(passphrase_file, env, new):
    if passphrase_file:
        return _non_empty(_read_passphrase_file(passphrase_file), f"The passphrase file {passphrase_file} is empty.")
    if env.get(PASSPHRASE_ENV):
        return env[PASSPHRASE_ENV]
    return _non_empty(_ask(new), "The passphrase is empty.")


def _read_passphrase_file(path):
    """The file's first line, as `restic --password-file` and `borg` read theirs."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_PASSPHRASE_FILE_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_PASSPHRASE_FILE_BYTES + 1)
    except OSError as error:
        raise InvalidValueError(f"Cannot read the passphrase file {path} ({error.strerror}).",
                                recommendation="Check the path and its permissions.") from None
    if len(raw) > MAX_PASSPHRASE_FILE_BYTES:
        raise InvalidValueError(f"The passphrase file {path} is larger than {MAX_PASSPHRASE_FILE_BYTES} bytes.",
                                recommendation="Put only the passphrase in it, on one line.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidValueError(f"The passphrase file {path} is not UTF-8 text.",
                                recommendation="Put only the passphrase in it, on one line.") from None
    return text.splitlines()[0] if text.strip() else ""


def _ask(new):
    from knack.prompting import NoTTYException, prompt_pass
    try:
        return prompt_pass("New vault passphrase: " if new else "Vault passphrase: ", confirm=new,
                           help_string="The passphrase that seals az's tokens in tokenguard's vault.")
    except NoTTYException:
        raise MissingArgumentError("No terminal to ask for the vault passphrase on.",
                                   recommendation=HOW_TO_GIVE) from None


def _non_empty(passphrase, message):
    if not passphrase:
        raise InvalidValueError(message, recommendation=HOW_TO_GIVE)
    return passphrase
