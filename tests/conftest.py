"""Suite-wide set-up: offscreen Qt, in-memory keychain, Qt warnings fail; window test fixtures."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from backorder_desktop.demo_store import DemoStore
    from backorder_desktop.demo_store.mail_sink import MailSink
    from backorder_desktop.ui.shell import AppShell


@pytest.fixture(autouse=True)
def fresh_keychain() -> MemoryKeyring:
    """Every test starts with an empty keychain."""
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    forget_session_secrets()
    return backend


# --- the window tests' fixtures ----------------------------------------------------------------
# A module picks its store with `pytestmark = pytest.mark.demo_store(seed=…, products=…)` and
# requests `store` and `shell`; where every test starts synced it adds
# `pytest.mark.usefixtures("synced")`. Qt and the demo store are imported only when a test asks
# for them (the CLI tests never load Qt).


@pytest.fixture
def store(request: pytest.FixtureRequest) -> Iterator[DemoStore]:
    """A demo store on 127.0.0.1, built with the module's `demo_store` marker's arguments."""
    from backorder_desktop.demo_store import DemoStore

    marker = request.node.get_closest_marker("demo_store")
    with DemoStore(**(marker.kwargs if marker else {})) as demo:
        yield demo


@pytest.fixture
def shell(qtbot: Any, tmp_path: Path) -> Iterator[AppShell]:
    """The window on a fresh data dir, shown, connected to no store yet; stopped after."""
    from tests.support.gui import make_shell

    app_shell = make_shell(tmp_path / "data")
    qtbot.addWidget(app_shell.window)
    app_shell.window.show()
    yield app_shell
    app_shell.stop()


@pytest.fixture
def synced(store: DemoStore, qtbot: Any, shell: AppShell) -> AppShell:
    """`shell` connected to `store`, the first sync's rows on screen (stopped before `store`)."""
    from tests.support.gui import open_and_sync

    open_and_sync(qtbot, shell, store)
    return shell


@pytest.fixture
def sink() -> Iterator[MailSink]:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    from backorder_desktop.demo_store.mail_sink import MailSink

    with MailSink() as mail:
        yield mail
