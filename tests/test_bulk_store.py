"""Bulk edits against the real demo store: minimum requests, final state, undo, conflicts,
partial rejections, pre-order mode and bad input (real SQLite files, HTTP on 127.0.0.1)."""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce.client import INVENTORY_BATCH, METAFIELD_BATCH, PRODUCT_BATCH
from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.bulk import DESCRIPTION, ETA, LIMIT, RELEASE_DATE, VariantEdit
from backorder_desktop.domain.bulk_input import BulkInputError
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, UNLIMITED_BACKORDER_LIMIT
from backorder_desktop.services.bulk import bulk_edit as bulk
from backorder_desktop.services.bulk.bulk_results import batch_failures
from backorder_desktop.services.bulk.bulk_snapshot import store_is_native
from backorder_desktop.services.bulk.bulk_state import variant_sync_states
from backorder_desktop.sync.pull import pull
from backorder_desktop.sync.push import push
from tests.support.demo_store_http import DemoApi
from tests.support.openapi import require_specs, validate_httpx_request
from tests.support.shipments import make_due_now

LOCATIONS = "/v3/inventory/locations/1/items"
VARIANT_FIELDS = "/v3/catalog/variants/metafields"
PRODUCTS = "/v3/catalog/products"
ETA_DAY = date(2027, 1, 15)


class Traffic:
    """Every request the client sends: method, path and how many items its body carries."""

    def __init__(self, store: DemoStore) -> None:
        self.prefix = f"/stores/{store.store_hash}"
        self.sent: list[httpx.Request] = []
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> None:
        with self._lock:
            self.sent.append(request)

    def writes(self) -> list[tuple[str, str, int]]:
        out = []
        for r in self.sent:
            if r.method == "GET":
                continue
            body = json.loads(r.content) if r.content else None
            items = body.get("settings", body) if isinstance(body, dict) else body
            path = r.url.path.removeprefix(self.prefix)
            out.append((r.method, path, len(items) if isinstance(items, list) else 1))
        return out

    def clear(self) -> None:
        with self._lock:
            self.sent.clear()


def connect(store: DemoStore, tmp_path: Path) -> tuple[BigCommerceClient, Cache, Traffic]:
    client = BigCommerceClient(store.api_url, store.store_hash, store.token, backoff_base=0.01)
    traffic = Traffic(store)
    client.http.event_hooks["request"].append(traffic)
    cache = open_cache(tmp_path / "store.sqlite")
    pull(client, cache)
    traffic.clear()
    store.clear_requests()
    return client, cache, traffic


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=5, products=340) as demo:
        yield demo


@pytest.fixture
def wired(store: DemoStore, tmp_path: Path) -> Iterator[tuple[BigCommerceClient, Cache, Traffic]]:
    client, cache, traffic = connect(store, tmp_path)
    yield client, cache, traffic
    cache.close()
    client.close()


def tracked_variants(store: DemoStore) -> list[int]:
    state = store.state
    return sorted(
        v.id
        for v in state.variants.values()
        if state.products[v.product_id].inventory_tracking != "none"
    )


def eta_field(store: DemoStore, vid: int) -> Any:
    found = [
        m
        for m in store.state.metafields.values()
        if m.resource_type == "variant"
        and m.resource_id == vid
        and m.namespace == METAFIELD_NAMESPACE
        and m.key == "eta"
    ]
    assert len(found) <= 1, "BigCommerce keeps one metafield per namespace and key"
    return found[0] if found else None


def store_values(store: DemoStore, vids: list[int]) -> dict[str, Any]:
    """What a merchant sees in BigCommerce for these variants: limit, ETA and product text."""
    state = store.state
    pids = {state.variants[v].product_id for v in vids}
    return {
        "limits": {v: state.inventory[(state.stock_variant(v), 1)].backorder_limit for v in vids},
        "etas": {v: (eta_field(store, v).value if eta_field(store, v) else None) for v in vids},
        "descriptions": {p: state.products[p].availability_description for p in pids},
        "availability": {p: state.products[p].availability for p in pids},
    }


