"""The window when the network or the token goes away: it keeps working from the cache, keeps
every change in the outbox, asks for a new token, and sends everything once it can."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.models import METAFIELD_NAMESPACE
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.settings import StoreEntry
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import SYNC_TIMEOUT_MS, open_and_sync, wait_rows
from tests.support.reliability import writes

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DemoStore]:
    # A fixed port, so the store can go away and come back at the same address.
    with DemoStore(tmp_path / "store", seed=8, products=40, port=_free_port()) as demo:
        yield demo


def _shipment_fields(store: DemoStore) -> list[str]:
    return [
        m.key
        for m in store.state.metafields.values()
        if m.namespace == METAFIELD_NAMESPACE and m.key.startswith("shipment:")
    ]


def _add_shipment(qtbot: Any, shell: AppShell, sku: str) -> None:
    done: list[Any] = []
    shell.controller.run_action(
        "add shipment",
        lambda session: add_shipment(
            session.cache, supplier="Acme", expected=date(2027, 1, 9), lines=[(sku, 5)]
        ),
        on_success=done.append,
        on_error=done.append,
    )
    qtbot.waitUntil(lambda: bool(done), timeout=SYNC_TIMEOUT_MS)


def _pending(shell: AppShell) -> int:
    assert shell.controller.session is not None
    return int(shell.controller.session.cache.outbox.counts()["pending"])


def test_a_revoked_token_pauses_pushing_asks_for_a_new_one_and_resumes(
    qtbot: Any, shell: AppShell, store: DemoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = open_and_sync(qtbot, shell, store)
    sku = next(v.sku for v in store.state.variants.values())
    asked: list[StoreEntry] = []
    shipments = len(_shipment_fields(store))
    new_token = "a-new-token-the-merchant-pasted"

    def ask(entry: StoreEntry) -> str:
        asked.append(entry)
        assert _pending(shell) > 0 and len(_shipment_fields(store)) == shipments  # kept
        store.set_token(new_token)  # the merchant made a new one in BigCommerce
        return new_token

    monkeypatch.setattr(shell, "interactive", True)
    monkeypatch.setattr(shell, "ask_new_token", ask)
    store.revoke_token()
    with qtbot.waitSignal(shell.controller.sync_finished, timeout=SYNC_TIMEOUT_MS):
        _add_shipment(qtbot, shell, sku)  # refused push -> ask -> reopen -> push + sync
    assert [e.store_hash for e in asked] == [entry.store_hash]
    qtbot.waitUntil(lambda: _pending(shell) == 0, timeout=SYNC_TIMEOUT_MS)
    assert len(_shipment_fields(store)) == shipments + 1  # sent once, after the new token
    assert not shell.controller.token_paused


def test_offline_start_from_the_cache_and_offline_edits_go_out_when_the_store_is_back(
    qtbot: Any, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    entry = open_and_sync(qtbot, shell, store)
    rows = shell.window.products.model.rowCount()
    sku = next(v.sku for v in store.state.variants.values())
    shell.controller.close_store()
    store.stop()  # the network is gone

    # A restart while offline: the tabs fill from the cache, the sync says offline.
    failures: list[str] = []
    shell.controller.sync_failed.connect(lambda message, _expected: failures.append(message))
    shell.controller.last_rows = None
    shell.controller.open_store(entry, store.token)
    qtbot.waitUntil(lambda: bool(failures), timeout=SYNC_TIMEOUT_MS)
    wait_rows(qtbot, shell)
    assert shell.window.products.model.rowCount() == rows
    assert "offline" in failures[0].lower()

    before, shipments = writes(store), len(_shipment_fields(store))
    _add_shipment(qtbot, shell, sku)  # queued; the push cannot reach the store
    assert _pending(shell) > 0

    store.start()  # the network is back: the next refresh sends the outbox first
    with qtbot.waitSignal(shell.controller.sync_finished, timeout=SYNC_TIMEOUT_MS):
        shell.controller.refresh()
    assert _pending(shell) == 0
    assert len(_shipment_fields(store)) == shipments + 1 and writes(store) > before
