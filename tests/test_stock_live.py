"""Stock on a live store: shoppers buy between the app's read and its write, writes apply late,
answers get lost. Stock must end exactly at initial + received - allocated, plus what was sold."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from backorder_desktop.cache.stock_writes import StockWrites
from backorder_desktop.demo_store.shoppers import Sale
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.dock.allocations import held_units
from backorder_desktop.services.dock.receiving import commit_receipt
from backorder_desktop.services.dock.releasing import ready_orders, release_orders, undo_release
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.sync_control.outbox_view import (
    apply_again,
    confirm_applied,
    outbox_entries,
)
from backorder_desktop.sync import stock_push
from backorder_desktop.sync.push import push
from tests.support.shipments import Env, demo_env, make_due_now, variant_with_waiting_lines

RELATIVE = "/v3/inventory/adjustments/relative"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    with demo_env(tmp_path) as e:
        yield e


def _shipment(env: Env, sku: str, qty: int) -> str:
    shipment, _ = add_shipment(
        env.cache,
        supplier="Nordström Textil AB",
        expected=date.today() + timedelta(days=7),
        lines=[(sku, qty)],
    )
    env.push()
    env.store.clear_requests()
    return shipment.id


def _sold(sale: Sale | None) -> tuple[int, int]:
    """(units from stock, units backordered) of a shopper's order."""
    assert sale is not None
    return sale.from_stock, sale.qty - sale.from_stock


def _only_sale(env: Env) -> Sale:
    sales = env.store.shoppers.sales
    assert len(sales) == 1
    return sales[0]


