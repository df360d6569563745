"""Incremental sync reads only what changed: the stock of the variants that changed orders and
products name, and the whole inventory at most hourly (stock changed outside the app)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.models import OPEN_ORDER_STATUSES
from backorder_desktop.sync.pull import pull
from backorder_desktop.sync.stock_reads import SWEEP_CURSOR, SWEEP_EVERY, sweep_due
from tests.support.demo_store_http import order_body, stock_identity
from tests.support.store_writes import rename_product, send, set_stock

ITEMS = "/v3/inventory/items"


@pytest.fixture
def store() -> Iterator[DemoStore]:
    # Inventory of several pages (1,000 items each), so a full read is visibly more.
    with DemoStore(seed=3, products=700, orders=300, rate_limit=(10_000, 30.0)) as s:
        yield s


@pytest.fixture
def client(store: DemoStore) -> Iterator[BigCommerceClient]:
    with BigCommerceClient(store.api_url, store.store_hash, store.token) as c:
        yield c


@pytest.fixture
def other(store: DemoStore) -> Iterator[BigCommerceClient]:
    """Shoppers and the merchant's admin: the store's own API, not this app's session."""
    with BigCommerceClient(store.api_url, store.store_hash, store.token) as c:
        yield c


@pytest.fixture
def cache(tmp_path: Path, store: DemoStore, client: BigCommerceClient) -> Iterator[Cache]:
    with open_cache(tmp_path / "store.sqlite") as c:
        pull(client, c)
        store.clear_requests()
        yield c


def tracked_variants(store: DemoStore) -> list[int]:
    state = store.state
    return sorted(
        vid
        for vid, v in state.variants.items()
        if state.products[v.product_id].inventory_tracking == "variant"
    )


def store_on_hand(store: DemoStore, variant_id: int) -> int:
    state = store.state
    stock = state.stock_variant(variant_id)
    return sum(rec.on_hand for (vid, _), rec in state.inventory.items() if vid == stock)


def inventory_pages(store: DemoStore) -> int:
    state = store.state
    tracked = sum(1 for vid in state.variants if state.tracked(vid))
    return math.ceil(tracked / 1000)


