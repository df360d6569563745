"""Products tracked by product take stock writes by product_id, in every flow that writes stock.

BigCommerce refuses a stock write naming such an item by variant id (422 "tracked by product")
and with it the whole request (inventory.v3.yml). The demo store answers the same; these tests
run receiving, undoing a receipt, releasing and undoing a release, bulk limits, and a cache that
does not know the tracking changed, and check what BigCommerce holds afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from backorder_desktop.domain.bulk import VariantEdit
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.bulk import bulk_edit as bulk
from backorder_desktop.services.dock.receipts import reverse_receipt_booking
from backorder_desktop.services.dock.receiving import commit_receipt
from backorder_desktop.services.dock.releasing import ready_orders, release_orders, undo_release
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.queue import load_queue
from tests.support.demo_store_http import DemoApi, order_body
from tests.support.openapi import require_specs
from tests.support.shipments import Env, demo_env

TRACKED_BY_PRODUCT = "is tracked by product, please update stock by product id"


class Bodies:
    """The JSON bodies of the stock writes the app sent (an httpx event hook)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    def __call__(self, request: httpx.Request) -> None:
        if request.method in ("PUT", "POST") and "/v3/inventory/" in request.url.path:
            self.sent.append((request.url.path.split("/v3", 1)[1], json.loads(request.content)))

    def identities(self) -> list[dict[str, Any]]:
        out = []
        for _, body in self.sent:
            for item in body.get("items") or []:
                out.append(
                    {k: v for k, v in item.items() if k.endswith("_id") and k != "location_id"}
                )
            for item in body.get("settings") or []:
                out.append(item["identity"])
        return out


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[Env, Bodies]]:
    with demo_env(tmp_path) as e:
        bodies = Bodies()
        e.client.http.event_hooks["request"].append(bodies)
        yield e, bodies


def product_tracked_waiting(env: Env) -> tuple[int, int, list[Any]]:
    """(variant, product, waiting lines) of a product tracked by product (no options), with a
    new order placed past its stock, as a shopper would."""
    state = env.store.state
    product = next(
        p
        for p in state.products.values()
        if p.inventory_tracking == "product"
        and p.base_variant_id is not None
        and p.availability == "available"
    )
    vid = product.variant_ids[0]
    state.inventory[(vid, 1)].backorder_limit = 50  # set in the control panel
    with DemoApi(env.store) as api:
        placed = api.post("/v2/orders", order_body(product.id, vid, state.on_hand(vid) + 3))
        assert placed.status_code == 200, placed.text
    env.pull()
    env.store.clear_requests()
    lines = [line for line in load_queue(env.cache) if line.variant_id == vid]
    assert sum(line.qty_waiting for line in lines) >= 3
    return vid, product.id, lines


def test_the_demo_store_refuses_a_variant_id_for_a_product_tracked_item_and_the_whole_request(
    tmp_path: Path,
) -> None:
    require_specs()
    with demo_env(tmp_path) as e, DemoApi(e.store, validate=True) as api:
        state = e.store.state
        by_product = next(
            p for p in state.products.values() if p.inventory_tracking == "product" and p.options
        )
        by_variant = next(p for p in state.products.values() if p.inventory_tracking == "variant")
        vid, other = by_product.variant_ids[1], by_variant.variant_ids[0]
        before = state.on_hand(other)
        refused = api.post(
            "/v3/inventory/adjustments/relative",
            {
                "items": [
                    {"location_id": 1, "variant_id": other, "quantity": 1},
                    {"location_id": 1, "variant_id": vid, "quantity": 1},
                ]
            },
        )
        assert refused.status_code == 422
        assert refused.json()["title"] == (
            f"[Item with variant_id {vid} is tracked by product, please update stock by product id]"
        )
        assert state.on_hand(other) == before  # nothing of the request applied
        ok = api.put(
            "/v3/inventory/adjustments/absolute",
            {"items": [{"location_id": 1, "product_id": by_product.id, "quantity": 9}]},
        )
        assert ok.status_code == 200
        # One stock for the product: each of its variants shows it.
        listed = api.get("/v3/inventory/items", **{"product_id:in": str(by_product.id)}).json()
        assert {
            loc["total_inventory_onhand"]
            for item in listed["data"]
            for loc in item["locations"]
            if loc["location_id"] == 1
        } == {9}
        settings = api.put(
            "/v3/inventory/locations/1/items",
            {"settings": [{"identity": {"variant_id": vid}, "backorder_limit": 4}]},
        )
        assert settings.status_code == 422 and TRACKED_BY_PRODUCT in settings.text


