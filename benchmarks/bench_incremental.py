"""Bench: an incremental sync after a typical change set (issue 15), against its latency floor.

The large demo store in its own process (50 ms per request, Standard-plan rate limit). One full
sync fills a new cache (not timed); then, per run, shoppers place 3 orders and the merchant
edits 2 products in the admin (over HTTP, as anyone else would), and `sync.pull` brings them
in. Goal: <= 10 requests and < 1.5x its latency floor. Figures go to
benchmarks/out/incremental.json.

Latency floor: the requests spread over the client's requests in flight, or the longest chain
of requests that must wait for one another, whichever is longer; one round trip each. The
chains are two long: the changed orders name the variants whose stock is read, and the default
location is asked after the location list. The bytes-only replay of the same requests (the
test bed's own floor, as in the full-sync bench) is measured beside it.
"""

from __future__ import annotations

import math
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.services.sync_control.status import waiting_line_count
from backorder_desktop.sync.pull import pull

from .bytes_only import record_urls, replay
from .common import LARGE, Size, machine, median, say, wait_for_quiet, write_json
from .store_process import StoreProcess

GOAL_REQUESTS = 10
GOAL_RATIO = 1.5
CHAIN = 2  # round trips that must follow one another (see the module doc)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _candidates(cache: Cache) -> tuple[list[tuple[int, int]], list[int]]:
    """(product id, variant id) with stock to buy, and products to edit, from the cache."""
    with cache.read() as db:
        rows = db.execute(
            "SELECT v.product_id, v.id FROM variants v JOIN products p ON p.id = v.product_id "
            "JOIN inventory i ON i.variant_id = v.id WHERE p.inventory_tracking = 'variant' "
            "GROUP BY v.id HAVING SUM(i.on_hand) >= 10 ORDER BY v.id"
        ).fetchall()
        products = [r[0] for r in db.execute("SELECT id FROM products ORDER BY id").fetchall()]
    return [(int(p), int(v)) for p, v in rows], products


def _changes(other: BigCommerceClient, buy: list[tuple[int, int]], edit: list[int], n: int) -> None:
    """3 orders by shoppers, 2 product edits in the admin: what a few minutes bring."""
    for k, (product_id, variant_id) in enumerate(buy):
        body = {
            "status_id": 11,
            "customer_id": 0,
            "billing_address": {
                "first_name": "Bench",
                "last_name": f"Shopper {n}-{k}",
                "street_1": "1 Main Street",
                "city": "Austin",
                "state": "Texas",
                "zip": "78751",
                "country": "United States",
                "country_iso2": "US",
                "email": f"bench{n}{k}@example.com",
            },
            "products": [{"product_id": product_id, "variant_id": variant_id, "quantity": 1}],
        }
        other.request("POST", "/v2/orders", json=body)
    edits = [{"id": pid, "name": f"Edited in the admin, run {n}"} for pid in edit]
    request = ops.encode(ops.update_products(edits))
    other.request(request.method, request.path, json=request.body)


def run(size: Size = LARGE) -> dict[str, Any]:
    say(
        f"incremental sync: {size.products}-product store, 3 orders and 2 product edits since "
        f"the last sync, {size.latency_ms} ms latency"
    )
    latency_s = size.latency_ms / 1000
    runs: list[dict[str, Any]] = []
    replays: list[dict[str, Any]] = []
    with (
        StoreProcess(
            products=size.products,
            orders=size.orders,
            latency_ms=size.latency_ms,
            rate_limit=size.rate_limit,
        ) as store,
        tempfile.TemporaryDirectory(prefix="bench-incremental-") as folder,
        BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
        BigCommerceClient(store.api_url, store.store_hash, store.token) as other,
        open_cache(Path(folder) / "cache.sqlite") as cache,
    ):
        concurrency = client.max_concurrency
        pull(client, cache, full=True)
        buyable, products = _candidates(cache)
        for n in range(max(3, size.repeat)):
            step = max(1, len(buyable) // 7)
            buy = [buyable[(n * 3 + k) * step % len(buyable)] for k in range(3)]
            edit = [products[(n * 2 + k) * 97 % len(products)] for k in range(2)]
            _changes(other, buy, edit, n)
            quiet = wait_for_quiet(label="incremental sync")
            store.reset()  # a fresh rate-limit window and request log
            urls = record_urls(client)
            cpu = _cpu()
            started = time.perf_counter()
            result = pull(client, cache)
            seconds = time.perf_counter() - started
            cpu = _cpu() - cpu
            count_started = time.perf_counter()
            lines = waiting_line_count(cache)
            count_s = time.perf_counter() - count_started
            http = client.http.event_hooks["request"]
            http.pop()  # stop recording
            server = store.stats()
            requests = result.requests
            floor_s = max(math.ceil(requests / concurrency), CHAIN) * latency_s
            runs.append(
                {
                    "seconds": round(seconds, 3),
                    "requests": requests,
                    "store_saw": server["requests"],
                    "by_endpoint": server.get("by_endpoint"),
                    "changed": sorted(result.changed),
                    "floor_s": round(floor_s, 3),
                    "ratio_to_floor": round(seconds / floor_s, 2) if floor_s else None,
                    "client_cpu_seconds": round(cpu, 3),
                    "backorder_count_seconds": round(count_s, 3),
                    "backorder_lines": lines,
                    "urls": list(urls),
                    "machine_before": quiet,
                }
            )
            say(
                f"  run {n + 1}: {seconds * 1000:.0f} ms, {requests} requests "
                f"(floor {floor_s * 1000:.0f} ms = {runs[-1]['ratio_to_floor']}x), "
                f"changed {sorted(result.changed)}; client CPU {cpu * 1000:.0f} ms"
            )
            wait_for_quiet(label="the bytes-only replay")
            store.reset()
            replays.append(replay(list(urls), store.token, concurrency))
    seconds = median([r["seconds"] for r in runs])
    floor_s = median([r["floor_s"] for r in runs])
    replayed = median([r["seconds"] for r in replays])
    data: dict[str, Any] = {
        "bench": "incremental",
        "machine": machine(),
        "size": {"products": size.products, "orders": size.orders, "latency_ms": size.latency_ms},
        "change_set": "3 orders (one line each) and 2 product edits since the last sync",
        "runs": runs,
        "seconds_median": round(seconds, 3),
        "requests_max": max(r["requests"] for r in runs),
        "floor_s": floor_s,
        "ratio_to_floor": round(seconds / floor_s, 2) if floor_s else None,
        "goal": {"requests": GOAL_REQUESTS, "ratio": GOAL_RATIO},
        "bytes_only_replay": {
            "runs": replays,
            "seconds_median": replayed,
            "ratio_to_floor": round(replayed / floor_s, 2) if floor_s else None,
        },
    }
    say(
        f"  median {seconds * 1000:.0f} ms = {data['ratio_to_floor']}x the floor "
        f"{floor_s * 1000:.0f} ms (goal < {GOAL_RATIO}x), at most {data['requests_max']} "
        f"requests (goal <= {GOAL_REQUESTS}); bytes-only replay {replayed * 1000:.0f} ms "
        f"= {data['bytes_only_replay']['ratio_to_floor']}x"
    )
    path = write_json("incremental", data)
    say(f"  -> {path}")
    return data
