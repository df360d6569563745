"""Issue 14: Products explains on hand / backordered / waiting, and the three numbers reconcile
with what the demo store holds (its orders, written out independently here)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.dock.receiving import commit_receipt
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.views import ProductRow, load_rows
from backorder_desktop.ui.tabs.products import build_products_view
from tests.support.shipments import Env, demo_env


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    with demo_env(tmp_path, seed=11) as e:
        yield e


def store_figures(env: Env) -> tuple[dict[int, int], dict[int, int]]:
    """Per variant, from the store's open orders: units BigCommerce backordered on them, and
    unshipped units on lines without a backordered count (older orders)."""
    state = env.store.state
    backordered: dict[int, int] = defaultdict(int)
    older: dict[int, int] = defaultdict(int)
    for order in state.open_orders():
        for line in order.lines:
            if not state.tracked(line.variant_id):
                continue
            if line.quantity_backordered is not None:
                backordered[line.variant_id] += line.quantity_backordered
            else:
                older[line.variant_id] += line.quantity - line.quantity_shipped
    return backordered, older


def rows_with_waiting(env: Env) -> list[ProductRow]:
    rows = [r for r in load_rows(env.cache).products if r.waiting or r.backordered]
    assert len(rows) > 10
    return rows


def test_on_hand_backordered_and_waiting_reconcile_with_the_store(env: Env) -> None:
    backordered, older = store_figures(env)
    rows = rows_with_waiting(env)
    assert any(r.counts and r.counts.waiting_older for r in rows)  # both kinds of line occur
    for row in rows:
        counts = row.counts
        assert counts is not None
        # Waiting is the sum of its two parts, each what the store's orders say.
        assert row.waiting == counts.waiting_backordered + counts.waiting_older
        assert counts.waiting_backordered == backordered.get(row.variant_id, 0)
        assert counts.older_unshipped == older.get(row.variant_id, 0)
        assert counts.waiting_older + counts.older_covered == counts.older_unshipped
        assert counts.older_covered <= max(row.on_hand, 0)  # only stock covers older lines
        # BigCommerce's backordered count is exactly what open lines are owed.
        assert row.backordered == counts.waiting_backordered
        text = row.counts_text
        assert f"On hand {row.on_hand}:" in text and f"Backordered {row.backordered}:" in text
        assert f"Waiting {row.waiting} = {counts.waiting_backordered} on backordered" in text


def test_after_a_receipt_the_numbers_still_add_up_and_say_why(env: Env) -> None:
    row = max(rows_with_waiting(env), key=lambda r: r.counts.waiting_backordered)  # type: ignore[union-attr]
    shipment, _ = add_shipment(env.cache, supplier="Acme", expected=None, lines=[(row.sku, 2)])
    commit_receipt(env.cache, shipment.id, [ReceiptLine(row.sku, 2)], receipt_id="r-counts")
    env.push()
    after = next(r for r in load_rows(env.cache).products if r.variant_id == row.variant_id)
    assert after.counts is not None
    assert after.waiting == after.counts.waiting_backordered + after.counts.waiting_older
    assert after.waiting == row.waiting - 2  # two units allocated down the queue
    assert after.backordered == after.counts.waiting_backordered  # BigCommerce counted it too
    assert f"Waiting {after.waiting} = " in after.counts_text


def test_the_products_tab_explains_the_numbers_on_each_row(qtbot, env: Env) -> None:
    view = build_products_view()
    qtbot.addWidget(view)
    rows = rows_with_waiting(env)
    view.set_rows(rows)
    model = view.model
    keys = [c.key for c in model.columns]
    for key in ("on_hand", "backordered", "waiting"):
        column = keys.index(key)
        tip = model.data(model.index(0, column), Qt.ItemDataRole.ToolTipRole)
        assert tip == model.row(0).counts_text and "Waiting" in tip
        header = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        assert "Point at a row" in header or "Units open orders still wait for" in header
