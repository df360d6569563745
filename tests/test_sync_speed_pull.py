"""The concurrent pull: stage-ordered progress, a failed listing stops the rest, JSON parsing."""

from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce.error_mapping import parse_body
from backorder_desktop.bigcommerce.errors import ServerError
from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.sync.collector import collector_paused
from backorder_desktop.sync.fetch import STAGES
from backorder_desktop.sync.pull import pull
from tests.support.store_writes import rename_product


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=2, products=600, orders=400) as s:
        yield s


@pytest.fixture
def client(store: DemoStore) -> Iterator[BigCommerceClient]:
    with BigCommerceClient(
        store.api_url, store.store_hash, store.token, max_retries=1, backoff_base=0.01
    ) as c:
        yield c


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with open_cache(tmp_path / "store.sqlite") as c:
        yield c


def test_progress_comes_stage_by_stage_and_ends_with_each_total(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    seen: list[tuple[str, int, int]] = []
    threads: set[str] = set()

    def progress(stage: str, done: int, total: int) -> None:
        seen.append((stage, done, total))
        threads.add(threading.current_thread().name)

    result = pull(client, cache, progress=progress)

    assert threads == {threading.current_thread().name}  # reported on the calling thread only
    order = [stage for stage, _, _ in seen]
    assert [s for i, s in enumerate(order) if i == 0 or order[i - 1] != s] == list(STAGES)
    finals = {stage: done for stage, done, total in seen if total}
    assert finals["products"] == len(store.state.products) == result.products
    assert finals["orders"] == result.orders
    for stage in STAGES:  # counts never go backwards within a stage
        counts = [done for s, done, _ in seen if s == stage]
        assert counts == sorted(counts)


def test_a_failed_listing_stops_the_others_and_writes_nothing(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    # The last inventory page fails for good while products and orders are still paging.
    store.faults.script("GET", r"^/v3/inventory/items$", "503", times=50)
    with pytest.raises(ServerError):
        pull(client, cache)
    with cache.read():
        assert cache.products.count() == 0 and cache.orders.count() == 0
    assert cache.sync_state.last_sync() is None
    # No listing thread is left running (or sending) once pull has returned.
    sent = len(store.requests)
    assert not [t for t in threading.enumerate() if t.name.startswith(("pull-", "bc-"))]
    assert len(store.requests) == sent


def test_collector_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()  # someone else paused it: it stays off afterwards
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "raw",
    [
        b'{"data": [{"id": 1, "name": "Caf\\u00e9 \xc3\xa9", "price": 12.5}], "meta": {}}',
        b'{"id": 123456789012345678901234567890}',  # beyond 64 bits: still an exact int
        b'{"id": -9223372036854775809, "upc": "00012345678901234567"}',
        b'{"a": NaN, "b": Infinity}',
        '{"a": "é"}'.encode("utf-16"),
        b'\xef\xbb\xbf{"a": 1}',
        b'{"s": "\\ud800"}',
        b"[1, 2.000000000000000001, 1e400]",
    ],
)
def test_parsed_bodies_equal_the_standard_parser(raw: bytes) -> None:
    got = parse_body(httpx.Response(200, content=raw))
    assert json.dumps(got) == json.dumps(json.loads(raw))


def test_unparseable_body_is_none() -> None:
    assert parse_body(httpx.Response(200, content=b"<html>not json</html>")) is None
    assert parse_body(httpx.Response(204)) is None


def test_reads_during_a_pull_see_the_cache_as_it_was_until_it_commits(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    pull(client, cache)
    before = cache.products.count()
    first = min(store.state.products)
    rename_product(client, first, "Renamed meanwhile")
    seen: list[tuple[int, str]] = []

    def progress(stage: str, done: int, total: int) -> None:
        # The window reads through the cache's own connection while the pull writes.
        product = cache.products.get(first)
        assert product is not None
        seen.append((cache.products.count(), product.name))

    pull(client, cache, full=True, progress=progress)
    assert seen and all(count == before for count, _ in seen)
    assert all(name != "Renamed meanwhile" for _, name in seen)
    assert cache.products.get(first).name == "Renamed meanwhile"  # type: ignore[union-attr]


def test_first_sync_streamed_into_empty_tables_equals_a_whole_write(
    store: DemoStore, client: BigCommerceClient, tmp_path: Path
) -> None:
    with open_cache(tmp_path / "streamed.sqlite") as first:
        pull(client, first)  # empty tables: products and inventory go in batch by batch
        streamed = _rows(first)
    with open_cache(tmp_path / "whole.sqlite") as other:
        # Tables that already hold rows are written whole, with the diff (replace_all).
        pull(client, other)
        with other.transaction() as db:
            db.execute("UPDATE inventory SET on_hand = on_hand + 1")
            db.execute("DELETE FROM products WHERE id = ?", [min(store.state.products)])
        result = pull(client, other, full=True)
        assert {"products", "inventory"} <= result.changed
        assert _rows(other) == streamed


def _rows(cache: Cache) -> dict[str, list[tuple[object, ...]]]:
    tables = ("products", "variants", "inventory", "orders", "order_lines", "metafields")
    with cache.read() as db:
        return {t: db.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}  # noqa: S608


def test_the_window_can_write_while_a_first_sync_fetches(
    store: DemoStore, client: BigCommerceClient, cache: Cache
) -> None:
    # The pull takes SQLite's write lock only for its final transaction, not while fetching
    # (a rate-limited first sync of a big store fetches for minutes).
    waits: list[float] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage in ("products", "inventory"):
            started = time.monotonic()
            cache.app_state.set("test", f"{stage}-{done}", "1")
            waits.append(time.monotonic() - started)

    pull(client, cache, progress=progress)
    assert waits and max(waits) < 1.0
    assert cache.products.count() == len(store.state.products)
