"""Two laptops on one store: neither overwrites the other's stock, even from stale data.

The stale undo is a merchant's sequence (receive, release, undo) and runs on the window and on
the command line. The three others interleave two laptops' pushes of already queued receipts
(offline, late inventory writes, a record created twice): they pin sync/push merging below both
front ends, which neither front can interleave that way, so they stay at the service level."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.cache import open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.dock.allocations import held_units
from backorder_desktop.services.dock.dock_actions import receive
from backorder_desktop.services.dock.receiving import commit_receipt
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.sync_control.actions import run_action
from backorder_desktop.services.sync_control.conflicts import list_conflicts
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import sync_store
from backorder_desktop.sync.pull import pull
from tests.support.fronts import FRONTS, make_front
from tests.support.shipments import Env, demo_env, variant_with_waiting_lines


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Env, Env]]:
    with demo_env(tmp_path / "one") as one:
        client = BigCommerceClient(
            one.store.api_url, one.store.store_hash, one.store.token, max_retries=2,
            backoff_base=0.01,
        )  # fmt: skip
        try:
            with open_cache(tmp_path / "two.sqlite") as cache:
                pull(client, cache)
                yield one, Env(one.store, client, cache)
        finally:
            client.close()


def _receive(env: Env, sku: str, qty: int, receipt_id: str) -> None:
    shipment, _ = add_shipment(env.cache, supplier="Acme", expected=None, lines=[(sku, qty)])
    commit_receipt(
        env.cache, shipment.id, [ReceiptLine(sku, qty)], receipt_id=receipt_id, allow_over=True
    )


@pytest.mark.parametrize("front", FRONTS)
def test_a_stale_undo_on_one_laptop_leaves_the_other_laptops_receipt(
    tmp_path: Path, front: str, request: pytest.FixtureRequest
) -> None:
    with DemoStore(seed=1) as store:
        one = make_front(front, request, store, tmp_path / "one")  # the laptop under test
        connection = StoreConnection(store.store_hash, store.api_url)
        two = StoreSession(tmp_path / "two", connection, store.token)  # the other, in services
        request.addfinalizer(two.close)
        one.sync()
        sync_store(two)
        vid, lines = variant_with_waiting_lines(two.cache)
        sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
        env = Env(store, None, None)  # type: ignore[arg-type]  # the store's side only
        _add(two, "PO-ONE", sku, waiting)
        one.sync()
        order_id = one.receive("PO-ONE", {sku: waiting}, release=False).ready_orders[0]
        held = _held(tmp_path / "one", store, order_id, vid)
        assert one.release([order_id]) == [order_id]
        sync_store(two)
        shipment = _add(two, "PO-TWO", sku, 30)
        received = run_action(  # nobody waits any more: 30 to stock
            two, lambda s: receive(s, shipment.id, [ReceiptLine(sku, 30)], receipt_id="r-two")
        )
        assert received.pushed is not None and received.pushed.failed == 0
        after_two = env.stock(vid)
        store.clear_requests()
        undone = one.undo_release(order_id)  # laptop one never synced laptop two's receipt
        assert undone.ok and "refused" not in undone.text, undone.text
        # The undo writes no stock (its units stay reserved for the order): laptop two's 30 stay.
        assert env.writes("/v3/inventory/adjustments/relative") == []
        assert env.writes("/v2/orders")  # the status went back
        assert env.stock(vid) == after_two
        assert order_id in one.ready()
        assert _held(tmp_path / "one", store, order_id, vid) == held


def _add(session: StoreSession, reference: str, sku: str, qty: int) -> Any:
    added = run_action(
        session,
        lambda s: add_shipment(
            s.cache, supplier="Acme", expected=None, lines=[(sku, qty)], reference=reference
        ),
    )
    assert added.pushed is not None and added.pushed.failed == 0
    return added.result[0]


def _held(data_dir: Path, store: DemoStore, order_id: int, vid: int) -> int:
    connection = StoreConnection(store.store_hash, store.api_url)
    with StoreSession(data_dir, connection, store.token) as peek:
        return sum(h.qty for h in held_units(peek.cache, order_id=order_id) if h.variant_id == vid)


def test_an_offline_receipt_pushed_after_the_other_laptops_keeps_both(
    laptops: tuple[Env, Env],
) -> None:
    one, two = laptops
    vid, lines = variant_with_waiting_lines(one.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    on_hand, backordered = one.stock(vid)
    _receive(two, sku, 20, "r-offline")  # queued on laptop two, not sent (offline)
    _receive(one, sku, 20, "r-online")
    assert one.push().failed == 0
    assert two.push().failed == 0  # both allocated the same waiting units
    # Every received unit counts once; the units owed are cleared once, never below zero.
    assert one.stock(vid) == (on_hand + 40 - waiting, backordered - waiting)


def test_two_receipts_of_the_same_waiting_units_keep_every_unit_when_writes_apply_late(
    laptops: tuple[Env, Env],
) -> None:
    # BigCommerce applies inventory writes asynchronously: laptop two reads the stock before
    # laptop one's write shows, so the figures alone cannot tell it the units are cleared. The
    # order records laptop one published in the same push can (sync/owed_elsewhere.py).
    one, two = laptops
    one.store.inventory_delay_s = 0.4
    vid, lines = variant_with_waiting_lines(one.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    on_hand, backordered = one.stock(vid)
    _receive(two, sku, 20, "r-late-two")  # laptop two has not seen laptop one's receipt
    _receive(one, sku, 20, "r-late-one")
    assert one.push().failed == 0
    assert two.push().failed == 0
    one.store.settle()
    assert one.stock(vid) == (on_hand + 40 - waiting, backordered - waiting)
    assert len(one.writes("/v3/inventory/adjustments/relative")) == 2


def test_a_record_the_other_laptop_created_first_is_adopted_or_shown_never_stuck(
    laptops: tuple[Env, Env],
) -> None:
    one, two = laptops
    sku = next(v.sku for v in one.cache.variants.all())
    add_shipment(one.cache, supplier="Brand New Supplier", expected=None, lines=[(sku, 2)])
    assert one.push().failed == 0
    # Laptop two has not synced: it creates the same supplier record.
    add_shipment(two.cache, supplier="Brand New Supplier", expected=None, lines=[(sku, 3)])
    result = two.push()
    held = list_conflicts(two.cache)
    assert result.failed == len(held)  # anything not sent waits for a choice, with both values
    supplier_records = [
        m for m in one.store.state.metafields.values() if m.key.startswith("supplier:brand")
    ]
    assert len(supplier_records) == 1  # never a second copy
    two.pull()
    again = two.push()
    assert (again.pending, again.failed) == (0, len(held))
