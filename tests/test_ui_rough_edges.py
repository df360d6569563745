"""Issue 18's rough edges, each as a merchant meets it: dates, money, status bar, search, files."""

from __future__ import annotations

import re
from datetime import date

import pytest
from PySide6.QtCore import QDate, QStandardPaths, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.ui.dialogs.bulk_action import SET_ETA, BulkActionDialog
from backorder_desktop.ui.dialogs.connect import ConnectDialog
from backorder_desktop.ui.formatting import format_money
from backorder_desktop.ui.records_proxy import RecordsProxyModel
from backorder_desktop.ui.shell import AppShell
from backorder_desktop.ui.table_model import Column, RecordsTableModel
from tests.support.gui import SYNC_TIMEOUT_MS, open_and_sync

pytestmark = pytest.mark.demo_store(seed=7, products=60, orders=80)


def test_eta_field_takes_a_typed_date_after_select_all(qtbot) -> None:
    dialog = BulkActionDialog(
        SET_ETA, selected=1, in_filter=1, locations=[], location_id=None, native=True
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.eta.setDate(QDate(2026, 12, 21))
    dialog.eta.setFocus()
    qtbot.keyClick(dialog.eta.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.eta.edit, "2027-01-15")
    assert dialog.eta.date() == QDate(2027, 1, 15)
    assert dialog.edit().eta is not None and dialog.edit().eta.isoformat() == "2027-01-15"
    # Half a date typed and left: the field shows the last whole date, nothing in between.
    qtbot.keyClick(dialog.eta.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.eta.edit, "2028-0")
    dialog.eta.edit.editingFinished.emit()
    assert dialog.eta.edit.text() == "2027-01-15"


def test_money_reads_the_same_everywhere(qtbot, shell: AppShell, store: DemoStore) -> None:
    assert format_money(23927.53, "USD") == "$23,927.53"  # not "23927.53$" (bare C locale)
    open_and_sync(qtbot, shell, store)
    window = shell.window
    window.show_tab("insights")
    qtbot.waitUntil(lambda: "Revenue at risk" in window.insights_panel.summary.text())
    summary = window.insights_panel.summary.text()
    # A plain-text label (store text is never rendered as HTML): our own wording carries no
    # markup either, or the merchant reads "<b>" and "&nbsp;".
    assert "<" not in summary and "&nbsp;" not in summary
    report = window.insights_panel.report
    assert format_money(report.revenue_at_risk, report.currency) in summary
    assert not re.search(r"\d USD", summary)  # not "22,237.18 USD"
    view = window.backorders
    value = next(n for n, c in enumerate(view.model.columns) if c.key == "value")
    cells = [view.model.columns[value].display(r) for r in view.model.rows()[:20]]
    assert cells and all(re.fullmatch(r"\$[\d,]+\.\d\d", c) for c in cells), cells
    qtbot.waitUntil(lambda: "waiting" in window.backorders_panel.summary.full_text())
    panel_summary = window.backorders_panel.summary.full_text()
    assert re.search(r"\$[\d,]+\.\d\d waiting", panel_summary), panel_summary


def test_status_bar_tells_the_current_state(qtbot, shell: AppShell, store: DemoStore) -> None:
    window = shell.window
    open_and_sync(qtbot, shell, store)
    assert window.connection_label.full_text().startswith("Connected to")
    # A second sync that changes nothing: the stage text must not stay behind.
    with qtbot.waitSignal(shell.controller.sync_finished, timeout=SYNC_TIMEOUT_MS):
        shell.controller.refresh()
    qtbot.wait(50)
    assert "syncing" not in window.sync_label.text()
    assert window.sync_label.text() == "synced just now"

    # An error, then a save that goes through: the error is gone.
    window.show_error("Could not save: the store refused it.")
    done: list[object] = []
    shell.controller.run_action("note", lambda session: 1, on_success=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=SYNC_TIMEOUT_MS)
    assert window.statusBar().currentMessage() == ""

    # The store goes down: a save's push cannot reach it and the status bar says so.
    store.stop()
    done.clear()
    sku = store.state.variants[next(iter(store.state.variants))].sku
    shell.controller.run_action(
        "add shipment",
        lambda session: add_shipment(
            session.cache, supplier="Acme", expected=date(2031, 1, 9), lines=[(sku, 5)]
        ),
        on_success=done.append,
    )
    qtbot.waitUntil(lambda: bool(done), timeout=SYNC_TIMEOUT_MS)
    assert "Connected" not in window.connection_label.full_text()
    assert "Offline" in window.connection_label.full_text()

    # A sync while offline: no stale stage next to the offline text.
    failed: list[str] = []
    shell.controller.sync_failed.connect(lambda message, _e: failed.append(message))
    shell.controller.refresh()
    qtbot.waitUntil(lambda: bool(failed), timeout=SYNC_TIMEOUT_MS)
    assert "syncing" not in window.sync_label.text()
    assert "Connected" not in window.connection_label.full_text()


def test_connect_takes_the_hash_from_a_pasted_path_and_says_what_to_change(
    qtbot, shell: AppShell, store: DemoStore
) -> None:
    dialog = ConnectDialog(shell.runner, shell.window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.store_hash.setFocus()
    QGuiApplication.clipboard().setText("https://api.bigcommerce.com/stores/abc123/v3/")
    qtbot.keyClick(dialog.store_hash, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert dialog.store_hash.text() == "abc123"

    # An error from the last test goes away once a field is edited.
    dialog.token_edit.clear()
    dialog.run_test()
    assert "token" in dialog.result.text().lower()
    qtbot.keyClicks(dialog.token_edit, "x")
    assert dialog.result.text() == ""

    # Tab order: the Advanced box's switch comes before the URL inside it.
    order = [dialog.store_hash, dialog.token_edit, dialog.label, dialog.advanced]
    for before, after in zip(order, order[1:], strict=False):
        assert _tab_reaches(before, after)
    dialog.advanced.setChecked(True)
    assert _tab_reaches(dialog.advanced, dialog.api_url)

    # TLS to a plain-HTTP port: a message saying what to change, not WRONG_VERSION_NUMBER.
    dialog.store_hash.setText(store.store_hash)
    dialog.token_edit.setText(store.token)
    dialog.api_url.setText(store.api_url.replace("http://", "https://"))
    dialog.run_test()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=SYNC_TIMEOUT_MS)
    text = dialog.result.text()
    assert "WRONG_VERSION_NUMBER" not in text
    assert "http://" in text and "HTTPS" in text


def _tab_reaches(start, target) -> bool:
    """Whether the next focusable widget after `start` in Tab order is `target`."""
    widget = start.nextInFocusChain()
    while widget is not start:
        if (
            widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.isVisible()
            and widget.isEnabled()
        ):
            return widget is target
        widget = widget.nextInFocusChain()
    return False


def test_search_finds_an_order_by_its_number_with_hash(
    qtbot, shell: AppShell, store: DemoStore
) -> None:
    model = RecordsTableModel(
        [
            Column("order", "Order", lambda r: r[0], lambda r: f"#{r[0]}", numeric=True),
            Column("sku", "SKU", lambda r: r[1]),
        ],
        row_key=lambda r: r[0],
    )
    model.set_rows([(12, "A-217"), (120, "B-1"), (217, "C-1"), (2170, "D-1"), (1217, "E-1")])
    proxy = RecordsProxyModel()
    proxy.setSourceModel(model)
    proxy.set_search("#217")
    assert [model.row(proxy.mapToSource(proxy.index(n, 0)).row())[0] for n in
            range(proxy.rowCount())] == [217]  # fmt: skip
    proxy.set_search("#12")
    assert proxy.rowCount() == 1
    proxy.set_search("217")  # without the hash: anywhere, as before
    assert proxy.rowCount() == 4

    open_and_sync(qtbot, shell, store)
    view = shell.window.backorders
    order = view.model.rows()[0].line.order_id
    view.search.setText(f"#{order}")
    view.apply_search_now()
    assert {r.line.order_id for r in view.visible_rows()} == {order}


def test_file_dialogs_start_in_documents(
    qtbot, shell: AppShell, store: DemoStore, monkeypatch
) -> None:
    open_and_sync(qtbot, shell, store)
    starts: list[str] = []

    def chooser(_parent, _title, start="", _filter="", *args, **kwargs):
        starts.append(start)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", chooser)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", chooser)
    window = shell.window
    window.products.export_csv()
    window.show_tab("insights")
    window.insights_panel.export_png()
    window.insights_panel.export_csv()
    actions = window.products_panel.actions
    actions.import_button.click()
    actions.export_button.click()
    window.shipments_panel.actions.new_shipment()
    shipment = window.shipments_panel.actions
    qtbot.waitUntil(lambda: "shipment" in shipment.dialogs, timeout=SYNC_TIMEOUT_MS)
    shipment.dialogs["shipment"].import_csv.click()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert len(starts) == 6
    assert all(s == documents or s.startswith(documents + "/") for s in starts), starts
    shipment.dialogs["shipment"].close()


def test_row_colours_have_a_legend(qtbot, shell: AppShell) -> None:
    window = shell.window
    for panel, words in (
        (window.products_panel, "no ETA"),
        (window.backorders_panel, "ETA has passed"),
        (window.shipments_panel, "late"),
    ):
        window.tabs.setCurrentWidget(panel)
        assert panel.legend.isVisible()
        assert words in panel.legend_text()
        # Under the table, not above it.
        table = panel.view.table
        assert (
            panel.legend.mapTo(panel, panel.legend.rect().topLeft()).y()
            >= table.mapTo(panel, table.rect().bottomLeft()).y()
        )
