"""Fault injection: scripted and random failures do what tests of the app rely on."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from backorder_desktop.demo_store import DemoStore
from tests.support.demo_store_http import DemoApi, order_body


@pytest.fixture
def api() -> Iterator[DemoApi]:
    with DemoStore(seed=6) as store, DemoApi(store) as client:
        yield client


def test_a_scripted_error_hits_only_the_matching_requests_then_stops(api: DemoApi) -> None:
    api.store.faults.script("GET", r"^/v3/catalog/products$", "503", times=2)
    assert api.get("/v3/inventory/locations").status_code == 200
    first = api.get("/v3/catalog/products")
    assert first.status_code == 503 and first.json()["status"] == 503
    assert api.get("/v3/catalog/products").status_code == 503
    assert api.get("/v3/catalog/products").status_code == 200
    assert [r.status for r in api.store.requests] == [200, 503, 503, 200]
    assert api.store.faults.pending == 0


def test_a_v2_fault_has_the_v2_error_shape(api: DemoApi) -> None:
    api.store.faults.script("*", r"^/v2/orders", "500")
    failed = api.get("/v2/orders")
    assert failed.status_code == 500 and failed.json()[0]["status"] == 500


def test_a_dropped_connection_gets_no_response(api: DemoApi) -> None:
    api.store.faults.script("GET", r"/v3/inventory/items", "drop")
    with pytest.raises(httpx.TransportError):
        api.get("/v3/inventory/items")
    assert api.get("/v3/inventory/items").status_code == 200
    assert [r.status for r in api.store.requests] == [0, 200]


def test_a_fault_after_the_write_leaves_the_write_applied(api: DemoApi) -> None:
    state = api.store.state
    vid = next(iter(state.variants))
    api.store.faults.script("PUT", r"^/v3/catalog/variants$", "500", when="after")
    failed = api.put("/v3/catalog/variants", [{"id": vid, "purchasing_disabled": True}])
    assert failed.status_code == 500
    assert state.variants[vid].purchasing_disabled is True
    tracked = next(
        v
        for v in state.variants.values()
        if state.tracked(v.id)
        and state.products[v.product_id].availability == "available"
        and state.on_hand(v.id) >= 1
    )
    count = len(state.orders)
    api.store.faults.script("POST", r"^/v2/orders$", "drop", when="after")
    with pytest.raises(httpx.TransportError):
        api.post("/v2/orders", order_body(tracked.product_id, tracked.id, 1))
    assert len(state.orders) == count + 1


def test_a_fault_before_the_write_applies_nothing(api: DemoApi) -> None:
    state = api.store.state
    pid = next(iter(state.products))
    name = state.products[pid].name
    api.store.faults.script("PUT", r"/v3/catalog/products", "503")
    assert api.put("/v3/catalog/products", [{"id": pid, "name": "Never saved"}]).status_code == 503
    assert state.products[pid].name == name


def test_scripted_429_and_401(api: DemoApi) -> None:
    api.store.faults.script("GET", r"locations", "429")
    limited = api.get("/v3/inventory/locations")
    assert limited.status_code == 429
    assert limited.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert int(limited.headers["X-Rate-Limit-Time-Reset-Ms"]) > 0
    api.store.faults.script("GET", r"locations", "401")
    assert api.get("/v3/inventory/locations").status_code == 401
    assert api.get("/v3/inventory/locations").status_code == 200


def test_a_slow_answer_runs_into_the_client_timeout(api: DemoApi) -> None:
    api.store.faults.slow_seconds = 1.0
    api.store.faults.script("GET", r"locations", "slow")
    with pytest.raises(httpx.ReadTimeout):
        api.http.get("/v3/inventory/locations", timeout=0.2)
    assert api.get("/v3/inventory/locations").status_code == 200


def test_random_error_and_drop_rates_and_clear(api: DemoApi) -> None:
    faults = api.store.faults
    faults.error_rate = 1.0
    statuses = {api.get("/v3/inventory/locations").status_code for _ in range(6)}
    assert statuses <= {500, 503} and statuses
    faults.error_rate, faults.drop_rate = 0.0, 1.0
    with pytest.raises(httpx.TransportError):
        api.get("/v3/inventory/locations")
    faults.script("GET", r".", "500")
    faults.clear()
    assert api.get("/v3/inventory/locations").status_code == 200


def test_unknown_fault_kinds_are_refused() -> None:
    store = DemoStore(seed=6)
    with pytest.raises(ValueError, match="fault kind"):
        store.faults.script("GET", ".", "teapot")
    with pytest.raises(ValueError, match="timing"):
        store.faults.script("GET", ".", "500", when="during")
