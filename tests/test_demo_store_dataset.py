"""The seeded dataset: deterministic, realistic, and with backorders consistent with stock."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from backorder_desktop.demo_store import DemoStore, StoreState
from backorder_desktop.demo_store.dataset import generate_state
from tests.support.demo_store_http import DemoApi

OPEN = (11, 9, 3, 7)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def state() -> StoreState:
    return generate_state(seed=1, products=None, orders=None, store_hash="abc", now=NOW)


def _gs1_ok(code: str) -> bool:
    digits = [int(d) for d in code]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


def test_the_same_seed_gives_the_same_store_and_another_seed_does_not(state: StoreState) -> None:
    assert generate_state(seed=1, products=None, orders=None, store_hash="abc", now=NOW) == state
    other = generate_state(seed=2, products=None, orders=None, store_hash="abc", now=NOW)
    assert [p.name for p in other.products.values()] != [p.name for p in state.products.values()]


def test_default_size_and_shape(state: StoreState) -> None:
    assert len(state.products) == 300
    assert 800 <= len(state.variants) <= 1500
    assert len(state.orders) == 400
    assert [loc.is_default for loc in state.locations.values()].count(True) == 1
    assert len(state.locations) == 2
    tracking = Counter(p.inventory_tracking for p in state.products.values())
    assert set(tracking) == {"none", "product", "variant"}
    options = {o.display_name for p in state.products.values() for o in p.options}
    assert {"Size", "Colour"} <= options
    skus = [v.sku for v in state.variants.values()]
    assert len(set(skus)) == len(skus)
    for variant in state.variants.values():
        assert len(variant.upc) == 12 and _gs1_ok(variant.upc)
        assert variant.gtin == "" or (len(variant.gtin) == 13 and _gs1_ok(variant.gtin))
    # Tracked variants, and only those, have stock records at every location.
    tracked = {v for v in state.variants if state.tracked(v)}
    assert {k[0] for k in state.inventory} == tracked
    assert len(state.inventory) == 2 * len(tracked)


def test_names_carry_non_ascii_and_html_specials(state: StoreState) -> None:
    names = [p.name for p in state.products.values()]
    assert any("Café crème <small>" in n for n in names)
    assert any("O'Brien & Sons" in n for n in names)
    people = [f"{c.first_name} {c.last_name}" for c in state.customers.values()]
    assert any(not name.isascii() for name in people)
    assert all(c.email.isascii() and "@" in c.email for c in state.customers.values())


def test_pre_order_products_have_a_future_release_and_date_placeholder(state: StoreState) -> None:
    pre = [p for p in state.products.values() if p.availability == "preorder"]
    assert len(pre) >= 5
    for product in pre:
        assert product.preorder_release_date is not None and product.preorder_release_date > NOW
        assert "%%DATE%%" in product.preorder_message
        assert product.inventory_tracking != "none"
        assert all(
            state.on_hand(v, loc) == 0 for v in product.variant_ids for loc in state.locations
        )


def test_orders_span_sixty_days_and_every_status(state: StoreState) -> None:
    assert all(NOW - timedelta(days=60) <= o.date_created <= NOW for o in state.orders.values())
    statuses = Counter(o.status_id for o in state.orders.values())
    assert set(statuses) == set(range(15))
    assert all(statuses[s] >= 12 for s in OPEN), statuses
    assert all(o.lines for o in state.orders.values())
    assert all(o.billing_address.email for o in state.orders.values())
    for order in state.orders.values():
        shipped = sum(ln.quantity_shipped for ln in order.lines)
        total = sum(ln.quantity for ln in order.lines)
        if order.status_id in (2, 10):
            assert shipped == total and order.shipments and order.date_shipped
        if order.status_id == 3:
            assert 0 < shipped < total
        if order.status_id in (11, 9, 7):
            assert shipped == 0


def test_backordered_lines_match_inventory_qty_backordered(state: StoreState) -> None:
    native = [(o, ln) for o in state.open_orders() for ln in o.lines if ln.quantity_backordered]
    assert len(native) >= 24
    assert len({ln.sku for _, ln in native}) >= 10
    assert all(o.date_created >= state.native_backorders_since for o, _ in native)
    owed: dict[int, int] = defaultdict(int)
    for order in state.open_orders():
        for line in order.lines:
            owed[line.variant_id] += line.quantity_backordered or 0
    default = state.default_location_id
    for (vid, loc), rec in state.inventory.items():
        expected = owed.get(vid, 0) if loc == default else 0
        assert rec.qty_backordered == expected, (vid, loc)
        if rec.qty_backordered:
            assert rec.backorder_limit is not None and rec.backorder_limit >= rec.qty_backordered
            assert rec.on_hand == 0


def test_older_lines_without_the_field_are_short_of_stock(state: StoreState) -> None:
    demand: dict[int, int] = defaultdict(int)
    for order in state.open_orders():
        for line in order.lines:
            product = state.products[line.product_id]
            if (
                line.quantity_backordered is None
                and product.availability == "available"
                and state.tracked(line.variant_id)
            ):
                demand[line.variant_id] += line.quantity - line.quantity_shipped
    short = [
        v
        for v, need in demand.items()
        if sum(state.on_hand(v, loc) for loc in state.locations) < need
    ]
    assert len(short) >= 5
    older = [o for o in state.open_orders() if o.date_created < state.native_backorders_since]
    assert older and all(ln.quantity_backordered is None for o in older for ln in o.lines)
    pre_lines = [
        ln
        for o in state.open_orders()
        for ln in o.lines
        if state.products[ln.product_id].availability == "preorder"
    ]
    assert len(pre_lines) >= 3 and all(ln.quantity_backordered is None for ln in pre_lines)


def test_manual_etas_and_suppliers_live_in_app_metafields(state: StoreState) -> None:
    etas = [
        m
        for m in state.metafields.values()
        if m.namespace == "backorder_desktop" and m.key == "eta"
    ]
    assert len(etas) >= 5
    for meta in etas:
        assert meta.resource_type == "variant" and meta.resource_id in state.variants
        assert date.fromisoformat(meta.value) > NOW.date()
    suppliers = state.suppliers
    assert len(suppliers) >= 3
    assert all(s["name"] and "@" in s["email"] for s in suppliers)
    raw = [m.value for m in state.metafields.values() if m.key.startswith("supplier:")]
    assert all(isinstance(json.loads(v), dict) for v in raw)
    assert any(not s["name"].isascii() for s in suppliers)


def test_the_large_store_scales_to_the_benchmark_size() -> None:
    big = generate_state(seed=1, products=10_000, orders=5_000, store_hash="big", now=NOW)
    assert len(big.products) == 10_000
    assert 35_000 <= len(big.variants) <= 45_000
    assert len(big.orders) == 5_000
    assert sum(1 for o in big.open_orders() for ln in o.lines if ln.quantity_backordered) >= 200


@pytest.fixture(scope="module")
def served() -> Iterator[DemoApi]:
    with DemoStore(seed=1, rate_limit=(10_000, 30.0)) as store, DemoApi(store) as api:
        yield api


def test_over_http_qty_backordered_equals_what_open_orders_owe(served: DemoApi) -> None:
    """An independent check through the API only, as the app would compute it."""
    items: list[dict[str, object]] = []
    page = 1
    while True:
        body = served.get("/v3/inventory/items", limit=1000, page=page).json()
        items += body["data"]
        if page >= body["meta"]["pagination"]["total_pages"]:
            break
        page += 1
    owed: dict[int, int] = defaultdict(int)
    for status in OPEN:
        response = served.get(
            "/v2/orders",
            status_id=status,
            limit=250,
            include="consignments.line_items",
            consignment_structure="object",
        )
        if response.status_code == 204:
            continue
        for order in response.json():
            consignments = order["consignments"]
            for kind in ("shipping", "downloads"):  # digital lines come as downloads
                for consignment in consignments[kind]:
                    for line in consignment["line_items"]:
                        owed[line["variant_id"]] += line.get("quantity_backordered", 0)
    assert sum(owed.values()) > 0
    for item in items:
        default = next(loc for loc in item["locations"] if loc["location_id"] == 1)  # type: ignore[union-attr]
        assert default["qty_backordered"] == owed.get(item["identity"]["variant_id"], 0)  # type: ignore[index]
