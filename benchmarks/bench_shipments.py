"""Bench: receiving a 500-line supplier shipment and releasing 200 orders on the large demo store.

The demo store runs in its own process (50 ms latency per request, Standard-plan rate limit
150/30 s). The store is synced once into a fresh cache (not timed: bench_sync measures that).
A 500-line shipment covers every SKU anyone waits for (up to 500) and fills the rest with other
SKUs. Then, each on a fresh rate-limit window:

- receipt: stock re-read for the 500 variants, the booking (allocation, ledger, outbox) and the
  push: one absolute adjustment per location plus the shipment record;
- release: 200 ready orders, one V2 status update each (the API has no batch for orders) plus
  the release records in metafield batches of 50.

Requests are compared with the fewest the API allows, wall time with the rate-limit floor.
Figures go to benchmarks/out/shipments.json.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce.client import INVENTORY_BATCH, METAFIELD_BATCH
from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.dock.receiving import commit_receipt, new_receipt_id, refresh_stock
from backorder_desktop.services.dock.releasing import ready_orders, release_orders
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.queue import load_queue
from backorder_desktop.sync.pull import pull
from backorder_desktop.sync.push import push

from .common import LARGE, Size, machine, say, write_json
from .floors import floor
from .store_process import StoreProcess

LINES = 500
RELEASES = 200
ID_FILTER = 250  # variant ids per `variant_id:in` read (one page of inventory items)


class _Session:
    """What the receiving service needs of a StoreSession: the client and the cache."""

    def __init__(self, client: BigCommerceClient, cache: Cache) -> None:
        self.client = client
        self.cache = cache


def _shipment_lines(cache: Cache) -> tuple[list[tuple[str, int]], dict[str, int], int]:
    """500 lines: every waiting SKU first (expected = waiting + 2), then others (10 each)."""
    waiting: dict[str, int] = defaultdict(int)
    for line in load_queue(cache):
        waiting[line.sku] += line.qty_waiting
    skus = sorted(waiting, key=lambda s: -waiting[s])[:LINES]
    taken = set(skus)
    tracked = {r["id"] for r in cache.rows("products", "inventory_tracking != 'none'")}
    for row in cache.rows("variants", order_by="id"):
        if len(skus) >= LINES:
            break
        if row["sku"] and row["sku"] not in taken and row["product_id"] in tracked:
            skus.append(row["sku"])
            taken.add(row["sku"])
    lines = [(sku, waiting.get(sku, 0) + 2 if sku in waiting else 10) for sku in skus]
    return lines, dict(waiting), sum(1 for s in skus if s in waiting)


def _timed_push(client: BigCommerceClient, cache: Cache) -> tuple[float, int]:
    started = time.perf_counter()
    before = client.request_count
    result = push(client, cache)
    if result.pending or result.failed:
        raise RuntimeError(f"push left {result.pending} pending, {result.failed} failed")
    return time.perf_counter() - started, client.request_count - before


def _floor(requests: int, size: Size) -> dict[str, Any]:
    quota, window = size.rate_limit
    # The outbox sends one request at a time, in order: no overlap to count on.
    return floor(
        requests, latency_s=size.latency_ms / 1000, concurrency=1, quota=quota, window_s=window
    ).as_dict()


def run(size: Size = LARGE) -> dict[str, Any]:
    say(f"shipments: demo store with {size.products} products, {size.orders} orders")
    with (
        tempfile.TemporaryDirectory(prefix="bench-shipments-") as tmp,
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
        lines, waiting, waiting_lines = _shipment_lines(cache)
        shipment, _ = add_shipment(
            cache,
            supplier="Nordström Textil AB",
            expected=date.today() + timedelta(days=3),
            lines=lines,
            reference="PO-BENCH-500",
        )
        push(client, cache)
        record_chars = len(shipment.to_json())

        # --- receipt -------------------------------------------------------------------------
        store.reset()
        started = time.perf_counter()
        reads_before = client.request_count
        variants = [x.variant_id for x in shipment.lines if x.variant_id is not None]
        refresh_stock(_Session(client, cache), variants)  # type: ignore[arg-type]
        reads = client.request_count - reads_before
        booked_at = time.perf_counter()
        accepted = [ReceiptLine(sku, qty) for sku, qty in lines]
        result = commit_receipt(cache, shipment.id, accepted, receipt_id=new_receipt_id())
        book_s = time.perf_counter() - booked_at
        push_s, writes = _timed_push(client, cache)
        receipt_s = time.perf_counter() - started
        receipt_stats = store.stats()
        assert result.preview is not None
        receipt_min_reads = math.ceil(len(variants) / ID_FILTER)
        per_location: dict[int, int] = defaultdict(int)
        for level in result.preview.levels_after:
            per_location[level.location_id] += 1
        # One absolute adjustment per location (2,000 items each), and the shipment record.
        receipt_min_writes = sum(math.ceil(n / INVENTORY_BATCH) for n in per_location.values()) + 1
        receipt = {
            "lines": len(lines),
            "lines_with_waiting_orders": waiting_lines,
            "units_accepted": result.preview.units_accepted,
            "units_allocated": result.preview.plan.units_allocated,
            "orders_filled": len(result.preview.filled_orders),
            "ready_orders": len(result.preview.ready_orders),
            "locations_adjusted": len(per_location),
            "shipment_record_chars": record_chars,
            "requests": reads + writes,
            "requests_by_endpoint": receipt_stats["by_endpoint"],
            "minimum_requests": receipt_min_reads + receipt_min_writes,
            "seconds": round(receipt_s, 3),
            "booking_seconds": round(book_s, 3),
            "push_seconds": round(push_s, 3),
            "floor": _floor(receipt_min_reads + receipt_min_writes, size),
        }

        # --- release -------------------------------------------------------------------------
        ready = [r.order_id for r in ready_orders(cache)]
        chosen = ready[:RELEASES]
        store.reset()
        started = time.perf_counter()
        outcome = release_orders(cache, chosen)
        queue_s = time.perf_counter() - started
        push_s, requests = _timed_push(client, cache)
        release_s = time.perf_counter() - started
        release_stats = store.stats()
        minimum = len(chosen) + math.ceil(len(chosen) / METAFIELD_BATCH)
        release = {
            "ready_orders": len(ready),
            "released": len(outcome.released),
            "requests": requests,
            "requests_by_endpoint": release_stats["by_endpoint"],
            "statuses": release_stats["statuses"],
            "rate_limit_waits": client.rate_limit_waits,
            "minimum_requests": minimum,
            "seconds": round(release_s, 3),
            "queueing_seconds": round(queue_s, 3),
            "push_seconds": round(push_s, 3),
            "floor": _floor(minimum, size),
        }
    data = {
        "machine": machine(),
        "size": {
            "products": size.products,
            "orders": size.orders,
            "latency_ms": size.latency_ms,
            "rate_limit": list(size.rate_limit),
        },
        "waiting_skus": len(waiting),
        "receipt": receipt,
        "release": release,
    }
    write_json("shipments", data)
    say(
        f"  receipt of {receipt['lines']} lines: {receipt['requests']} requests "
        f"(minimum {receipt['minimum_requests']}), {receipt['seconds']} s "
        f"(floor {receipt['floor']['floor_s']} s; booking {receipt['booking_seconds']} s)"
    )
    say(
        f"  release of {release['released']} orders: {release['requests']} requests "
        f"(minimum {release['minimum_requests']}), {release['seconds']} s "
        f"(rate-limit floor {release['floor']['floor_s']} s), "
        f"429s: {release['statuses'].get('429', 0)}"
    )
    return data
