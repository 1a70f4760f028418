# The two commands of the README: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test unit bench wheel clean shells

$(BIN)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

demo: $(BIN)/.installed
	$(BIN)/python -m tests.demo

# The guard's end-to-end tests need a real zsh next to bash.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

shells:
	@command -v zsh >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq zsh)

test: $(BIN)/.installed shells
	$(BIN)/python -m pytest

unit: $(BIN)/.installed
	$(BIN)/python -m pytest tests/unit

bench: $(BIN)/.installed
	$(BIN)/python -m bench

wheel: $(BIN)/.installed
	$(BIN)/python -m pip wheel --no-deps --no-build-isolation --quiet -w dist .

clean:
	rm -rf $(VENV) build dist *.egg-info
