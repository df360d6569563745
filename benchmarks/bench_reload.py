"""Bench: a merchant's action to its updated rows on screen, on the large store (issue 15).

The demo store runs in its own process (50 ms latency, 150/30 s); one sync fills a fresh data
dir (as `bench_window`); `actions_child` then opens the real window on it and times a priority
change, an ETA on one SKU and a receipt of 3 lines, each from the click to the changed rows
painted. Figures go to benchmarks/out/reload.json.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from .bench_window import _run_child, prepare
from .common import LARGE, Size, machine, say, wait_for_quiet, write_json
from .store_process import StoreProcess

GOAL_MS = 100.0


def run(size: Size = LARGE) -> dict[str, Any]:
    say(f"reload: demo store {size.products} products, {size.orders} orders")
    with tempfile.TemporaryDirectory(prefix="bench-reload-") as folder:
        data_dir = Path(folder)
        with StoreProcess(
            products=size.products,
            orders=size.orders,
            latency_ms=size.latency_ms,
            rate_limit=size.rate_limit,
        ) as store:
            prepared = prepare(store, data_dir)
            quiet = wait_for_quiet(label="the actions")
            store.reset()
            inside, wall = _run_child(
                ["-m", "benchmarks.actions_child", str(data_dir), "--repeat", str(size.repeat)],
                store.token,
                1800,
            )
    report = {
        "machine": machine(),
        "machine_before": quiet,
        "prepared": prepared,
        "actions": inside,
        "goal_ms": GOAL_MS,
    }
    for action in ("priority", "eta", "receipt"):
        say(
            f"  {action}: report -> rows painted {inside[f'{action}_to_rows_ms_median']} ms "
            f"median (max {inside[f'{action}_to_rows_ms_max']}; CPU "
            f"{inside[f'{action}_to_rows_cpu_ms_median']} ms); click -> painted "
            f"{inside[f'{action}_total_ms_median']} ms"
        )
    write_json("reload", report)
    return report
