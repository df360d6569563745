"""Suite-wide set-up: offscreen Qt, an in-memory keychain, and Qt warnings as test failures."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Must happen before any QApplication exists (DESIGN.md, pitfalls).
os.environ["QT_QPA_PLATFORM"] = "offscreen"
REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.memory_keyring.MemoryKeyring"
# Subprocesses (CLI tests) find the test keyring through PYTHONPATH.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
)
# A real token in the environment must never leak into tests.
os.environ.pop("BIGCOMMERCE_ACCESS_TOKEN", None)

import keyring  # noqa: E402
import pytest  # noqa: E402

from backorder_desktop.services.credentials import forget_session_secrets  # noqa: E402
from tests.support.memory_keyring import MemoryKeyring  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_keychain() -> MemoryKeyring:
    """Every test starts with an empty keychain."""
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    forget_session_secrets()
    return backend
