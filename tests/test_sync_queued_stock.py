"""A sync while stock writes wait in the outbox: nothing queued is lost or counted from stale data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.dock.allocations import held_units
from backorder_desktop.services.dock.receiving import commit_receipt
from backorder_desktop.services.dock.releasing import ready_orders, release_orders, undo_release
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.sync_control.conflicts import list_conflicts
from backorder_desktop.sync.push import push
from tests.support.shipments import Env, demo_env, variant_with_waiting_lines

RELATIVE = "/v3/inventory/adjustments/relative"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    with demo_env(tmp_path) as e:
        yield e


def _quiet_variant(env: Env) -> tuple[int, str]:
    """A tracked variant nobody waits for: every received unit goes to sellable stock."""
    waiting = {line.variant_id for line in load_queue(env.cache)}
    for v in env.cache.variants.all():
        product = env.store.state.products[v.product_id]
        if (
            v.id not in waiting
            and product.inventory_tracking != "none"
            and product.availability != "preorder"
            and (v.id, 1) in env.store.state.inventory
        ):
            return v.id, v.sku
    raise AssertionError("no quiet variant in the seed")


def _cached_on_hand(env: Env, vid: int) -> int:
    return next(r.on_hand for r in env.cache.inventory.for_variants([vid]) if r.location_id == 1)


def _shipment_doc(env: Env, shipment_id: str) -> dict[str, object]:
    [field] = [
        m
        for m in env.store.state.metafields.values()
        if m.resource_type == "store" and m.key == f"shipment:{shipment_id}"
    ]
    doc: dict[str, object] = json.loads(field.value)
    return doc


def test_a_sync_under_a_queued_receipt_loses_nothing_and_counts_nothing_twice(env: Env) -> None:
    vid, sku = _quiet_variant(env)
    on_hand, _ = env.stock(vid)
    shipment, _ = add_shipment(
        env.cache, supplier="Acme", expected=date.today() + timedelta(days=3), lines=[(sku, 20)]
    )
    env.push()
    # The store answers 503 to every stock write for a while.
    env.store.faults.script("POST", RELATIVE, "503", times=50)
    commit_receipt(env.cache, shipment.id, [ReceiptLine(sku, 10)], receipt_id="r-1")
    assert push(env.client, env.cache).pending >= 1
    env.pull()  # the window's refresh: sync, then push
    assert _cached_on_hand(env, vid) == on_hand + 10  # the queued receipt still shows
    commit_receipt(env.cache, shipment.id, [ReceiptLine(sku, 10)], receipt_id="r-2")
    env.store.faults.clear()
    result = env.push()
    assert (result.pending, result.failed) == (0, 0)
    assert list_conflicts(env.cache) == []  # one laptop: nobody else changed anything
    assert env.stock(vid)[0] == on_hand + 20
    doc = _shipment_doc(env, shipment.id)
    assert doc["lines"][0]["qty_received"] == 20  # type: ignore[index]
    # The store's figures reach the cache, and a sync agrees.
    assert _cached_on_hand(env, vid) == on_hand + 20
    env.pull()
    assert _cached_on_hand(env, vid) == on_hand + 20


def test_an_undo_after_a_sync_under_a_queued_receipt_and_release_keeps_the_stock(
    env: Env,
) -> None:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    on_hand, backordered = env.stock(vid)
    shipment, _ = add_shipment(
        env.cache, supplier="Acme", expected=None, lines=[(sku, waiting + 1)]
    )
    env.push()
    env.store.faults.script("POST", RELATIVE, "503", times=50)
    commit_receipt(env.cache, shipment.id, [ReceiptLine(sku, waiting + 1)], receipt_id="r-u")
    ready = {r.order_id for r in ready_orders(env.cache)}
    order_id = next(h.order_id for h in held_units(env.cache) if h.order_id in ready)
    held = sum(h.qty for h in held_units(env.cache, order_id=order_id) if h.variant_id == vid)
    release_orders(env.cache, [order_id])
    push(env.client, env.cache)
    env.pull()
    env.store.faults.clear()
    assert env.push().failed == 0
    assert env.stock(vid) == (on_hand + 1, backordered - waiting)
    env.store.clear_requests()
    undo_release(env.cache, order_id)
    assert env.push().failed == 0
    # The undo writes no stock: the units stay reserved for the order, ready again (issue 14).
    assert env.writes(RELATIVE) == []
    assert env.stock(vid) == (on_hand + 1, backordered - waiting)
    assert order_id in {r.order_id for r in ready_orders(env.cache)}
    assert (
        sum(h.qty for h in held_units(env.cache, order_id=order_id) if h.variant_id == vid) == held
    )
