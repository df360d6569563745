"""Batch writes: chunk sizes of the API, and per-item outcomes of 200, 207 and 422 replies."""

from __future__ import annotations

import httpx
import pytest

from backorder_desktop.bigcommerce import errors
from tests.support.client_mock import api_path, body_of, make_client


def _echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": body_of(request), "meta": {}})


def test_update_products_sends_chunks_of_10() -> None:
    h = make_client(_echo)
    batch = [{"id": i, "availability": "preorder"} for i in range(1, 26)]
    result = h.client.update_products(batch)
    assert [len(body_of(r)) for r in h.requests] == [10, 10, 5]
    assert {(r.method, api_path(r)) for r in h.requests} == {("PUT", "/v3/catalog/products")}
    assert result.ok and [p["id"] for p in result.succeeded] == list(range(1, 26))


def test_update_products_207_splits_saved_and_failed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        items = body_of(request)
        return httpx.Response(
            207,
            json={
                "data": [i for i in items if i["id"] != 3],
                "errors": {
                    "status": 422,
                    "title": "Some products could not be updated",
                    "type": "/api-docs/getting-started/api-status-codes",
                    "errors": {"3": "preorder_release_date must be in the future"},
                },
                "meta": {},
            },
        )

    h = make_client(handler)
    result = h.client.update_products([{"id": i} for i in (1, 2, 3, 4)])
    assert [p["id"] for p in result.succeeded] == [1, 2, 4]
    (failure,) = result.failed
    assert failure.item_id == 3
    assert "must be in the future" in failure.message
    assert failure.item == {"id": 3}
    assert h.client.request_count == 1


def test_update_products_207_without_identifiable_errors_fails_the_missing_items() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            207, json={"data": [{"id": 1}], "errors": {"title": "Partial failure", "errors": {}}}
        )

    h = make_client(handler)
    result = h.client.update_products([{"id": 1}, {"id": 2}])
    assert [p["id"] for p in result.succeeded] == [1]
    assert [(f.item_id, f.message) for f in result.failed] == [(2, "Partial failure")]


def test_update_variants_sends_chunks_of_50() -> None:
    h = make_client(_echo)
    result = h.client.update_variants([{"id": i, "purchasing_disabled": False} for i in range(120)])
    assert [len(body_of(r)) for r in h.requests] == [50, 50, 20]
    assert len(result.succeeded) == 120


def test_update_variants_422_fails_the_named_items_and_resends_the_rest() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        items = body_of(request)
        bad = [i for i in items if i.get("price", 0) < 0]
        if bad:
            return httpx.Response(
                422,
                json={
                    "batch_errors": [
                        {
                            "status": 422,
                            "title": "Invalid variant",
                            "type": "/api-docs/getting-started/api-status-codes",
                            "errors": {str(b["id"]): "price must not be negative" for b in bad},
                        }
                    ]
                },
            )
        return _echo(request)

    h = make_client(handler)
    batch = [{"id": 100 + i, "price": -1 if i == 2 else 5} for i in range(5)]
    result = h.client.update_variants(batch)
    assert [(f.item_id, f.message) for f in result.failed] == [(102, "price must not be negative")]
    assert sorted(v["id"] for v in result.succeeded) == [100, 101, 103, 104]
    assert [len(body_of(r)) for r in h.requests] == [5, 4]  # one resend without the bad one


def test_update_variants_422_by_position_in_the_request() -> None:
    body = {"batch_errors": [{"title": "Invalid", "errors": {"variants.1.sku": "is taken"}}]}
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(422, json=body) if len(calls) == 1 else _echo(request)

    h = make_client(handler)
    result = h.client.update_variants([{"id": 7001}, {"id": 7002}, {"id": 7003}])
    assert [(f.item_id, f.message) for f in result.failed] == [(7002, "variants.1.sku: is taken")]
    assert [v["id"] for v in result.succeeded] == [7001, 7003]