def test_three_orders_and_two_product_edits_take_a_handful_of_requests(
    store: DemoStore, client: BigCommerceClient, other: BigCommerceClient, cache: Cache
) -> None:
    assert inventory_pages(store) >= 3  # what a re-read of all stock would cost
    state = store.state
    variants = tracked_variants(store)
    in_stock = [vid for vid in variants if store_on_hand(store, vid) >= 5]
    bought = [in_stock[10], in_stock[len(in_stock) // 3], in_stock[len(in_stock) // 2]]
    cached_before = cache.inventory.on_hand_by_variant(bought)
    for n, vid in enumerate(bought):
        body = order_body(state.variants[vid].product_id, vid, 1 + n)
        other.request("POST", "/v2/orders", json=body)
    edited = [state.variants[variants[600]].product_id, state.variants[variants[900]].product_id]
    for pid in edited:
        rename_product(other, pid, f"Renamed {pid} in the admin")
    store.clear_requests()

    result = pull(client, cache)

    assert not result.full
    assert result.requests == len(store.requests) <= 10
    reads = [r for r in store.requests if r.path == ITEMS]
    assert len(reads) == 1  # one filtered listing, not every page
    named = {int(v) for v in reads[0].query["variant_id:in"].split(",")}
    edited_variants = {vid for pid in edited for vid in state.products[pid].variant_ids}
    # What the changes name. Records the cursor's overlap lists again name nothing when the
    # cache holds them unchanged; closed orders are not cached, so theirs are read again.
    assert set(bought) | edited_variants <= named
    closed = {
        line.variant_id
        for o in state.orders.values()
        if o.status_id not in OPEN_ORDER_STATUSES
        for line in o.lines
    }
    assert named - set(bought) - edited_variants <= closed
    # The orders moved the store's stock, and the cache has it.
    on_hand = cache.inventory.on_hand_by_variant(bought)
    assert on_hand == {vid: store_on_hand(store, vid) for vid in bought}
    assert all(on_hand[vid] < cached_before[vid] for vid in bought)
    assert {o.id for o in state.open_orders()} == cache.orders.ids()
    for pid in edited:
        product = cache.products.get(pid)
        assert product is not None and product.name == f"Renamed {pid} in the admin"


def test_stock_changed_outside_the_app_is_caught_by_the_hourly_sweep(
    store: DemoStore, client: BigCommerceClient, other: BigCommerceClient, cache: Cache
) -> None:
    ordered = {line.variant_id for o in store.state.orders.values() for line in o.lines}
    variant = [vid for vid in tracked_variants(store) if vid not in ordered][123]
    location = min(store.state.locations)
    # The merchant counts the shelf and types a new level in the admin: no order, no product
    # edit, nothing in any listing's dates.
    level = store_on_hand(store, variant) + 17
    others = store_on_hand(store, variant) - sum(
        rec.on_hand
        for (vid, loc), rec in store.state.inventory.items()
        if vid == store.state.stock_variant(variant) and loc == location
    )
    item = {"location_id": location, **stock_identity(store, variant), "quantity": level - others}
    set_stock(other, [item], reason="Stock count")
    assert store_on_hand(store, variant) == level

    # Within the hour: nothing changed that an incremental sync can see, so it reads no stock
    # but that of closed orders its cursor's overlap lists again (closed orders are not cached).
    pull(client, cache)
    assert all(str(variant) not in r.query.get("variant_id:in", "") for r in store.requests)
    assert all("variant_id:in" in r.query for r in store.requests if r.path == ITEMS)
    assert cache.inventory.on_hand_by_variant([variant])[variant] != level

    # An hour later (the sweep's time moved back, as the clock would move on) the whole
    # inventory is read once and the admin's count is in the cache.
    swept = cache.sync_state.cursor(SWEEP_CURSOR)
    assert swept is not None
    cache.sync_state.set_cursor(SWEEP_CURSOR, swept - SWEEP_EVERY)
    store.clear_requests()
    result = pull(client, cache)
    reads = [r for r in store.requests if r.path == ITEMS]
    assert len(reads) == inventory_pages(store)
    assert not any("variant_id:in" in r.query for r in reads)
    assert "inventory" in result.changed
    assert cache.inventory.on_hand_by_variant([variant])[variant] == level

    # And not again until the next hour.
    store.clear_requests()
    pull(client, cache)
    assert all("variant_id:in" in r.query for r in store.requests if r.path == ITEMS)


def test_a_full_sync_resets_the_sweep_and_a_clock_gone_back_sweeps_at_once() -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert sweep_due(None, now)
    assert not sweep_due(now - timedelta(minutes=59), now)
    assert sweep_due(now - SWEEP_EVERY, now)
    # A laptop whose clock was ahead and is put right would otherwise wait out the difference.
    assert sweep_due(now + timedelta(days=2), now)


def test_a_variant_no_longer_tracked_loses_its_stock_rows(
    store: DemoStore, client: BigCommerceClient, other: BigCommerceClient, cache: Cache
) -> None:
    variant = tracked_variants(store)[50]
    product_id = store.state.variants[variant].product_id
    assert cache.inventory.for_variants([variant])
    send(other, ops.update_products([{"id": product_id, "inventory_tracking": "none"}]))

    pull(client, cache)

    assert cache.inventory.for_variants(store.state.products[product_id].variant_ids) == []


def test_a_sale_of_one_variant_of_a_product_tracked_by_product_updates_its_siblings(
    store: DemoStore, client: BigCommerceClient, other: BigCommerceClient, cache: Cache
) -> None:
    state = store.state
    product = next(
        p
        for p in state.products.values()
        if p.inventory_tracking == "product"
        and len(p.variant_ids) >= 2
        and store_on_hand(store, p.variant_ids[0]) >= 2
    )
    sold, sibling = product.variant_ids[0], product.variant_ids[1]
    before = cache.inventory.on_hand_by_variant([sibling])[sibling]
    other.request("POST", "/v2/orders", json=order_body(product.id, sold, 2))
    store.clear_requests()

    pull(client, cache)

    # One stock for the product: the sibling no order named shows the sale too.
    named = {
        int(v)
        for r in store.requests
        if r.path == ITEMS
        for v in r.query["variant_id:in"].split(",")
    }
    assert set(product.variant_ids) <= named
    after = cache.inventory.on_hand_by_variant([sold, sibling])
    assert after[sibling] == store_on_hand(store, sibling) == before - 2
    assert after[sold] == after[sibling]
