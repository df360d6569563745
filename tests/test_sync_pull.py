"""Pull against the real demo store over HTTP, into a real SQLite file."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce.errors import OfflineError, ServerError
from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, OPEN_ORDER_STATUSES
from backorder_desktop.services.backorders import list_backorders
from backorder_desktop.services.sync_control.status import waiting_line_count
from backorder_desktop.sync.pull import SyncCancelled, pull
from tests.support.store_writes import create_metafields, rename_product, set_order_status

SHIPPED = 2
RETRIES = 2  # the client's retries; a fault repeated RETRIES + 1 times breaks the request


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=1) as s:
        yield s


@pytest.fixture
def client(store: DemoStore) -> Iterator[BigCommerceClient]:
    with BigCommerceClient(
        store.api_url, store.store_hash, store.token, max_retries=RETRIES, backoff_base=0.01
    ) as c:
        yield c


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with open_cache(tmp_path / "store.sqlite") as c:
        yield c


def dump(cache: Cache) -> list[str]:
    """Every table's schema and rows as SQL text: equal dumps mean equal content."""
    with cache.read() as db:
        return list(db.conn.iterdump())


def assert_cache_matches_store(cache: Cache, store: DemoStore) -> None:
    state = store.state
    assert {p.id for p in cache.products.all()} == set(state.products)
    assert {v.id for v in cache.variants.all()} == set(state.variants)
    cached_names = {p.id: p.name for p in cache.products.all()}
    assert cached_names == {p.id: p.name for p in state.products.values()}
    open_orders = {o.id: o for o in state.open_orders()}
    cached_orders = {o.id: o for o in cache.orders.open_orders()}
    assert set(cached_orders) == set(open_orders)
    for order_id, order in open_orders.items():
        lines = {(ln.id, ln.quantity, ln.quantity_backordered) for ln in order.lines}
        got = {
            (ln.id, ln.quantity, ln.quantity_backordered) for ln in cached_orders[order_id].lines
        }
        assert got == lines, order_id
    on_hand: Counter[int] = Counter()
    for (variant_id, loc), _rec in state.inventory.items():
        # A product tracked by product shows its one stock on each of its variants.
        on_hand[variant_id] += state.inventory[(state.stock_variant(variant_id), loc)].on_hand
    assert cache.inventory.on_hand_by_variant() == dict(on_hand)
    etas = {
        (m.resource_id, m.value)
        for m in state.metafields.values()
        if m.resource_type == "variant" and m.namespace == METAFIELD_NAMESPACE and m.key == "eta"
    }
    assert {(m.resource_id, m.value) for m in cache.metafields.by_key("variant", "eta")} == etas


def test_full_sync_takes_the_minimum_requests_and_mirrors_the_store(tmp_path: Path) -> None:
    # Big enough that every listing needs several pages (and one status more than 250 orders).
    with (
        DemoStore(seed=3, products=700, orders=1700, rate_limit=(10_000, 30.0)) as store,
        BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
        open_cache(tmp_path / "store.sqlite") as cache,
    ):
        state = store.state
        per_status = Counter(o.status_id for o in state.open_orders())
        assert max(per_status.values()) > 250
        metafields = Counter(
            m.resource_type for m in state.metafields.values() if m.namespace == METAFIELD_NAMESPACE
        )
        inventory_items = len({variant_id for variant_id, _ in state.inventory})

        result = pull(client, cache)

        expected: Counter[tuple[str, str | None]] = Counter(
            {
                ("/v3/inventory/locations", None): 2,  # all, then ?is_default=true
                ("/v3/catalog/products", None): math.ceil(len(state.products) / 250),
                ("/v3/inventory/items", None): math.ceil(inventory_items / 1000),
                ("/v3/catalog/variants/metafields", None): max(
                    1, math.ceil(metafields["variant"] / 250)
                ),
                ("/v3/orders/metafields", None): max(1, math.ceil(metafields["order"] / 250)),
                ("/v3/store/metafields", None): max(1, math.ceil(metafields["store"] / 250)),
            }
        )
        for status in OPEN_ORDER_STATUSES:
            # V2 pages until a short page (or a 204), so a full last page costs one more.
            expected[("/v2/orders", str(status))] = per_status[status] // 250 + 1
        sent = Counter((r.method, r.path, r.query.get("status_id")) for r in store.requests)
        assert all(method == "GET" for method, _, _ in sent)
        assert Counter({(p, s): n for (_, p, s), n in sent.items()}) == expected
        assert result.requests == sum(expected.values()) == client.request_count
        # Variants come with their products, lines with their orders: nothing per record.
        assert all(
            r.query.get("include") == "variants"
            for r in store.requests
            if r.path == "/v3/catalog/products"
        )

        assert result.full
        assert result.products == len(state.products)
        assert result.variants == len(state.variants)
        assert result.orders == len(state.open_orders())
        assert result.changed == {"locations", "products", "inventory", "orders", "metafields"}
        assert waiting_line_count(cache) == len(list_backorders(cache)) > 0
        assert result.changes.everything  # a full pull: the window re-reads every row
        assert_cache_matches_store(cache, store)


