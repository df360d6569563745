"""The window never asks the keychain on the GUI thread (a keychain may block, or ask the user
for a password): starting, connecting, opening and forgetting a store all go through the task
runner (issue 15)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import keyring

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.credentials import get_token
from backorder_desktop.services.paths import cache_path
from backorder_desktop.services.settings import StoreEntry
from backorder_desktop.ui import checks
from tests.support.gui import SYNC_TIMEOUT_MS, make_shell, wait_rows
from tests.support.memory_keyring import MemoryKeyring


class WatchedKeyring(MemoryKeyring):
    """Notes, per keychain call, whether the GUI (main) thread made it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, bool]] = []

    def _note(self, what: str) -> None:
        self.calls.append((what, threading.current_thread() is threading.main_thread()))

    def get_password(self, service: str, username: str) -> str | None:
        self._note("get")
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._note("set")
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._note("delete")
        super().delete_password(service, username)


def test_start_connect_open_and_forget_ask_the_keychain_off_the_gui_thread(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    watched = WatchedKeyring()
    keyring.set_keyring(watched)
    found = keyring.get_keyring

    def get_keyring() -> Any:
        watched._note("backend")
        return found()

    monkeypatch.setattr(keyring, "get_keyring", get_keyring)
    with DemoStore(seed=4, products=40, orders=50).start() as store:
        shell = make_shell(tmp_path / "data")
        qtbot.addWidget(shell.window)
        shell.start(demo=False)  # the keychain status is asked at start
        qtbot.waitUntil(lambda: not shell.runner.running)
        entry = StoreEntry(store.store_hash, store.api_url, "Test store")
        saved: list[str] = []
        shell.keep_token(entry, store.token, then=saved.append)  # as Connect a store does
        qtbot.waitUntil(lambda: saved == [""])
        shell._remember(entry)
        with qtbot.waitSignal(shell.controller.sync_finished, timeout=SYNC_TIMEOUT_MS):
            shell.switch_store(store.store_hash)  # reads the token back
        wait_rows(qtbot, shell)
        with qtbot.waitSignal(shell.store_forgotten, timeout=SYNC_TIMEOUT_MS):
            shell.forget_current_store(confirm=False)
        shell.stop()
    kinds = {what for what, _ in watched.calls}
    assert {"backend", "get", "set", "delete"} <= kinds  # each kind of call was made...
    assert [what for what, on_gui in watched.calls if on_gui] == []  # ...none on the GUI thread
    assert get_token(store.store_hash) is None
    assert not cache_path(tmp_path / "data", store.store_hash).exists()


def test_the_smoke_test_asks_the_keychain_off_the_gui_thread(
    qtbot: Any, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    """`--smoke-test` (run by .ci/run on the frozen app) reports the keychain it found."""
    watched = WatchedKeyring()
    keyring.set_keyring(watched)
    found = keyring.get_keyring

    def get_keyring() -> Any:
        watched._note("backend")
        return found()

    monkeypatch.setattr(keyring, "get_keyring", get_keyring)
    exits: list[int] = []
    # The smoke test ends the app when it has reported; here it ends the test's wait.
    monkeypatch.setattr(checks, "QApplication", SimpleNamespace(exit=exits.append))
    shell = make_shell(tmp_path / "data")
    qtbot.addWidget(shell.window)
    checks.run_smoke_test(shell)
    shell.start(demo=True)  # as app.py starts it for --smoke-test
    qtbot.waitUntil(lambda: bool(exits), timeout=SYNC_TIMEOUT_MS)
    shell.stop()
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert exits == [0] and report["ok"] is True
    assert report["keyring_backend"].endswith(".WatchedKeyring")
    assert report["keychain_usable"] is True
    assert "backend" in {what for what, _ in watched.calls}  # the keychain was asked...
    assert [what for what, on_gui in watched.calls if on_gui] == []  # ...never on the GUI thread
