"""HTTP client against the real demo store over HTTP on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from backorder_desktop.bigcommerce import BigCommerceClient, errors
from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, OPEN_ORDER_STATUSES
from backorder_desktop.sync.partial import settle
from tests.support.openapi import require_specs, validate_httpx_request
from tests.support.store_writes import create_metafields, send


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=7).start() as demo:
        yield demo


def _client(store: DemoStore, **kwargs: Any) -> BigCommerceClient:
    kwargs.setdefault("backoff_base", 0.01)
    return BigCommerceClient(store.api_url, store.store_hash, store.token, **kwargs)


def _read_everything(client: BigCommerceClient) -> dict[str, Any]:
    return {
        "locations": client.list_locations(),
        "products": list(client.iter_products()),
        "inventory": list(client.iter_inventory()),
        "orders": list(client.iter_orders(status_ids=OPEN_ORDER_STATUSES)),
        "metafields": [
            m
            for kind in ("variant", "order", "store")
            for m in client.iter_metafields(kind, namespace=METAFIELD_NAMESPACE)
        ],
    }


def test_full_read_matches_the_store_and_takes_the_minimum_requests(store: DemoStore) -> None:
    state = store.state
    with _client(store) as client:
        got = _read_everything(client)
        sent = client.request_count
    assert {loc.id for loc in got["locations"]} == set(state.locations)
    assert [loc.id for loc in got["locations"] if loc.is_default] == [state.default_location_id]
    assert {p.id for p, _ in got["products"]} == set(state.products)
    assert {v.id for _, vs in got["products"] for v in vs} == set(state.variants)
    assert {(r.variant_id, r.location_id) for r in got["inventory"]} == set(state.inventory)
    for record in got["inventory"]:
        expected = state.inventory[(state.stock_variant(record.variant_id), record.location_id)]
        assert record.on_hand == expected.on_hand
        assert record.qty_backordered == expected.qty_backordered
        assert record.backorder_limit == expected.backorder_limit
    assert {o.id for o in got["orders"]} == {o.id for o in state.open_orders()}
    for order in got["orders"]:
        expected_lines = state.orders[order.id].lines
        assert len(order.lines) == len(expected_lines)
        by_id = {line.id: line for line in expected_lines}
        for line in order.lines:
            assert line.quantity_backordered == by_id[line.id].quantity_backordered
    lines = [line for order in got["orders"] for line in order.lines]
    # Both kinds of waiting line are in the dataset and read as such.
    assert any(line.quantity_backordered for line in lines)
    assert any(line.quantity_backordered is None for line in lines)
    assert any(record.qty_backordered for record in got["inventory"])
    app_fields = {
        m.id
        for m in state.metafields.values()
        if m.namespace == METAFIELD_NAMESPACE and m.resource_type in ("variant", "order", "store")
    }
    assert {m.id for m in got["metafields"]} == app_fields
    # Nothing per product or per order: exactly one request per page of each listing.
    assert sent == len(store.requests)
    assert all(r.method == "GET" and r.status in (200, 204) for r in store.requests)
    assert sent == _minimum_requests(state)


def _v3_pages(count: int, limit: int) -> int:
    return max(1, -(-count // limit))


def _v2_pages(count: int, limit: int = 250) -> int:
    # Until a short page: a listing that ends on a full page needs one more (empty, 204) request.
    return count // limit + 1


def _minimum_requests(state: Any) -> int:
    open_by_status = [
        sum(1 for o in state.orders.values() if o.status_id == s) for s in OPEN_ORDER_STATUSES
    ]
    app_metafields = [
        sum(
            1
            for m in state.metafields.values()
            if m.resource_type == kind and m.namespace == METAFIELD_NAMESPACE
        )
        for kind in ("variant", "order", "store")
    ]
    inventory_items = len({variant_id for variant_id, _ in state.inventory})
    return (
        _v3_pages(len(state.locations), 250)
        + 1  # the default location: ?is_default=true (records have no such field)
        + _v3_pages(len(state.products), 250)
        + _v3_pages(inventory_items, 1000)
        + sum(_v2_pages(n) for n in open_by_status)
        + sum(_v3_pages(n, 250) for n in app_metafields)
    )


def test_a_store_without_native_backorders_reads_as_none_not_zero() -> None:
    with DemoStore(seed=3, native_backorders=False).start() as demo, _client(demo) as client:
        inventory = list(client.iter_inventory())
        orders = list(client.iter_orders(status_ids=OPEN_ORDER_STATUSES))
    assert inventory and orders
    assert all(r.qty_backordered is None and r.backorder_limit is None for r in inventory)
    assert all(line.quantity_backordered is None for o in orders for line in o.lines)


def test_a_small_quota_is_never_exceeded(store: DemoStore) -> None:
    store.set_rate_limit(20, 3.0)
    with _client(store) as client:
        # Pages of 10 make this read need more than one quota window.
        ids = [p["id"] for p in client.iter_v3("/v3/catalog/products", limit=10)]
        assert client.rate_limit_waits >= 1
    assert sorted(ids) == sorted(store.state.products)
    statuses = [r.status for r in store.requests]
    assert len(statuses) > 20
    assert 429 not in statuses


def test_scripted_5xx_and_dropped_connections_are_retried(store: DemoStore) -> None:
    store.faults.script("GET", r"^/v3/catalog/products$", "500", times=2)
    store.faults.script("GET", r"^/v3/inventory/items$", "drop", times=1)
    store.faults.script("GET", r"^/v2/orders$", "503", times=1)
    with _client(store) as client:
        got = _read_everything(client)
    assert {p.id for p, _ in got["products"]} == set(store.state.products)
    assert {o.id for o in got["orders"]} == {o.id for o in store.state.open_orders()}
    statuses = [r.status for r in store.requests]
    assert statuses.count(500) == 2 and statuses.count(503) == 1


def test_scripted_429_waits_and_retries(store: DemoStore) -> None:
    store.set_rate_limit(150, 0.5)  # a short window keeps the announced wait short
    store.faults.script("GET", r"^/v3/inventory/locations$", "429", times=1)
    with _client(store) as client:
        assert client.list_locations()
        assert client.request_count == 3  # 429, the retry, then ?is_default=true
        assert client.rate_limit_waits == 1
    assert [r.status for r in store.requests] == [429, 200, 200]


def test_faults_beyond_the_retries_raise_a_clear_error(store: DemoStore) -> None:
    store.faults.script("GET", r"^/v3/catalog/products$", "503", times=10)
    with _client(store, max_retries=2) as client, pytest.raises(errors.ServerError) as caught:
        list(client.iter_products())
    assert "try again later" in caught.value.message.lower()
    assert client.request_count == 3


def test_a_write_whose_answer_was_lost_is_repeated_safely(store: DemoStore) -> None:
    variant_id = next(iter(store.state.variants))
    store.faults.script("PUT", r"^/v3/catalog/variants$", "drop", when="after", times=1)
    with _client(store) as client:
        reply = send(client, ops.update_variants([{"id": variant_id, "purchasing_disabled": True}]))
    assert [v["id"] for v in reply["data"]] == [variant_id]
    assert store.state.variants[variant_id].purchasing_disabled is True
    assert [r.method for r in store.requests].count("PUT") == 2


def test_a_create_whose_answer_was_lost_is_not_repeated(store: DemoStore) -> None:
    variant_id = next(iter(store.state.variants))
    before = len(store.state.metafields)
    store.faults.script("POST", r"^/v3/catalog/variants/metafields$", "drop", when="after", times=1)
    item = {
        "resource_id": variant_id,
        "namespace": METAFIELD_NAMESPACE,
        "key": "probe",
        "value": "1",
    }
    with _client(store) as client, pytest.raises(errors.OfflineError, match="may or may not"):
        create_metafields(client, "variant", [item])
    assert len(store.state.metafields) == before + 1  # applied once, never twice


def test_revoked_token_raises_auth_error(store: DemoStore) -> None:
    with _client(store) as client:
        client.check_connection()
        store.revoke_token()
        with pytest.raises(errors.AuthError) as caught:
            client.check_connection()
    assert store.token not in caught.value.message


def test_wrong_store_hash_says_so(store: DemoStore) -> None:
    with BigCommerceClient(store.api_url, "nosuchstore", store.token) as client:
        with pytest.raises(errors.NotFoundError, match="store hash may be wrong"):
            client.check_connection()


def test_unreachable_store_is_offline() -> None:
    with DemoStore().start() as demo:
        url, hash_, token = demo.api_url, demo.store_hash, demo.token
    with BigCommerceClient(url, hash_, token, backoff_base=0.01, max_retries=1) as client:
        with pytest.raises(errors.OfflineError, match="[Cc]annot reach"):
            client.check_connection()


def test_batch_writes_round_trip(store: DemoStore) -> None:
    state = store.state
    variant_ids = list(state.variants)[:49]
    product_ids = list(state.products)[:10]
    with _client(store) as client:
        # A batch at the API's limits (50 variants, 10 products), one unknown id among them.
        items = [{"id": vid, "purchasing_disabled": True} for vid in variant_ids]
        items.append({"id": 10**9, "purchasing_disabled": True})
        # The store refuses the whole batch naming the bad item; the push's one resend path
        # (sync/partial.py) sends the others once more.
        request = ops.encode(ops.update_variants(items))
        with pytest.raises(errors.ValidationError) as refused:
            client.request(request.method, request.path, json=request.body)
        settled = settle(client, request.method, request.path, request.body, refused.value)
        assert settled is not None
        assert [f.item_id for f in settled.refused] == [10**9]
        assert sorted(v["id"] for v in settled.saved) == sorted(variant_ids)
        products = [
            {"id": pid, "availability_description": "Ships in 2 weeks"} for pid in product_ids
        ]
        assert len(send(client, ops.update_products(products))["data"]) == 10
        order = state.open_orders()[0]
        updated = send(
            client, ops.update_order(order.id, {"status_id": 9, "staff_notes": "released"})
        )
        assert updated["status_id"] == 9
    assert all(state.variants[v].purchasing_disabled for v in variant_ids)
    assert all(
        state.products[p].availability_description == "Ships in 2 weeks" for p in product_ids
    )
    assert state.orders[order.id].status_id == 9


def test_every_request_the_client_sends_is_valid_against_the_spec(store: DemoStore) -> None:
    require_specs()
    sent: list[httpx.Request] = []
    lock = threading.Lock()

    def capture(request: httpx.Request) -> None:
        with lock:
            sent.append(request)

    state = store.state
    tracked = [key for key in state.inventory if key[1] == state.default_location_id][:3]
    with _client(store) as client:
        client.http.event_hooks["request"].append(capture)
        client.check_connection()
        _read_everything(client)
        since = state.created_at
        list(client.iter_products(modified_since=since))
        list(client.iter_products(ids=list(state.products)[:5]))
        list(client.iter_orders(status_ids=OPEN_ORDER_STATUSES, modified_since=since))
        list(client.iter_metafields("product", namespace=METAFIELD_NAMESPACE, modified_since=since))
        send(
            client,
            ops.set_location_items(
                state.default_location_id,
                [{"identity": {"variant_id": vid}, "backorder_limit": 5} for vid, _ in tracked],
            ),
        )
        send(
            client,
            ops.set_stock(
                [{"location_id": loc, "variant_id": vid, "quantity": 3} for vid, loc in tracked],
                reason="Supplier delivery",
            ),
        )
        send(
            client,
            ops.update_products([{"id": next(iter(state.products)), "availability": "preorder"}]),
        )
        send(client, ops.update_variants([{"id": tracked[0][0], "purchasing_disabled": False}]))
        eta = {"resource_id": tracked[0][0], "namespace": METAFIELD_NAMESPACE, "key": "eta"}
        created = create_metafields(client, "variant", [{**eta, "value": "2026-09-01"}])
        create_metafields(
            client,
            "store",
            [{"namespace": METAFIELD_NAMESPACE, "key": "supplier:99", "value": "{}"}],
        )
        for saved in created["data"]:
            update = {"id": saved["id"], **eta, "value": "2026-10-01", "permission_set": "write"}
            send(client, ops.metafield_op(ops.UPDATE, "variant", [update]))
        send(
            client,
            ops.update_order(state.open_orders()[0].id, {"status_id": 9, "staff_notes": "x"}),
        )
    assert len(sent) >= 20
    methods = {r.method for r in sent}
    assert methods == {"GET", "PUT", "POST"}
    paths = {r.url.path.split(store.store_hash, 1)[1] for r in sent}
    assert {"/v2/orders", "/v3/catalog/variants", "/v3/inventory/adjustments/absolute"} <= paths
    for request in sent:
        validate_httpx_request(request)
