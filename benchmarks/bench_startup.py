"""Bench: how long `backorder-desktop --version` and `status` take, as a script sees them.

Goal (issue 15): both under 0.3 s on the large store (before: ~1 s, the parser imported every
command). Each is a fresh process, timed from start to exit; `status` reads a cache the large
store was synced into (not timed). Figures go to benchmarks/out/startup.json.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.cache import open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.paths import cache_path
from backorder_desktop.sync.pull import pull

from .common import LARGE, Size, child_env, machine, median, say, wait_for_quiet, write_json

GOAL_S = 0.3


def _time_command(args: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "backorder_desktop", *args],
            capture_output=True,
            env=child_env(),
            check=False,
        )
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"{args} failed: {done.stderr.decode(errors='replace')}")
    return times


def run(size: Size = LARGE) -> dict[str, Any]:
    say(f"startup: --version and status on a {size.products}-product store")
    repeat = max(5, size.repeat * 3)
    store = DemoStore(products=size.products, orders=size.orders, rate_limit=(1_000_000, 30.0))
    with store, tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        path = cache_path(data_dir, store.store_hash)
        path.parent.mkdir(parents=True)
        with (
            BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
            open_cache(path) as cache,
        ):
            pull(client, cache, full=True)
        quiet = wait_for_quiet(label="startup")
        _time_command(["--version"], 1)  # warm the file cache
        version = _time_command(["--version"], repeat)
        status_args = ["--data-dir", str(data_dir), "--store-hash", store.store_hash, "status"]
        status = _time_command([*status_args, "--json"], repeat)
        report = {
            "machine": machine(),
            "quiet": quiet,
            "store": {"products": size.products, "orders": size.orders},
            "goal_s": GOAL_S,
            "version_s": {"median": round(median(version), 3), "min": round(min(version), 3)},
            "status_s": {"median": round(median(status), 3), "min": round(min(status), 3)},
            "python_startup_s": round(median(_bare_python(repeat)), 3),
        }
    say(
        f"  --version {report['version_s']['median']:.3f} s, status "
        f"{report['status_s']['median']:.3f} s (median of {repeat}; bare python "
        f"{report['python_startup_s']:.3f} s; goal < {GOAL_S} s)"
    )
    write_json("startup", report)
    return report


def _bare_python(repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=False, env=child_env())
        times.append(time.perf_counter() - started)
    return times
