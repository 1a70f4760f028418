# The commands of the README: `make demo`, `make shell`, `make test` (with `make lint`) and `make test-fast`. Everything they
# need is installed here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# azdev and its pylint, flake8 and sphinx live apart from the az that the tests drive (lint/requirements.txt).
LINT_VENV := lint/.venv

.PHONY: demo shell test test-fast lint unit bench wheel clean shells clients

$(BIN)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(LINT_VENV)/bin/.installed: lint/requirements.txt
	$(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r lint/requirements.txt
	touch $@

demo: $(BIN)/.installed
	$(BIN)/python -m tests.demo

# A shell (bash, or SHELL_KIND=zsh|fish) with tokenguard loaded, signed in to the offline emulator; it reads
# commands from stdin when that is not a terminal (tests/shell_session.py). SHELL is make's own shell.
SHELL_KIND ?= bash

shell: $(BIN)/.installed $(if $(filter bash,$(SHELL_KIND)),,shells)
	@$(BIN)/python -m tests.shell_session --shell $(SHELL_KIND)

# The guard's end-to-end tests need a real zsh and fish next to bash.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

shells:
	@(command -v zsh && command -v fish && command -v faketime && command -v bwrap) >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq zsh fish faketime bubblewrap)

# Stock clients of exec's token endpoint that cannot live in .venv: old Python SDKs in their own venv and
# @azure/identity from npm, plus azure-identity 1.21 and @azure/identity 4.9 (older than AZURE_TOKEN_CREDENTIALS),
# all under .venv-clients/ (tests/harness/clients.py; rebuilt when their pins change).
clients: $(BIN)/.installed
	$(BIN)/python -m tests.harness.clients

# The suite runs on TEST_WORKERS processes (pytest-xdist), each with its own emulator and az users; the tests
# share nothing else. Three on two cores: the slow tests mostly wait for tokens to expire, and the third
# worker uses that time. `make test TEST_WORKERS=0` runs them in this one process.
TEST_WORKERS ?= 3
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load

test: lint $(BIN)/.installed shells clients
	$(PYTEST)

# Everything but the end-to-end tests that wait out a long script or a token's lifetime (marked slow).
test-fast: $(BIN)/.installed shells clients
	$(PYTEST) -m "not slow"

# The Azure CLI team's own checks, `azdev linter` and `azdev style`, run offline (lint/azdev_offline.py).
lint: $(LINT_VENV)/bin/.installed
	$(LINT_VENV)/bin/python lint/azdev_offline.py

unit: $(BIN)/.installed
	$(PYTEST) tests/unit

bench: $(BIN)/.installed
	$(BIN)/python -m bench

wheel: $(BIN)/.installed
	$(BIN)/python -m pip wheel --no-deps --no-build-isolation --quiet -w dist .

clean:
	rm -rf $(VENV) $(LINT_VENV) .venv-clients build dist *.egg-info