def _receive(env: Env, extra: int, receipt_id: str) -> tuple[int, int, int]:
    """Book a receipt covering every waiting unit of a variant plus `extra`, with a shopper's
    order landing right before the stock write. Returns (variant, waiting, extra)."""
    vid, lines = variant_with_waiting_lines(env.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    shipment_id = _shipment(env, sku, waiting + extra)
    commit_receipt(
        env.cache, shipment_id, [ReceiptLine(sku, waiting + extra)], receipt_id=receipt_id
    )
    return vid, waiting, extra


def _ready_order(env: Env, vid: int) -> tuple[int, int]:
    """An order this receipt made ready with units of the variant, and those units."""
    ready = {r.order_id for r in ready_orders(env.cache)}
    for h in held_units(env.cache):
        if h.variant_id == vid and h.order_id in ready:
            units = held_units(env.cache, order_id=h.order_id)
            return h.order_id, sum(u.qty for u in units if u.variant_id == vid)
    raise AssertionError("the receipt made no order ready")


def test_a_receipt_keeps_a_sale_made_between_the_read_and_the_write(env: Env) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    on_hand, backordered = env.stock(vid)
    env.store.shoppers.script("POST", RELATIVE, vid, 2)  # lands right before the write
    _, waiting, extra = _receive(env, 5, "r-live")
    assert env.push().pending == 0
    from_stock, owed = _sold(_only_sale(env))
    assert env.stock(vid) == (on_hand + extra - from_stock, backordered - waiting + owed)


def test_an_undone_release_keeps_a_sale_made_between_the_read_and_the_write(env: Env) -> None:
    vid, waiting, extra = _receive(env, 4, "r-undo-live")
    env.push()
    order_id, held = _ready_order(env, vid)
    assert release_orders(env.cache, [order_id]).released == [order_id]
    env.push()
    on_hand, backordered = env.stock(vid)
    env.store.clear_requests()
    # A shopper buys the same item right before the undo's order write (after its read).
    env.store.shoppers.script("PUT", r"/v2/orders/\d+$", vid, 1)
    undo_release(env.cache, order_id)
    assert env.push().pending == 0
    from_stock, owed = _sold(_only_sale(env))
    # The undo writes no stock (the units stay reserved for the order, issue 14): the store
    # keeps what it had less the sale, and the order is ready to release again.
    assert env.writes(RELATIVE) == []
    assert env.stock(vid) == (on_hand - from_stock, backordered + owed)
    assert order_id in {r.order_id for r in ready_orders(env.cache)}
    assert sum(h.qty for h in held_units(env.cache, order_id=order_id) if h.variant_id == vid) == (
        held
    )


def test_with_delayed_application_nothing_reads_before_its_own_write_shows(env: Env) -> None:
    env.store.inventory_delay_s = 0.4
    vid, lines = variant_with_waiting_lines(env.cache)
    sku = lines[0].sku
    on_hand, backordered = env.stock(vid)
    second = _shipment(env, sku, 3)
    env.store.shoppers.script("POST", RELATIVE, vid, 1)
    _, waiting, extra = _receive(env, 6, "r-delay")
    assert env.push().pending == 0  # accepted, applied 0.4 s later
    # A second receipt's answer is lost: its read-back must compare with figures that include
    # the first receipt (this laptop's own earlier write), or it could not prove anything.
    env.store.faults.script("POST", RELATIVE, "drop", when="after")
    commit_receipt(
        env.cache, second, [ReceiptLine(sku, 3)], receipt_id="r-delay-2", allow_over=True
    )
    assert push(env.client, env.cache).pending >= 1
    make_due_now(env.cache)
    result = env.push()
    assert (result.pending, result.failed) == (0, 0)
    env.store.settle()
    from_stock, owed = _sold(_only_sale(env))
    assert env.stock(vid) == (on_hand + extra + 3 - from_stock, backordered - waiting + owed)
    assert len(env.writes(RELATIVE)) == 2  # each receipt once


def test_a_lost_answer_with_a_sale_meanwhile_is_uncertain_and_staff_say_it_was_applied(
    env: Env,
) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    on_hand, backordered = env.stock(vid)
    env.store.faults.script("POST", RELATIVE, "drop", when="after")  # applied, answer lost
    _, waiting, extra = _receive(env, 3, "r-unsure")
    assert push(env.client, env.cache).pending >= 1
    sale = env.store.shoppers.buy(vid, 1)  # a shopper touches the same item before the read-back
    make_due_now(env.cache)
    result = push(env.client, env.cache)
    assert result.failed == 1
    [entry] = [e for e in outbox_entries(env.cache) if e.kind == "receipt"]
    assert entry.state == "uncertain"
    after = on_hand + extra - _sold(sale)[0]
    # Both figures are shown: before the write, and now.
    assert f"{on_hand} on hand before, {after} now; this change adds +{extra}" in entry.message
    assert len(env.writes(RELATIVE)) == 1  # never a guess: nothing resent
    assert confirm_applied(env.cache, [entry.id]) == 1
    assert env.push().failed == 0
    assert env.stock(vid) == (after, backordered - waiting + _sold(sale)[1])
    assert len(env.writes(RELATIVE)) == 1
    assert StockWrites(env.cache).get(entry.id) is None


def test_an_uncertain_change_that_was_not_applied_is_applied_once_on_one_click(
    env: Env,
) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    on_hand, backordered = env.stock(vid)
    env.store.faults.script("POST", RELATIVE, "503", when="before")  # not applied
    _, waiting, extra = _receive(env, 3, "r-unsure-2")
    assert push(env.client, env.cache).pending >= 1
    sale = env.store.shoppers.buy(vid, 1)
    make_due_now(env.cache)
    assert push(env.client, env.cache).failed == 1
    [entry] = [e for e in outbox_entries(env.cache) if e.state == "uncertain"]
    assert apply_again(env.cache, [entry.id]) == 1
    assert env.push().failed == 0
    from_stock, owed = _sold(sale)
    assert env.stock(vid) == (on_hand + extra - from_stock, backordered - waiting + owed)
    assert len(env.writes(RELATIVE)) == 2  # the refused one and the one that counted


def test_a_crash_mid_request_is_read_back_not_sent_twice(env: Env) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    on_hand, backordered = env.stock(vid)
    _, waiting, extra = _receive(env, 2, "r-crash")
    # The write reaches the store, then the app dies before recording the answer: the row
    # is left `sending` with its figures from before (what open_cache finds after a kill).
    env.store.faults.script("POST", RELATIVE, "drop", when="after")
    push(env.client, env.cache)
    with env.cache.transaction() as db:
        db.execute("UPDATE outbox SET state = 'sending' WHERE kind = 'receipt'")
    env.cache.outbox.reset_sending()
    assert env.push().pending == 0
    assert env.stock(vid) == (on_hand + extra, backordered - waiting)
    assert len(env.writes(RELATIVE)) == 1


def test_settle_time_covers_the_demo_stores_delay() -> None:
    # The read-back waits for the store to apply: the delay used above must be shorter.
    assert stock_push.SETTLE_S > 0.4
