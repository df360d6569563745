"""Where a full sync's CPU goes on the pulling thread: `python -m benchmarks.profile_sync [--quick]`.

cProfile on the thread that runs `sync.pull` (mapping, progress, the cache write); the page
threads (HTTP and JSON decoding) are summed from the whole process's CPU time. Prints the
functions with the most own time, grouped by module as well. Not part of `benchmarks.run`.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.cache import open_cache
from backorder_desktop.sync.pull import pull

from .common import LARGE, QUICK, say, wait_for_quiet
from .store_process import StoreProcess


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    size = QUICK if args.quick else LARGE
    with (
        StoreProcess(
            products=size.products, orders=size.orders, latency_ms=size.latency_ms
        ) as store,
        tempfile.TemporaryDirectory() as folder,
    ):
        wait_for_quiet(label="the profile")
        store.reset()
        profile = cProfile.Profile()
        cpu, started = _cpu(), time.perf_counter()
        with (
            BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
            open_cache(Path(folder) / "cache.sqlite") as cache,
        ):
            profile.enable()
            pull(client, cache, full=True)
            profile.disable()
        wall, cpu = time.perf_counter() - started, _cpu() - cpu
        server = store.stats()
    stats = pstats.Stats(profile)
    pull_thread = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    say(
        f"wall {wall:.2f} s (profiled); process CPU {cpu:.2f} s, of which the pulling thread "
        f"{pull_thread:.2f} s (profiler overhead included); store CPU {server['cpu_seconds']} s"
    )
    by_module: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        parts = Path(filename).parts
        key = "/".join(parts[-2:]) if "backorder_desktop" in parts else Path(filename).name
        if "site-packages" in parts:
            key = parts[parts.index("site-packages") + 1]
        by_module[key] += row[2]
    say("own time by module on the pulling thread:")
    for key, seconds in sorted(by_module.items(), key=lambda kv: -kv[1])[:15]:
        say(f"  {seconds:6.2f} s  {key}")
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