def test_a_thousand_variants_take_the_minimum_requests_and_end_as_previewed(
    store: DemoStore, wired: tuple[BigCommerceClient, Cache, Traffic]
) -> None:
    client, cache, traffic = wired
    vids = tracked_variants(store)[:1000]
    assert len(vids) == 1000
    before = store_values(store, vids)
    edit = VariantEdit(limit=25, eta=ETA_DAY, message="Ships by {eta:%b %d}")
    request = bulk.BulkRequest({v: edit for v in vids}, location_id=1)

    plan = bulk.preview(cache, request)
    assert traffic.sent == [], "a preview reads the cache only"
    outcome = bulk.apply(client, cache, request)
    assert outcome.applied and not outcome.conflicts
    reads = len(traffic.sent)
    result = push(client, cache)
    assert (result.pending, result.failed) == (0, 0)

    writes = traffic.writes()
    # Each ETA update batch is checked first (one listing): still what this laptop read? (issue 7)
    checks = plan.requests.eta_update
    assert len(writes) == plan.requests.total == len(traffic.sent) - reads - checks
    per_endpoint: dict[tuple[str, str], list[int]] = {}
    for method, path, items in writes:
        per_endpoint.setdefault((method, path), []).append(items)
    limits = {
        ("PUT", LOCATIONS): INVENTORY_BATCH,
        ("POST", VARIANT_FIELDS): METAFIELD_BATCH,
        ("PUT", VARIANT_FIELDS): METAFIELD_BATCH,
        ("PUT", PRODUCTS): PRODUCT_BATCH,
    }
    for endpoint, sizes in per_endpoint.items():
        assert len(sizes) == math.ceil(sum(sizes) / limits[endpoint]), endpoint
    sent = {endpoint: sum(sizes) for endpoint, sizes in per_endpoint.items()}
    differing = sum(1 for v in vids if before["limits"][v] != 25)
    assert sent[("PUT", LOCATIONS)] == len(plan.of("variant", LIMIT)) == differing > 900
    eta_items = sent.get(("POST", VARIANT_FIELDS), 0) + sent.get(("PUT", VARIANT_FIELDS), 0)
    assert eta_items == len(plan.of("variant", ETA))
    # One item per product: a pre-order product's release date follows its ETA in the same item.
    assert sent[("PUT", PRODUCTS)] == len({c.id for c in plan.changes if c.kind == "product"})
    assert len(plan.of("product", DESCRIPTION)) > 0
    assert plan.requests.location_items == 1

    # BigCommerce now holds exactly what the preview said.
    for change in plan.changes:
        if change.field == LIMIT:
            # A product tracked by product has one stock for all its variants.
            stock = store.state.stock_variant(change.id)
            assert store.state.inventory[(stock, 1)].backorder_limit == change.after
        elif change.field == ETA:
            field = eta_field(store, change.id)
            assert field.value == change.after.isoformat()
            assert field.permission_set == "write_and_sf_access"  # readable by the storefront
        elif change.field == RELEASE_DATE:
            assert store.state.products[change.id].preorder_release_date == change.after
        else:
            assert store.state.products[change.id].availability_description == change.after
    assert all(
        store.state.inventory[(store.state.stock_variant(v), 1)].backorder_limit == 25 for v in vids
    )
    assert variant_sync_states(cache) == {}

    # Undo puts back every value exactly, through a new batch.
    entry = bulk.last_undoable(cache)
    assert entry is not None and entry.batch_id == outcome.batch_id
    undone = bulk.undo(client, cache, entry.batch_id)
    assert undone.applied and not undone.conflicts
    assert push(client, cache).failed == 0
    assert store_values(store, vids) == before
    newest = bulk.history(cache)
    assert newest[0].undo_of == outcome.batch_id
    assert newest[1].undone_by == newest[0].batch_id


def test_values_changed_in_bigcommerce_since_the_sync_are_conflicts_to_resolve(
    store: DemoStore, wired: tuple[BigCommerceClient, Cache, Traffic]
) -> None:
    client, cache, traffic = wired
    a, b, c = tracked_variants(store)[:3]
    state = store.state
    # Someone edits two limits in the control panel after our sync; a third already matches.
    state.inventory[(a, 1)].backorder_limit = 3
    state.inventory[(b, 1)].backorder_limit = 4
    state.inventory[(c, 1)].backorder_limit = 9
    request = bulk.BulkRequest({v: VariantEdit(limit=9) for v in (a, b, c)}, location_id=1)

    outcome = bulk.apply(client, cache, request)
    assert not outcome.applied
    assert {(x.id, x.field, x.cached, x.store, x.planned) for x in outcome.conflicts} == {
        (a, LIMIT, None, 3, 9),
        (b, LIMIT, None, 4, 9),
    }
    assert [w for w in traffic.writes()] == [], "nothing is written while conflicts are open"
    assert cache.outbox.counts()["pending"] == 0 and bulk.history(cache) == []

    keys = {x.id: x.key for x in outcome.conflicts}
    resolved = bulk.apply(
        client, cache, request, resolutions={keys[a]: bulk.MINE, keys[b]: bulk.THEIRS}
    )
    assert resolved.applied
    push(client, cache)
    assert state.inventory[(a, 1)].backorder_limit == 9  # overwritten on purpose
    assert state.inventory[(b, 1)].backorder_limit == 4  # kept as the other person set it
    assert state.inventory[(c, 1)].backorder_limit == 9
    limits = {
        r.variant_id: r.backorder_limit
        for r in cache.inventory.for_variants([b])
        if r.location_id == 1
    }
    assert limits[b] == 4, "the cache learns the store's value it kept"