def test_update_variants_422_naming_nothing_fails_every_item_without_resending() -> None:
    body = {"batch_errors": [{"status": 422, "title": "Variants could not be saved"}]}
    h = make_client(lambda r: httpx.Response(422, json=body))
    result = h.client.update_variants([{"id": 1}, {"id": 2}])
    assert not result.succeeded
    assert [(f.item_id, f.message) for f in result.failed] == [
        (1, "Variants could not be saved"),
        (2, "Variants could not be saved"),
    ]
    assert h.client.request_count == 1


def test_413_is_raised_not_swallowed() -> None:
    body = {
        "status": 413,
        "title": "The request payload is too large. The maximum items allowed in the array is 50",
    }
    h = make_client(lambda r: httpx.Response(413, json=body))
    with pytest.raises(errors.ValidationError) as caught:
        h.client.update_variants([{"id": 1}])
    assert caught.value.status == 413


def test_auth_error_during_a_batch_is_raised() -> None:
    h = make_client(lambda r: httpx.Response(401, json={"title": "Unauthorized"}))
    with pytest.raises(errors.AuthError):
        h.client.update_products([{"id": 1}])


def test_batch_put_is_retried_after_5xx() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503) if len(calls) == 1 else _echo(request)

    h = make_client(handler)
    assert h.client.update_products([{"id": 1}]).ok
    assert h.client.request_count == 2


def test_upsert_metafields_posts_creates_and_puts_updates() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        items = body_of(request)
        if request.method == "POST":
            items = [{**i, "id": 900 + n} for n, i in enumerate(items)]
        return httpx.Response(200, json={"data": items, "errors": [], "meta": {}})

    h = make_client(handler)
    creates = [
        {"resource_id": i, "namespace": "backorder_desktop", "key": "eta", "value": "2026-05-01"}
        for i in range(60)
    ]
    updates = [
        {
            "id": 5,
            "value": "2026-06-01",
            "namespace": "backorder_desktop",
            "key": "eta",
            "permission_set": "app_only",
        }
    ]
    result = h.client.upsert_metafields("variant", creates, updates)
    assert result.ok and len(result.succeeded) == 61
    assert [(r.method, len(body_of(r))) for r in h.requests] == [
        ("POST", 50),
        ("POST", 10),
        ("PUT", 1),
    ]
    assert {api_path(r) for r in h.requests} == {"/v3/catalog/variants/metafields"}
    # Shared between laptops (each may have its own API account): readable by others.
    assert all(i["permission_set"] == "write" for i in body_of(h.requests[0]))
    assert body_of(h.requests[2])[0]["permission_set"] == "app_only"  # caller's choice kept


def test_upsert_metafields_422_partial_success() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        items = body_of(request)
        saved = [
            {**i, "id": 1, "resource_id": str(i["resource_id"])}
            for i in items
            if i["resource_id"] != 2
        ]
        return httpx.Response(
            422,
            json={
                "data": saved,
                "errors": [
                    {
                        "status": 422,
                        "title": "Metafield for resource 2 already exists",
                        "errors": {},
                    }
                ],
                "meta": {"total": 2, "success": 1, "failed": 1},
            },
        )

    h = make_client(handler)
    creates = [{"resource_id": r, "namespace": "ns", "key": "eta", "value": "v"} for r in (1, 2)]
    result = h.client.upsert_metafields("order", creates, [])
    assert [s["resource_id"] for s in result.succeeded] == ["1"]
    assert [(f.item_id, f.message) for f in result.failed] == [
        (2, "Metafield for resource 2 already exists")
    ]
    assert h.client.request_count == 1


