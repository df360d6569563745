"""The window of the second laptop: a change another laptop overtook is shown with both
versions, and the merchant's choice is what BigCommerce ends up holding."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.sync_control.conflicts import list_conflicts
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import make_shell, open_and_sync
from tests.test_laptops_conflicts import set_eta, store_eta
from tests.test_ui_window import _unnamed

TIMEOUT = 30_000


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=11) as demo:
        yield demo


@pytest.fixture
def shell(qtbot, tmp_path: Path) -> Iterator[AppShell]:
    app_shell = make_shell(tmp_path / "b")
    qtbot.addWidget(app_shell.window)
    app_shell.window.show()
    yield app_shell
    app_shell.stop()
    qtbot.wait(50)


def test_conflicts_dialog_shows_both_versions_and_takes_the_other_laptops(
    qtbot, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    connection = StoreConnection(store.store_hash, store.api_url)
    with StoreSession(tmp_path / "a", connection, store.token) as a:
        sync_store(a)
        variant = next(v for v in a.cache.variants.all() if v.sku)
        set_eta(a, variant.id, date(2031, 1, 10))
        push_outbox(a)
        open_and_sync(qtbot, shell, store)
        session = shell.controller.session
        assert session is not None
        set_eta(session, variant.id, date(2031, 3, 1))  # queued on B, not sent yet
        set_eta(a, variant.id, date(2031, 2, 1))
        push_outbox(a)
    with qtbot.waitSignal(shell.controller.message_posted, timeout=TIMEOUT) as posted:
        shell.controller.run_action("push", lambda s: None)
    assert "another laptop changed the same records first" in posted.args[0]
    assert "View > Conflicts" in posted.args[0]
    assert list_conflicts(session.cache)
    assert store_eta(store, variant.id) == "2031-02-01"

    shell.window.conflicts_requested.emit()
    dialog = shell.records.conflicts_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.view.model.rowCount() == 1, timeout=TIMEOUT)
    (row,) = dialog.view.model.rows()
    assert (row.item.base, row.item.theirs, row.item.mine) == (
        "2031-01-10",
        "2031-02-01",
        "2031-03-01",
    )
    assert row.record == f"{variant.sku}: ETA"
    assert _unnamed(dialog) == []
    dialog.view.table.selectRow(0)
    dialog.theirs_button.click()
    qtbot.waitUntil(lambda: dialog.view.model.rowCount() == 0, timeout=TIMEOUT)
    assert list_conflicts(session.cache) == []
    assert session.cache.outbox.counts()["failed"] == 0
    assert store_eta(store, variant.id) == "2031-02-01"
    dialog.close()
