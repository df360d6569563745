"""Bench: how long `backorder-desktop --version` and `status` take, as a script sees them.

Goal (issue 15): both under 0.3 s on the large store (before: ~1 s, the parser imported every
command). Each is a fresh process, timed from start to exit; `status` reads a cache the large
store was synced into (not timed). Figures go to benchmarks/out/startup.json.
"""

from __future__ import annotations

import compileall
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from backorder_desktop.demo_store import DemoStore

from .common import (
    LARGE,
    REPO,
    Size,
    child_env,
    machine,
    median,
    say,
    wait_for_quiet,
    write_json,
)

GOAL_S = 0.3
# Another checkout's `backorder_desktop` to time instead (e.g. the commit before issue 15,
# unpacked with `git archive`): the "before" figure on the same machine in the same run.
APP_ENV = "BACKORDER_BENCH_APP"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_command(
    args: list[str], repeat: int, cpu: list[float] | None = None, **env: str
) -> list[float]:
    """Wall times of `repeat` fresh processes; their CPU times (user + system) go to `cpu`:
    on a busy machine the CPU time is what the wall time would be on an idle one."""
    times = []
    for _ in range(repeat):
        before = _cpu()
        started = time.perf_counter()
        app = os.environ.get(APP_ENV)
        extra = {"PYTHONPATH": app, **env} if app else env
        done = subprocess.run(
            [sys.executable, "-m", "backorder_desktop", *args],
            capture_output=True,
            env=child_env(**extra),
            cwd=app or None,
            check=False,
        )
        times.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(_cpu() - before)
        if done.returncode != 0:
            raise RuntimeError(f"{args} failed: {done.stderr.decode(errors='replace')}")
    return times


def run(size: Size = LARGE) -> dict[str, Any]:
    say(f"startup: --version and status on a {size.products}-product store")
    repeat = max(5, size.repeat * 3)
    store = DemoStore(products=size.products, orders=size.orders, rate_limit=(1_000_000, 30.0))
    # An installed app has its bytecode (pip compiles on install, PyInstaller bundles .pyc);
    # a checkout run with PYTHONDONTWRITEBYTECODE=1 would compile every module on every start.
    app = Path(os.environ.get(APP_ENV) or REPO)
    compiled = compileall.compile_dir(str(app / "backorder_desktop"), quiet=1)
    with store, tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        # Synced by the version under test (a cache is read only by the schema that wrote it).
        where = ["--data-dir", str(data_dir), "--api-url", store.api_url]
        _time_command(
            [*where, "--store-hash", store.store_hash, "sync"],
            1,
            BIGCOMMERCE_ACCESS_TOKEN=store.token,
        )
        quiet = wait_for_quiet(label="startup")
        _time_command(["--version"], 1)  # warm the file cache
        version_cpu: list[float] = []
        status_cpu: list[float] = []
        version = _time_command(["--version"], repeat, version_cpu)
        status_args = [*where, "--store-hash", store.store_hash, "status"]
        # The token is given as a script would: a version whose `status` wants one finds it.
        status = _time_command(
            [*status_args, "--json"], repeat, status_cpu, BIGCOMMERCE_ACCESS_TOKEN=store.token
        )
        report = {
            "machine": machine(),
            "quiet": quiet,
            "store": {"products": size.products, "orders": size.orders},
            "goal_s": GOAL_S,
            "version_s": {"median": round(median(version), 3), "min": round(min(version), 3)},
            "status_s": {"median": round(median(status), 3), "min": round(min(status), 3)},
            "version_cpu_s": round(median(version_cpu), 3),
            "status_cpu_s": round(median(status_cpu), 3),
            "python_startup_s": round(median(_bare_python(repeat)), 3),
            "app": os.environ.get(APP_ENV) or "this checkout",
            "bytecode_compiled_first": bool(compiled),
        }
    say(
        f"  --version {report['version_s']['median']:.3f} s, status "
        f"{report['status_s']['median']:.3f} s wall; CPU {report['version_cpu_s']:.3f} s / "
        f"{report['status_cpu_s']:.3f} s (median of {repeat}; bare python "
        f"{report['python_startup_s']:.3f} s; goal < {GOAL_S} s)"
    )
    write_json("startup-before" if os.environ.get(APP_ENV) else "startup", report)
    return report


def _bare_python(repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=False, env=child_env())
        times.append(time.perf_counter() - started)
    return times
