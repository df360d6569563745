"""The Supplier shipments tab driven like a person at the dock: scanner keystrokes ending in
Enter, the live preview, booking, releasing with a pick list, and undo (real demo store)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton

from backorder_desktop.cache.backorder_queue import chosen_suppliers
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.dock.releasing import ready_orders
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.queue import load_queue
from backorder_desktop.ui.dialogs.receiving import ReceivingDialog
from backorder_desktop.ui.dialogs.receiving_model import ACCEPTED, REASON, REJECTED
from backorder_desktop.ui.dialogs.release import ReleaseDialog
from backorder_desktop.ui.dialogs.shipment_edit import ShipmentDialog
from backorder_desktop.ui.dialogs.suppliers import SupplierDialog, SuppliersDialog
from backorder_desktop.ui.dialogs.undo import UndoDialog
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import shipments_dialog, unnamed_controls
from tests.support.shipments import variant_with_waiting_lines

WAIT_MS = 30_000


pytestmark = [pytest.mark.demo_store(seed=2), pytest.mark.usefixtures("synced")]


def scan(qtbot, dock: ReceivingDialog, code: str) -> None:
    """A barcode scanner is a keyboard: it types the code and presses Enter."""
    qtbot.keyClicks(dock.scan, code)
    qtbot.keyClick(dock.scan, Qt.Key.Key_Return)


def test_scan_preview_book_release_pick_list_and_undo(
    qtbot, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    session = shell.controller.session
    assert session is not None
    vid, lines = variant_with_waiting_lines(session.cache)
    sku = lines[0].sku
    waiting = sum(line.qty_waiting for line in lines)
    orders = sorted({line.order_id for line in lines})
    shipment, _ = add_shipment(
        session.cache,
        supplier="Nordström Textil AB",
        expected=date.today() + timedelta(days=5),
        lines=[(sku, waiting + 3)],
    )
    on_hand, backordered = (
        store.state.inventory[(vid, 1)].on_hand,
        store.state.inventory[(vid, 1)].qty_backordered,
    )
    queued = session.cache.outbox.counts()["pending"]  # the new shipment, sent with the receipt
    shell.window.shipments_panel.actions.receive(shipment.id)
    dock = shipments_dialog(qtbot, shell, "receive")
    assert isinstance(dock, ReceivingDialog)
    assert unnamed_controls(dock) == []
    assert dock.scan.hasFocus() or dock.focusWidget() is dock.scan

    # An unknown code: a clear signal, nothing counted.
    scan(qtbot, dock, "NOT-A-CODE-42")
    assert "Unknown code 'NOT-A-CODE-42'" in dock.feedback.text()
    assert dock.model.units_counted == 0
    # One unit per scan; a typed quantity for the next scan; lower-case codes work too.
    scan(qtbot, dock, sku)
    scan(qtbot, dock, sku.lower())
    dock.quantity.setText(str(waiting))
    scan(qtbot, dock, sku)
    assert dock.model.lines[0].accepted == waiting + 2
    assert dock.quantity.text() == "1"
    # A bad typed quantity is refused with a message and changes nothing.
    dock.quantity.setText("-4")
    scan(qtbot, dock, sku)
    assert "cannot be negative" in dock.feedback.text()
    assert dock.model.lines[0].accepted == waiting + 2
    dock.quantity.setText("1")
    assert not dock.model.setData(dock.model.index(0, ACCEPTED), "lots")
    # One damaged unit rejected, with its reason.
    dock.model.setData(dock.model.index(0, REJECTED), "1")
    dock.model.setData(dock.model.index(0, REASON), "crushed box")

    qtbot.waitUntil(lambda: "Ready to release" in dock.preview_label.text(), timeout=WAIT_MS)
    text = dock.preview_label.text()
    assert f"Fills {len(orders)} waiting orders ({waiting} units)" in text
    assert "2 units go to sellable stock" in text
    assert session.cache.outbox.counts()["pending"] == queued  # the preview wrote nothing

    qtbot.mouseClick(dock.commit_button, Qt.MouseButton.LeftButton)
    dock.commit()  # a second press while booking changes nothing
    qtbot.waitUntil(lambda: dock.result is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: session.cache.outbox.counts()["pending"] == 0, timeout=WAIT_MS)
    rec = store.state.inventory[(vid, 1)]
    assert (rec.on_hand, rec.qty_backordered) == (on_hand + 2, backordered - waiting)
    assert len([r for r in store.requests if r.path.endswith("/adjustments/relative")]) == 1
    assert dock.release_button.isEnabled()

    qtbot.mouseClick(dock.release_button, Qt.MouseButton.LeftButton)
    release = shipments_dialog(qtbot, shell, "release")
    assert isinstance(release, ReleaseDialog)
    assert unnamed_controls(release) == []
    ready = release.selected_ids()
    assert set(orders) <= set(ready)
    statuses = {o: store.state.orders[o].status_id for o in ready}
    qtbot.mouseClick(release.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: release.outcome is not None, timeout=WAIT_MS)
    assert release.outcome is not None and sorted(release.outcome.released) == sorted(ready)
    qtbot.waitUntil(
        lambda: all(store.state.orders[o].status_id == 9 for o in ready), timeout=WAIT_MS
    )
    assert release.progress.value() == release.progress.maximum() > 0
    pdf = release.save_pick_list(tmp_path / "pick-list.pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000
    assert f"Order #{orders[0]}" in release.pick_html

    target = orders[0]
    shell.window.shipments_panel.actions.undo_release()
    undo = shipments_dialog(qtbot, shell, "undo")
    assert isinstance(undo, UndoDialog)
    assert unnamed_controls(undo) == []
    qtbot.waitUntil(lambda: undo.view.model.rowCount() > 0, timeout=WAIT_MS)
    row = undo.view.model.find_row(target)
    undo.view.table.selectRow(undo.view.proxy.mapFromSource(undo.view.model.index(row, 0)).row())
    asked: list[str] = []
    undo.confirm = lambda title, text: asked.append(text) or True
    qtbot.mouseClick(undo.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "ready to release again" in undo.message.text(), timeout=WAIT_MS)
    assert asked and f"#{target}" in asked[0] and "stay reserved" in asked[0]
    qtbot.waitUntil(lambda: session.cache.outbox.counts()["pending"] == 0, timeout=WAIT_MS)
    assert store.state.orders[target].status_id == statuses[target]
    # Ready to release again, its units still allocated to it (not back in the waiting queue).
    assert target in {r.order_id for r in ready_orders(session.cache)}
    assert not [x for x in load_queue(session.cache) if x.order_id == target]
    assert all(store.state.orders[o].status_id == 9 for o in ready if o != target)


def test_over_receipt_needs_a_confirmation(qtbot, shell: AppShell, store: DemoStore) -> None:
    session = shell.controller.session
    assert session is not None
    _vid, lines = variant_with_waiting_lines(session.cache)
    sku = lines[0].sku
    shipment, _ = add_shipment(
        session.cache, supplier="obrien-sons", expected=None, lines=[(sku, 1)]
    )
    shell.window.shipments_panel.actions.receive(shipment.id)
    dock = shipments_dialog(qtbot, shell, "receive")
    assert isinstance(dock, ReceivingDialog)
    scan(qtbot, dock, sku)
    scan(qtbot, dock, sku)
    answers = [False, True]
    dock.confirm = lambda title, text: answers.pop(0)
    dock.commit()
    assert dock.result is None and dock.commit_button.isEnabled()  # declined: nothing booked
    assert session.cache.ledger.entries("receipt") == []
    dock.commit()
    qtbot.waitUntil(lambda: dock.result is not None, timeout=WAIT_MS)
    assert dock.result is not None and dock.result.booked


def test_new_shipment_dialog_refuses_bad_input_and_imports_csv(
    qtbot, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    panel = shell.window.shipments_panel
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    edit = shipments_dialog(qtbot, shell, "shipment")
    assert isinstance(edit, ShipmentDialog)
    assert unnamed_controls(edit) == []
    saved: list[object] = []
    edit.save_requested.connect(saved.append)
    edit.reference.setText("PO-UI-7")
    edit.expected.setText("12/31/2031")
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,qty\nA-1,2\nB-2,-1\n", encoding="utf-8")
    edit.import_lines(bad)
    assert "row 3" in edit.error.text() and edit.model.lines == []
    session = shell.controller.session
    assert session is not None
    skus = [v.sku for v in session.cache.variants.all()[:2]]
    good = tmp_path / "packing-list.csv"
    good.write_text(f"SKU;Qty\n{skus[0]};4\n{skus[1]};6\n{skus[0]};1\n", encoding="utf-8")
    edit.import_lines(good)
    assert [(x.sku, x.qty_expected) for x in edit.model.lines] == [(skus[0], 5), (skus[1], 6)]
    qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    assert "not a date like 2026-12-31" in edit.error.text() and saved == []
    edit.expected.setText("2031-12-31")
    # A new shipment has no supplier until one is picked (issue 14): nothing is preselected.
    assert edit.supplier.currentIndex() == -1
    qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    assert "Choose a supplier" in edit.error.text() and saved == []
    edit.supplier.setCurrentIndex(edit.supplier.count() - 1)
    supplier_id = edit.supplier.currentData()
    # Ticked: the merchant explicitly makes it these SKUs' supplier (their lead-time ETA).
    edit.use_for_skus.setChecked(True)
    qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "shipment" not in panel.actions.dialogs, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: any(r.reference == "PO-UI-7" for r in panel.view.model.rows()), timeout=WAIT_MS
    )
    row = next(r for r in panel.view.model.rows() if r.reference == "PO-UI-7")
    assert row.units_expected == 11 and row.expected == date(2031, 12, 31)
    ids = {v.sku: v.id for v in session.cache.variants.all()[:2]}
    assert {ids[s]: supplier_id for s in skus} == {
        vid: sup for vid, sup in chosen_suppliers(session.cache).items() if vid in ids.values()
    }


def test_order_what_is_waiting_and_the_supplier_dialogs(qtbot, shell: AppShell) -> None:
    backorders = shell.window.backorders_panel
    buttons = [
        b for b in backorders.findChildren(QAbstractButton) if "Order what is waiting" in b.text()
    ]
    assert len(buttons) == 1
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    actions = backorders.order_actions
    qtbot.waitUntil(lambda: "shipment" in actions.dialogs, timeout=WAIT_MS)
    prefilled = actions.dialogs["shipment"]
    assert isinstance(prefilled, ShipmentDialog)
    assert prefilled.model.lines and all(x.qty_expected > 0 for x in prefilled.model.lines)
    prefilled.close()

    shell.window.shipments_panel.actions.suppliers()
    suppliers = shipments_dialog(qtbot, shell, "suppliers")
    assert isinstance(suppliers, SuppliersDialog)
    assert unnamed_controls(suppliers) == []
    assert suppliers.view.model.rowCount() == 4
    supplier = SupplierDialog(None, shell.window)
    qtbot.addWidget(supplier)
    supplier.show()
    assert unnamed_controls(supplier) == []
    supplier.lead.setText("ten")
    supplier.name.setText("Fjord Freight")
    supplier.request_save()
    assert "whole number" in supplier.error.text()
