"""Run the Azure CLI team's own checks on tokenguard, `azdev linter` and `azdev style`, with no network.

Usage (from `make lint`, with lint/.venv's python):  python lint/azdev_offline.py
Each azdev command runs in a process of its own (`python lint/azdev_offline.py --azdev ARGS...`) with the
network shut (see shut_network).

azdev expects a machine set up by `azdev setup`: an azure-cli clone, an azure-cli-extensions clone holding the
extension under src/<name>, and both recorded in its config. This script lays out that much in build/lint/ and
nothing more, then runs the same three commands that azure-cli-extensions' CI runs on a changed extension:
`azdev extension add`, `azdev linter --include-whl-extensions` and `azdev style`.
"""
import os
import shutil
import subprocess
import sys

import requests

EXTENSION = "tokenguard"
LINT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(LINT_DIR)
WORK = os.path.join(REPO, "build", "lint")
CLI_REPO = os.path.join(WORK, "azure-cli")
EXT_REPO = os.path.join(WORK, "azure-cli-extensions")
EXT_SRC = os.path.join(EXT_REPO, "src", EXTENSION)

# What the extension's source is made of; the copy under src/tokenguard is refreshed from these on every run.
SOURCE_FILES = ("setup.py", "README.md", "HISTORY.rst")
SOURCE_PACKAGE = "azext_tokenguard"


def set_azdev_environment():
    """azdev's and az's config dirs under build/lint/, never the user's ~/.azdev and ~/.azure."""
    os.environ.update({
        "AZDEV_CONFIG_DIR": os.path.join(WORK, "azdev"),
        "AZURE_CONFIG_DIR": os.path.join(WORK, "azure"),
        # azdev runs pylint, flake8 and pip with the python of $VIRTUAL_ENV: make it this venv's, even when the
        # caller has activated another one.
        "VIRTUAL_ENV": sys.prefix,
        "AZURE_CORE_COLLECT_TELEMETRY": "no",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    # Run from a git hook, these would point `git init` and azdev's GitPython at this project's own repo.
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        os.environ.pop(name, None)


def copy_source():
    """Refresh src/tokenguard from the working tree, keeping the egg-info that `azdev extension add` left."""
    os.makedirs(EXT_SRC, exist_ok=True)
    for name in SOURCE_FILES:
        shutil.copy2(os.path.join(REPO, name), os.path.join(EXT_SRC, name))
    package_copy = os.path.join(EXT_SRC, SOURCE_PACKAGE)
    shutil.rmtree(package_copy, ignore_errors=True)
    shutil.copytree(os.path.join(REPO, SOURCE_PACKAGE), package_copy,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def lay_out_repos():
    """The files azdev reads from the two repos: cmdcov.yml at import, pylintrc, .flake8 and the exclusions."""
    os.makedirs(os.path.join(CLI_REPO, "scripts", "ci"), exist_ok=True)
    shutil.copy2(os.path.join(LINT_DIR, "cmdcov.yml"), os.path.join(CLI_REPO, "scripts", "ci", "cmdcov.yml"))
    os.makedirs(EXT_REPO, exist_ok=True)
    for name in ("pylintrc", ".flake8", "linter_exclusions.yml"):
        shutil.copy2(os.path.join(LINT_DIR, name), os.path.join(EXT_REPO, name))
    copy_source()


def make_git_repo():
    """azdev's linter opens the git repo it runs in (its test-coverage rules diff HEAD against HEAD when given no
    --src/--tgt, as azure-cli-extensions' CI gives none), so the extensions repo is one, with one empty commit."""
    if os.path.isdir(os.path.join(EXT_REPO, ".git")):
        return
    git = {"GIT_AUTHOR_NAME": "make lint", "GIT_AUTHOR_EMAIL": "lint@localhost",
           "GIT_COMMITTER_NAME": "make lint", "GIT_COMMITTER_EMAIL": "lint@localhost"}
    subprocess.run(["git", "init", "--quiet", EXT_REPO], check=True)
    subprocess.run(["git", "-C", EXT_REPO, "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null",
                    "commit", "--quiet", "--allow-empty", "-m", "azdev needs a HEAD"], check=True,
                   env={**os.environ, **git})


def configure_azdev():
    """Record the two repos as `azdev setup -c ... -r ...` would, without the clones and installs it makes."""
    from azdev.utilities import get_azdev_config, get_azure_config
    get_azdev_config().set_value("cli", "repo_path", CLI_REPO)
    get_azdev_config().set_value("ext", "repo_paths", EXT_REPO)
    get_azure_config().set_value("extension", "dev_sources", EXT_REPO)
    # Imported only now: importing azdev's operations reads cmdcov.yml from the repo_path just recorded.
    from azdev.operations.setup import _copy_config_files
    _copy_config_files()


def extension_added():
    return any(name.endswith(".egg-info") for name in os.listdir(EXT_SRC))


def shut_network():
    """Let nothing in this process reach the network, and let a GET that cannot be made answer 503.

    azdev's linter fetches its example-count thresholds from a blob URL with a bare `requests.get` that raises
    offline; given a non-200 answer it uses the copy packaged with azdev. Its link check GETs every http(s) URL
    in the help, so offline every unquoted link is reported: help text puts URLs in backticks.
    """
    def refuse(*_args, **_kwargs):
        raise requests.exceptions.ConnectionError("make lint runs offline")

    def get_or_503(url, *args, **kwargs):
        try:
            return requests_get(url, *args, **kwargs)
        except requests.exceptions.RequestException:
            answer = requests.Response()
            answer.status_code, answer.url = 503, url
            return answer

    requests_get = requests.get
    requests.adapters.HTTPAdapter.send = refuse
    requests.get = get_or_503


def azdev_main(args):
    shut_network()
    from azdev.__main__ import main as azdev
    sys.argv = ["azdev", *args]
    azdev()


def run_azdev(*args):
    """Run one azdev command offline, echo what it says, and tell whether it passed.

    azdev's linter exits non-zero only for a rule of HIGH severity; a MEDIUM or LOW rule that fails (a broken
    link, for one) prints FAIL and exits 0. Any FAIL line fails the run here.
    """
    command = [sys.executable, os.path.abspath(__file__), "--azdev", *args]
    print(f"$ azdev {' '.join(args)}", flush=True)
    with subprocess.Popen(command, env=os.environ, cwd=EXT_REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as azdev:
        rule_failed = False
        for line in azdev.stdout:
            sys.stdout.write(line)
            rule_failed = rule_failed or (line.startswith("- ") and " FAIL" in line)
    sys.stdout.flush()
    return azdev.returncode == 0 and not rule_failed


def main():
    if sys.argv[1:2] == ["--azdev"]:
        return azdev_main(sys.argv[2:])
    set_azdev_environment()
    shut_network()
    lay_out_repos()
    make_git_repo()
    configure_azdev()
    if not extension_added() and not run_azdev("extension", "add", EXTENSION):
        return 1
    # The linter's own default is HIGH rules only; every rule runs here, as the link and example checks are
    # MEDIUM.
    checks = (("linter", "--include-whl-extensions", "--min-severity", "low", EXTENSION), ("style", EXTENSION))
    failed = [check for check in checks if not run_azdev(*check)]
    if failed:
        print(f"make lint: azdev {' and azdev '.join(check[0] for check in failed)} failed; the findings are "
              f"above (paths under {os.path.relpath(EXT_SRC, REPO)}/ are copies of the repo's files)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
