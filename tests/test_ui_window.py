"""The window against the real demo store over HTTP: sync, tabs, filters, stores, outbox, crashes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.credentials import save_token
from backorder_desktop.services.settings import StoreEntry
from backorder_desktop.ui.dialogs.connect import ConnectDialog
from backorder_desktop.ui.dialogs.settings import SettingsDialog
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import open_and_sync, unnamed_controls, wait_rows
from tests.support.gui import unnamed_controls as _unnamed  # noqa: F401 (test_laptops_ui's name)
from tests.support.outbox import enqueue_request

pytestmark = pytest.mark.demo_store(seed=7)


def column(view, key: str) -> int:
    return next(n for n, c in enumerate(view.model.columns) if c.key == key)


def shown(view, key: str) -> list:
    n = column(view, key)
    return [view.model.columns[n].value(row) for row in view.visible_rows()]


def test_first_sync_fills_the_tabs_with_progress(qtbot, shell: AppShell, store: DemoStore) -> None:
    stages: list[str] = []
    shell.controller.sync_progressed.connect(lambda stage, done, total: stages.append(stage))
    open_and_sync(qtbot, shell, store)
    window = shell.window
    tracked_variants = {
        v.id for v in store.state.variants.values() if v.product_id in store.state.products
    }
    assert window.products.model.rowCount() == len(tracked_variants)
    assert window.backorders.model.rowCount() > 0
    assert stages, "the sync reported no progress"
    assert window.sync_label.text() == "synced just now"
    assert not window.progress.isVisible()
    assert "Test store" in window.windowTitle()


def test_filter_and_sort_each_tab(qtbot, shell: AppShell, store: DemoStore) -> None:
    open_and_sync(qtbot, shell, store)
    products = shell.window.products
    sku = products.model.rows()[5].sku
    products.search.setText(sku)
    qtbot.waitUntil(lambda: sku in shown(products, "sku") and products.proxy.rowCount() <= 3)
    assert all(sku in s for s in shown(products, "sku"))
    products.search.clear()
    products.apply_search_now()
    products.set_quick_filter("Has waiting orders")
    assert products.proxy.rowCount() > 0
    assert all(w > 0 for w in shown(products, "waiting"))
    products.table.sortByColumn(column(products, "on_hand"), Qt.SortOrder.DescendingOrder)
    on_hand = shown(products, "on_hand")
    assert on_hand == sorted(on_hand, reverse=True)

    backorders = shell.window.backorders
    backorders.table.sortByColumn(column(backorders, "days"), Qt.SortOrder.DescendingOrder)
    days = shown(backorders, "days")
    assert days == sorted(days, reverse=True)
    first_sku = backorders.visible_rows()[0].line.sku
    backorders.search.setText(first_sku)
    backorders.apply_search_now()
    assert backorders.proxy.rowCount() >= 1
    assert all(first_sku in r.line.sku for r in backorders.visible_rows())

    shipments = shell.window.shipments
    shipments.set_quick_filter("Open")
    shipments.table.sortByColumn(column(shipments, "expected"), Qt.SortOrder.AscendingOrder)
    expected = [d for d in shown(shipments, "expected") if d is not None]
    assert expected == sorted(expected)


def test_connect_dialog_checks_the_token_and_keeps_it_in_the_keychain(
    qtbot, shell: AppShell, store: DemoStore, fresh_keychain, tmp_path: Path
) -> None:
    dialog = ConnectDialog(shell.runner, shell.window)
    qtbot.addWidget(dialog)
    dialog.store_hash.setText(store.store_hash)
    dialog.api_url.setText(store.api_url)
    dialog.token_edit.setText("not-the-token")
    dialog.run_test()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=30_000)
    assert "token" in dialog.result.text().lower()
    assert "Connected" not in dialog.result.text()

    dialog.token_edit.setText(store.token)
    dialog.run_test()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=30_000)
    assert "Connected" in dialog.result.text()
    assert dialog.last_report is not None and dialog.last_report.ok

    dialog.buttons.accepted.emit()
    assert dialog.entry is not None and dialog.entry.store_hash == store.store_hash
    # The shell keeps the accepted token in the keychain, off the GUI thread.
    warnings: list[str] = []
    shell.keep_token(dialog.entry, dialog.token, then=warnings.append)
    qtbot.waitUntil(lambda: len(warnings) == 1, timeout=10_000)
    assert warnings == [""]
    assert (
        fresh_keychain.get_password("backorder-desktop", f"token:{store.store_hash}") == store.token
    )
    shell._remember(dialog.entry)
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert store.token.encode() not in path.read_bytes(), path


def test_switching_stores_shows_the_other_store(qtbot, shell: AppShell, store: DemoStore) -> None:
    open_and_sync(qtbot, shell, store, label="First")
    first_count = shell.window.products.model.rowCount()
    with DemoStore(seed=8, products=40, orders=30, store_hash="second1").start() as other:
        save_token(other.store_hash, other.token)
        shell.settings.add_store(StoreEntry(other.store_hash, other.api_url, "Second"))
        shell.controller.last_rows = None
        with qtbot.waitSignal(shell.controller.sync_finished, timeout=60_000):
            shell.window.store_switch_requested.emit(other.store_hash)
        wait_rows(qtbot, shell)
        assert shell.controller.entry is not None and shell.controller.entry.label == "Second"
        assert "Second" in shell.window.windowTitle()
        assert shell.window.products.model.rowCount() != first_count
        shell.stop()


def test_outbox_view_retries_and_discards(qtbot, shell: AppShell, store: DemoStore) -> None:
    open_and_sync(qtbot, shell, store)
    outbox = shell.controller.session.cache.outbox
    keep = enqueue_request(outbox, "b1", "variant eta", "PUT", "/v3/catalog/variants", [{"id": 1}])
    failed = enqueue_request(
        outbox, "b1", "backorder limit", "PUT", "/v3/inventory/locations/1/items", {}
    )
    outbox.claim_due(10)
    outbox.release([keep])
    outbox.mark_failed(failed, "The field 'backorder_limit' must be 0 or more.")
    shell.controller.reload_rows()
    qtbot.waitUntil(lambda: "1 failed" in shell.window.outbox_button.text())

    shell.records.show_outbox()
    dialog = shell.records.outbox_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.view.model.rowCount() == 2)
    messages = [e.message for e in dialog.view.model.rows()]
    assert "The field 'backorder_limit' must be 0 or more." in messages

    row = dialog.view.model.find_row(failed)
    dialog.view.table.selectRow(
        dialog.view.proxy.mapFromSource(dialog.view.model.index(row, 0)).row()
    )
    dialog.retry_button.click()
    qtbot.waitUntil(lambda: outbox.get(failed).state == "pending")

    qtbot.waitUntil(lambda: dialog.view.model.rowCount() == 2)
    row = dialog.view.model.find_row(keep)
    dialog.view.table.clearSelection()
    dialog.view.table.selectRow(
        dialog.view.proxy.mapFromSource(dialog.view.model.index(row, 0)).row()
    )
    dialog.discard_button.click()
    qtbot.waitUntil(lambda: dialog.view.model.rowCount() == 1)
    assert [e.id for e in dialog.view.model.rows()] == [failed]
    dialog.close()


def test_a_bug_opens_the_crash_dialog_with_redacted_details(
    qtbot, shell: AppShell, store: DemoStore, monkeypatch
) -> None:
    open_and_sync(qtbot, shell, store)

    def broken(cache):
        raise ZeroDivisionError(f"injected bug near token {store.token}")

    monkeypatch.setattr("backorder_desktop.ui.rows_reader.load_rows", broken)
    shell.controller.reload_rows()
    qtbot.waitUntil(lambda: shell.crash_dialog is not None and shell.crash_dialog.isVisible())
    report = shell.crash_dialog.report
    assert "ZeroDivisionError" in report
    assert store.token not in report
    assert "***" in report
    shell.crash_dialog.close()


def test_cancelled_sync_leaves_the_cache_as_it_was(
    qtbot, shell: AppShell, store: DemoStore
) -> None:
    open_and_sync(qtbot, shell, store)
    before = shell.window.products.model.rowCount()
    store.faults.latency_ms = 200
    messages: list[str] = []
    shell.controller.sync_failed.connect(lambda message, expected: messages.append(message))
    task = shell.controller.refresh(full=True)
    assert task is not None
    shell.window.cancel_button.click()
    qtbot.waitUntil(lambda: task.done, timeout=60_000)
    store.faults.latency_ms = 0
    assert messages and "cancelled" in messages[0].lower()
    assert shell.window.products.model.rowCount() == before
    assert shell.window.sync_button.isEnabled()


def test_every_interactive_widget_has_an_accessible_name(
    qtbot, shell: AppShell, store: DemoStore
) -> None:
    open_and_sync(qtbot, shell, store)
    assert unnamed_controls(shell.window) == []
    connect = ConnectDialog(shell.runner, shell.window)
    qtbot.addWidget(connect)
    connect.show()
    assert unnamed_controls(connect) == []
    settings = SettingsDialog(shell.settings, [], shell.window)
    qtbot.addWidget(settings)
    settings.show()
    assert unnamed_controls(settings) == []
    shell.records.show_outbox()
    assert shell.records.outbox_dialog is not None
    assert unnamed_controls(shell.records.outbox_dialog) == []
    shell.records.outbox_dialog.close()


def test_reopening_a_store_shows_the_cached_rows_before_the_sync_starts(
    qtbot, shell: AppShell, store: DemoStore
) -> None:
    entry = open_and_sync(qtbot, shell, store)
    cached = shell.window.products.model.rowCount()
    events: list[str] = []
    shell.controller.rows_loaded.connect(lambda _rows: events.append("rows shown"))
    shell.controller.sync_started.connect(lambda: events.append("sync started"))
    with qtbot.waitSignal(shell.controller.sync_finished, timeout=60_000):
        shell.controller.open_store(entry, store.token)  # as at the next start of the app
    # The cached rows come first; the sync then refreshes them without competing with the read.
    assert events[:2] == ["rows shown", "sync started"]
    assert shell.window.products.model.rowCount() == cached