def test_rejected_items_fail_alone_with_bigcommerces_reason(
    store: DemoStore, wired: tuple[BigCommerceClient, Cache, Traffic]
) -> None:
    client, cache, _ = wired
    state = store.state
    by_product: dict[int, list[int]] = {}
    for vid in tracked_variants(store):
        by_product.setdefault(state.variants[vid].product_id, []).append(vid)
    products = [p for p, vs in by_product.items() if len(vs) >= 2][:12]
    vids = [v for p in products for v in by_product[p]]
    request = bulk.BulkRequest(
        {v: VariantEdit(limit=6, eta=date(2027, 2, 1)) for v in vids}, location_id=1
    )
    outcome = bulk.apply(client, cache, request)
    assert outcome.applied and outcome.batch_id
    # Before the push goes out, the store changes under us:
    untracked, taken = products[0], by_product[products[2]][0]
    state.products[untracked].inventory_tracking = "none"  # 422 naming its inventory items
    with DemoApi(store) as api:  # another laptop created this variant's ETA meanwhile
        api.post(
            VARIANT_FIELDS,
            [
                {
                    "resource_id": taken,
                    "namespace": METAFIELD_NAMESPACE,
                    "key": "eta",
                    "value": "2027-03-03",
                    "permission_set": "write",
                }
            ],
        )

    result = push(client, cache)

    assert result.failed == 2  # the limits row and the ETA row keep their refused items
    failures = batch_failures(cache, outcome.batch_id)
    assert {f["variant_id"] for f in failures} == set(by_product[untracked]) | {taken}
    reasons = {f["variant_id"]: f["message"] for f in failures}
    assert "inventory tracking disabled" in reasons[by_product[untracked][0]]
    # Another laptop created it first with another value: both values wait for a choice.
    assert "another laptop" in reasons[taken] and "2027-03-03" in reasons[taken]
    # Everything else went through.
    for vid in vids:
        if state.variants[vid].product_id != untracked:
            assert state.inventory[(state.stock_variant(vid), 1)].backorder_limit == 6
        if vid != taken:
            assert eta_field(store, vid).value == "2027-02-01"
    # The Products tab marks each refused row with its reason; the rest show nothing.
    states = variant_sync_states(cache)
    assert states[taken].startswith("failed: ") and "another laptop" in states[taken]
    assert all("inventory tracking disabled" in states[v] for v in by_product[untracked])
    assert set(states) == set(by_product[untracked]) | {taken}
    # A failed row keeps only what BigCommerce refused: a retry sends nothing twice.
    limits_row = next(r for r in cache.outbox.rows("failed") if r.resource == "location_items")
    assert {s["identity"]["variant_id"] for s in limits_row.body["settings"]} == set(
        by_product[untracked]
    )

    # A product batch answered 207: the other products are saved, the missing one is marked.
    message = bulk.BulkRequest({v: VariantEdit(message="Ships {eta}") for v in vids})
    second = bulk.apply(client, cache, message)
    assert second.batch_id is not None
    gone = products[3]
    removed = state.products.pop(gone)
    try:
        push(client, cache)
    finally:
        state.products[gone] = removed
    failures = batch_failures(cache, second.batch_id)
    assert [(f["product_id"], "not found" in f["message"]) for f in failures] == [(gone, True)]
    for pid in products:
        if pid not in (gone, untracked):
            # The message takes the latest ETA BigCommerce holds: the other laptop's, for one.
            latest = "2027-03-03" if pid == products[2] else "2027-02-01"
            assert state.products[pid].availability_description == f"Ships {latest}"
    states = variant_sync_states(cache)
    assert all("not found" in states[v] for v in by_product[gone])