def test_incremental_sync_picks_up_changes_and_drops_closed_orders(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    pull(client, cache)
    state = store.state
    product_id = min(state.products)
    open_ids = sorted(o.id for o in state.open_orders())
    shipped = open_ids[0]
    moved = next(i for i in open_ids[1:] if state.orders[i].status_id == 11)
    variant_id = min(v for v, _ in state.inventory)

    rename_product(client, product_id, "Renamed on another laptop")
    set_order_status(client, shipped, SHIPPED)
    set_order_status(client, moved, 9)
    create_metafields(
        client,
        "variant",
        [
            {
                "resource_id": variant_id,
                "namespace": METAFIELD_NAMESPACE,
                "key": "eta",
                "value": "2031-01-15",
            }
        ],
    )
    store.clear_requests()

    result = pull(client, cache)

    assert not result.full
    assert {"products", "orders", "metafields"} <= result.changed
    assert "locations" not in result.changed
    product = cache.products.get(product_id)
    assert product is not None and product.name == "Renamed on another laptop"
    assert shipped not in cache.orders.ids()
    moved_now = cache.orders.get(moved)
    assert moved_now is not None and moved_now.status_id == 9
    assert "2031-01-15" in {m.value for m in cache.metafields.by_key("variant", "eta")}
    assert_cache_matches_store(cache, store)

    # One listing of changed orders (every status), filtered listings of the rest.
    order_requests = [r for r in store.requests if r.path == "/v2/orders"]
    assert len(order_requests) == 1
    assert "min_date_modified" in order_requests[0].query
    assert "status_id" not in order_requests[0].query
    product_requests = [r for r in store.requests if r.path == "/v3/catalog/products"]
    assert product_requests and all("date_modified:min" in r.query for r in product_requests)
    assert result.requests == len(store.requests)


def test_nothing_changed_means_nothing_written(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    pull(client, cache)
    before = [line for line in dump(cache) if "sync_state" not in line]
    result = pull(client, cache)
    assert result.changed == frozenset()
    assert [line for line in dump(cache) if "sync_state" not in line] == before


def test_full_sync_removes_what_the_store_no_longer_has(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    pull(client, cache)
    state = store.state
    gone = max(state.products)
    gone_variants = set(state.products[gone].variant_ids)
    # No DELETE endpoint is needed by the app; take the product out of the store directly.
    for variant_id in gone_variants:
        del state.variants[variant_id]
        for key in [k for k in state.inventory if k[0] == variant_id]:
            del state.inventory[key]
    del state.products[gone]

    result = pull(client, cache, full=True)

    assert "products" in result.changed
    assert cache.products.get(gone) is None
    assert not gone_variants & {v.id for v in cache.variants.all()}
    assert_cache_matches_store(cache, store)


@pytest.mark.parametrize(
    ("path", "kind", "error"),
    [
        (r"^/v2/orders$", "503", ServerError),
        (r"^/v3/inventory/items$", "drop", OfflineError),
        (r"^/v3/store/metafields$", "500", ServerError),
    ],
)
def test_broken_sync_raises_and_leaves_the_cache_exactly_as_it_was(
    store: DemoStore,
    client: BigCommerceClient,
    cache: Cache,
    path: str,
    kind: str,
    error: type[Exception],
) -> None:
    pull(client, cache)
    rename_product(client, min(store.state.products), "Changed meanwhile")
    before = dump(cache)
    store.faults.script("GET", path, kind, times=RETRIES + 1)

    with pytest.raises(error) as info:
        pull(client, cache)

    assert getattr(info.value, "message", "")  # a sentence for the merchant
    assert dump(cache) == before
    assert store.faults.pending == 0

    pull(client, cache)  # the store is fine again: the next sync catches up
    assert_cache_matches_store(cache, store)


def test_failed_first_sync_leaves_an_empty_cache_and_the_next_one_is_full(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    before = dump(cache)
    store.faults.script("GET", r"^/v3/catalog/variants/metafields$", "503", times=RETRIES + 1)
    with pytest.raises(ServerError):
        pull(client, cache)
    assert dump(cache) == before
    assert cache.sync_state.last_sync() is None

    result = pull(client, cache)
    assert result.full
    assert_cache_matches_store(cache, store)


def test_faults_within_the_clients_retries_still_complete(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    store.faults.script("GET", r"^/v3/catalog/products$", "503", times=RETRIES)
    store.faults.script("GET", r"^/v3/inventory/items$", "drop", times=1)
    store.faults.script("GET", r"^/v2/orders$", "500", times=1)

    result = pull(client, cache)

    assert store.faults.pending == 0
    failed = [r for r in store.requests if r.status >= 500 or r.status == 0]
    assert len(failed) == RETRIES + 2
    assert result.requests == len(store.requests)
    assert_cache_matches_store(cache, store)


def test_cancel_between_pages_writes_nothing(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    pull(client, cache)
    rename_product(client, min(store.state.products), "Not yet seen")
    before = dump(cache)
    stages: list[str] = []

    def progress(stage: str, done: int, total: int) -> None:
        stages.append(stage)

    with pytest.raises(SyncCancelled):
        pull(client, cache, progress=progress, cancelled=lambda: "inventory" in stages)

    assert dump(cache) == before
    assert "orders" not in stages  # it stopped at the first page boundary after the request
