"""Bench: the Insights report and the sync's daily snapshot, for the large demo store.

Goal (issue 10, ours): the `report` figures for the large store (5k orders, 40k variants) in
under 1 s, and the snapshot each sync adds in under 0.5 s, so neither the tab nor a sync waits
on them. The store is synced once into a fresh cache (not timed: bench_sync measures that).
`insights_from` is what the window's row reload adds on top of the rows it reads anyway.
Figures go to benchmarks/out/insights.json.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.cache import open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.backorder_rows import backorder_rows
from backorder_desktop.services.insights import insights_from, record_snapshot, report
from backorder_desktop.services.queue import load_queue_state
from backorder_desktop.sync.pull import pull

from .common import LARGE, Size, machine, median, say, write_json

GOAL_REPORT_S = 1.0
GOAL_SNAPSHOT_S = 0.5
T = TypeVar("T")


def _timed(work: Callable[[], T], repeat: int) -> tuple[list[float], T]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    assert result is not None
    return times, result


def run(size: Size = LARGE) -> dict[str, Any]:
    say(f"insights: demo store with {size.products} products, {size.orders} orders")
    repeat = max(3, size.repeat * 2)
    store = DemoStore(products=size.products, orders=size.orders, rate_limit=(1_000_000, 30.0))
    with store, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cache.sqlite"
        with (
            BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
            open_cache(path) as cache,
        ):
            pull(client, cache, full=True)
        with open_cache(path) as cache:
            snapshot_first, _ = _timed(lambda: record_snapshot(cache) or 0, 1)
            snapshot_again, _ = _timed(lambda: record_snapshot(cache) or 0, repeat)
            report_times, figures = _timed(lambda: report(cache), repeat)
            now = datetime.now(UTC)
            rows = backorder_rows(load_queue_state(cache), [], now=now)
            extra_times, _ = _timed(lambda: insights_from(cache, rows, now=now), repeat)
            variants = cache.variants.count()
            orders = cache.orders.count_open()

    data = {
        "machine": machine(),
        "dataset": {
            "products": size.products,
            "variants": variants,
            "open_orders": orders,
            "backorder_lines": sum(b.lines for b in figures.aging),
            "suppliers": len(figures.suppliers),
        },
        "report_s": {"median": round(median(report_times), 3), "goal": GOAL_REPORT_S},
        "snapshot_first_s": round(snapshot_first[0], 3),
        "snapshot_s": {"median": round(median(snapshot_again), 3), "goal": GOAL_SNAPSHOT_S},
        "tab_reload_extra_s": round(median(extra_times), 3),
        "revenue_at_risk": figures.revenue_at_risk,
    }
    write_json("insights", data)
    say(
        f"insights: report {data['report_s']['median']} s (goal {GOAL_REPORT_S}), snapshot "
        f"{data['snapshot_first_s']} s first / {data['snapshot_s']['median']} s again, tab "
        f"reload +{data['tab_reload_extra_s']} s; {data['dataset']['backorder_lines']} lines"
    )
    return data
