"""The demo store over HTTP: auth, unknown stores, limits, rate limiting, paging and filters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.dates import iso, rfc2822
from tests.support.demo_store_http import DemoApi

RATE_HEADERS = (
    "X-Rate-Limit-Time-Window-Ms",
    "X-Rate-Limit-Time-Reset-Ms",
    "X-Rate-Limit-Requests-Quota",
    "X-Rate-Limit-Requests-Left",
)


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=2) as demo:
        yield demo


@pytest.fixture
def api(store: DemoStore) -> Iterator[DemoApi]:
    with DemoApi(store) as client:
        yield client


def test_a_wrong_or_missing_token_is_refused_with_401_in_each_api_shape(store: DemoStore) -> None:
    with DemoApi(store, token="not-the-token") as wrong:
        v3 = wrong.get("/v3/catalog/products")
        v2 = wrong.get("/v2/orders")
    assert v3.status_code == 401 and v3.json()["status"] == 401 and "title" in v3.json()
    assert v2.status_code == 401 and v2.json()[0]["status"] == 401 and "message" in v2.json()[0]
    bare = httpx.get(f"{store.api_url}/stores/{store.store_hash}/v3/catalog/products")
    assert bare.status_code == 401
    assert [r.status for r in store.requests] == [401, 401, 401]


def test_revoking_and_setting_the_token(store: DemoStore, api: DemoApi) -> None:
    old = store.token
    store.revoke_token()
    assert store.token != old
    assert api.get("/v3/inventory/locations").status_code == 401
    store.set_token(old)
    assert api.get("/v3/inventory/locations").status_code == 200


def test_an_unknown_store_hash_or_path_is_404(store: DemoStore, api: DemoApi) -> None:
    other = httpx.get(
        f"{store.api_url}/stores/nosuchstore/v3/catalog/products",
        headers={"X-Auth-Token": store.token},
    )
    assert other.status_code == 404
    assert other.json()["status"] == 404
    assert api.get("/v3/catalog/nothing-here").status_code == 404
    v2 = api.get("/v2/orders/1")
    assert v2.status_code == 404 and v2.json() == [
        {"status": 404, "message": "The requested resource was not found."}
    ]


def test_every_response_carries_the_rate_limit_headers(store: DemoStore, api: DemoApi) -> None:
    responses = [
        api.get("/v3/catalog/products", limit=1),
        api.get("/v2/orders", limit=1),
        api.get("/v3/no/such/path"),
        httpx.get(f"{store.api_url}/stores/{store.store_hash}/v2/orders"),
    ]
    for response in responses:
        for name in RATE_HEADERS:
            assert name in response.headers, (response.status_code, name)
    first, second = responses[0].headers, responses[1].headers
    assert first["X-Rate-Limit-Requests-Quota"] == "150"
    assert first["X-Rate-Limit-Time-Window-Ms"] == "30000"
    assert int(second["X-Rate-Limit-Requests-Left"]) == int(first["X-Rate-Limit-Requests-Left"]) - 1


def test_past_the_quota_requests_get_429_until_the_window_resets(
    store: DemoStore, api: DemoApi
) -> None:
    store.set_rate_limit(5, 30.0)
    statuses = [api.get("/v3/inventory/locations").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    refused = api.get("/v3/inventory/locations")
    assert refused.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert 0 < int(refused.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 30_000
    assert refused.json()["status"] == 429
    # A new quota starts a new window.
    store.set_rate_limit(5, 30.0)
    assert api.get("/v3/inventory/locations").status_code == 200


def test_batch_limits_answer_413_with_bigcommerce_texts(api: DemoApi) -> None:
    state = api.store.state
    products = api.put("/v3/catalog/products", [{"id": pid} for pid in list(state.products)[:11]])
    assert products.status_code == 413
    assert products.json()["title"] == (
        "The request payload is too large. The maximum items allowed in the array is 10."
    )
    variants = api.put("/v3/catalog/variants", [{"id": vid} for vid in list(state.variants)[:51]])
    assert variants.status_code == 413
    assert variants.json()["title"].endswith("maximum items allowed in the array is 50")
    vid = next(iter(k for k in state.inventory if k[1] == 1))[0]
    items = [{"location_id": 1, "variant_id": vid, "quantity": 1}] * 2001
    assert api.put("/v3/inventory/adjustments/absolute", {"items": items}).status_code == 413
    assert api.post("/v3/inventory/adjustments/relative", {"items": items}).status_code == 413
    settings = [{"identity": {"variant_id": vid}, "warning_level": 1}] * 2001
    assert api.put("/v3/inventory/locations/1/items", {"settings": settings}).status_code == 413
    # At the limit it is accepted.
    assert api.put("/v3/inventory/adjustments/absolute", {"items": items[:2000]}).status_code == 200


def test_v3_pages_carry_pagination_and_links(api: DemoApi) -> None:
    total = len(api.store.state.products)
    first = api.get("/v3/catalog/products", limit=100).json()["meta"]["pagination"]
    assert first["total"] == total and first["per_page"] == 100 and first["count"] == 100
    assert first["total_pages"] == -(-total // 100)
    assert "previous" not in first["links"] and "page=2" in first["links"]["next"]
    last = api.get("/v3/catalog/products", limit=100, page=first["total_pages"]).json()["meta"][
        "pagination"
    ]
    assert "next" not in last["links"] and last["count"] == total - 100 * (first["total_pages"] - 1)
    # Pages above the maximum size are capped at 250 (1000 for inventory).
    assert (
        api.get("/v3/catalog/products", limit=5000).json()["meta"]["pagination"]["per_page"] == 250
    )
    assert (
        api.get("/v3/inventory/items", limit=5000).json()["meta"]["pagination"]["per_page"] == 1000
    )
    ids = [
        p["id"]
        for page in (1, 2)
        for p in api.get("/v3/catalog/products", limit=100, page=page).json()["data"]
    ]
    assert ids == sorted(api.store.state.products)[:200]


def test_products_include_variants_and_filter_by_modified_date_and_ids(api: DemoApi) -> None:
    state = api.store.state
    cutoff = sorted(p.date_modified for p in state.products.values())[-5]
    recent = api.get(
        "/v3/catalog/products", include="variants", **{"date_modified:min": iso(cutoff)}
    ).json()
    expected = sorted(p.id for p in state.products.values() if p.date_modified >= cutoff)
    assert sorted(p["id"] for p in recent["data"]) == expected
    for product in recent["data"]:
        assert [v["id"] for v in product["variants"]] == state.products[product["id"]].variant_ids
    wanted = sorted(state.products)[3:6]
    picked = api.get(
        "/v3/catalog/products", **{"id:in": ",".join(map(str, wanted)), "include_fields": "sku"}
    )
    data = picked.json()["data"]
    assert [p["id"] for p in data] == wanted and set(data[0]) == {"id", "sku"}


def test_v2_orders_filter_sort_page_and_answer_204_when_empty(api: DemoApi) -> None:
    state = api.store.state
    open_ids = sorted(o.id for o in state.orders.values() if o.status_id == 11)
    listed = api.get("/v2/orders", status_id=11, limit=250).json()
    assert [o["id"] for o in listed] == open_ids
    assert all(o["status"] == "Awaiting Fulfillment" for o in listed)
    # RFC 2822 dates, filters accepting RFC 2822 and ISO 8601.
    order = state.orders[open_ids[0]]
    assert listed[0]["date_created"] == rfc2822(order.date_created)
    cutoff = sorted(o.date_modified for o in state.orders.values())[-10]
    for value in (rfc2822(cutoff), iso(cutoff)):
        recent = api.get("/v2/orders", min_date_modified=value, sort="date_modified:desc").json()
        assert len(recent) == sum(1 for o in state.orders.values() if o.date_modified >= cutoff)
        stamps = [state.orders[o["id"]].date_modified for o in recent]
        assert stamps == sorted(stamps, reverse=True)
    pages = [api.get("/v2/orders", limit=100, page=p) for p in range(1, 10)]
    sizes = [len(r.json()) if r.status_code == 200 else 0 for r in pages]
    assert sum(sizes) == len(state.orders)
    empty = next(r for r in pages if r.status_code != 200)
    assert empty.status_code == 204 and empty.content == b""
    future = iso(state.created_at + timedelta(days=30))
    assert api.get("/v2/orders", min_date_created=future).status_code == 204


def test_orders_come_with_their_lines_through_consignments(api: DemoApi) -> None:
    state = api.store.state
    as_object = api.get(
        "/v2/orders",
        status_id=11,
        include="consignments.line_items",
        consignment_structure="object",
    )
    legacy = api.get("/v2/orders", status_id=11, include="consignments.line_items")

    def lines_of(consignments: dict[str, Any]) -> list[dict[str, Any]]:
        # Physical lines ship; digital ones come as downloads (digitalConsignment_Get).
        return [
            line
            for kind in ("shipping", "downloads")
            for consignment in consignments[kind]
            for line in consignment["line_items"]
        ]

    for order in as_object.json():
        lines = lines_of(order["consignments"])
        expected = state.orders[order["id"]].lines
        assert sorted(ln["id"] for ln in lines) == sorted(ln.id for ln in expected)
    for order in legacy.json():
        assert isinstance(order["consignments"], list) and len(order["consignments"]) == 1
        lines = lines_of(order["consignments"][0])
        expected = state.orders[order["id"]].lines
        assert sorted(ln["sku"] for ln in lines) == sorted(ln.sku for ln in expected)
    links = api.get(
        "/v2/orders", status_id=11, include="consignments", consignment_structure="object"
    ).json()
    first = lines_of(links[0]["consignments"])[0]
    assert set(first) == {"url", "resource"} and first["resource"].startswith(
        f"/orders/{links[0]['id']}/products/"
    )


def test_metafield_filters_and_store_metafield_ids(api: DemoApi) -> None:
    state = api.store.state
    etas = api.get(
        "/v3/catalog/variants/metafields", namespace="backorder_desktop", key="eta"
    ).json()["data"]
    expected = sorted(
        m.id for m in state.metafields.values() if m.resource_type == "variant" and m.key == "eta"
    )
    assert sorted(m["id"] for m in etas) == expected and expected
    records = api.get("/v3/store/metafields", namespace="backorder_desktop").json()["data"]
    suppliers = [m for m in records if m["key"].startswith("supplier:")]
    assert {m["key"] for m in suppliers} == {f"supplier:{s['id']}" for s in state.suppliers}
    assert {m["key"].split(":")[0] for m in records} == {"supplier", "shipment"}
    assert all(isinstance(m["id"], str) for m in suppliers)  # store_information.v3.yml: string ids
    later = max(m.date_modified for m in state.metafields.values())
    assert [
        m["id"]
        for m in api.get(
            "/v3/catalog/variants/metafields",
            **{"date_modified:min": iso(later + timedelta(seconds=1))},
        ).json()["data"]
    ] == []


def test_validation_errors_have_the_documented_shapes(api: DemoApi) -> None:
    state = api.store.state
    vid = next(iter(state.variants))
    pid = next(iter(state.products))
    variants = api.put("/v3/catalog/variants", [{"id": vid, "price": -5}, {"id": 10**9}])
    assert variants.status_code == 422
    errors = variants.json()["batch_errors"]
    assert {e["errors"]["id"] for e in errors} == {vid, 10**9}
    assert all(e["status"] == 422 and e["title"] for e in errors)
    products = api.put("/v3/catalog/products", [{"id": pid, "name": "Fine name"}, {"id": 10**9}])
    assert products.status_code == 207
    body = products.json()
    assert [p["id"] for p in body["data"]] == [pid] and str(10**9) in body["errors"]["errors"]
    long_value = "x" * 65_536
    partial = api.post(
        "/v3/catalog/variants/metafields",
        [
            {
                "resource_id": vid,
                "namespace": "n",
                "key": "ok",
                "value": "v",
                "permission_set": "write",
            },
            {
                "resource_id": vid,
                "namespace": "n",
                "key": "big",
                "value": long_value,
                "permission_set": "write",
            },
        ],
    )
    assert partial.status_code == 422
    reply = partial.json()
    assert reply["meta"] == {"total": 2, "success": 1, "failed": 1}
    assert [m["key"] for m in reply["data"]] == ["ok"] and len(reply["errors"]) == 1
    v2 = api.put(f"/v2/orders/{next(iter(state.orders))}", {"status_id": 42})
    assert v2.status_code == 400 and isinstance(v2.json(), list) and v2.json()[0]["status"] == 400


def test_metafields_are_unique_per_resource_and_capped_at_250(api: DemoApi) -> None:
    vid = next(iter(api.store.state.variants))
    batch = [
        {
            "resource_id": vid,
            "namespace": "cap",
            "key": f"k{i}",
            "value": "v",
            "permission_set": "write",
        }
        for i in range(260)
    ]
    existing = sum(
        1
        for m in api.store.state.metafields.values()
        if m.resource_type == "variant" and m.resource_id == vid
    )
    reply = api.post("/v3/catalog/variants/metafields", batch).json()
    assert reply["meta"]["success"] == 250 - existing
    again = api.post(
        "/v3/catalog/products/metafields",
        [
            {
                "resource_id": 101,
                "namespace": "dup",
                "key": "same",
                "value": "1",
                "permission_set": "write",
            },
            {
                "resource_id": 101,
                "namespace": "dup",
                "key": "same",
                "value": "2",
                "permission_set": "write",
            },
        ],
    ).json()
    assert again["meta"] == {"total": 2, "success": 1, "failed": 1}
    single = api.post(
        "/v3/catalog/products/101/metafields",
        {"namespace": "dup", "key": "same", "value": "3", "permission_set": "write"},
    )
    assert single.status_code == 409


def test_a_date_filter_that_is_no_date_is_refused_in_each_apis_words(api: DemoApi) -> None:
    products = api.get("/v3/catalog/products", **{"date_modified:min": "yesterday"})
    fields = api.get("/v3/orders/metafields", **{"date_modified:max": "soon"})
    orders = api.get("/v2/orders", min_date_created="2026-13-45")
    assert products.status_code == 422 and fields.status_code == 422
    assert products.json()["title"] == "The filter 'date_modified:min' is not a valid date."
    assert fields.json()["title"] == "The filter 'date_modified:max' is not a valid date."
    assert orders.status_code == 400
    assert orders.json()[0]["message"] == (
        "The filter 'min_date_created' must be an RFC 2822 or ISO 8601 date."
    )
    good = api.get("/v2/orders", min_date_created="2020-01-01T00:00:00Z")
    assert good.status_code in (200, 204)


def test_a_settings_change_with_a_bad_value_is_refused_whole(api: DemoApi) -> None:
    before = api.get("/v3/settings/inventory").json()["data"]
    bad = api.put(
        "/v3/settings/inventory",
        {
            "product_out_of_stock_behavior": "explode",
            "edit_order_stock_adjustment": "yes",
            "default_out_of_stock_message": "Back soon",
        },
    )
    assert bad.status_code == 422
    assert bad.json()["title"] == "Provided settings could not be applied."
    assert set(bad.json()["errors"]) == {
        "product_out_of_stock_behavior",
        "edit_order_stock_adjustment",
    }
    assert api.get("/v3/settings/inventory").json()["data"] == before  # nothing applied
    good = api.put("/v3/settings/inventory", {"default_out_of_stock_message": "Back soon"})
    assert good.status_code == 200
    assert good.json()["data"]["default_out_of_stock_message"] == "Back soon"
    locale = api.put("/v3/settings/store/locale", {"shopper_language_selection_method": "guess"})
    assert locale.status_code == 422
    assert set(locale.json()["errors"]) == {"shopper_language_selection_method"}
    assert api.put("/v3/settings/store/locale", ["not", "an", "object"]).status_code == 422
