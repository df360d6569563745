# Two commands for a newcomer: `make demo` and `make test`. Everything else is set up on demand.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATA ?= $(CURDIR)/.demo-data

.PHONY: setup demo demo-headless screenshots test lint unit bench soak package clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# Opens the window on the demo store; on a Linux machine with no display, the headless demo.
demo: $(STAMP)
	@if [ "$$(uname)" = Linux ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "No display here: running the headless demo instead (make demo-headless)."; \
	  $(MAKE) --no-print-directory demo-headless; \
	else \
	  env -u QT_QPA_PLATFORM $(VENV)/bin/backorder-desktop --data-dir $(DATA) --demo; \
	fi

demo-headless: $(STAMP)
	$(VENV)/bin/backorder-desktop --data-dir $(DATA) --demo sync
	$(VENV)/bin/backorder-desktop --data-dir $(DATA) --demo backorders

screenshots: $(STAMP)
	export QT_QPA_PLATFORM=offscreen; for tab in products backorders shipments insights; do \
	  LANG=en_US.UTF-8 $(VENV)/bin/backorder-desktop --data-dir $(DATA)-shots --demo \
	    --screenshot docs/screenshots/$$tab.png --tab $$tab || exit 1; \
	done

lint: $(STAMP)
	$(VENV)/bin/ruff check backorder_desktop tests packaging $(wildcard benchmarks)
	$(VENV)/bin/ruff format --check backorder_desktop tests packaging $(wildcard benchmarks)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n 2 -q

test: lint unit

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks.run

# Two laptops on a live store with faults for SOAK_SECONDS (docs/RELIABILITY.md); not in `test`.
SOAK_SECONDS ?= 600
soak: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks.soak --seconds $(SOAK_SECONDS)

# The frozen app: dist/backorder-desktop/ and its archive, smoke-tested before archiving
# (packaging/build.py). Built from its own environment with the app's dependencies (PySide6
# Essentials, and Addons for QtCharts) + PyInstaller only, never the dev venv.
PKG_VENV := build/package-venv
PKG_STAMP := $(PKG_VENV)/.installed

$(PKG_STAMP): pyproject.toml
	test -x $(PKG_VENV)/bin/python || $(PYTHON) -m venv $(PKG_VENV)
	$(PKG_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PKG_VENV)/bin/python packaging/metadata.py requirements build/package-requirements.txt
	$(PKG_VENV)/bin/python -m pip install --quiet -r build/package-requirements.txt
	touch $(PKG_STAMP)

package: $(PKG_STAMP)
	$(PKG_VENV)/bin/python packaging/build.py

clean:
	rm -rf $(VENV) .demo-data build dist .pytest_cache .mypy_cache .ruff_cache
