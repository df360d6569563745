"""The one write path for batches: a typed operation is encoded (bigcommerce/operations.py),
pushed (sync/push.py), and the per-item outcomes of 200, 207 and 422 replies decide what the
outbox row keeps; a refusal naming some items sends the others once more (sync/partial.py).

The store's answers are scripted on the HTTP transport (shapes of the official spec and of
replies seen from BigCommerce); the outbox and cache are a real SQLite file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.sync.push import push
from tests.support.client_mock import Harness, api_path, body_of, make_client

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with open_cache(tmp_path / "store.sqlite") as c:
        yield c


def _echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": body_of(request), "meta": {}})


def _queue(cache: Cache, op: ops.Operation) -> int:
    return cache.outbox.enqueue(
        "batch", "test", op.action, op.resource, op.payload, target=op.target
    )


def _push(cache: Cache, handler: Handler, op: ops.Operation) -> tuple[Harness, int, Any]:
    row_id = _queue(cache, op)
    h = make_client(handler, backoff_base=0.0)
    result = push(h.client, cache)
    return h, row_id, result


def _row(cache: Cache, row_id: int) -> Any:
    row = cache.outbox.get(row_id)
    assert row is not None
    return row


def test_each_operation_becomes_its_request() -> None:
    settings = [{"identity": {"variant_id": 1}, "backorder_limit": 5}]
    stock = [{"location_id": 1, "variant_id": 1, "quantity": 3}]
    cases = [
        (ops.update_products([{"id": 1}]), "PUT", "/v3/catalog/products"),
        (ops.update_variants([{"id": 1}]), "PUT", "/v3/catalog/variants"),
        (ops.update_order(5, {"status_id": 9}), "PUT", "/v2/orders/5"),
        (ops.set_location_items(2, settings), "PUT", "/v3/inventory/locations/2/items"),
        (ops.set_stock(stock, "Supplier delivery"), "PUT", "/v3/inventory/adjustments/absolute"),
        (ops.metafield_op(ops.CREATE, "store", []), "POST", "/v3/store/metafields"),
        (ops.metafield_op(ops.UPDATE, "variant", []), "PUT", "/v3/catalog/variants/metafields"),
        (ops.metafield_op(ops.CREATE, "order", []), "POST", "/v3/orders/metafields"),
    ]
    for op, method, path in cases:
        request = ops.encode(op)
        assert (request.method, request.path) == (method, path)
        # And back: rows queued as requests before operations were typed mean the same.
        assert ops.decode_request(method, path, request.body) == op
    assert ops.encode(ops.set_location_items(2, settings)).body == {"settings": settings}
    assert ops.encode(ops.set_stock(stock, "Supplier delivery")).body["reason"] == (
        "Supplier delivery"
    )


def test_a_207_keeps_only_the_refused_item_in_the_row(cache: Cache) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        items = body_of(request)
        return httpx.Response(
            207,
            json={
                "data": [i for i in items if i["id"] != 3],
                "errors": {
                    "status": 422,
                    "title": "Some products could not be updated",
                    "errors": {"3": "preorder_release_date must be in the future"},
                },
                "meta": {},
            },
        )

    items = [{"id": i, "availability": "preorder"} for i in (1, 2, 3, 4)]
    h, row_id, result = _push(cache, handler, ops.update_products(items))

    assert (result.sent, result.failed) == (0, 1)
    row = _row(cache, row_id)
    assert row.state == "failed"
    assert "must be in the future" in (row.last_error or "")
    assert row.body == [{"id": 3, "availability": "preorder"}]  # a retry sends just that one
    assert len(h.requests) == 1


def test_a_207_naming_nothing_fails_the_items_missing_from_the_reply(cache: Cache) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            207, json={"data": [{"id": 1}], "errors": {"title": "Partial failure", "errors": {}}}
        )

    _, row_id, _ = _push(cache, handler, ops.update_products([{"id": 1}, {"id": 2}]))
    row = _row(cache, row_id)
    assert row.state == "failed" and row.body == [{"id": 2}]


def test_a_422_naming_items_fails_them_and_sends_the_rest_once_more(cache: Cache) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        items = body_of(request)
        bad = [i for i in items if i.get("price", 0) < 0]
        if bad:
            errors = {str(b["id"]): "price must not be negative" for b in bad}
            return httpx.Response(
                422, json={"batch_errors": [{"status": 422, "title": "Invalid", "errors": errors}]}
            )
        return _echo(request)

    batch = [{"id": 100 + i, "price": -1 if i == 2 else 5} for i in range(5)]
    h, row_id, _ = _push(cache, handler, ops.update_variants(batch))

    assert [len(body_of(r)) for r in h.requests] == [5, 4]  # one resend without the bad one
    row = _row(cache, row_id)
    assert row.state == "failed" and row.body == [{"id": 102, "price": -1}]
    assert "price must not be negative" in (row.last_error or "")


def test_a_422_by_position_names_the_item_at_that_position(cache: Cache) -> None:
    body = {"batch_errors": [{"title": "Invalid", "errors": {"variants.1.sku": "is taken"}}]}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json=body) if len(body_of(request)) == 3 else _echo(request)

    h, row_id, _ = _push(
        cache, handler, ops.update_variants([{"id": i} for i in (7001, 7002, 7003)])
    )

    assert [[i["id"] for i in body_of(r)] for r in h.requests] == [[7001, 7002, 7003], [7001, 7003]]
    row = _row(cache, row_id)
    assert row.body == [{"id": 7002}] and "is taken" in (row.last_error or "")


def test_a_422_naming_nothing_fails_every_item_without_resending(cache: Cache) -> None:
    body = {"batch_errors": [{"status": 422, "title": "Variants could not be saved"}]}
    h, row_id, _ = _push(
        cache, lambda r: httpx.Response(422, json=body), ops.update_variants([{"id": 1}, {"id": 2}])
    )
    assert len(h.requests) == 1
    row = _row(cache, row_id)
    assert row.state == "failed" and "Variants could not be saved" in (row.last_error or "")


def test_a_422_of_the_inventory_api_fails_the_row_with_its_reason(cache: Cache) -> None:
    body = {
        "status": 422,
        "title": "Payload contains invalid fields",
        "errors": {"setting.0.settings": "At least one setting must be specified"},
    }
    op = ops.set_location_items(1, [{"identity": {"variant_id": 1}}])
    _, row_id, _ = _push(cache, lambda r: httpx.Response(422, json=body), op)
    row = _row(cache, row_id)
    assert row.state == "failed"
    assert "At least one setting must be specified" in (row.last_error or "")


def test_a_put_is_sent_again_after_a_5xx(cache: Cache) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503) if len(calls) == 1 else _echo(request)

    h, row_id, result = _push(cache, handler, ops.update_products([{"id": 1, "name": "A"}]))
    assert result.sent == 1 and len(h.requests) == 2
    assert _row(cache, row_id).state == "sent"


def test_a_metafield_422_with_data_is_a_partial_success(cache: Cache) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":  # looking for the record to adopt (sync/adopt.py): none
            return httpx.Response(200, json={"data": [], "meta": {"pagination": {"total": 0}}})
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
                "errors": [{"status": 422, "title": "Metafield for resource 2 already exists"}],
                "meta": {"total": 2, "success": 1, "failed": 1},
            },
        )

    creates = [
        {"resource_id": r, "namespace": "backorder_desktop", "key": "eta", "value": "v"}
        for r in (1, 2)
    ]
    h, row_id, _ = _push(cache, handler, ops.metafield_op(ops.CREATE, "order", creates))
    assert [r.method for r in h.requests if r.method != "GET"] == ["POST"]  # not sent again
    row = _row(cache, row_id)
    assert row.state == "failed" and [i["resource_id"] for i in row.body] == [2]
    assert "already exists" in (row.last_error or "")


def test_a_store_metafield_reply_is_matched_by_namespace_and_key(cache: Cache) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        saved = [
            {**i, "id": 70, "resource_id": 0, "resource_type": "store"} for i in body_of(request)
        ]
        return httpx.Response(200, json={"data": saved, "errors": [], "meta": {}})

    creates = [{"namespace": "backorder_desktop", "key": "supplier:1", "value": "{}"}]
    h, row_id, result = _push(cache, handler, ops.metafield_op(ops.CREATE, "store", creates))
    assert result.sent == 1 and api_path(h.requests[0]) == "/v3/store/metafields"
    assert [m.id for m in cache.metafields.by_key("store", "supplier:1")] == [70]


def test_an_order_update_puts_its_fields_and_the_reply_lands_in_the_cache(cache: Cache) -> None:
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

    fields = {"status_id": 9, "staff_notes": "Released by Backorder Desktop"}
    h, row_id, result = _push(cache, handler, ops.update_order(5, fields))
    assert result.sent == 1
    request = h.requests[0]
    assert (request.method, api_path(request), body_of(request)) == ("PUT", "/v2/orders/5", fields)
