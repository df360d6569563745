"""Every endpoint the app uses, over real HTTP, with requests and responses checked against the
official BigCommerce OpenAPI specs; and the checker itself catches what it should."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from tests.support.demo_store_http import DemoApi, order_body
from tests.support.openapi import require_specs, validate_request, validate_response

pytestmark = pytest.mark.spec


@pytest.fixture
def api() -> Iterator[DemoApi]:
    require_specs()
    with (
        DemoStore(seed=5, rate_limit=(10_000, 30.0)) as store,
        DemoApi(store, validate=True) as client,
    ):
        yield client


def _backordered_variant(store: DemoStore) -> tuple[int, int]:
    state = store.state
    vid = next(
        v for (v, loc), rec in sorted(state.inventory.items()) if rec.qty_backordered and loc == 1
    )
    return state.variants[vid].product_id, vid


def test_sync_reads_match_the_specs(api: DemoApi) -> None:
    pid, vid = _backordered_variant(api.store)
    since = "2020-01-01T00:00:00+00:00"
    reads = [
        ("/v3/catalog/products", {"include": "variants", "limit": 250}),
        ("/v3/catalog/products", {"include": "variants", "limit": 250, "page": 2}),
        (
            "/v3/catalog/products",
            {
                "include": "variants",
                "include_fields": "name,sku,inventory_tracking,availability,price,preorder_release_date,"
                "preorder_message,availability_description,date_modified",
                "date_modified:min": since,
                "id:in": f"{pid},101",
            },
        ),
        ("/v3/catalog/products", {"sku": api.store.state.products[pid].sku}),
        (f"/v3/catalog/products/{pid}", {"include": "variants"}),
        ("/v3/catalog/variants", {"limit": 250, "product_id:in": str(pid)}),
        (f"/v3/catalog/products/{pid}/variants", {}),
        ("/v3/inventory/items", {"limit": 1000}),
        ("/v3/inventory/items", {"variant_id:in": str(vid), "location_id:in": "1,2"}),
        ("/v3/inventory/locations", {}),
        ("/v3/inventory/locations/1/items", {"limit": 1000}),
        ("/v3/settings/inventory", {}),
        ("/v2/order_statuses", {}),
        (
            "/v2/orders",
            {"include": "consignments.line_items", "min_date_modified": since, "limit": 250},
        ),
        ("/v2/orders", {"include": "consignments", "consignment_structure": "object", "limit": 20}),
    ]
    for status in (11, 9, 3, 7):
        reads.append(
            (
                "/v2/orders",
                {
                    "status_id": status,
                    "include": "consignments.line_items",
                    "consignment_structure": "object",
                    "limit": 250,
                    "sort": "date_modified:asc",
                },
            )
        )
    for path in (
        "/v3/catalog/products/metafields",
        "/v3/catalog/variants/metafields",
        "/v3/orders/metafields",
        "/v3/store/metafields",
    ):
        reads.append(
            (path, {"namespace": "backorder_desktop", "limit": 250, "date_modified:min": since})
        )
    order = api.store.state.open_orders()[0]
    reads += [
        (
            f"/v2/orders/{order.id}",
            {"include": "consignments.line_items", "consignment_structure": "object"},
        ),
        (f"/v2/orders/{order.id}/products", {}),
        (f"/v2/orders/{order.id}/shipping_addresses", {}),
        (f"/v2/orders/{order.id}/shipments", {}),
        (f"/v3/catalog/products/{pid}/metafields", {}),
        (f"/v3/catalog/products/{pid}/variants/{vid}/metafields", {}),
        (f"/v3/orders/{order.id}/metafields", {}),
    ]
    for path, params in reads:
        response = api.get(path, **params)
        assert response.status_code in (200, 204), (path, response.text[:300])
    assert api.checked == len(reads)


def test_writes_the_app_makes_match_the_specs(api: DemoApi) -> None:
    pid, vid = _backordered_variant(api.store)
    state = api.store.state
    assert (
        api.put(
            "/v3/catalog/products",
            [
                {
                    "id": pid,
                    "availability": "preorder",
                    "preorder_message": "Ships %%DATE%%",
                    "preorder_release_date": "2027-01-01T00:00:00+00:00",
                }
            ],
        ).status_code
        == 200
    )
    assert (
        api.put(
            "/v3/catalog/variants",
            [
                {
                    "id": vid,
                    "purchasing_disabled": True,
                    "purchasing_disabled_message": "Back in May",
                }
            ],
        ).status_code
        == 200
    )
    assert (
        api.put(
            "/v3/inventory/locations/1/items",
            {
                "settings": [
                    {
                        "identity": {"variant_id": vid},
                        "backorder_limit": 40,
                        "backorder_message_id": 2,
                    }
                ]
            },
        ).status_code
        == 200
    )
    assert (
        api.put(
            "/v3/inventory/adjustments/absolute",
            {
                "reason": "Supplier delivery",
                "items": [{"location_id": 1, "variant_id": vid, "quantity": 4}],
            },
        ).status_code
        == 200
    )
    assert (
        api.post(
            "/v3/inventory/adjustments/relative",
            {"reason": "Damaged", "items": [{"location_id": 1, "variant_id": vid, "quantity": -1}]},
        ).status_code
        == 200
    )
    created = api.post(
        "/v3/catalog/variants/metafields",
        [
            {
                "resource_id": vid,
                "namespace": "backorder_desktop",
                "key": "eta2",
                "value": "2027-01-01",
                "permission_set": "app_only",
            }
        ],
    )
    assert created.status_code == 200
    mid = created.json()["data"][0]["id"]
    assert (
        api.put("/v3/catalog/variants/metafields", [{"id": mid, "value": "2027-02-01"}]).status_code
        == 200
    )
    assert api.delete("/v3/catalog/variants/metafields", [mid]).status_code == 200
    store_mf = api.post(
        "/v3/store/metafields",
        [
            {
                "namespace": "backorder_desktop",
                "key": "supplier:new",
                "value": '{"name": "Nouveau"}',
                "permission_set": "write",
            }
        ],
    )
    assert store_mf.status_code == 200
    order = state.open_orders()[0]
    assert (
        api.post(
            "/v3/orders/metafields",
            [
                {
                    "resource_id": order.id,
                    "namespace": "backorder_desktop",
                    "key": "notified",
                    "value": "eta:2027-01-01",
                    "permission_set": "write",
                }
            ],
        ).status_code
        == 200
    )
    assert (
        api.put("/v3/settings/inventory", {"show_quantity_on_backorder": True}).status_code == 200
    )
    assert (
        api.put(f"/v2/orders/{order.id}", {"status_id": 9, "staff_notes": "Released"}).status_code
        == 200
    )
    line = order.lines[0]
    assert (
        api.post(
            f"/v2/orders/{order.id}/shipments",
            {
                "order_address_id": order.shipping_address.id,
                "tracking_number": "1Z999",
                "shipping_provider": "ups",
                "items": [{"order_product_id": line.id, "quantity": 1}],
            },
        ).status_code
        == 201
    )
    assert api.get(f"/v2/orders/{order.id}/shipments").status_code == 200
    placed = api.post(
        "/v2/orders",
        order_body(pid, vid, 2),
        include="consignments.line_items",
        consignment_structure="object",
    )
    assert placed.status_code == 200


def test_error_responses_match_the_specs(api: DemoApi) -> None:
    pid, vid = _backordered_variant(api.store)
    cases = [
        (api.put("/v3/catalog/products", [{"id": pid, "price": 3}, {"id": 99, "price": 1}]), 207),
        (api.put("/v3/catalog/products", [{"id": 99, "price": 1}]), 422),
        (api.put("/v3/catalog/products", [{"id": 101 + i} for i in range(11)]), 413),
        (api.put("/v3/catalog/variants", [{"id": 10**8, "price": 1}]), 422),
        (api.put("/v3/catalog/variants", [{"id": vid}] * 51), 413),
        (
            api.post(
                "/v3/catalog/variants/metafields",
                [
                    {
                        "resource_id": vid,
                        "namespace": "n",
                        "key": "k",
                        "value": "v",
                        "permission_set": "write",
                    },
                    {
                        "resource_id": vid,
                        "namespace": "n",
                        "key": "k",
                        "value": "w",
                        "permission_set": "write",
                    },
                ],
            ),
            422,
        ),
        (
            api.put(
                "/v3/inventory/locations/1/items",
                {"settings": [{"identity": {"sku": "NO-SUCH"}, "backorder_limit": 1}]},
            ),
            422,
        ),
        (
            api.put(
                "/v3/inventory/adjustments/absolute",
                {"items": [{"location_id": 1, "variant_id": vid, "quantity": 1}] * 2001},
            ),
            413,
        ),
        (api.post("/v2/orders", order_body(pid, vid, 10**6)), 409),
        (api.get("/v2/orders", status_id=11, page=500), 204),
        (api.get("/v2/orders/999999"), 404),
        (api.get("/v3/catalog/products/999999"), 404),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.url, response.text[:300])


def test_the_checker_rejects_what_the_specs_forbid() -> None:
    require_specs()
    path = "/stores/abc123/v3/catalog/products"
    good = {
        "data": [
            {"id": 1, "name": "Mug", "inventory_tracking": "variant", "availability": "available"}
        ],
        "meta": {"pagination": {"total": 1}},
    }
    validate_response(
        "GET", path, {}, 200, {"Content-Type": "application/json"}, json.dumps(good).encode()
    )
    bad = json.loads(json.dumps(good))
    bad["data"][0]["inventory_tracking"] = "sometimes"
    with pytest.raises(AssertionError, match="inventory_tracking"):
        validate_response(
            "GET", path, {}, 200, {"Content-Type": "application/json"}, json.dumps(bad).encode()
        )
    # Order lines forbid unknown fields; the documented beta field is allowed.
    lines_path = "/stores/abc123/v2/orders/100/products"
    line = {"id": 1, "order_id": 100, "quantity": 2, "quantity_backordered": 1}
    validate_response(
        "GET",
        lines_path,
        {},
        200,
        {"Content-Type": "application/json"},
        json.dumps([line]).encode(),
    )
    with pytest.raises(AssertionError):
        validate_response(
            "GET",
            lines_path,
            {},
            200,
            {"Content-Type": "application/json"},
            json.dumps([{**line, "backorder_eta": "soon"}]).encode(),
        )
    # V3 errors need the V3 shape, V2 errors the V2 array.
    with pytest.raises(AssertionError, match="V3 errors"):
        validate_response(
            "GET",
            path,
            {},
            401,
            {"Content-Type": "application/json"},
            b'[{"status":401,"message":"no"}]',
        )
    with pytest.raises(AssertionError, match="V2 errors"):
        validate_response(
            "GET", "/stores/abc123/v2/orders", {}, 401, {}, b'{"status":401,"title":"no"}'
        )
    # Requests: a missing required field, a missing token.
    headers = {"X-Auth-Token": "t", "Content-Type": "application/json"}
    adjust = "/stores/abc123/v3/inventory/adjustments/absolute"
    validate_request(
        "PUT", adjust, {}, headers, b'{"items":[{"location_id":1,"variant_id":2,"quantity":3}]}'
    )
    with pytest.raises(AssertionError):
        validate_request(
            "PUT", adjust, {}, headers, b'{"items":[{"location_id":1,"variant_id":2}]}'
        )
    with pytest.raises(AssertionError):
        validate_request("GET", path, {}, {}, b"")


def test_the_checker_skips_cleanly_without_specs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BIGCOMMERCE_SPEC_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(pytest.skip.Exception, match="BIGCOMMERCE_SPEC_DIR"):
        require_specs()
