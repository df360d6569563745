"""What the documentation leaves open, read from what the store does: unlimited backorders kept
apart from off, the default location the store names, and the quota learnt before fanning out."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import httpx

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce.mapping import map_inventory_item
from backorder_desktop.cache import open_cache
from backorder_desktop.demo_store import UNLIMITED_BACKORDER_LIMIT, DemoStore
from backorder_desktop.domain.bulk import VariantEdit
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.bulk import bulk_edit as bulk
from backorder_desktop.services.dock.receiving import commit_receipt, preview_receipt
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.views import load_rows
from backorder_desktop.sync.pull import pull
from backorder_desktop.sync.push import push
from tests.support.client_mock import make_client
from tests.support.demo_store_http import DemoApi
from tests.support.openapi import require_specs


def _item(settings: dict[str, object]) -> dict[str, object]:
    return {
        "identity": {"variant_id": 7},
        "locations": [{"location_id": 1, "total_inventory_onhand": 0, "settings": settings}],
    }


def test_unlimited_is_read_from_what_the_store_returns_and_never_as_off() -> None:
    def limit(settings: dict[str, object]) -> int | None:
        return map_inventory_item(_item(settings))[0].backorder_limit

    for unlimited in (UNLIMITED_BACKORDER_LIMIT, -1, "unlimited", 2**40):
        assert limit({"backorder_limit": unlimited}) == UNLIMITED_BACKORDER_LIMIT
    assert limit({"backorder_limit": None, "is_backorder_unlimited": True}) == (
        UNLIMITED_BACKORDER_LIMIT
    )
    assert limit({"backorder_limit": None}) is None  # off
    assert limit({}) is None
    assert limit({"backorder_limit": 0}) == 0
    assert limit({"backorder_limit": 12}) == 12


def test_unlimited_and_off_survive_a_sync_and_an_edit_of_other_fields(tmp_path: Path) -> None:
    with DemoStore(seed=6, products=40, orders=20) as store:
        state = store.state
        tracked = [
            v
            for v in state.variants.values()
            if state.products[v.product_id].inventory_tracking == "variant"
        ]
        unlimited, off, counted = (v.id for v in tracked[:3])
        state.inventory[(unlimited, 1)].backorder_limit = UNLIMITED_BACKORDER_LIMIT
        state.inventory[(off, 1)].backorder_limit = None
        state.inventory[(counted, 1)].backorder_limit = 4
        with (
            BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
            open_cache(tmp_path / "store.sqlite") as cache,
        ):
            pull(client, cache)
            shown = {r.variant_id: r.limit_text for r in load_rows(cache).products}
            assert (shown[unlimited], shown[off], shown[counted]) == ("unlimited", "off", "4")
            # An ETA-only edit of all three leaves each limit as it was.
            eta = date.today() + timedelta(days=20)
            edits = {v: VariantEdit(eta=eta) for v in (unlimited, off, counted)}
            assert bulk.apply(client, cache, bulk.BulkRequest(edits, location_id=1)).applied
            assert push(client, cache).failed == 0
            pull(client, cache)
            shown = {r.variant_id: r.limit_text for r in load_rows(cache).products}
        assert (shown[unlimited], shown[off], shown[counted]) == ("unlimited", "off", "4")
        assert state.inventory[(unlimited, 1)].backorder_limit == UNLIMITED_BACKORDER_LIMIT
        assert state.inventory[(off, 1)].backorder_limit is None
        assert not [
            r for r in store.requests if "/locations/1/items" in r.path and r.method == "PUT"
        ]


def test_the_default_location_comes_from_the_store_not_id_1(tmp_path: Path) -> None:
    with DemoStore(seed=6, products=40, orders=20, default_location=2) as store:
        with (
            BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
            open_cache(tmp_path / "store.sqlite") as cache,
        ):
            pull(client, cache)
            default = cache.locations.default()
            assert default is not None and default.id == 2
            # A receipt with no location chosen books stock at the store's default.
            variant = next(
                v
                for v in store.state.variants.values()
                if store.state.products[v.product_id].inventory_tracking == "variant"
            )
            shipment, _ = add_shipment(
                cache, supplier="Acme", expected=None, lines=[(variant.sku, 5)]
            )
            assert (
                preview_receipt(cache, shipment.id, [ReceiptLine(variant.sku, 5)]).location_id == 2
            )
            before = store.state.on_hand(variant.id, 2)
            commit_receipt(cache, shipment.id, [ReceiptLine(variant.sku, 5)], receipt_id="r-loc")
            assert push(client, cache).failed == 0
        assert store.state.on_hand(variant.id, 2) == before + 5
        defaults = [r for r in store.requests if r.query.get("is_default") == "true"]
        assert len(defaults) == 1  # asked once per sync


def test_a_sync_with_3_requests_left_in_the_window_gets_no_429(tmp_path: Path) -> None:
    with DemoStore(seed=6, products=40, orders=20, rate_limit=(30, 2.0)) as store:
        store.use_quota(27)  # other apps used the rest of this window: 3 requests per 2 s left
        with (
            BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
            open_cache(tmp_path / "store.sqlite") as cache,
        ):
            result = pull(client, cache, full=True)
        statuses = [r.status for r in store.requests]
    assert 429 not in statuses
    assert len(statuses) > 3  # the sync needed more than what was left
    assert result.products == 40


def test_digital_lines_come_in_a_downloads_consignment_and_are_read(tmp_path: Path) -> None:
    require_specs()
    with DemoStore(seed=6) as store:
        state = store.state
        digital = {p.id for p in state.products.values() if p.type == "digital"}
        order = next(
            o for o in state.open_orders() if any(ln.product_id in digital for ln in o.lines)
        )
        with DemoApi(store, validate=True) as api:  # both shapes the orders spec allows
            for params in ({}, {"consignment_structure": "object"}):
                doc = api.get(
                    f"/v2/orders/{order.id}", include="consignments.line_items", **params
                ).json()
                consignments = doc["consignments"]
                node = consignments[0] if isinstance(consignments, list) else consignments
                downloads = node["downloads"]
                assert downloads and downloads[0]["recipient_email"]
                assert {i["type"] for i in downloads[0]["line_items"]} == {"digital"}
        with BigCommerceClient(store.api_url, store.store_hash, store.token) as client:
            read = next(
                o for o in client.iter_orders(status_ids=[order.status_id]) if o.id == order.id
            )
    assert sorted(line.id for line in read.lines) == sorted(line.id for line in order.lines)


def test_line_items_given_as_links_are_read_from_the_order_products() -> None:
    order = {
        "id": 7,
        "status_id": 11,
        "date_created": "Tue, 20 Nov 2012 00:00:00 +0000",
        "consignments": {
            "shipping": [{"line_items": [{"id": 70, "quantity": 1, "product_id": 1}]}],
            "downloads": [
                {
                    "recipient_email": "a@example.com",
                    "line_items": [
                        {
                            "url": "https://x/orders/7/products/71",
                            "resource": "/orders/7/products/71",
                        }
                    ],
                }
            ],
        },
    }
    products = [
        {"id": 70, "order_id": 7, "quantity": 1, "product_id": 1},
        {"id": 71, "order_id": 7, "quantity": 2, "product_id": 2, "type": "digital"},
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.split("/v2", 1)[1]
        if path == "/orders" and request.url.params.get("page") == "1":
            return httpx.Response(200, json=[order])
        if path == "/orders/7/products" and request.url.params.get("page") == "1":
            return httpx.Response(200, json=products)
        return httpx.Response(204)

    h = make_client(handler)
    (read,) = list(h.client.iter_orders(status_ids=[11]))
    assert sorted((line.id, line.quantity) for line in read.lines) == [(70, 1), (71, 2)]
    assert any(r.url.path.endswith("/orders/7/products") for r in h.requests)
