"""State in the data dir: successive runs agree, only writes save, the token never touches disk."""

from __future__ import annotations

import threading
from pathlib import Path

from backorder_desktop.demo_store import DemoStore
from tests.support.demo_store_http import DemoApi, order_body


def _files(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((data_dir / "demo-store").iterdir())}


def _mutate(api: DemoApi) -> None:
    state = api.store.state
    pid = next(iter(state.products))
    vid = next(v for (v, loc) in state.inventory if loc == 1)
    tracked = next(
        v
        for v in state.variants.values()
        if state.tracked(v.id)
        and state.products[v.product_id].availability == "available"
        and state.on_hand(v.id) > 0
    )
    assert (
        api.put("/v3/catalog/products", [{"id": pid, "name": "Renamed Café <b>"}]).status_code
        == 200
    )
    assert (
        api.put("/v3/catalog/variants", [{"id": vid, "purchasing_disabled": True}]).status_code
        == 200
    )
    assert (
        api.put(
            "/v3/inventory/adjustments/absolute",
            {"items": [{"location_id": 1, "variant_id": vid, "quantity": 77}]},
        ).status_code
        == 200
    )
    assert (
        api.put(
            "/v3/inventory/locations/1/items",
            {"settings": [{"identity": {"variant_id": vid}, "backorder_limit": 9}]},
        ).status_code
        == 200
    )
    assert (
        api.post(
            "/v3/store/metafields",
            [
                {
                    "namespace": "backorder_desktop",
                    "key": "supplier:x",
                    "value": "{}",
                    "permission_set": "write",
                }
            ],
        ).status_code
        == 200
    )
    assert api.post("/v2/orders", order_body(tracked.product_id, tracked.id, 1)).status_code == 200
    order = state.open_orders()[0]
    assert api.put(f"/v2/orders/{order.id}", {"status_id": 9}).status_code == 200
    assert api.put("/v3/settings/inventory", {"show_quantity_on_hand": False}).status_code == 200


def test_a_restart_on_the_same_data_dir_sees_the_same_store(tmp_path: Path) -> None:
    with DemoStore(tmp_path, seed=8) as first, DemoApi(first) as api:
        _mutate(api)
        saved = first.state
        store_hash, token = first.store_hash, first.token
    with DemoStore(tmp_path, seed=999) as second:  # the saved state wins over the seed
        assert second.store_hash == store_hash
        assert second.state == saved
        assert second.token != token  # a fresh token each start
        with DemoApi(second) as api:
            assert api.get(f"/v3/catalog/products/{next(iter(saved.products))}").json()["data"][
                "name"
            ] == ("Renamed Café <b>")


def test_the_token_is_never_written_to_disk(tmp_path: Path) -> None:
    given = "s3cr3t-token-never-on-disk"
    with DemoStore(tmp_path, seed=8, token=given) as store, DemoApi(store) as api:
        _mutate(api)
    found = [name for name, data in _files(tmp_path).items() if given.encode() in data]
    assert found == []
    assert all(not name.endswith(".tmp") for name in _files(tmp_path))


def test_only_writes_save_the_state(tmp_path: Path) -> None:
    with DemoStore(tmp_path, seed=8) as store, DemoApi(store) as api:
        before = _files(tmp_path)
        api.get("/v3/catalog/products", include="variants")
        api.get("/v2/orders", include="consignments.line_items")
        api.get("/v3/inventory/items")
        api.post("/v2/orders", order_body(1, 1, 1))  # refused (400): nothing to save
        assert _files(tmp_path) == before
        api.put("/v3/catalog/products", [{"id": next(iter(store.state.products)), "price": 12.5}])
        assert _files(tmp_path) != before


def test_reset_starts_over_from_the_seed(tmp_path: Path) -> None:
    with DemoStore(tmp_path, seed=8) as store, DemoApi(store) as api:
        pid = next(iter(store.state.products))
        original = store.state.products[pid].name
        _mutate(api)
        old_hash = store.store_hash
    with DemoStore(tmp_path, seed=8, reset=True) as again:
        assert again.state.products[pid].name == original
        assert again.store_hash != old_hash  # the hash lives in the discarded state
    with DemoStore(tmp_path, seed=8, store_hash="pinnedhash") as pinned:
        assert pinned.store_hash == "pinnedhash"
    with DemoStore(tmp_path) as reopened:
        assert reopened.store_hash == "pinnedhash"


def test_concurrent_writers_keep_the_state_consistent(tmp_path: Path) -> None:
    with DemoStore(tmp_path, seed=8, rate_limit=(10_000, 30.0)) as store:
        state = store.state
        vid = next(
            v.id
            for v in state.variants.values()
            if state.tracked(v.id) and state.products[v.product_id].availability == "available"
        )
        pid = state.variants[vid].product_id
        with DemoApi(store) as api:
            api.put(
                "/v3/inventory/adjustments/absolute",
                {
                    "items": [
                        {"location_id": 1, "variant_id": vid, "quantity": 5, "qty_backordered": 0}
                    ]
                },
            )
            api.put(
                "/v3/inventory/locations/1/items",
                {"settings": [{"identity": {"variant_id": vid}, "backorder_limit": 10}]},
            )
        statuses: list[int] = []
        lock = threading.Lock()

        def buy() -> None:
            with DemoApi(store) as api:
                for _ in range(5):
                    code = api.post("/v2/orders", order_body(pid, vid, 1)).status_code
                    with lock:
                        statuses.append(code)

        threads = [threading.Thread(target=buy) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [200] * 15 + [409] * 5  # 5 from stock, 10 backordered
        rec = state.inventory[(vid, 1)]
        assert (rec.on_hand, rec.qty_backordered) == (0, 10)
    with DemoStore(tmp_path) as reopened:
        assert reopened.state.inventory[(vid, 1)].qty_backordered == 10
