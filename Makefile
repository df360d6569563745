# Two commands for a newcomer: `make demo` and `make test`. Everything else is set up on demand.
# They work on Linux, macOS and Windows (GNU make from cmd, PowerShell or Git Bash; the recipes
# of setup, demo, lint, unit and test need no POSIX shell). The other targets (screenshots,
# bench, package, clean) use a POSIX shell: Linux and macOS, or Git Bash on Windows.
VENV := .venv
ifeq ($(OS),Windows_NT)
# A Windows venv keeps its programs in Scripts\ and they end in .exe; the py launcher (installed
# with Python from python.org) finds 3.11. Program paths are quoted: cmd.exe reads an unquoted
# `/` as the start of a switch.
PYTHON ?= py -3.11
BIN := $(VENV)/Scripts
EXE := .exe
Q := "
WINDOW_ENV :=
else
PYTHON ?= $(shell command -v python3.11 || command -v python3)
BIN := $(VENV)/bin
EXE :=
Q :=
# The window must not inherit an offscreen platform from the shell (tests set it).
WINDOW_ENV := env -u QT_QPA_PLATFORM
# Linux with no display: `make demo` runs the headless demo instead.
NO_DISPLAY := $(if $(filter Linux,$(shell uname)),$(if $(DISPLAY)$(WAYLAND_DISPLAY),,1))
endif
# $(call venv,NAME): the venv's program NAME, ready to run on this system.
venv = $(Q)$(BIN)/$(1)$(EXE)$(Q)
PY := $(call venv,python)
APP := $(call venv,backorder-desktop)
STAMP := $(VENV)/.installed
DATA ?= $(CURDIR)/.demo-data

.PHONY: setup demo demo-headless screenshots test lint unit quick soak soak-queue soak-laptops bench package lock clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(if $(wildcard $(BIN)/python$(EXE)),,$(PYTHON) -m venv $(VENV))
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,bench]"
	$(PY) -c "import pathlib; pathlib.Path('$(STAMP)').touch()"

# Opens the window on the demo store; on a Linux machine with no display, the headless demo.
ifeq ($(NO_DISPLAY),1)
demo: demo-headless
	@echo "No display here: that was the headless demo (make demo-headless)."
else
demo: $(STAMP)
	$(WINDOW_ENV) $(APP) --data-dir $(DATA) --demo
endif

demo-headless: $(STAMP)
	$(APP) --data-dir $(DATA) --demo sync
	$(APP) --data-dir $(DATA) --demo backorders

screenshots: $(STAMP)
	export QT_QPA_PLATFORM=offscreen; for tab in products backorders shipments insights; do \
	  LANG=en_US.UTF-8 $(APP) --data-dir $(DATA)-shots --demo \
	    --screenshot docs/screenshots/$$tab.png --tab $$tab || exit 1; \
	done

lint: $(STAMP)
	$(call venv,ruff) check backorder_desktop tests packaging $(wildcard benchmarks)
	$(call venv,ruff) format --check backorder_desktop tests packaging $(wildcard benchmarks)
	$(call venv,mypy)
	$(call venv,lint-imports)

# Tests run offscreen (no window appears); exported by make, so no shell syntax is needed.
unit: export QT_QPA_PLATFORM := offscreen
unit: $(STAMP)
	$(PY) -m pytest -n 2 -q

test: lint unit

# Long runs, never in `test`: two laptops on a live store (soak-laptops), then the stateful queue
# test with many random sequences (soak-queue).
soak: soak-laptops soak-queue

# The stateful queue test (issue 14) far longer than `make test` runs it: many more and longer
# random sequences (QUEUE_EXAMPLES, QUEUE_STEPS to taste).
QUEUE_EXAMPLES ?= 150
QUEUE_STEPS ?= 40
soak-queue: export QT_QPA_PLATFORM := offscreen
soak-queue: export QUEUE_EXAMPLES := $(QUEUE_EXAMPLES)
soak-queue: export QUEUE_STEPS := $(QUEUE_STEPS)
soak-queue: export QUEUE_RANDOM := 1
soak-queue: $(STAMP)
	$(PY) -m pytest tests/test_queue_stateful.py -n 0 -q -p no:randomly --timeout 0

# The inner loop: everything but the long scenario tests (marked slow).
quick: export QT_QPA_PLATFORM := offscreen
quick: $(STAMP)
	$(PY) -m pytest -n 2 -q -m "not slow"

bench: export QT_QPA_PLATFORM := offscreen
bench: $(STAMP)
	$(PY) -m benchmarks.run

# Two laptops on a live store with faults for SOAK_SECONDS (docs/RELIABILITY.md); not in `test`.
SOAK_SECONDS ?= 600
soak-laptops: export QT_QPA_PLATFORM := offscreen
soak-laptops: $(STAMP)
	$(PY) -m benchmarks.soak --seconds $(SOAK_SECONDS)

# The frozen app: dist/backorder-desktop/ and its archive, smoke-tested before archiving
# (packaging/build.py). Built from its own environment with the app's dependencies (PySide6
# Essentials, and Addons for QtCharts) + PyInstaller only, never the dev venv.
PKG_VENV := build/package-venv
PKG_STAMP := $(PKG_VENV)/.installed

# It installs exactly the lock file: every transitive dependency pinned, each file checked
# against its hash (pip refuses anything unpinned or unhashed), pip itself included.
LOCK := packaging/requirements.lock.txt

$(PKG_STAMP): pyproject.toml $(LOCK)
	test -x $(PKG_VENV)/bin/python || $(PYTHON) -m venv $(PKG_VENV)
	$(PKG_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	touch $(PKG_STAMP)

# Regenerate the lock after a dependency changes in pyproject.toml (the app's pins plus the
# `package` extra), for Python 3.11 on Windows, macOS and Linux at once, with every file's hash.
LOCK_VENV := build/lock-venv
lock:
	test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet uv==0.13.8
	$(LOCK_VENV)/bin/python packaging/metadata.py requirements build/package-requirements.txt
	$(LOCK_VENV)/bin/uv pip compile --quiet --universal --generate-hashes --python-version 3.11 \
	  --custom-compile-command "make lock" build/package-requirements.txt -o $(LOCK)

package: $(PKG_STAMP)
	$(PKG_VENV)/bin/python packaging/build.py

clean:
	rm -rf $(VENV) .demo-data build dist .pytest_cache .mypy_cache .ruff_cache
