"""Demo store speed-ups keep its answers: the fast JSON encoder and the unfiltered listings."""

from __future__ import annotations

import json

import httpx

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.engine import _encode


def test_encoder_writes_what_the_standard_encoder_writes() -> None:
    body = {"data": [{"id": 1, "name": "Café ünïcode ✓", "price": 12.5, "n": None, "ok": True}]}
    assert _encode(body) == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    # What the fast encoder refuses still goes out (e.g. a number beyond 64 bits).
    huge = {"id": 2**70, "by_id": {3: "x"}}
    assert json.loads(_encode(huge)) == {"id": 2**70, "by_id": {"3": "x"}}


def test_unfiltered_listings_hold_exactly_what_filtered_ones_do() -> None:
    with DemoStore(None, seed=3, products=60, orders=20) as store:
        base = f"{store.api_url}/stores/{store.store_hash}"
        headers = {"X-Auth-Token": store.token}
        state = store.state
        tracked = sorted(v for v in state.variants if state.tracked(v))
        with httpx.Client(headers=headers) as http:
            items = http.get(f"{base}/v3/inventory/items", params={"limit": 1000}).json()
            assert [d["identity"]["variant_id"] for d in items["data"]] == tracked
            some = ",".join(str(v) for v in tracked[:5])
            narrowed = http.get(
                f"{base}/v3/inventory/items", params={"limit": 1000, "variant_id:in": some}
            ).json()
            assert [d["identity"]["variant_id"] for d in narrowed["data"]] == tracked[:5]

            products = http.get(f"{base}/v3/catalog/products", params={"limit": 250}).json()
            assert [p["id"] for p in products["data"]] == sorted(state.products)
            assert products["meta"]["pagination"]["total"] == len(state.products)
            first = min(state.products)
            one = http.get(f"{base}/v3/catalog/products", params={"id:in": str(first)}).json()
            assert [p["id"] for p in one["data"]] == [first]


def _undated(listings: tuple[bytes, ...]) -> list[object]:
    """The documents without their dates: two stores generated (or written) a second apart differ
    only there, which says nothing about the cache."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if not k.startswith("date_")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return [strip(json.loads(body)) for body in listings]


def _listings(http: httpx.Client, base: str) -> tuple[bytes, ...]:
    products = http.get(
        f"{base}/v3/catalog/products",
        params={"limit": 50, "page": 2, "include": "variants", "include_fields": "name,sku"},
    )
    full = http.get(f"{base}/v3/catalog/products", params={"limit": 50})
    items = http.get(f"{base}/v3/inventory/items", params={"limit": 100})
    return products.content, full.content, items.content


def test_listing_cache_serves_the_same_bytes_and_forgets_them_on_a_write() -> None:
    with (
        DemoStore(None, seed=4, products=120, orders=10) as plain,
        DemoStore(None, seed=4, products=120, orders=10, cache_listings=True) as cached,
    ):
        clients = []
        for store in (plain, cached):
            base = f"{store.api_url}/stores/{store.store_hash}"
            clients.append((httpx.Client(headers={"X-Auth-Token": store.token}), base))
        try:
            expected = _listings(*clients[0])
            filled = _listings(*clients[1])
            assert _undated(filled) == _undated(expected)
            assert _listings(*clients[1]) == filled  # served from the cache, byte for byte
            # A write through the API: the next listing shows it, as the plain store's does.
            state = cached.state
            variant = next(v for v in state.variants.values() if state.tracked(v.id))
            product = state.products[variant.product_id]
            assert product.id in sorted(state.products)[:50]  # on the first page listed
            for http, base in clients:
                http.put(
                    f"{base}/v3/catalog/products", json=[{"id": product.id, "name": "New name"}]
                ).raise_for_status()
                http.put(
                    f"{base}/v3/inventory/adjustments/absolute",
                    json={"items": [{"location_id": 1, "variant_id": variant.id, "quantity": 77}]},
                ).raise_for_status()
            after = _listings(*clients[0])
            assert after[1] != expected[1] and after[2] != expected[2]
            assert _undated(_listings(*clients[1])) == _undated(after)
        finally:
            for http, _ in clients:
                http.close()
