"""The demo store like a live one: shoppers buy while staff work, stock writes apply later."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from backorder_desktop.demo_store import DemoStore
from tests.support.demo_store_http import DemoApi


@pytest.fixture
def api() -> Iterator[DemoApi]:
    with DemoStore(seed=11, products=30, orders=20) as store, DemoApi(store) as client:
        yield client


def _stocked_variant(store: DemoStore) -> tuple[int, int]:
    """A tracked, non-preorder variant with at least 5 on hand at the default location."""
    state = store.state
    loc = state.default_location_id
    for (vid, at), rec in sorted(state.inventory.items()):
        product = state.products[state.variants[vid].product_id]
        if at == loc and rec.on_hand >= 5 and product.availability != "preorder":
            return vid, loc
    raise AssertionError("the seed has no stocked variant")


def _on_hand(api: DemoApi, vid: int, loc: int) -> int:
    items = api.get("/v3/inventory/items", **{"variant_id:in": str(vid)}).json()["data"]
    for item in items:
        for at in item["locations"]:
            if at["location_id"] == loc:
                return int(at["total_inventory_onhand"])
    raise AssertionError(f"variant {vid} not listed")


def test_a_shopper_order_takes_stock_and_is_an_open_order(api: DemoApi) -> None:
    vid, loc = _stocked_variant(api.store)
    before = _on_hand(api, vid, loc)
    sale = api.store.shoppers.buy(vid, 2)
    assert sale is not None and sale.qty == 2 and sale.from_stock == 2
    assert _on_hand(api, vid, loc) == before - 2
    order = api.get(f"/v2/orders/{sale.order_id}").json()
    assert order["status_id"] == 11  # Awaiting Fulfillment: open, as a paid web order


def test_a_scripted_shopper_buys_between_a_read_and_the_next_write(api: DemoApi) -> None:
    vid, loc = _stocked_variant(api.store)
    read = _on_hand(api, vid, loc)
    api.store.shoppers.script("POST", r"/inventory/adjustments/relative$", vid, 1)
    body = {"reason": "t", "items": [{"location_id": loc, "variant_id": vid, "quantity": 10}]}
    assert api.post("/v3/inventory/adjustments/relative", body).status_code == 200
    # The sale landed first; the relative write added to what the store had then.
    assert _on_hand(api, vid, loc) == read - 1 + 10
    assert api.store.shoppers.sold(vid) == 1


def test_shoppers_on_a_timer_keep_buying(api: DemoApi) -> None:
    orders_before = len(api.store.state.orders)
    api.store.shoppers.start(3000)  # about 50 a second: the test waits for three
    try:
        deadline = time.monotonic() + 30
        while len(api.store.shoppers.sales) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        api.store.shoppers.stop()
    sales = api.store.shoppers.sales
    assert len(sales) >= 3
    assert len(api.store.state.orders) == orders_before + len(sales)
    listed = {o["id"] for o in api.get("/v2/orders", limit=250, sort="id:desc").json()}
    assert {s.order_id for s in sales} <= listed


def test_delayed_inventory_writes_apply_later_on_what_the_store_has_then(api: DemoApi) -> None:
    vid, loc = _stocked_variant(api.store)
    start = _on_hand(api, vid, loc)
    api.store.inventory_delay_s = 0.3
    body = {"reason": "t", "items": [{"location_id": loc, "variant_id": vid, "quantity": 7}]}
    assert api.post("/v3/inventory/adjustments/relative", body).status_code == 200
    assert _on_hand(api, vid, loc) == start  # answered, not applied yet
    assert api.store.shoppers.buy(vid, 1) is not None  # a sale before it applies
    api.store.settle()
    assert api.store.engine.deferred == 0
    assert _on_hand(api, vid, loc) == start - 1 + 7
    absolute = {"reason": "t", "items": [{"location_id": loc, "variant_id": vid, "quantity": 3}]}
    assert api.put("/v3/inventory/adjustments/absolute", absolute).status_code == 200
    assert _on_hand(api, vid, loc) == start + 6
    api.store.settle()
    assert _on_hand(api, vid, loc) == 3


def test_demo_store_command_runs_live_shoppers() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backorder_desktop",
            "demo-store",
            "--seed",
            "3",
            "--products",
            "20",
            "--orders",
            "5",
            "--live-shoppers",
            "3000",
            "--inventory-delay",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url, store_hash, token = (proc.stdout.readline().strip() for _ in range(3))
        with httpx.Client(
            base_url=f"{url}/stores/{store_hash}", headers={"X-Auth-Token": token}
        ) as http:
            first = http.get("/v2/orders/count").json()["count"]
            deadline = time.monotonic() + 30
            count = first
            while count < first + 3 and time.monotonic() < deadline:
                time.sleep(0.05)
                count = http.get("/v2/orders/count").json()["count"]
        assert count >= first + 3
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_random_faults_can_strike_after_a_write_was_applied(api: DemoApi) -> None:
    vid, loc = _stocked_variant(api.store)
    start = _on_hand(api, vid, loc)
    api.store.faults.error_rate, api.store.faults.after_share = 1.0, 1.0
    body = {"reason": "t", "items": [{"location_id": loc, "variant_id": vid, "quantity": 2}]}
    lost = api.post("/v3/inventory/adjustments/relative", body)
    assert lost.status_code in (500, 503)  # the answer is an error...
    api.store.faults.clear()
    assert _on_hand(api, vid, loc) == start + 2  # ...yet the write took effect
