"""Runs the benchmarks: `python -m benchmarks.run [--only sync|window] [--quick]`.

Each bench prints its figures and writes benchmarks/out/<name>.json; docs/BENCHMARKS.md says
how to read them and records the last full run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from . import (
    bench_bulk,
    bench_incremental,
    bench_insights,
    bench_laptops,
    bench_notices,
    bench_package,
    bench_reliability,
    bench_reload,
    bench_shipments,
    bench_startup,
    bench_sync,
    bench_window,
)
from .common import LARGE, QUICK, QUIET_ENV, Size, say

BENCHES: dict[str, Callable[[Size], dict[str, Any]]] = {
    "sync": bench_sync.run,
    "incremental": bench_incremental.run,
    "window": bench_window.run,
    "package": bench_package.run,
    "shipments": bench_shipments.run,
    "notices": bench_notices.run,
    "bulk": bench_bulk.run,
    "insights": bench_insights.run,
    "laptops": bench_laptops.run,
    "reliability": bench_reliability.run,
    "startup": bench_startup.run,
    "reload": bench_reload.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--only", choices=sorted(BENCHES), action="append", help="run only this")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a {QUICK.products}-product store, one repetition (about a minute)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    size = QUICK if args.quick else LARGE
    if args.quick:
        os.environ.setdefault(QUIET_ENV, "0")  # a quick check does not wait for an idle machine
    started = time.monotonic()
    for name in args.only or list(BENCHES):
        BENCHES[name](size)
    say(f"benchmarks done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
