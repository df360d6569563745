"""The outbox window shows an uncertain stock change with both figures; one click settles it."""

from __future__ import annotations

import pytest

from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.cache.stock_writes import StockWrites
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.sync_control.outbox_ops import queue
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import open_and_sync

pytestmark = pytest.mark.demo_store(seed=7)


def _uncertain_row(shell: AppShell, qty: int) -> int:
    """A receipt's stock change whose answer was lost while a sale touched the item."""
    cache = shell.controller.session.cache
    items = [{"location_id": 1, "variant_id": 100001, "quantity": qty}]
    row_id = queue(cache, "r-x", "receipt", ops.adjust_stock(items))
    writes = StockWrites(cache)
    cache.outbox.claim_due(10)
    writes.begin(row_id, {(100001, 1): (4, 0)}, None)
    message = f"Uncertain: ... 4 on hand before, 6 now; this change adds +{qty}."
    cache.outbox.mark_failed(row_id, message)
    writes.mark_uncertain(row_id, {(100001, 1): (6, 0)}, message)
    return row_id


def _select(dialog, row_id: int) -> None:  # type: ignore[no-untyped-def]
    row = dialog.view.model.find_row(row_id)
    dialog.view.table.clearSelection()
    dialog.view.table.selectRow(
        dialog.view.proxy.mapFromSource(dialog.view.model.index(row, 0)).row()
    )


def test_uncertain_rows_show_both_figures_and_settle_in_one_click(
    qtbot, shell: AppShell, store: DemoStore
) -> None:
    open_and_sync(qtbot, shell, store)
    applied, not_applied = _uncertain_row(shell, 3), _uncertain_row(shell, 5)
    shell.records.show_outbox()
    dialog = shell.records.outbox_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.view.model.rowCount() == 2)
    entries = {e.id: e for e in dialog.view.model.rows()}
    assert entries[applied].state == "uncertain"
    assert "4 on hand before, 6 now" in entries[applied].message

    _select(dialog, applied)
    dialog.applied_button.click()  # staff checked: it was applied
    qtbot.waitUntil(lambda: dialog.view.model.rowCount() == 1)
    cache = shell.controller.session.cache
    assert cache.outbox.get(applied) is None and StockWrites(cache).get(applied) is None

    _select(dialog, not_applied)
    dialog.apply_button.click()  # staff checked: it was not: send it once
    qtbot.waitUntil(
        lambda: (
            cache.outbox.get(not_applied) is not None
            and cache.outbox.get(not_applied).state in ("pending", "sent")
        )  # type: ignore[union-attr]
    )
    assert StockWrites(cache).get(not_applied) is None or (
        StockWrites(cache).get(not_applied).state != "uncertain"  # type: ignore[union-attr]
    )
    dialog.close()
