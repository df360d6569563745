"""Resource reads: the requests each listing sends and the records it yields."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from backorder_desktop.domain.models import OPEN_ORDER_STATUSES
from tests.support.client_mock import api_path, make_client, v3_list


def _product(pid: int) -> dict:
    return {"id": pid, "name": f"P{pid}", "variants": [{"id": pid * 10, "product_id": pid}]}


def test_iter_products_includes_variants_and_trims_fields() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        items = [_product(page * 1000 + i) for i in range(250 if page < 3 else 10)]
        return httpx.Response(200, json=v3_list(items, page, 3))

    h = make_client(handler)
    pairs = list(h.client.iter_products())
    assert len(pairs) == 510
    assert all(len(variants) == 1 for _, variants in pairs)
    assert h.client.request_count == 3  # nothing per product
    params = h.requests[0].url.params
    assert params["include"] == "variants"
    assert params["limit"] == "250"
    assert "inventory_tracking" in params["include_fields"].split(",")
    assert "date_modified:min" not in params


def test_iter_products_since_a_date_sends_an_iso_utc_filter() -> None:
    h = make_client(lambda r: httpx.Response(200, json=v3_list([], 1, 0)))
    since = datetime(2026, 1, 2, 5, 4, 5, 123456, tzinfo=timezone(timedelta(hours=2)))
    list(h.client.iter_products(modified_since=since))
    assert h.requests[0].url.params["date_modified:min"] == "2026-01-02T03:04:05Z"


def test_iter_products_by_ids_uses_id_in_chunks() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        ids = [int(i) for i in request.url.params["id:in"].split(",")]
        return httpx.Response(200, json=v3_list([_product(i) for i in ids], 1, 1))

    h = make_client(handler)
    wanted = list(range(1, 301)) + [5, 5]
    got = [p.id for p, _ in h.client.iter_products(ids=wanted)]
    assert sorted(got) == list(range(1, 301))
    assert h.client.request_count == 2
    assert [len(r.url.params["id:in"].split(",")) for r in h.requests] == [250, 50]


def test_iter_inventory_pages_at_1000() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert api_path(request) == "/v3/inventory/items"
        item = {
            "identity": {"variant_id": 1},
            "locations": [{"location_id": 1, "total_inventory_onhand": 2}, {"location_id": 2}],
        }
        return httpx.Response(200, json=v3_list([item], 1, 1))

    h = make_client(handler)
    records = list(h.client.iter_inventory())
    assert [(r.variant_id, r.location_id, r.on_hand) for r in records] == [(1, 1, 2), (1, 2, 0)]
    assert h.requests[0].url.params["limit"] == "1000"


def test_list_locations() -> None:
    body = v3_list(
        [{"id": 1, "code": "BC-1", "label": "Shop"}, {"id": 2, "code": "W", "label": "Warehouse"}],
        1,
        1,
    )
    default = v3_list([{"id": 2, "code": "W", "label": "Warehouse"}], 1, 1)

    def handler(request: httpx.Request) -> httpx.Response:
        wanted = request.url.params.get("is_default") == "true"
        return httpx.Response(200, json=default if wanted else body)

    h = make_client(handler)
    locations = h.client.list_locations()
    # The default is the one the store names, not id 1.
    assert [(loc.id, loc.is_default) for loc in locations] == [(1, False), (2, True)]
    assert api_path(h.requests[0]) == "/v3/inventory/locations"
    assert [r.url.params.get("is_default") for r in h.requests] == [None, "true"]


def _order(oid: int, status: int) -> dict:
    return {
        "id": oid,
        "status_id": status,
        "date_created": "Tue, 20 Nov 2012 00:00:00 +0000",
        "consignments": {"shipping": [{"line_items": [{"id": oid * 10, "quantity": 1}]}]},
    }


class OrderStore:
    """Orders per status, 250 per V2 page, with a little latency to show concurrency."""

    def __init__(self, per_status: dict[int, int]) -> None:
        self.per_status = per_status
        self.lock = threading.Lock()
        self.now = self.max = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.now += 1
            self.max = max(self.max, self.now)
        try:
            time.sleep(0.01)
            params = request.url.params
            page, limit = int(params["page"]), int(params["limit"])
            if "status_id" in params:
                status = int(params["status_id"])
                orders = [
                    _order(status * 10000 + i, status)
                    for i in range(self.per_status.get(status, 0))
                ]
            else:
                orders = [_order(i, 11) for i in range(3)]
            chunk = orders[(page - 1) * limit : page * limit]
            return httpx.Response(200, json=chunk) if chunk else httpx.Response(204)
        finally:
            with self.lock:
                self.now -= 1


def test_iter_orders_lists_each_open_status_with_lines_included() -> None:
    store = OrderStore({11: 260, 9: 5, 3: 0, 7: 250})
    h = make_client(store)
    orders = list(h.client.iter_orders(status_ids=OPEN_ORDER_STATUSES))
    assert len(orders) == 260 + 5 + 250
    assert all(len(o.lines) == 1 for o in orders)
    # 11: 2 pages; 9: 1 short page; 3: one 204; 7: a full page then a 204.
    assert h.client.request_count == 2 + 1 + 1 + 2
    for request in h.requests:
        assert request.url.params["include"] == "consignments.line_items"
        assert request.url.params["limit"] == "250"
        assert "min_date_modified" not in request.url.params
    assert store.max > 1  # the statuses ran concurrently
    assert [o.status_id for o in orders[:260]] == [11] * 260  # grouped in the given order


def test_iter_orders_drops_an_order_seen_under_two_statuses() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        status = int(request.url.params["status_id"])
        return httpx.Response(200, json=[_order(1, status), _order(status, status)])

    h = make_client(handler)
    ids = [o.id for o in h.client.iter_orders(status_ids=[11, 9])]
    assert ids == [1, 11, 9]


def test_iter_orders_since_a_date_is_one_listing_without_status() -> None:
    store = OrderStore({})
    h = make_client(store)
    since = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
    orders = list(h.client.iter_orders(status_ids=OPEN_ORDER_STATUSES, modified_since=since))
    assert len(orders) == 3
    assert h.client.request_count == 1
    params = h.requests[0].url.params
    assert "status_id" not in params
    assert params["min_date_modified"] == "Tue, 03 Feb 2026 04:05:06 +0000"


@pytest.mark.parametrize(
    ("resource_type", "path"),
    [
        ("product", "/v3/catalog/products/metafields"),
        ("variant", "/v3/catalog/variants/metafields"),
        ("order", "/v3/orders/metafields"),
        ("store", "/v3/store/metafields"),
    ],
)
def test_iter_metafields_uses_the_batch_endpoint_of_each_resource(
    resource_type: str, path: str
) -> None:
    item = {"id": 1, "namespace": "ns", "key": "eta", "value": "v", "resource_id": 42}
    h = make_client(lambda r: httpx.Response(200, json=v3_list([item], 1, 1)))
    since = datetime(2026, 1, 1, tzinfo=UTC)
    (metafield,) = h.client.iter_metafields(resource_type, namespace="ns", modified_since=since)
    assert metafield.resource_type == resource_type
    assert api_path(h.requests[0]) == path
    params = h.requests[0].url.params
    assert (params["namespace"], params["limit"]) == ("ns", "250")
    assert params["date_modified:min"] == "2026-01-01T00:00:00Z"


def test_iter_metafields_refuses_an_unknown_resource_type() -> None:
    h = make_client(lambda r: httpx.Response(200))
    with pytest.raises(ValueError):
        list(h.client.iter_metafields("customer", namespace="ns"))
    assert h.requests == []
