"""Push against the real demo store: outbox rows go to sent, back to pending, or to failed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce.errors import AuthError
from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.models import AWAITING_SHIPMENT, METAFIELD_NAMESPACE
from backorder_desktop.sync.pull import pull
from backorder_desktop.sync.push import push
from tests.support.outbox import enqueue_request

RETRIES = 2
VARIANTS = "/v3/catalog/variants"
PRODUCTS = "/v3/catalog/products"


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=1) as s:
        yield s


def make_client(store: DemoStore) -> BigCommerceClient:
    return BigCommerceClient(
        store.api_url, store.store_hash, store.token, max_retries=RETRIES, backoff_base=0.01
    )


@pytest.fixture
def client(store: DemoStore) -> Iterator[BigCommerceClient]:
    with make_client(store) as c:
        yield c


@pytest.fixture
def cache(tmp_path: Path, store: DemoStore, client: BigCommerceClient) -> Iterator[Cache]:
    with open_cache(tmp_path / "store.sqlite") as c:
        pull(client, c)
        store.clear_requests()
        yield c


def writes(store: DemoStore) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in store.requests if r.method != "GET"]


def some_variant(store: DemoStore) -> int:
    return min(store.state.variants)


def an_order_awaiting_fulfillment(store: DemoStore) -> int:
    return min(o.id for o in store.state.open_orders() if o.status_id == 11)


def make_due_now(cache: Cache) -> None:
    """Stand-in for waiting out the back-off."""
    with cache.transaction() as db:
        db.execute(
            "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending'",
            [(datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")],
        )


def test_rows_are_sent_in_order_and_replies_land_in_the_cache(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    variant_id = some_variant(store)
    order_id = an_order_awaiting_fulfillment(store)
    enqueue_request(
        cache.outbox, "b1", "variant_price", "PUT", VARIANTS, [{"id": variant_id, "price": 12.34}]
    )
    enqueue_request(
        cache.outbox,
        "b1",
        "release",
        "PUT",
        f"/v2/orders/{order_id}",
        {"status_id": AWAITING_SHIPMENT},
    )
    enqueue_request(
        cache.outbox,
        "b1",
        "eta",
        "POST",
        "/v3/catalog/variants/metafields",
        [
            {
                "resource_id": variant_id,
                "namespace": METAFIELD_NAMESPACE,
                "key": "eta",
                "value": "2031-02-03",
                "permission_set": "write",
            }
        ],
    )

    result = push(client, cache)

    assert (result.sent, result.pending, result.failed) == (3, 0, 0)
    assert cache.outbox.counts()["sent"] == 3
    assert writes(store) == [
        ("PUT", VARIANTS, 200),
        ("PUT", f"/v2/orders/{order_id}", 200),
        ("POST", "/v3/catalog/variants/metafields", 200),
    ]
    # The store has the changes...
    assert store.state.variants[variant_id].price == 12.34
    assert store.state.orders[order_id].status_id == AWAITING_SHIPMENT
    created = [
        m
        for m in store.state.metafields.values()
        if m.resource_id == variant_id and m.key == "eta" and m.value == "2031-02-03"
    ]
    assert len(created) == 1
    # ...and the cache holds the store's replies, including the id BigCommerce gave the metafield.
    variant = cache.variants.get(variant_id)
    assert variant is not None and variant.price == 12.34
    order = cache.orders.get(order_id)
    assert order is not None and order.status_id == AWAITING_SHIPMENT and order.lines
    assert (created[0].id, "2031-02-03") in {
        (m.id, m.value) for m in cache.metafields.by_key("variant", "eta")
    }


def test_server_errors_beyond_retries_keep_the_row_pending_and_stop_the_drain(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    variant_id = some_variant(store)
    first = enqueue_request(
        cache.outbox, "b", "price", "PUT", VARIANTS, [{"id": variant_id, "price": 5.0}]
    )
    enqueue_request(cache.outbox, "b", "price", "PUT", VARIANTS, [{"id": variant_id, "price": 7.0}])
    store.faults.script("PUT", r"^/v3/catalog/variants$", "503", times=RETRIES + 1)

    result = push(client, cache)

    assert (result.sent, result.pending, result.failed) == (0, 2, 0)
    assert len(writes(store)) == RETRIES + 1  # the second row was not tried
    row = cache.outbox.get(first)
    assert row is not None
    assert row.state == "pending" and row.attempts == 1
    assert row.last_error and "503" in row.last_error
    assert row.next_attempt_at > datetime.now(UTC)

    store.clear_requests()
    assert push(client, cache).sent == 0  # still backing off: no request at all
    assert store.requests == []

    make_due_now(cache)
    result = push(client, cache)
    assert (result.sent, result.pending, result.failed) == (2, 0, 0)
    assert store.state.variants[variant_id].price == 7.0  # the later value wins


def test_dropped_connection_is_retried_later(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    order_id = an_order_awaiting_fulfillment(store)
    row_id = enqueue_request(
        cache.outbox,
        "b",
        "release",
        "PUT",
        f"/v2/orders/{order_id}",
        {"status_id": AWAITING_SHIPMENT},
    )
    store.faults.script("PUT", r"^/v2/orders/\d+$", "drop", times=RETRIES + 1)

    result = push(client, cache)
    assert (result.sent, result.pending) == (0, 1)
    row = cache.outbox.get(row_id)
    assert row is not None and row.last_error and "BigCommerce" in row.last_error

    make_due_now(cache)
    assert push(client, cache).sent == 1
    assert store.state.orders[order_id].status_id == AWAITING_SHIPMENT


def test_refused_rows_fail_with_bigcommerces_message_and_the_rest_still_go(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    variant_id = some_variant(store)
    order_id = an_order_awaiting_fulfillment(store)
    bad_variant = enqueue_request(
        cache.outbox,
        "b",
        "upc",
        "PUT",
        VARIANTS,
        [{"id": variant_id, "upc": "1234567890123456789"}],
    )
    bad_order = enqueue_request(
        cache.outbox, "b", "status", "PUT", f"/v2/orders/{order_id}", {"status_id": 99}
    )
    good = enqueue_request(
        cache.outbox, "b", "price", "PUT", VARIANTS, [{"id": variant_id, "price": 3.5}]
    )

    result = push(client, cache)

    assert (result.sent, result.pending, result.failed) == (1, 0, 2)
    failed = {row.id: row.last_error or "" for row in cache.outbox.rows("failed")}
    assert set(failed) == {bad_variant, bad_order}
    assert "upc" in failed[bad_variant]
    assert "status id from 0 to 14" in failed[bad_order]  # the store's own words
    assert cache.outbox.get(good) is not None
    assert store.state.variants[variant_id].price == 3.5
    assert store.state.orders[order_id].status_id == 11


def test_partly_saved_batch_fails_the_row_but_keeps_what_was_saved(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    product_id = min(store.state.products)
    missing = max(store.state.products) + 1000
    row_id = enqueue_request(
        cache.outbox,
        "b",
        "availability",
        "PUT",
        PRODUCTS,
        [
            {"id": product_id, "availability_description": "Ships in 2 weeks"},
            {"id": missing, "availability_description": "Ships in 2 weeks"},
        ],
    )

    result = push(client, cache)

    assert writes(store) == [("PUT", PRODUCTS, 207)]
    assert (result.sent, result.failed) == (0, 1)
    row = cache.outbox.get(row_id)
    assert row is not None and row.last_error and str(missing) in row.last_error
    product = cache.products.get(product_id)
    assert product is not None and product.availability_description == "Ships in 2 weeks"


def test_rejected_token_pauses_pushing_with_every_row_pending(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    variant_id = some_variant(store)
    ids = [
        enqueue_request(
            cache.outbox, "b", "price", "PUT", VARIANTS, [{"id": variant_id, "price": p}]
        )
        for p in (1.0, 2.0)
    ]
    store.revoke_token()

    with pytest.raises(AuthError):
        push(client, cache)

    rows = cache.outbox.rows("pending")
    assert [(r.id, r.attempts) for r in rows] == [(ids[0], 0), (ids[1], 0)]
    assert len(writes(store)) == 1

    store.set_token("a-new-token-the-merchant-entered")
    with BigCommerceClient(
        store.api_url, store.store_hash, "a-new-token-the-merchant-entered"
    ) as fresh:
        assert push(fresh, cache).sent == 2
    assert store.state.variants[variant_id].price == 2.0


def test_cancel_stops_before_the_next_row(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    variant_id = some_variant(store)
    for price in (1.0, 2.0, 3.0):
        enqueue_request(
            cache.outbox, "b", "price", "PUT", VARIANTS, [{"id": variant_id, "price": price}]
        )
    sent_before_cancel = 1

    result = push(client, cache, cancelled=lambda: len(writes(store)) >= sent_before_cancel)

    assert (result.sent, result.pending) == (1, 2)
    assert [r.attempts for r in cache.outbox.rows("pending")] == [0, 0]
    assert store.state.variants[variant_id].price == 1.0
