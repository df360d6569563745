"""Receiving against the real demo store: stock in BigCommerce, allocation, booked exactly once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from backorder_desktop.domain.receiving import ReceiptError, ReceiptLine
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.domain.shipments import PARTIALLY_RECEIVED, RECEIVED
from backorder_desktop.services.dock.receipts import reverse_receipt_booking
from backorder_desktop.services.dock.receiving import (
    commit_receipt,
    new_receipt_id,
    preview_receipt,
)
from backorder_desktop.services.dock.shipments import add_shipment, close_shipment
from backorder_desktop.services.queue import load_queue
from backorder_desktop.sync.push import push
from tests.support.shipments import Env, demo_env, make_due_now, variant_with_waiting_lines

RELATIVE = "/v3/inventory/adjustments/relative"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    with demo_env(tmp_path) as e:
        yield e


def shipment_for(env: Env, sku: str, qty: int, **kwargs: object) -> str:
    shipment, _ = add_shipment(
        env.cache,
        supplier="Nordström Textil AB",
        expected=date.today() + timedelta(days=7),
        lines=[(sku, qty)],
        **kwargs,  # type: ignore[arg-type]
    )
    env.push()
    env.store.clear_requests()
    return shipment.id


def store_shipment(env: Env, shipment_id: str) -> dict[str, object]:
    found = [
        m
        for m in env.store.state.metafields.values()
        if m.resource_type == "store" and m.key == f"shipment:{shipment_id}"
    ]
    assert len(found) == 1
    doc: dict[str, object] = json.loads(found[0].value)
    return doc


def test_partial_receipt_sets_on_hand_to_received_minus_allocated(env: Env) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    shipment_id = shipment_for(env, sku, waiting + 10)
    on_hand, backordered = env.stock(vid)
    accepted = waiting + 3  # every waiting unit, and 3 more for sellable stock; 7 still to come

    receipt = new_receipt_id()
    preview = preview_receipt(
        env.cache, shipment_id, [ReceiptLine(sku, accepted)], receipt_id=receipt
    )
    assert preview.plan.units_allocated == waiting
    assert preview.plan.units_to_stock == 3
    assert preview.filled_orders == sorted({line.order_id for line in lines})
    assert env.cache.outbox.counts()["pending"] == 0  # a preview writes nothing

    result = commit_receipt(
        env.cache, shipment_id, [ReceiptLine(sku, accepted)], receipt_id=receipt
    )
    assert result.booked
    assert env.push().failed == 0

    assert env.stock(vid) == (on_hand + accepted - waiting, backordered - waiting)
    assert [w[:2] for w in env.writes(RELATIVE)] == [("POST", RELATIVE)]
    doc = store_shipment(env, shipment_id)
    assert doc["status"] == PARTIALLY_RECEIVED
    assert doc["lines"] == [
        {"sku": sku, "variant_id": vid, "qty_expected": waiting + 10, "qty_received": accepted}
    ]
    # The waiting lines left the queue: their units are allocated.
    assert not [line for line in load_queue(env.cache) if line.variant_id == vid]
    env.pull()  # and the store agrees after a sync
    assert not [line for line in load_queue(env.cache) if line.variant_id == vid]


def test_a_receipt_fills_the_queue_in_order_and_the_rest_keeps_waiting(env: Env) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku = lines[0].sku
    first, second = lines[0], lines[1]
    shipment_id = shipment_for(env, sku, 500)
    on_hand, backordered = env.stock(vid)
    accepted = first.qty_waiting + 1 if second.qty_waiting > 1 else first.qty_waiting
    commit_receipt(env.cache, shipment_id, [ReceiptLine(sku, accepted)], receipt_id="r-order")
    env.push()

    queue = {line.line_id: line for line in load_queue(env.cache) if line.variant_id == vid}
    assert first.line_id not in queue
    left = second.qty_waiting - (accepted - first.qty_waiting)
    assert queue[second.line_id].qty_waiting == left
    assert queue[second.line_id].queue_position == 1
    assert env.stock(vid) == (on_hand, backordered - accepted)


def test_committing_twice_changes_bigcommerce_once(env: Env) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    shipment_id = shipment_for(env, sku, waiting + 4)
    on_hand, backordered = env.stock(vid)
    receipt = new_receipt_id()
    receipt_lines = [ReceiptLine(sku, waiting + 4)]

    first = commit_receipt(env.cache, shipment_id, receipt_lines, receipt_id=receipt)
    second = commit_receipt(env.cache, shipment_id, receipt_lines, receipt_id=receipt)
    assert first.booked and not second.booked
    env.push()
    again = commit_receipt(env.cache, shipment_id, receipt_lines, receipt_id=receipt)
    assert not again.booked
    env.push()

    assert env.stock(vid) == (on_hand + 4, backordered - waiting)
    assert len(env.writes(RELATIVE)) == 1
    assert store_shipment(env, shipment_id)["status"] == RECEIVED
    assert len(store_shipment(env, shipment_id)["receipts"]) == 1  # type: ignore[arg-type]


@pytest.mark.parametrize("fault", ["drop", "500"])
def test_a_receipt_whose_answer_was_lost_is_read_back_not_sent_again(env: Env, fault: str) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    shipment_id = shipment_for(env, sku, waiting + 6)
    on_hand, backordered = env.stock(vid)
    # The adjustment is applied, then the answer is lost: the row waits with its figures from
    # before; the next push reads the item back, finds the change there and sends nothing.
    env.store.faults.script("POST", RELATIVE, fault, when="after")
    commit_receipt(env.cache, shipment_id, [ReceiptLine(sku, waiting + 6)], receipt_id="r-fault")
    first = push(env.client, env.cache)
    assert first.pending >= 1 and first.failed == 0
    assert env.stock(vid) == (on_hand + 6, backordered - waiting)  # already applied once
    make_due_now(env.cache)
    assert env.push().pending == 0
    assert env.stock(vid) == (on_hand + 6, backordered - waiting)  # and not twice
    assert len(env.writes(RELATIVE)) == 1  # the lost one; the read-back proved it applied


@pytest.mark.parametrize("fault", ["drop", "503"])
def test_a_receipt_that_never_arrived_is_sent_again_once(env: Env, fault: str) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    shipment_id = shipment_for(env, sku, waiting + 6)
    on_hand, backordered = env.stock(vid)
    env.store.faults.script("POST", RELATIVE, fault, when="before")  # nothing applied
    commit_receipt(env.cache, shipment_id, [ReceiptLine(sku, waiting + 6)], receipt_id="r-lost")
    assert push(env.client, env.cache).pending >= 1
    assert env.stock(vid) == (on_hand, backordered)
    make_due_now(env.cache)
    assert env.push().pending == 0
    assert env.stock(vid) == (on_hand + 6, backordered - waiting)
    assert len(env.writes(RELATIVE)) == 2


def test_reversing_a_receipt_puts_stock_and_queue_back(env: Env) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    shipment_id = shipment_for(env, sku, waiting + 2)
    before_stock = env.stock(vid)
    before_queue = [
        (line.line_id, line.qty_waiting) for line in load_queue(env.cache) if line.variant_id == vid
    ]
    commit_receipt(env.cache, shipment_id, [ReceiptLine(sku, waiting + 2)], receipt_id="r-undo")
    env.push()
    assert env.stock(vid) != before_stock

    info = reverse_receipt_booking(env.cache, "r-undo")
    assert info.reversed
    env.push()
    assert env.stock(vid) == before_stock
    after_queue = [
        (line.line_id, line.qty_waiting) for line in load_queue(env.cache) if line.variant_id == vid
    ]
    assert after_queue == before_queue
    doc = store_shipment(env, shipment_id)
    assert doc["lines"][0].get("qty_received", 0) == 0  # type: ignore[index]
    with pytest.raises(InputError, match="already reversed"):
        reverse_receipt_booking(env.cache, "r-undo")


def test_bad_receipts_change_nothing(env: Env) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku = lines[0].sku
    shipment_id = shipment_for(env, sku, 5)
    ledger_before = len(env.cache.ledger.entries())

    with pytest.raises(ReceiptError, match="not on shipment"):
        commit_receipt(env.cache, shipment_id, [ReceiptLine("NO-SUCH-SKU", 1)], receipt_id="x1")
    with pytest.raises(ReceiptError, match="cannot be negative"):
        commit_receipt(env.cache, shipment_id, [ReceiptLine(sku, -2)], receipt_id="x2")
    with pytest.raises(ReceiptError, match="More than expected") as over:
        commit_receipt(env.cache, shipment_id, [ReceiptLine(sku, 6)], receipt_id="x3")
    assert over.value.over_receipt
    with pytest.raises(ReceiptError, match="Nothing to receive"):
        commit_receipt(env.cache, shipment_id, [ReceiptLine(sku, 0)], receipt_id="x4")
    assert env.cache.outbox.counts()["pending"] == 0

    close_shipment(env.cache, shipment_id)
    env.push()
    env.store.clear_requests()
    with pytest.raises(ReceiptError, match="is closed"):
        commit_receipt(env.cache, shipment_id, [ReceiptLine(sku, 1)], receipt_id="x5")
    assert env.cache.outbox.counts()["pending"] == 0
    assert len(env.cache.ledger.entries()) == ledger_before
    assert env.writes() == []


def test_over_receipt_is_booked_only_when_confirmed(env: Env) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    shipment_id = shipment_for(env, sku, waiting)
    on_hand, backordered = env.stock(vid)
    result = commit_receipt(
        env.cache,
        shipment_id,
        [ReceiptLine(sku, waiting + 5)],
        receipt_id="r-over",
        allow_over=True,
    )
    assert result.booked
    env.push()
    assert env.stock(vid) == (on_hand + 5, backordered - waiting)


def test_a_count_made_in_bigcommerce_after_the_sync_survives_the_receipt(env: Env) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    shipment_id = shipment_for(env, sku, waiting + 5)
    # Someone counts 4 more units on the shelf in BigCommerce after our last sync; no re-read:
    # the receipt is a change on what the store has when it applies.
    env.store.state.inventory[(vid, 1)].on_hand += 4
    on_hand, backordered = env.stock(vid)
    commit_receipt(env.cache, shipment_id, [ReceiptLine(sku, waiting + 5)], receipt_id="r-fresh")
    env.push()
    assert env.stock(vid) == (on_hand + 5, backordered - waiting)  # the 4 were not overwritten


def test_rejected_units_and_close_short_keep_stock_and_eta_honest(env: Env) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku = lines[0].sku
    shipment_id = shipment_for(env, sku, 20)
    on_hand, backordered = env.stock(vid)
    line = ReceiptLine(sku, 1, rejected=2, reason="crushed box", close_short=True)
    commit_receipt(env.cache, shipment_id, [line], receipt_id="r-short")
    env.push()
    doc = store_shipment(env, shipment_id)
    assert doc["status"] == RECEIVED  # nothing more expected: the rest was closed short
    assert doc["lines"][0]["qty_rejected"] == 2  # type: ignore[index]
    assert doc["lines"][0]["closed_short"] is True  # type: ignore[index]
    assert env.stock(vid) == (on_hand, backordered - 1)  # rejected units never reach stock
    receipts = doc["receipts"]
    assert isinstance(receipts, list) and receipts[0]["accepted"] == 1
    assert datetime.fromisoformat(receipts[0]["at"]).date() == datetime.now(UTC).date()


def test_units_of_untracked_products_are_booked_without_a_stock_write(env: Env) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    untracked = next(
        v.sku
        for v in env.cache.variants.all()
        if env.store.state.products[v.product_id].inventory_tracking == "none"
    )
    shipment, _ = add_shipment(
        env.cache,
        supplier="Nordström Textil AB",
        expected=None,
        lines=[(sku, waiting), (untracked, 4)],
    )
    env.push()
    on_hand, backordered = env.stock(vid)
    bodies: list[bytes] = []
    env.client.http.event_hooks["request"].append(
        lambda request: bodies.append(request.content) if RELATIVE in request.url.path else None
    )
    commit_receipt(
        env.cache,
        shipment.id,
        [ReceiptLine(sku, waiting), ReceiptLine(untracked, 4)],
        receipt_id="r-untracked",
    )
    result = env.push()
    assert result.failed == 0 and result.pending == 0
    assert env.stock(vid) == (on_hand, backordered - waiting)
    assert len(bodies) == 1 and untracked.encode() not in bodies[0]
    items = json.loads(bodies[0])["items"]
    assert [item["variant_id"] for item in items] == [vid]
