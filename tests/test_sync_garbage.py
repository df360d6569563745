"""A sync leaves no reference cycles behind: the window freezes what outlives a background task
(ui/tasks.py), so records caught in a cycle would stay in memory for good."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.cache import open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain import models
from backorder_desktop.sync.pull import pull

RECORD_TYPES = tuple(
    getattr(models, name)
    for name in ("Product", "Variant", "InventoryRecord", "Order", "OrderLine", "Metafield")
)


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=5, products=300, orders=300) as s:
        yield s


def cyclic_garbage(work) -> tuple[list[object], int]:  # type: ignore[no-untyped-def]
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        requests = work()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    return found, requests


def test_a_full_and_an_incremental_sync_leave_no_records_in_cycles(
    store: DemoStore, tmp_path: Path
) -> None:
    with (
        BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
        open_cache(tmp_path / "store.sqlite") as cache,
    ):
        for full in (True, False):
            found, requests = cyclic_garbage(
                lambda full=full: pull(client, cache, full=full).requests
            )
            kinds = {type(o).__name__ for o in found if isinstance(o, RECORD_TYPES)}
            assert kinds == set(), f"records left in reference cycles: {sorted(kinds)}"
            # Nor the pages: an HTTP response in a cycle keeps its whole body.
            responses = [o for o in found if isinstance(o, httpx.Response)]
            assert responses == [], f"{len(responses)} responses (and their pages) in cycles"
            # The HTTP stack keeps a few small cycles per request (httpx's request objects);
            # anything more means the sync's own objects hold on to each other.
            assert len(found) <= 80 * requests, (len(found), requests)
