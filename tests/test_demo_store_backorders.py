"""Native backorder semantics of the demo store, observed over HTTP as the app would see them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backorder_desktop.demo_store import UNLIMITED_BACKORDER_LIMIT, DemoStore
from tests.support.demo_store_http import DemoApi, order_body

OUT_OF_STOCK = (
    "Quantities of one or more products are out of stock or did not meet quantity requirements."
)
BETA_FIELDS = {
    "qty_backordered",
    "backorder_limit",
    "backorder_message",
    "backorder_message_id",
    "quantity_backordered",
    "available_quantity_for_backorder",
    "show_backorder_message",
    "show_quantity_on_backorder",
    "show_quantity_on_hand",
    "show_backorder_availability_prompt",
    "backorder_availability_prompt",
}


@pytest.fixture
def api() -> Iterator[DemoApi]:
    with DemoStore(seed=4) as store, DemoApi(store) as client:
        yield client


def _fresh_variant(api: DemoApi, *, on_hand: int, limit: int | None) -> tuple[int, int]:
    """A tracked, available variant nobody waits for, set up through the API."""
    state = api.store.state
    waiting = {ln.variant_id for o in state.open_orders() for ln in o.lines}
    vid = next(
        v.id
        for v in state.variants.values()
        if state.tracked(v.id)
        and state.products[v.product_id].availability == "available"
        and state.products[v.product_id].inventory_tracking == "variant"
        and v.id not in waiting
    )
    adjust = {
        "items": [{"location_id": 1, "variant_id": vid, "quantity": on_hand, "qty_backordered": 0}]
    }
    assert api.put("/v3/inventory/adjustments/absolute", adjust).status_code == 200
    settings = {"settings": [{"identity": {"variant_id": vid}, "backorder_limit": limit}]}
    assert api.put("/v3/inventory/locations/1/items", settings).status_code == 200
    return state.variants[vid].product_id, vid


def _stock(api: DemoApi, vid: int) -> dict[str, Any]:
    item = api.get(
        "/v3/inventory/items", **{"variant_id:in": str(vid), "location_id:in": "1"}
    ).json()["data"][0]
    return item["locations"][0]


def _lines(api: DemoApi, order_id: int) -> list[dict[str, Any]]:
    return api.get(f"/v2/orders/{order_id}/products").json()


def test_an_order_takes_stock_first_then_backorders_up_to_the_limit(api: DemoApi) -> None:
    pid, vid = _fresh_variant(api, on_hand=3, limit=5)
    placed = api.post("/v2/orders", order_body(pid, vid, 6))
    assert placed.status_code == 200
    [line] = _lines(api, placed.json()["id"])
    assert line["quantity"] == 6 and line["quantity_backordered"] == 3
    stock = _stock(api, vid)
    assert stock["total_inventory_onhand"] == 0
    assert stock["qty_backordered"] == 3
    assert stock["settings"]["backorder_limit"] == 5
    assert stock["available_to_sell"] == 2  # on hand 0 + what is left of the limit

    orders_before = len(api.store.state.orders)
    refused = api.post("/v2/orders", order_body(pid, vid, 3))
    assert refused.status_code == 409
    body = refused.json()
    assert body == [
        {
            "status": 409,
            "message": OUT_OF_STOCK,
            "details": {
                "errors": [
                    {
                        "type": "OutOfStock",
                        "message": body[0]["details"]["errors"][0]["message"],
                        "variant_id": vid,
                        "location_id": 1,
                        "available_quantity": 0,
                        "available_quantity_for_backorder": 2,
                    }
                ]
            },
        }
    ]
    assert len(api.store.state.orders) == orders_before
    assert _stock(api, vid)["qty_backordered"] == 3

    assert api.post("/v2/orders", order_body(pid, vid, 2)).status_code == 200
    stock = _stock(api, vid)
    assert (stock["qty_backordered"], stock["available_to_sell"]) == (5, 0)


def test_a_null_limit_means_backorders_are_off(api: DemoApi) -> None:
    pid, vid = _fresh_variant(api, on_hand=2, limit=None)
    refused = api.post("/v2/orders", order_body(pid, vid, 3))
    assert refused.status_code == 409
    error = refused.json()[0]["details"]["errors"][0]
    assert (error["available_quantity"], error["available_quantity_for_backorder"]) == (2, 0)
    placed = api.post("/v2/orders", order_body(pid, vid, 2))
    assert placed.status_code == 200
    # Nothing was backordered: the lines do not carry the field at all.
    assert "quantity_backordered" not in _lines(api, placed.json()["id"])[0]
    assert _stock(api, vid)["total_inventory_onhand"] == 0


def test_an_unlimited_limit_takes_any_quantity(api: DemoApi) -> None:
    pid, vid = _fresh_variant(api, on_hand=0, limit=UNLIMITED_BACKORDER_LIMIT)
    assert api.post("/v2/orders", order_body(pid, vid, 500)).status_code == 200
    stock = _stock(api, vid)
    assert stock["qty_backordered"] == 500
    assert stock["available_to_sell"] == UNLIMITED_BACKORDER_LIMIT - 500


def test_every_line_of_a_backordered_order_carries_the_field(api: DemoApi) -> None:
    pid, short = _fresh_variant(api, on_hand=0, limit=10)
    state = api.store.state
    other = next(
        v
        for v in state.variants.values()
        if v.id != short
        and state.tracked(v.id)
        and state.on_hand(v.id) >= 1
        and state.products[v.product_id].availability == "available"
    )
    body = order_body(pid, short, 2)
    body["products"].append({"product_id": other.product_id, "variant_id": other.id, "quantity": 1})
    placed = api.post(
        "/v2/orders", body, include="consignments.line_items", consignment_structure="object"
    )
    lines = placed.json()["consignments"]["shipping"][0]["line_items"]
    assert {ln["variant_id"]: ln["quantity_backordered"] for ln in lines} == {short: 2, other.id: 0}


def test_a_refused_order_changes_nothing_even_for_lines_in_stock(api: DemoApi) -> None:
    pid, short = _fresh_variant(api, on_hand=1, limit=None)
    state = api.store.state
    other = next(
        v
        for v in state.variants.values()
        if v.id != short
        and state.tracked(v.id)
        and state.on_hand(v.id) >= 3
        and state.products[v.product_id].availability == "available"
    )
    before = state.on_hand(other.id)
    body = order_body(pid, short, 4)
    body["products"].insert(
        0, {"product_id": other.product_id, "variant_id": other.id, "quantity": 3}
    )
    refused = api.post("/v2/orders", body)
    assert refused.status_code == 409
    assert [e["variant_id"] for e in refused.json()[0]["details"]["errors"]] == [short]
    assert state.on_hand(other.id) == before


def test_pre_order_and_untracked_products_take_no_stock(api: DemoApi) -> None:
    state = api.store.state
    pre = next(p for p in state.products.values() if p.availability == "preorder")
    untracked = next(p for p in state.products.values() if p.inventory_tracking == "none")
    for product in (pre, untracked):
        vid = product.variant_ids[0]
        before = dict(
            (k, (r.on_hand, r.qty_backordered)) for k, r in state.inventory.items() if k[0] == vid
        )
        placed = api.post("/v2/orders", order_body(product.id, vid, 7))
        assert placed.status_code == 200, placed.text
        assert "quantity_backordered" not in _lines(api, placed.json()["id"])[0]
        after = dict(
            (k, (r.on_hand, r.qty_backordered)) for k, r in state.inventory.items() if k[0] == vid
        )
        assert after == before


def _keys(doc: Any) -> set[str]:
    if isinstance(doc, dict):
        return set(doc) | {k for v in doc.values() for k in _keys(v)}
    if isinstance(doc, list):
        return {k for v in doc for k in _keys(v)}
    return set()


def test_without_native_backorders_no_beta_field_appears_anywhere() -> None:
    with DemoStore(seed=4, native_backorders=False) as store, DemoApi(store) as api:
        state = store.state
        order = next(
            o for o in state.open_orders() if any(ln.quantity_backordered for ln in o.lines)
        )
        seen: set[str] = set()
        for path, params in (
            ("/v3/inventory/items", {"limit": 1000}),
            ("/v3/inventory/locations/1/items", {"limit": 1000}),
            ("/v3/settings/inventory", {}),
            (
                "/v2/orders",
                {
                    "include": "consignments.line_items",
                    "consignment_structure": "object",
                    "limit": 250,
                },
            ),
            (f"/v2/orders/{order.id}/products", {}),
        ):
            response = api.get(path, **params)
            assert response.status_code == 200
            seen |= _keys(response.json())
        short = next(
            v
            for v in state.variants.values()
            if state.tracked(v.id) and state.products[v.product_id].availability == "available"
        )
        refused = api.post("/v2/orders", order_body(short.product_id, short.id, 10**6))
        assert refused.status_code == 409
        seen |= _keys(refused.json())
        assert refused.json()[0]["details"]["errors"][0]["type"] == "OutOfStock"
        assert not seen & BETA_FIELDS
        # The beta setting is ignored rather than stored.
        settings = {
            "settings": [
                {"identity": {"variant_id": short.id}, "backorder_limit": 5, "warning_level": 2}
            ]
        }
        assert api.put("/v3/inventory/locations/1/items", settings).status_code == 200
        assert "backorder_limit" not in _keys(
            api.get("/v3/inventory/items", **{"variant_id:in": str(short.id)}).json()
        )
