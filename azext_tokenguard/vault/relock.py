"""``python -I vault/relock.py CONFIG_DIR``: seal the vault again when its unlock period is over.

The guard runs this (in az's own Python, which has ``cryptography``) on the first az command after the period
ends; the guard itself stays standard-library only. It loads tokenguard's modules without the package's
``__init__``, which would import azure.cli.core. One line on stderr says what happened; exit 0 when the vault
is sealed (or was already), 1 when it could not be.
"""
import os
import sys
import time
import types

PACKAGE = "azext_tokenguard"


def _load_vault_module():
    package = types.ModuleType(PACKAGE)
    package.__path__ = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    sys.modules[PACKAGE] = package
    import importlib
    return importlib.import_module(PACKAGE + ".vault.store")


def main(argv):
    if len(argv) != 1:
        sys.stderr.write("usage: relock.py CONFIG_DIR\n")
        return 2
    try:
        outcome = _load_vault_module().relock_if_expired(argv[0], time.time())
    except Exception as error:  # pylint: disable=broad-except
        message = " ".join(str(error).split()) or type(error).__name__
        sys.stderr.write(f"tokenguard: the vault's unlock period ended, but it could not be sealed again: "
                         f"{message}\n")
        return 1
    if outcome is not None:
        sys.stderr.write("tokenguard: the vault's unlock period ended: az's tokens are sealed again "
                         f"({len(outcome.sealed)} files; the memory copy is wiped).\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