def test_stores_without_native_backorders_get_the_pre_order_fields(tmp_path: Path) -> None:
    with DemoStore(seed=2, native_backorders=False) as store:
        client, cache, traffic = connect(store, tmp_path)
        assert not store_is_native(cache)
        state = store.state
        pid = next(
            p.id
            for p in state.products.values()
            if p.availability == "available" and p.inventory_tracking == "variant"
        )
        vids = sorted(v.id for v in state.variants.values() if v.product_id == pid)
        before = (state.products[pid].availability, state.products[pid].preorder_message)
        request = bulk.BulkRequest(
            {
                v: VariantEdit(limit=UNLIMITED_BACKORDER_LIMIT, eta=ETA_DAY, message="Ships {eta}")
                for v in vids
            }
        )
        plan = bulk.preview(cache, request)
        assert plan.requests.location_items == 0
        outcome = bulk.apply(client, cache, request)
        push(client, cache)
        product = state.products[pid]
        assert product.availability == "preorder"
        assert product.preorder_release_date is not None
        assert product.preorder_release_date.date() == ETA_DAY
        assert product.preorder_message == "Ships %%DATE%%"
        assert all(eta_field(store, v).value == ETA_DAY.isoformat() for v in vids)
        assert not any("/inventory/" in path for _, path, _ in traffic.writes())

        assert outcome.batch_id is not None
        bulk.undo(client, cache, outcome.batch_id)
        push(client, cache)
        assert (product.availability, product.preorder_message) == before
        assert all(eta_field(store, v) is None for v in vids)
        cache.close()
        client.close()


def test_bad_input_writes_nothing(
    store: DemoStore, wired: tuple[BigCommerceClient, Cache, Traffic]
) -> None:
    client, cache, traffic = wired
    vid = tracked_variants(store)[0]
    too_long = VariantEdit(limit=5, eta=ETA_DAY, message="x" * 240 + " {eta:%A %d %B %Y}")
    with pytest.raises(BulkInputError, match="255"):
        bulk.apply(client, cache, bulk.BulkRequest({vid: too_long}))
    with pytest.raises(BulkInputError, match="inventory location 99"):
        bulk.apply(client, cache, bulk.BulkRequest({vid: VariantEdit(limit=1)}, location_id=99))
    with pytest.raises(BulkInputError, match="not in the local cache"):
        bulk.preview(cache, bulk.BulkRequest({123456789: VariantEdit(limit=1)}))
    assert traffic.writes() == []
    assert cache.outbox.counts() == {"pending": 0, "sending": 0, "sent": 0, "failed": 0}
    assert bulk.history(cache) == []


def test_an_edit_made_offline_is_queued_and_sent_once_the_store_is_back(tmp_path: Path) -> None:
    store = DemoStore(seed=4).start()
    client, cache, _ = connect(store, tmp_path)
    vid = tracked_variants(store)[0]
    port = store.api_url.rsplit(":", 1)[1]
    store.stop()  # offline: nothing answers on that port
    outcome = bulk.apply(client, cache, bulk.BulkRequest({vid: VariantEdit(limit=2)}))
    assert outcome.applied and outcome.offline
    assert cache.outbox.counts()["pending"] >= 1 and len(bulk.history(cache)) == 1
    assert push(client, cache).pending >= 1  # still offline: it waits
    # The store is back (same seed, same address).
    again = DemoStore(seed=4, port=int(port), store_hash=store.store_hash, token=store.token)
    with again:
        make_due_now(cache)
        result = push(client, cache)
        assert (result.pending, result.failed) == (0, 0)
        assert again.state.inventory[(vid, 1)].backorder_limit == 2
    cache.close()
    client.close()


def test_every_request_of_a_bulk_edit_and_its_undo_is_valid_against_the_spec(
    store: DemoStore, wired: tuple[BigCommerceClient, Cache, Traffic]
) -> None:
    require_specs()
    client, cache, traffic = wired
    vids = tracked_variants(store)[:40]
    request = bulk.BulkRequest(
        {v: VariantEdit(limit=4, eta=ETA_DAY, message="Ships {eta:%b %d}") for v in vids}
    )
    outcome = bulk.apply(client, cache, request)
    push(client, cache)
    assert outcome.batch_id is not None
    bulk.undo(client, cache, outcome.batch_id)
    push(client, cache)
    methods = Counter(r.method for r in traffic.sent)
    assert methods["DELETE"] >= 1 and methods["POST"] >= 1 and methods["PUT"] >= 3
    for sent in traffic.sent:
        validate_httpx_request(sent)


def test_an_edit_that_changes_nothing_sends_nothing_and_leaves_no_history(
    store: DemoStore, wired: tuple[BigCommerceClient, Cache, Traffic]
) -> None:
    client, cache, traffic = wired
    vid = tracked_variants(store)[0]
    current = store.state.inventory[(vid, 1)].backorder_limit
    outcome = bulk.apply(client, cache, bulk.BulkRequest({vid: VariantEdit(limit=current)}))
    assert outcome.plan.empty and outcome.plan.unchanged == (vid,)
    assert push(client, cache).sent == 0
    assert traffic.writes() == [] and bulk.history(cache) == []
