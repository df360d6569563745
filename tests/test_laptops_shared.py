"""The merchant's per-order choices travel between laptops through BigCommerce (through the
window and the command line; the allocation ledger below them at the service level)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.cache.shared_allocations import allocation_entries
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.backorders import list_backorders
from backorder_desktop.services.dock.shared_allocations import publish_allocations
from backorder_desktop.services.sync_control.conflicts import list_conflicts
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store
from tests.support.fronts import FRONTS, make_front


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=11) as demo:
        yield demo


@pytest.mark.parametrize("front", FRONTS)
def test_priority_and_partial_shipment_set_on_one_laptop_apply_on_the_other(
    store: DemoStore, tmp_path: Path, front: str, request: pytest.FixtureRequest
) -> None:
    # Both laptops on the front under test (the CLI has no priority or partial command: see
    # CliFront); each reads the queue as its merchant sees it.
    a = make_front(front, request, store, tmp_path / "a")
    b = make_front(front, request, store, tmp_path / "b")
    a.sync()
    b.sync()
    last = max(a.queue(), key=lambda line: line.queue_position)
    order = last.order_id
    # An older version kept a partial-shipment choice on this laptop only: it is kept.
    connection = StoreConnection(store.store_hash, store.api_url)
    with StoreSession(tmp_path / "a", connection, store.token) as older:
        older.cache.app_state.set("partial_shipment", str(order), "1")
    a.priority(order, +5)  # pushed
    b.sync()
    moved = next(line for line in b.queue() if line.order_id == order and line.sku == last.sku)
    assert (moved.priority, moved.queue_position) == (5, 1)
    assert b.partial_allowed(order)
    # B withdraws the partial shipment; A sees it after its sync.
    b.partial(order, False)
    a.sync()
    assert not a.partial_allowed(order)
    first = next(line for line in a.queue() if line.order_id == order and line.sku == last.sku)
    assert first.priority == 5


def _allocate(session: StoreSession, order_id: int, line_id: int, batch: str, qty: int) -> None:
    with session.cache.transaction():
        session.cache.ledger.append(
            "allocation", qty=qty, order_id=order_id, line_id=line_id, batch_id=batch,
            sku="X", variant_id=1, payload={"location_id": 1, "native": True},
        )  # fmt: skip
        publish_allocations(session.cache, [order_id], batch_id=batch)


def test_allocations_booked_on_two_laptops_at_once_are_merged_not_lost(
    store: DemoStore, tmp_path: Path
) -> None:
    connection = StoreConnection(store.store_hash, store.api_url)
    with (
        StoreSession(tmp_path / "a", connection, store.token) as a,
        StoreSession(tmp_path / "b", connection, store.token) as b,
    ):
        sync_store(a)
        line = list_backorders(a.cache)[0]
        order, line_id = line.order_id, line.line_id
        _allocate(a, order, line_id, "receipt-a1", 1)
        assert push_outbox(a).failed == 0
        sync_store(b)
        # Between syncs, each laptop books another receipt for the same order.
        _allocate(a, order, line_id, "receipt-a2", 1)
        _allocate(b, order, line_id, "receipt-b1", 1)
        assert push_outbox(a).failed == 0
        assert push_outbox(b).failed == 0  # merged: allocations only add up
        assert list_conflicts(b.cache) == []
        sync_store(a)
        sync_store(b)
        for laptop in (a, b):
            batches = {e.batch_id for e in allocation_entries(laptop.cache, order_id=order)}
            assert batches == {"receipt-a1", "receipt-a2", "receipt-b1"}
