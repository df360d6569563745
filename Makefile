# Two commands for a newcomer: `make demo` and `make test`. Everything else is set up on demand.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATA ?= $(CURDIR)/.demo-data
export QT_QPA_PLATFORM ?= offscreen

.PHONY: setup demo test lint unit bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/backorder-desktop --data-dir $(DATA) --demo sync
	$(VENV)/bin/backorder-desktop --data-dir $(DATA) --demo backorders

lint: $(STAMP)
	$(VENV)/bin/ruff check backorder_desktop tests benchmarks
	$(VENV)/bin/ruff format --check backorder_desktop tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

unit: $(STAMP)
	$(PY) -m pytest -n 2 -q

test: lint unit

bench: $(STAMP)
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) .demo-data build dist .pytest_cache .mypy_cache .ruff_cache
