"""The dock's rough edges (issue 18): a code from another shipment, the heading after booking,
receipts of every laptop, refusals before questions, and what closing a shipment takes away."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from backorder_desktop.cache.shipments import load_shipments
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.shipment_rules import new_record_id
from backorder_desktop.domain.shipments import DRAFT, Shipment, ShipmentLine
from backorder_desktop.services.dock.receipts import receipts
from backorder_desktop.services.dock.shipments import add_shipment, list_suppliers, save_shipment
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store
from backorder_desktop.ui.dialogs.receiving import ReceivingDialog
from backorder_desktop.ui.dialogs.undo import UndoDialog
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import shipments_dialog
from tests.support.shipments import variant_with_waiting_lines

WAIT_MS = 30_000


pytestmark = [pytest.mark.demo_store(seed=2), pytest.mark.usefixtures("synced")]


def _scan(qtbot, dock: ReceivingDialog, code: str) -> None:
    qtbot.keyClicks(dock.scan, code)
    qtbot.keyClick(dock.scan, Qt.Key.Key_Return)


def test_receiving_names_the_other_shipment_and_updates_its_heading(
    qtbot, shell: AppShell, store: DemoStore
) -> None:
    session = shell.controller.session
    vid, lines = variant_with_waiting_lines(session.cache)
    sku = lines[0].sku
    other_sku = next(
        v.sku for v in session.cache.variants.all() if v.sku and v.sku != sku and v.id != vid
    )
    soon = date.today() + timedelta(days=5)
    here, _ = add_shipment(session.cache, supplier="Acme", expected=soon, lines=[(sku, 19)])
    there, _ = add_shipment(session.cache, supplier="Acme", expected=soon, lines=[(other_sku, 4)])
    shell.window.shipments_panel.actions.receive(here.id)
    dock = shipments_dialog(qtbot, shell, "receive")
    assert "19 units still to come" in dock.heading.text()

    _scan(qtbot, dock, other_sku)
    assert there.reference in dock.feedback.text()
    assert "Unknown code" not in dock.feedback.text()
    assert dock.model.units_counted == 0

    dock.quantity.setText("5")
    _scan(qtbot, dock, sku)
    dock.commit()
    qtbot.waitUntil(lambda: dock.result is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "14 units still to come" in dock.heading.text(), timeout=WAIT_MS)
    dock.close()


def test_receipts_of_every_laptop_and_refusals_before_questions(
    qtbot, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    session = shell.controller.session
    vid, lines = variant_with_waiting_lines(session.cache)
    sku = lines[0].sku
    waiting = sum(line.qty_waiting for line in lines)
    shipment, _ = add_shipment(
        session.cache, supplier="Acme", expected=date.today() + timedelta(days=5),
        lines=[(sku, waiting + 10)],
    )  # fmt: skip
    shell.window.shipments_panel.actions.receive(shipment.id)
    dock = shipments_dialog(qtbot, shell, "receive")
    dock.quantity.setText(str(waiting))
    _scan(qtbot, dock, sku)
    dock.commit()
    qtbot.waitUntil(lambda: dock.result is not None and dock.result.booked, timeout=WAIT_MS)
    ready = list(dock.result.preview.ready_orders)
    dock.close()
    assert ready
    qtbot.waitUntil(lambda: session.cache.outbox.counts()["pending"] == 0, timeout=WAIT_MS)

    # Release what it filled, then try to reverse the receipt: refused at once, no question.
    actions = shell.window.shipments_panel.actions
    actions.release(ready)
    release = shipments_dialog(qtbot, shell, "release")
    release.release_selected()
    qtbot.waitUntil(lambda: release.outcome is not None, timeout=WAIT_MS)
    release.close()

    # Another laptop books a receipt on the same shipment (shared through the metafields).
    connection = StoreConnection(store.store_hash, store.api_url)
    with StoreSession(tmp_path / "laptop-b", connection, store.token) as other:
        sync_store(other)
        from backorder_desktop.domain.receiving import ReceiptLine
        from backorder_desktop.services.dock.receiving import commit_receipt, new_receipt_id

        commit_receipt(
            other.cache, shipment.id, [ReceiptLine(sku, 2, 0, "", False)],
            receipt_id=new_receipt_id(), location_id=None,
        )  # fmt: skip
        push_outbox(other)
    with qtbot.waitSignal(shell.controller.sync_finished, timeout=WAIT_MS):
        shell.controller.refresh(full=True)

    listed = receipts(session.cache, shipment.id)
    assert [r.here for r in listed].count(False) == 1 and [r.here for r in listed].count(True) == 1

    asked: list[str] = []
    actions.receipts(shipment.id)
    undo = shipments_dialog(qtbot, shell, "receipts")
    assert isinstance(undo, UndoDialog)
    undo.confirm = lambda title, text: asked.append(text) or False
    qtbot.waitUntil(lambda: undo.view.model.rowCount() == 2, timeout=WAIT_MS)
    shown = [undo.view.model.columns[-2].display(r) for r in undo.view.model.rows()]
    assert sorted(shown) == ["another laptop", "this laptop"]
    for row in range(2):
        undo.view.table.clearSelection()
        undo.view.table.selectRow(row)
        undo.act_on_selection()
    assert asked == []  # neither could be reversed: nobody was asked Yes/No
    text = undo.message.text()
    assert "undo those releases first" in text or "another laptop" in text
    undo.close()


def test_close_shipment_says_what_it_takes_away_and_the_row_stops_counting(
    qtbot, shell: AppShell
) -> None:
    session = shell.controller.session
    vid, lines = variant_with_waiting_lines(session.cache)
    sku = lines[0].sku
    shipment, _ = add_shipment(
        session.cache, supplier="Acme", expected=date.today() + timedelta(days=9),
        lines=[(sku, 6)],
    )  # fmt: skip
    shell.controller.reload_rows()
    view = shell.window.shipments
    qtbot.waitUntil(lambda: view.model.find_row(shipment.id) >= 0, timeout=WAIT_MS)
    backorders = [
        r for r in shell.controller.last_rows.backorders if r.line.eta_ref == shipment.reference
    ]
    customers = len({r.line.customer_email.casefold() for r in backorders})
    assert customers > 0

    asked: list[str] = []
    actions = shell.window.shipments_panel.actions
    actions.confirm = lambda title, text: asked.append(text) or True
    actions.close_shipment(shipment.id, shipment.reference, 6)
    # The question comes once the preview of whose ETA moves is read (off the GUI thread).
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT_MS)
    assert "6 unit(s) still to come" in asked[0]
    assert f"{customers} customer(s)" in asked[0]

    outstanding = next(n for n, c in enumerate(view.model.columns) if c.key == "outstanding")

    def still_to_come() -> str:
        row = view.model.row(view.model.find_row(shipment.id))
        return view.model.columns[outstanding].display(row) if row.status == "closed" else "?"

    qtbot.waitUntil(lambda: still_to_come() == "", timeout=WAIT_MS)


def test_order_what_is_waiting_makes_one_draft_per_supplier(qtbot, shell: AppShell) -> None:
    session = shell.controller.session
    cache = session.cache
    queue = load_queue(cache)
    shipped = {line.sku for s in load_shipments(cache) for line in s.lines}
    skus = sorted({line.sku for line in queue if line.sku not in shipped})[:3]
    assert len(skus) == 3
    first, second = list_suppliers(cache)[:2]
    # Earlier (draft) shipments say who supplies what: the first two SKUs from the first
    # supplier, the third from the second.
    for supplier, chosen in ((first, skus[:2]), (second, skus[2:])):
        save_shipment(
            cache,
            Shipment(new_record_id("s-"), f"old {supplier.name}", supplier.id, DRAFT, None,
                     tuple(ShipmentLine(sku, 1) for sku in chosen)),
        )  # fmt: skip
    line_ids = [line.line_id for line in queue if line.sku in skus]
    actions = shell.window.backorders_panel.order_actions
    actions.order_waiting(line_ids)
    qtbot.waitUntil(lambda: len(actions.drafts_made) == 2, timeout=WAIT_MS)
    by_supplier = {d.supplier_id: sorted(x.sku for x in d.lines) for d in actions.drafts_made}
    assert by_supplier == {first.id: skus[:2], second.id: skus[2:]}
    waiting = {sku: sum(x.qty_waiting for x in queue if x.sku == sku) for sku in skus}
    for draft in actions.drafts_made:
        assert all(x.qty_expected == waiting[x.sku] for x in draft.lines)
    assert "shipment" not in actions.dialogs  # every SKU had a supplier: no dialog to fill
