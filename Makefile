# The one task runner. `make demo` and `make test` work on a fresh clone with Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CODE := onething workflows activities events workers departments deploy workbench tests

.PHONY: setup browser demo test lint format typecheck unit scenario clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "onething needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

# Headless Chromium for the Web UI test (Debian's package; CI runs as root). Idempotent.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }

demo: setup
	$(BIN)/onething demo

test: setup browser lint typecheck
	$(BIN)/pytest

# The fast tier: no servers, no fuzzing, no full-size population (`make test` runs those too).
UNIT_TIER := not scenario and not devserver and not fuzz and not population

unit: setup
	$(BIN)/pytest tests/unit -m '$(UNIT_TIER)'

scenario: setup browser
	$(BIN)/pytest -m scenario

lint: setup
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

format: setup
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

typecheck: setup
	$(BIN)/mypy $(CODE)

clean:
	rm -rf $(VENV) .onething .mypy_cache .ruff_cache .pytest_cache
