"""A sync under a small API quota paces itself: it completes without a single 429."""

from __future__ import annotations

from pathlib import Path

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.cache import open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.sync.pull import pull


def test_sync_at_20_requests_per_3_seconds_gets_no_429(tmp_path: Path) -> None:
    with DemoStore(seed=11, products=1600, orders=1400).start() as store:
        store.set_rate_limit(20, 3.0)
        with (
            BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
            open_cache(tmp_path / "store.sqlite") as cache,
        ):
            result = pull(client, cache, full=True)
        statuses = [r.status for r in store.requests]
    assert len(statuses) > 20, "the sync must need more than one quota window"
    assert 429 not in statuses
    assert result.requests == len(statuses)
    assert result.products == len(store.state.products)
    assert result.variants == len(store.state.variants)
    assert result.orders == len(store.state.open_orders())
