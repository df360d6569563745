"""Bench: preview and apply of a 10,000-variant backorder change on the large demo store.

The demo store runs in its own process (50 ms latency per request, Standard-plan rate limit
150/30 s). The store is synced once into a fresh cache (not timed: bench_sync measures that).
The change sets a backorder limit, an ETA and a storefront message template on 10,000 tracked
variants (all of them on the --quick store):

- preview: the plan from the cache alone (median of the repetitions; what the merchant waits
  for before the preview dialog opens);
- apply: the conflict re-read (inventory, ETA fields and products of the touched variants), the
  one cache transaction (optimistic copy, outbox rows, history) and the push.

Requests are compared with the fewest the API allows per endpoint, wall time with the
rate-limit floor. Figures go to benchmarks/out/bulk.json.
"""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce.client import (
    ID_FILTER_CHUNK,
    INVENTORY_BATCH,
    METAFIELD_BATCH,
    PRODUCT_BATCH,
)
from backorder_desktop.cache import open_cache
from backorder_desktop.cache.backorder_queue import ETA_KEY
from backorder_desktop.domain.bulk import DESCRIPTION, ETA, LIMIT, VariantEdit
from backorder_desktop.services.bulk.bulk_edit import BulkRequest, apply, preview
from backorder_desktop.sync.pull import pull
from backorder_desktop.sync.push import push

from .common import LARGE, Size, machine, say, write_json
from .floors import floor
from .store_process import StoreProcess

VARIANTS = 10_000
LIMIT_VALUE = 40
TEMPLATE = "Ships by {eta:%b %d}"


def _floor(requests: int, size: Size) -> dict[str, Any]:
    quota, window = size.rate_limit
    # Re-reads page concurrently, but the outbox sends one request at a time: count none.
    return floor(
        requests, latency_s=size.latency_ms / 1000, concurrency=1, quota=quota, window_s=window
    ).as_dict()


def run(size: Size = LARGE) -> dict[str, Any]:
    say(f"bulk: demo store with {size.products} products, {size.orders} orders")
    with (
        tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp,
        StoreProcess(
            products=size.products,
            orders=size.orders,
            latency_ms=size.latency_ms,
            rate_limit=size.rate_limit,
        ) as store,
        BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
        open_cache(Path(tmp) / "cache.sqlite") as cache,
    ):
        pull(client, cache, full=True)
        tracked = {r["id"] for r in cache.rows("products", "inventory_tracking != 'none'")}
        chosen = [
            r["id"] for r in cache.rows("variants", order_by="id") if r["product_id"] in tracked
        ][:VARIANTS]
        eta = date.today() + timedelta(days=45)
        edit = VariantEdit(limit=LIMIT_VALUE, eta=eta, message=TEMPLATE)
        request = BulkRequest({vid: edit for vid in chosen})
        eta_fields = len(cache.metafields.by_key("variant", ETA_KEY))

        timings = []
        for _ in range(max(1, size.repeat)):
            started = time.perf_counter()
            plan = preview(cache, request)
            timings.append(time.perf_counter() - started)

        store.reset()
        started = time.perf_counter()
        before = client.request_count
        outcome = apply(client, cache, request)
        applied_at = time.perf_counter()
        reads = client.request_count - before
        if not outcome.applied:
            raise RuntimeError(f"{len(outcome.conflicts)} conflicts on a store nobody else edits")
        result = push(client, cache)
        total_s = time.perf_counter() - started
        if result.pending or result.failed:
            raise RuntimeError(f"push left {result.pending} pending, {result.failed} failed")
        writes = client.request_count - before - reads
        stats = store.stats()

    final = outcome.plan
    products = len({final.variants[vid].product_id for vid in chosen})
    limits, etas = len(final.of("variant", LIMIT)), len(final.of("variant", ETA))
    messages = len(final.of("product", DESCRIPTION))
    creates = final.requests.eta_create
    minimum_writes = (
        math.ceil(limits / INVENTORY_BATCH)
        + final.requests.eta_update
        + creates
        + final.requests.eta_delete
        + math.ceil(messages / PRODUCT_BATCH)
    )
    minimum_reads = (
        math.ceil(len(chosen) / ID_FILTER_CHUNK)  # inventory items, 250 ids per filter
        + max(1, math.ceil(eta_fields / 250))  # every `eta` field of the store, one listing
        + math.ceil(products / ID_FILTER_CHUNK)  # the products of the touched variants
    )
    data = {
        "machine": machine(),
        "size": {
            "products": size.products,
            "orders": size.orders,
            "latency_ms": size.latency_ms,
            "rate_limit": list(size.rate_limit),
        },
        "variants": len(chosen),
        "products_touched": products,
        "changes": {"limits": limits, "etas": etas, "messages": messages},
        "preview_seconds": round(statistics.median(timings), 3),
        "preview_runs": [round(t, 3) for t in timings],
        "plan_requests": plan.requests.total,
        "reads": reads,
        "minimum_reads": minimum_reads,
        "writes": writes,
        "minimum_writes": minimum_writes,
        "eta_batches_of": METAFIELD_BATCH,
        "requests_by_endpoint": stats["by_endpoint"],
        "statuses": stats["statuses"],
        "rate_limit_waits": client.rate_limit_waits,
        "recheck_and_queue_seconds": round(applied_at - started, 3),
        "apply_seconds": round(total_s, 3),
        "floor": _floor(minimum_reads + minimum_writes, size),
    }
    write_json("bulk", data)
    say(
        f"  preview of {len(chosen):,} variants: {data['preview_seconds']} s; apply: "
        f"{reads} reads (minimum {minimum_reads}) + {writes} writes (minimum {minimum_writes}) "
        f"in {data['apply_seconds']} s (floor {data['floor']['floor_s']} s), "
        f"429s: {stats['statuses'].get('429', 0)}"
    )
    return data