def test_store_metafields_match_replies_by_namespace_and_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        saved = [
            {**i, "id": "70", "resource_id": "1001197568", "resource_type": "store"}
            for i in body_of(request)
        ]
        return httpx.Response(200, json={"data": saved, "errors": [], "meta": {}})

    h = make_client(handler)
    creates = [{"namespace": "backorder_desktop", "key": "supplier:1", "value": "{}"}]
    result = h.client.upsert_metafields("store", creates, [])
    assert result.ok and result.succeeded[0]["id"] == "70"
    assert api_path(h.requests[0]) == "/v3/store/metafields"


def test_location_settings_and_absolute_adjustments_chunk_at_2000() -> None:
    h = make_client(lambda r: httpx.Response(200, json={"transaction_id": "t"}))
    settings = [{"identity": {"variant_id": i}, "backorder_limit": 5} for i in range(4500)]
    h.client.put_location_settings(2, settings)
    items = [{"location_id": 1, "variant_id": i, "quantity": 0} for i in range(2001)]
    h.client.adjust_absolute(items, reason="Supplier delivery")
    h.client.adjust_absolute(items[:1])
    shapes = [(r.method, api_path(r), body_of(r)) for r in h.requests]
    assert [(m, p, len(b.get("settings", b.get("items")))) for m, p, b in shapes] == [
        ("PUT", "/v3/inventory/locations/2/items", 2000),
        ("PUT", "/v3/inventory/locations/2/items", 2000),
        ("PUT", "/v3/inventory/locations/2/items", 500),
        ("PUT", "/v3/inventory/adjustments/absolute", 2000),
        ("PUT", "/v3/inventory/adjustments/absolute", 1),
        ("PUT", "/v3/inventory/adjustments/absolute", 1),
    ]
    assert shapes[3][2]["reason"] == "Supplier delivery"
    assert "reason" not in shapes[5][2]


def test_location_settings_422_raises_with_bigcommerce_reason() -> None:
    body = {
        "status": 422,
        "title": "Payload contains invalid fields",
        "errors": {"setting.0.settings": "At least one setting must be specified"},
    }
    h = make_client(lambda r: httpx.Response(422, json=body))
    with pytest.raises(errors.ValidationError) as caught:
        h.client.put_location_settings(1, [{"identity": {"variant_id": 1}}])
    assert caught.value.item_errors[0].message == "At least one setting must be specified"


def test_update_order_status_puts_status_and_notes_and_returns_the_order() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        sent = body_of(request)
        return httpx.Response(
            200,
            json={
                "id": 5,
                "status_id": sent["status_id"],
                "date_created": "Tue, 20 Nov 2012 00:00:00 +0000",
                "staff_notes": sent.get("staff_notes"),
            },
        )

    h = make_client(handler)
    order = h.client.update_order_status(5, 9, staff_notes="Released by Backorder Desktop")
    assert (order.id, order.status_id, order.lines) == (5, 9, ())
    request = h.requests[0]
    assert (request.method, api_path(request)) == ("PUT", "/v2/orders/5")
    assert body_of(request) == {"status_id": 9, "staff_notes": "Released by Backorder Desktop"}
    h.client.update_order_status(6, 11)
    assert body_of(h.requests[1]) == {"status_id": 11}


def test_update_variants_422_entries_naming_their_variant_by_id_field() -> None:
    # One batch error per bad item, the item named in an "id" field (as the demo store does).
    def handler(request: httpx.Request) -> httpx.Response:
        items = body_of(request)
        if any(i["id"] == 502 for i in items):
            entry = {
                "status": 422,
                "title": "Variant 502: sku is already used by variant 9",
                "type": "",
                "errors": {"id": 502, "sku": "is already used by variant 9"},
            }
            return httpx.Response(422, json={"batch_errors": [entry]})
        return _echo(request)

    h = make_client(handler)
    result = h.client.update_variants([{"id": 501}, {"id": 502}, {"id": 503}])
    assert [(f.item_id, f.message) for f in result.failed] == [
        (502, "Variant 502: sku is already used by variant 9")
    ]
    assert [v["id"] for v in result.succeeded] == [501, 503]