def test_receiving_and_undoing_a_receipt_write_by_product_id(env: tuple[Env, Bodies]) -> None:
    e, bodies = env
    vid, pid, lines = product_tracked_waiting(e)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    shipment, _ = add_shipment(
        e.cache, supplier="Acme", expected=date.today() + timedelta(days=3), lines=[(sku, 99)]
    )
    e.push()
    before = e.stock(vid)
    commit_receipt(e.cache, shipment.id, [ReceiptLine(sku, waiting + 2)], receipt_id="r-prod")
    assert e.push().failed == 0
    assert e.stock(vid) == (before[0] + 2, before[1] - waiting)
    assert {"product_id": pid} in bodies.identities()
    assert all("variant_id" not in i or i["variant_id"] != vid for i in bodies.identities())

    bodies.sent.clear()
    assert reverse_receipt_booking(e.cache, "r-prod").reversed
    assert e.push().failed == 0
    assert e.stock(vid) == before
    assert bodies.identities() == [{"product_id": pid}]
    assert all(r.status < 400 for r in e.store.requests)


def test_release_and_undo_release_keep_product_tracked_units_reserved(
    env: tuple[Env, Bodies],
) -> None:
    # Releasing writes no stock; undoing a release puts the order back among the ready ones
    # with its units still reserved (issue 14), so it writes no stock either: nothing a
    # product-tracked item could be refused for, and no unit becomes sellable in between.
    e, bodies = env
    vid, pid, lines = product_tracked_waiting(e)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    shipment, _ = add_shipment(e.cache, supplier="Acme", expected=None, lines=[(sku, waiting)])
    commit_receipt(e.cache, shipment.id, [ReceiptLine(sku, waiting)], receipt_id="r-rel")
    assert e.push().failed == 0
    assert bodies.identities() and all(i == {"product_id": pid} for i in bodies.identities())
    ready = [r.order_id for r in ready_orders(e.cache) if r.order_id in {x.order_id for x in lines}]
    assert ready
    release_orders(e.cache, ready, status_id=9)
    assert e.push().failed == 0
    stock_after = e.stock(vid)
    bodies.sent.clear()

    target = ready[0]
    undo_release(e.cache, target)
    assert e.push().failed == 0
    assert e.stock(vid) == stock_after
    assert bodies.identities() == []
    assert target in {r.order_id for r in ready_orders(e.cache)}
    assert target not in {x.order_id for x in load_queue(e.cache) if x.variant_id == vid}


def test_bulk_limits_address_each_item_as_its_tracking_requires(env: tuple[Env, Bodies]) -> None:
    e, bodies = env
    state = e.store.state
    with_options = next(
        p for p in state.products.values() if p.inventory_tracking == "product" and p.options
    )
    simple = next(
        p
        for p in state.products.values()
        if p.inventory_tracking == "product" and p.base_variant_id is not None
    )
    by_variant = next(p for p in state.products.values() if p.inventory_tracking == "variant")
    vids = [with_options.variant_ids[0], simple.variant_ids[0], by_variant.variant_ids[0]]
    request = bulk.BulkRequest({v: VariantEdit(limit=7) for v in vids}, location_id=1)
    assert bulk.apply(e.client, e.cache, request).applied
    assert e.push().failed == 0
    for vid in vids:
        assert state.inventory[(state.stock_variant(vid), 1)].backorder_limit == 7
    assert sorted(map(str, bodies.identities())) == sorted(
        map(
            str,
            [
                {"product_id": with_options.id},
                {"product_id": simple.id},
                {"variant_id": by_variant.variant_ids[0]},
            ],
        )
    )


def test_a_cache_that_missed_a_tracking_change_recovers_with_one_refusal(
    env: tuple[Env, Bodies],
) -> None:
    e, bodies = env
    state = e.store.state
    product = next(
        p
        for p in state.products.values()
        if p.inventory_tracking == "variant" and p.base_variant_id is None
    )
    vid = product.variant_ids[0]
    product.inventory_tracking = "product"  # changed in the control panel after the last sync
    # A fresh client, as in the next run of the app: it knows only what the cache says.
    e.client.stock = type(e.client.stock)()
    e.client.stock_addressing = lambda vids: {}
    request = bulk.BulkRequest({vid: VariantEdit(limit=3)}, location_id=1)
    assert bulk.apply(e.client, e.cache, request).applied
    e.store.clear_requests()
    assert e.push().failed == 0
    assert state.inventory[(state.stock_variant(vid), 1)].backorder_limit == 3
    writes = [(r.method, r.status) for r in e.store.requests if r.method == "PUT"]
    assert writes == [("PUT", 422), ("PUT", 200)]  # refused once, then sent by product id
    assert bodies.identities()[-1] == {"product_id": product.id}
