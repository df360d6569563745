"""The cursor's overlap: orders listed again as the cache holds them cost nothing (issue 15),
and an order changed in the cursor's own second is still caught."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce.errors import BigCommerceError, MappingError
from backorder_desktop.bigcommerce.order_pages import changed_orders
from backorder_desktop.bigcommerce.paging import read_v2_page
from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.dates import now_utc
from backorder_desktop.domain.models import OPEN_ORDER_STATUSES
from backorder_desktop.sync.pull import pull
from tests.support.store_writes import set_order_status

ITEMS = "/v3/inventory/items"
ORDERS = "/v2/orders"


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=5, products=200, orders=120, rate_limit=(10_000, 30.0)) as s:
        # Orders imported in one batch half a minute ago: all share one last-modified second,
        # well inside the next syncs' overlap (open and closed alike).
        batch = now_utc() - timedelta(seconds=30)
        with s.engine.lock:
            for order in list(s.state.orders.values())[:60]:
                order.date_modified = batch
        yield s


@pytest.fixture
def client(store: DemoStore) -> Iterator[BigCommerceClient]:
    with BigCommerceClient(store.api_url, store.store_hash, store.token) as c:
        yield c


@pytest.fixture
def cache(tmp_path: Path, client: BigCommerceClient) -> Iterator[Cache]:
    with open_cache(tmp_path / "store.sqlite") as c:
        pull(client, c)  # the first sync: full
        yield c


def batch_orders(store: DemoStore, *, open_: bool) -> list[int]:
    state = store.state
    batch = max(o.date_modified for o in list(state.orders.values())[:60])
    return [
        o.id
        for o in state.orders.values()
        if o.date_modified == batch and (o.status_id in OPEN_ORDER_STATUSES) == open_
    ]


def variants_read(store: DemoStore) -> set[int]:
    reads = [r for r in store.requests if r.path == ITEMS]
    return {int(v) for r in reads for v in r.query["variant_id:in"].split(",")}


def test_orders_listed_again_unchanged_are_not_rewritten_and_name_no_stock(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    open_batch, closed_batch = batch_orders(store, open_=True), batch_orders(store, open_=False)
    assert len(open_batch) >= 5 and len(closed_batch) >= 5  # both kinds are in the overlap
    store.clear_requests()

    first = pull(client, cache)

    listed = [r for r in store.requests if r.path == ORDERS]
    assert len(listed) == 1 and "min_date_modified" in listed[0].query  # the overlap was listed
    # The open orders the cache already holds were not re-mapped nor written: the window is
    # told of none of them. Closed ones are not cached: this first time they are read.
    assert not set(open_batch) & first.changes.orders
    assert cache.orders.ids() == {o.id for o in store.state.open_orders()}

    store.clear_requests()
    second = pull(client, cache)

    # Nothing changed: the same overlap lists the same orders, open and closed, and now every
    # one is known as it is. No stock is re-read, nothing is written.
    assert [r.path for r in store.requests].count(ORDERS) == 1
    assert not [r for r in store.requests if r.path == ITEMS]
    assert "orders" not in second.changed and not second.changes.orders
    assert second.requests == len(store.requests)


def test_an_order_changed_in_the_cursors_own_second_is_picked_up(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    pull(client, cache)  # the overlap's orders are known now, open and closed
    state = store.state
    batch = state.orders[batch_orders(store, open_=True)[0]].date_modified
    cursor = cache.sync_state.cursor("orders")  # the newest order date seen
    assert cursor is not None and cursor >= batch
    # An open order from before the batch is moved on by the merchant, and the store dates
    # the change in the cursor's very second (V2 dates have whole seconds).
    order = next(
        o for o in state.open_orders() if o.status_id == 11 and o.date_modified < batch and o.lines
    )
    set_order_status(client, order.id, 9)
    with store.engine.lock:
        order.date_modified = cursor
    untouched = batch_orders(store, open_=True)
    store.clear_requests()

    result = pull(client, cache)

    cached = cache.orders.get(order.id)
    assert cached is not None and cached.status_id == 9
    assert order.id in result.changes.orders and not set(untouched) & result.changes.orders
    # Its lines' stock is re-read (a status change moves stock); the batch names none.
    assert {line.variant_id for line in order.lines} <= variants_read(store)
    assert result.requests == len(store.requests) <= 10


def test_the_client_leaves_out_exactly_the_orders_held_as_they_are(
    store: DemoStore, client: BigCommerceClient
) -> None:
    since = now_utc() - timedelta(days=400)
    everything = list(client.iter_orders(status_ids=OPEN_ORDER_STATUSES, modified_since=since))
    assert len(everything) > 20
    held = {o.id: o.date_modified for o in everything[::2]}
    stale = everything[1]  # held with another date: it changed since, so it is listed
    held[stale.id] = stale.date_modified - timedelta(seconds=1)

    listed = list(
        client.iter_orders(status_ids=OPEN_ORDER_STATUSES, modified_since=since, unchanged=held)
    )

    expected = [o for o in everything if held.get(o.id) != o.date_modified]
    assert listed == expected and stale in listed


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Odd pages take the careful path: what it gives, or the error it names.
        (
            b'[{"id": "7", "date_modified": "x"}, {"id": 8}]',
            [{"id": "7", "date_modified": "x"}, {"id": 8}],
        ),
        (
            b'[{"id": 7, "date_modified": "Mon, 07 Dec 2026 10:00:00 +0000"}, {"id": 8}]',
            [{"id": 8}],
        ),
        (b"[]", []),
        (b"", []),
        (b'[1, {"id": 8}]', MappingError),
        (b'{"data": []}', BigCommerceError),
    ],
)
def test_an_odd_orders_page_reads_as_the_careful_path_reads_it(
    body: bytes, expected: object
) -> None:
    held = {7: datetime(2026, 12, 7, 10, tzinfo=UTC), 8: datetime(2020, 1, 1, tzinfo=UTC)}
    response = httpx.Response(200, content=body)
    read = changed_orders(held)
    if isinstance(expected, type):
        with pytest.raises(expected):
            read(response, "/v2/orders")
        with pytest.raises(expected):
            read_v2_page(response, "/v2/orders")
        return
    items, count, _first = read(response, "/v2/orders")
    assert items == expected
    assert count == len(read_v2_page(response, "/v2/orders")[0])
