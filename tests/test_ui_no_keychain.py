"""Linux without a keychain: on restart the window shows the cached store first, then asks for
the token, then syncs with it (issue 18)."""

from __future__ import annotations

from pathlib import Path

from backorder_desktop.demo_store import DemoStore
from tests.support.gui import SYNC_TIMEOUT_MS, make_shell, open_and_sync


def test_restart_without_keychain_shows_the_cache_then_asks(qtbot, tmp_path: Path) -> None:
    with DemoStore(seed=4, products=40, orders=50).start() as store:
        shell = make_shell(tmp_path / "data")
        qtbot.addWidget(shell.window)
        shell.window.show()
        entry = open_and_sync(qtbot, shell, store)
        cached = shell.window.products.model.rowCount()
        assert cached > 0
        # As at the next start: the store closed, the window empty, no token in the keychain
        # (the test keychain is empty), and someone at the screen to answer.
        shell.controller.close_store()
        for view in shell.window.views().values():
            view.set_rows([])
        shell.interactive = True
        shown_when_asked: list[int] = []

        def ask(_entry) -> str:
            shown_when_asked.append(shell.window.products.model.rowCount())
            return store.token

        shell._ask_token = ask
        requests_before = len(store.requests)
        shell.switch_store(entry.store_hash)
        assert len(store.requests) == requests_before  # nothing sent before the token
        with qtbot.waitSignal(shell.controller.sync_finished, timeout=SYNC_TIMEOUT_MS):
            qtbot.waitUntil(lambda: bool(shown_when_asked), timeout=SYNC_TIMEOUT_MS)
        assert shown_when_asked == [cached]  # the cache was on screen when the prompt came
        assert not shell.controller.token_paused
        shell.stop()
