"""The stock clients of exec's token endpoint that cannot live in .venv, installed from their registries.

Python clients that clash with azure-cli 2.91 go into .venv-clients/python (from tests/clients/requirements-old.txt),
@azure/identity into .venv-clients/node (npm ci from tests/clients/package-lock.json). The clients whose
DefaultAzureCredential predates AZURE_TOKEN_CREDENTIALS get their own: azure-identity 1.21 in
.venv-clients/python-identity-1.21 and @azure/identity 4.9 in .venv-clients/node-identity-4.9 (from
tests/clients/node-identity-4.9/). Each is built once, and again only when its pinned list changes. `make clients` (part of `make test`) builds both up front; the test
fixtures call the same functions, so a bare `pytest` builds what is missing too.

    python -m tests.harness.clients
"""
import contextlib
import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFINITIONS = REPO / "tests" / "clients"
ROOT = REPO / ".venv-clients"
OLD_PYTHON_REQUIREMENTS = DEFINITIONS / "requirements-old.txt"
IDENTITY_1_21_REQUIREMENTS = DEFINITIONS / "requirements-identity-1.21.txt"
NODE_IDENTITY_4_9 = DEFINITIONS / "node-identity-4.9"
NODE_FILES = ("package.json", "package-lock.json")
INSTALL_TIMEOUT_SECONDS = 600


class ClientInstallError(RuntimeError):
    """A client could not be installed: the message says which and how to install it by hand."""


def old_python_clients():
    """The python of the venv with azure-identity 1.3.1 and msrestazure, built if missing or outdated."""
    return _python_clients("python", OLD_PYTHON_REQUIREMENTS)


def python_identity_1_21():
    """The python of the venv with azure-identity 1.21, built if missing or outdated."""
    return _python_clients("python-identity-1.21", IDENTITY_1_21_REQUIREMENTS)


def node_clients():
    """The node_modules directory with @azure/identity, installed if missing or outdated."""
    return _node_clients("node", DEFINITIONS)


def node_identity_4_9():
    """The node_modules directory with @azure/identity 4.9, installed if missing or outdated."""
    return _node_clients("node-identity-4.9", NODE_IDENTITY_4_9)


def _python_clients(name, requirements):
    target = ROOT / name
    python = target / "bin" / "python"
    with _built_once(target, _digest(requirements)) as needed:
        if needed:
            _run([sys.executable, "-m", "venv", "--clear", str(target)])
            _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                  "-r", str(requirements)])
    return python


def _node_clients(name, definitions):
    target = ROOT / name
    node_files = [definitions / file_name for file_name in NODE_FILES]
    with _built_once(target, _digest(*node_files)) as needed:
        if needed:
            if not shutil.which("npm"):
                raise ClientInstallError("npm is needed for the @azure/identity end-to-end tests: "
                                         "apt-get install nodejs npm")
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for path in node_files:
                shutil.copy2(path, target / path.name)
            _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target)
    return target / "node_modules"


def _digest(*paths):
    return hashlib.sha256(b"".join(path.read_bytes() for path in paths)).hexdigest()


@contextlib.contextmanager
def _built_once(target, digest):
    """Yield whether target must be (re)built; one build at a time across processes, recorded when it ends."""
    ROOT.mkdir(exist_ok=True)
    stamp = target / ".installed"
    with open(ROOT / f".{target.name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        needed = not stamp.exists() or stamp.read_text(encoding="utf-8") != digest
        yield needed
        if needed:
            stamp.write_text(digest, encoding="utf-8")


def _run(argv, cwd=None):
    try:
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS)
    except subprocess.CalledProcessError as error:
        raise ClientInstallError(f"{' '.join(argv)} failed:\n{error.stdout}{error.stderr}") from None


def main():
    print(f"old Python clients: {old_python_clients()}")
    print(f"node clients: {node_clients()}")
    print(f"azure-identity 1.21: {python_identity_1_21()}")
    print(f"@azure/identity 4.9: {node_identity_4_9()}")


if __name__ == "__main__":
    main()
