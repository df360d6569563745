"""Bench 1: full sync of the large demo store by our client, beside the official client's read.

Both read from the same demo store process (50 ms latency per request, Standard-plan rate limit
150/30 s), each starting on a fresh rate-limit window. Ours: `sync.pull(full=True)` into a new
cache file, exactly as a first sync, each run followed at once by the bytes-only replay of its
requests (the test bed's own floor, `bytes_only.py`), so that each pair sees the same machine.
Peer: `peer_client.peer_read` (products with variants, inventory, open orders, then each
order's lines). Figures go to benchmarks/out/sync.json.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.cache import open_cache
from backorder_desktop.services.sync_control.status import waiting_line_count
from backorder_desktop.sync.pull import pull

from .bytes_only import record_urls, replay
from .common import LARGE, Size, machine, median, say, wait_for_quiet, write_json
from .floors import client_chain_round_trips, floor, minimum_requests
from .peer_client import peer_read
from .store_process import StoreProcess

SKIP_PEER_ENV = "BACKORDER_BENCH_SKIP_PEER"
CACHE_TABLES = (
    "locations",
    "products",
    "variants",
    "inventory",
    "orders",
    "order_lines",
    "metafields",
)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cache_rows(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in CACHE_TABLES}  # noqa: S608 (fixed names)


def ours_once(store: StoreProcess, folder: Path) -> dict[str, Any]:
    """One first sync into an empty cache; stage times from the progress callback."""
    stages: dict[str, list[float]] = {}
    started = time.perf_counter()

    def progress(stage: str, _done: int, _total: int) -> None:
        now = time.perf_counter() - started
        stages.setdefault(stage, [now, now])[1] = now

    path = folder / "cache.sqlite"
    cpu = _cpu_seconds()
    with (
        BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
        open_cache(path) as cache,
    ):
        concurrency = client.max_concurrency
        urls = record_urls(client)
        result = pull(client, cache, full=True, progress=progress)
        waits = client.rate_limit_waits
        wall = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu
        backorder_lines = waiting_line_count(cache)  # a view, not part of the sync
    fetched = max(end for _, end in stages.values())
    rows = cache_rows(path)
    total_rows = sum(rows.values())
    return {
        "seconds": round(wall, 3),
        "requests": result.requests,
        "concurrency": concurrency,
        "rate_limit_waits": waits,
        "fetch_seconds": round(fetched, 3),
        "write_seconds": round(wall - fetched, 3),
        "stage_end_s": {k: round(v[1], 3) for k, v in stages.items()},
        "client_cpu_seconds": round(cpu, 3),
        "rows": rows,
        "rows_total": total_rows,
        "rows_per_second": round(total_rows / wall),
        "rows_per_second_write_phase": round(total_rows / max(wall - fetched, 1e-9)),
        "urls": urls,
        "result": {
            "products": result.products,
            "variants": result.variants,
            "open_orders": result.orders,
            "backorder_lines": backorder_lines,
        },
    }


def run(size: Size = LARGE) -> dict[str, Any]:
    say(
        f"sync: demo store {size.products} products, {size.orders} orders, "
        f"{size.latency_ms} ms latency, rate limit {size.rate_limit[0]}/{size.rate_limit[1]:.0f}s"
    )
    latency_s = size.latency_ms / 1000
    quota, window = size.rate_limit
    with StoreProcess(
        products=size.products,
        orders=size.orders,
        latency_ms=size.latency_ms,
        rate_limit=size.rate_limit,
    ) as store:
        dataset = store.stats()["dataset"]
        minimum = minimum_requests(dataset)
        runs = []
        replays = []
        for n in range(size.repeat):
            quiet = wait_for_quiet(label="our sync")
            store.reset()
            with tempfile.TemporaryDirectory(prefix="bench-sync-") as folder:
                one = ours_once(store, Path(folder))
            server = store.stats()
            one["server"] = {k: v for k, v in server.items() if k != "dataset"}
            one["machine_before"] = quiet
            runs.append(one)
            # The test bed's own floor right after it, so that both see the same machine (other
            # people's work on these cores comes and goes): this run's requests replayed, bytes
            # only, as many in flight.
            store.reset()
            replays.append(replay(one["urls"], store.token, one["concurrency"]))
            one["ratio_to_replay"] = round(one["seconds"] / replays[-1]["seconds"], 2)
            say(
                f"  ours #{n + 1}: {one['seconds']:.2f} s, {one['requests']} requests "
                f"(fetch {one['fetch_seconds']:.2f} s, write {one['write_seconds']:.2f} s), "
                f"{one['rows_total']} rows, store CPU {server['cpu_seconds']:.2f} s, client CPU "
                f"{one['client_cpu_seconds']:.2f} s; bytes-only replay right after: "
                f"{replays[-1]['seconds']:.2f} s ({one['ratio_to_replay']}x), load "
                f"{os.getloadavg()[0]:.1f}"
            )
        say(
            "  bytes-only replay of the same requests: "
            f"{median([r['seconds'] for r in replays]):.2f} s median "
            f"({replays[0]['megabytes']} MB, failures {sum(len(r['failures']) for r in replays)}); "
            f"ours / replay per pair: median {median([r['ratio_to_replay'] for r in runs])}x"
        )
        if os.environ.get(SKIP_PEER_ENV) == "1":
            # Its ~6 minutes measure the official client, whose code does not change with ours.
            say("  official client: skipped (BACKORDER_BENCH_SKIP_PEER=1)")
            data = _ours_only(size, dataset, minimum, runs, replays)
            write_json("sync", data)
            return data
        peer_quiet = wait_for_quiet(label="the official client")
        store.reset()
        peer = peer_read(store.api_url, store.store_hash, store.token)
        peer_server = store.stats()
        say(
            f"  official client: {peer.seconds:.1f} s, {peer.requests} requests "
            f"(store saw {peer_server['requests']})"
        )

    concurrency = runs[0]["concurrency"]
    ours_floor = floor(
        minimum["total"], latency_s=latency_s, concurrency=concurrency, quota=quota, window_s=window
    )
    peer_floor = floor(
        peer.requests, latency_s=latency_s, concurrency=1, quota=quota, window_s=window
    )
    ours_median = median([r["seconds"] for r in runs])
    best = min(runs, key=lambda r: r["seconds"])
    store_cpu = median([r["server"]["cpu_seconds"] for r in runs])
    replayed = median([r["seconds"] for r in replays])
    data: dict[str, Any] = {
        "bench": "sync",
        "machine": machine(),
        "size": {
            "products": size.products,
            "orders": size.orders,
            "latency_ms": size.latency_ms,
            "rate_limit": list(size.rate_limit),
            "repeat": size.repeat,
        },
        "dataset": dataset,
        "minimum_requests": minimum,
        "ours": {
            "runs": runs,
            "seconds_median": round(ours_median, 3),
            "requests": runs[0]["requests"],
            "floor": ours_floor.as_dict(),
            "client_chain_round_trips": client_chain_round_trips(dataset, concurrency),
            "ratio_to_floor": round(ours_median / ours_floor.seconds, 2)
            if ours_floor.seconds
            else None,
            "goal_ratio": 1.3,
            "store_cpu_seconds_median": store_cpu,
            "ratio_to_store_cpu": round(ours_median / store_cpu, 2) if store_cpu else None,
            "rows_per_second_median": round(median([r["rows_per_second"] for r in runs])),
            "rows_per_second_write_phase_median": round(
                median([r["rows_per_second_write_phase"] for r in runs])
            ),
            "best_run_seconds": best["seconds"],
        },
        "bytes_only_replay": {
            "runs": replays,
            "seconds_median": replayed,
            "ratio_to_floor": round(replayed / ours_floor.seconds, 2)
            if ours_floor.seconds
            else None,
            "ours_ratio_to_it": round(ours_median / replayed, 2) if replayed else None,
            "pair_ratios": [r["ratio_to_replay"] for r in runs],
            "pair_ratio_median": median([r["ratio_to_replay"] for r in runs]),
        },
        "official_client": {
            "package": "bigcommerce==0.23.4",
            "seconds": round(peer.seconds, 3),
            "requests": peer.requests,
            "store_saw": peer_server["requests"],
            "by_endpoint": _grouped(peer_server["by_endpoint"]),
            "stage_seconds": peer.stage_seconds,
            "floor": peer_floor.as_dict(),
            "read": {
                "products": peer.products,
                "variants": peer.variants,
                "inventory_items": peer.inventory_items,
                "open_orders": peer.orders,
                "order_lines": peer.order_lines,
            },
            "store_cpu_seconds": peer_server["cpu_seconds"],
            "machine_before": peer_quiet,
        },
    }
    data["ours_ahead"] = {
        "requests_x": round(peer.requests / runs[0]["requests"], 1),
        "seconds_x": round(peer.seconds / ours_median, 1),
    }
    _print_summary(data)
    path = write_json("sync", data)
    say(f"  -> {path}")
    return data


def _ours_only(
    size: Size,
    dataset: dict[str, Any],
    minimum: dict[str, int],
    runs: list[dict[str, Any]],
    replays: list[dict[str, Any]],
) -> dict[str, Any]:
    latency_s = size.latency_ms / 1000
    quota, window = size.rate_limit
    concurrency = runs[0]["concurrency"]
    ours_floor = floor(
        minimum["total"], latency_s=latency_s, concurrency=concurrency, quota=quota, window_s=window
    )
    ours_median = median([r["seconds"] for r in runs])
    replayed = median([r["seconds"] for r in replays])
    data = {
        "bench": "sync",
        "machine": machine(),
        "dataset": dataset,
        "minimum_requests": minimum,
        "ours": {
            "runs": runs,
            "seconds_median": round(ours_median, 3),
            "requests": runs[0]["requests"],
            "floor": ours_floor.as_dict(),
            "ratio_to_floor": round(ours_median / ours_floor.seconds, 2),
            "client_cpu_seconds": [r["client_cpu_seconds"] for r in runs],
        },
        "bytes_only_replay": {
            "runs": replays,
            "seconds_median": replayed,
            "ratio_to_floor": round(replayed / ours_floor.seconds, 2),
            "ours_ratio_to_it": round(ours_median / replayed, 2) if replayed else None,
            "pair_ratios": [r["ratio_to_replay"] for r in runs],
            "pair_ratio_median": median([r["ratio_to_replay"] for r in runs]),
            "goal_ratio": 1.3,
        },
    }
    say(
        f"  ours median {ours_median:.2f} s ({runs[0]['requests']} requests, minimum "
        f"{minimum['total']}) = {data['ours']['ratio_to_floor']}x the latency floor; "
        f"bytes-only replay {replayed:.2f} s: ours is {data['bytes_only_replay']['ours_ratio_to_it']}x "
        "of it (goal 1.3x)"
    )
    return data


def _grouped(by_endpoint: dict[str, int]) -> dict[str, int]:
    """Per-order requests folded into one line."""
    out: dict[str, int] = {}
    for name, count in by_endpoint.items():
        out[name] = out.get(name, 0) + count
    return out


def _print_summary(data: dict[str, Any]) -> None:
    ours, peer = data["ours"], data["official_client"]
    f = ours["floor"]
    say(
        f"  minimum requests {data['minimum_requests']['total']}, ours {ours['requests']}; "
        f"floor {f['floor_s']:.2f} s (latency {f['latency_floor_s']:.2f} s, "
        f"rate limit {f['rate_limit_floor_s']:.2f} s)"
    )
    say(
        f"  ours median {ours['seconds_median']:.2f} s = {ours['ratio_to_floor']}x floor "
        f"(goal {ours['goal_ratio']}x); store CPU {ours['store_cpu_seconds_median']:.2f} s; "
        f"{ours['rows_per_second_median']} rows/s overall, "
        f"{ours['rows_per_second_write_phase_median']} rows/s in the write phase"
    )
    replayed = data["bytes_only_replay"]
    say(
        f"  test bed alone (bytes-only replay) {replayed['seconds_median']:.2f} s = "
        f"{replayed['ratio_to_floor']}x floor; ours is {replayed['ours_ratio_to_it']}x of it"
    )
    say(
        f"  official client {peer['seconds']:.1f} s, {peer['requests']} requests "
        f"(floor {peer['floor']['floor_s']:.1f} s); ours is {data['ours_ahead']['seconds_x']}x "
        f"faster with {data['ours_ahead']['requests_x']}x fewer requests"
    )
