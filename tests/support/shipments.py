"""Helpers for the shipment, receiving and release tests: a synced cache on a real demo store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.models import BackorderLine
from backorder_desktop.services.queue import load_queue
from backorder_desktop.sync.pull import pull
from backorder_desktop.sync.push import PushResult, push


@dataclass
class Env:
    store: DemoStore
    client: BigCommerceClient
    cache: Cache

    def push(self) -> PushResult:
        """Drain the outbox, waiting out no back-off (rows are made due at once)."""
        result = push(self.client, self.cache)
        for _ in range(10):
            if not result.pending:
                break
            make_due_now(self.cache)
            result = push(self.client, self.cache)
        return result

    def pull(self) -> None:
        pull(self.client, self.cache)

    def stock(self, variant_id: int, location_id: int = 1) -> tuple[int, int]:
        """(on hand, qty_backordered) at BigCommerce, read from the demo store's state."""
        rec = self.store.state.inventory.get((variant_id, location_id))
        return (rec.on_hand, rec.qty_backordered) if rec else (0, 0)

    def status(self, order_id: int) -> int:
        return self.store.state.orders[order_id].status_id

    def writes(self, path_part: str = "") -> list[tuple[str, str, int]]:
        return [
            (r.method, r.path, r.status)
            for r in self.store.requests
            if r.method != "GET" and path_part in r.path
        ]


@contextmanager
def demo_env(tmp_path: Path, *, seed: int = 1, **store_args: object) -> Iterator[Env]:
    with DemoStore(seed=seed, **store_args) as store:  # type: ignore[arg-type]
        client = BigCommerceClient(
            store.api_url, store.store_hash, store.token, max_retries=2, backoff_base=0.01
        )
        try:
            with open_cache(tmp_path / "store.sqlite") as cache:
                pull(client, cache)
                store.clear_requests()
                yield Env(store, client, cache)
        finally:
            client.close()


def make_due_now(cache: Cache) -> None:
    with cache.transaction() as db:
        db.execute(
            "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending'",
            [(datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")],
        )


def native_queue_by_variant(cache: Cache) -> dict[int, list[BackorderLine]]:
    """Waiting lines per variant, for variants whose every waiting line is native."""
    native_lines = {
        line.id
        for order in cache.orders.open_orders()
        for line in order.lines
        if line.quantity_backordered is not None
    }
    by_variant: dict[int, list[BackorderLine]] = defaultdict(list)
    for line in load_queue(cache):
        by_variant[line.variant_id].append(line)
    return {
        vid: lines
        for vid, lines in by_variant.items()
        if all(line.line_id in native_lines for line in lines)
    }


def variant_with_waiting_lines(
    cache: Cache, *, at_least: int = 2
) -> tuple[int, list[BackorderLine]]:
    """A variant with `at_least` native waiting lines, from orders of one line each if possible."""
    candidates = native_queue_by_variant(cache)
    orders = {o.id: o for o in cache.orders.open_orders()}
    best = sorted(
        (
            (sum(len(orders[line.order_id].lines) > 1 for line in lines), vid)
            for vid, lines in candidates.items()
            if len(lines) >= at_least
        )
    )
    assert best, "the demo dataset has a variant with several waiting lines"
    vid = best[0][1]
    return vid, candidates[vid]
