"""Where a full sync's CPU goes: `python -m benchmarks.profile_sync [--quick]`.

cProfile on every thread of the sync: the one that runs `sync.pull` (progress, the cache
write) and the threads it starts (one per listing: mapping; the client's page threads: HTTP
and JSON decoding), merged. Prints the functions with the most own time, grouped by module as
well. Profiled times are inflated (about 2x for Python-heavy code); use them for shares, and the
unprofiled process CPU for totals. Not part of `benchmarks.run`.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import tempfile
import threading
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
        profiles: list[cProfile.Profile] = []

        def start_thread_profile(*_args: object) -> None:
            # Runs once in each new thread (threading.setprofile), then hands over to cProfile.
            thread_profile = cProfile.Profile()
            profiles.append(thread_profile)
            thread_profile.enable()

        profile = cProfile.Profile()
        profiles.append(profile)
        cpu, started = _cpu(), time.perf_counter()
        with (
            BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
            open_cache(Path(folder) / "cache.sqlite") as cache,
        ):
            threading.setprofile(start_thread_profile)
            profile.enable()
            pull(client, cache, full=True)
            profile.disable()
            threading.setprofile(None)  # type: ignore[arg-type]
        wall, cpu = time.perf_counter() - started, _cpu() - cpu
        server = store.stats()
    for each in profiles:
        each.disable()  # threads that ended left theirs enabled; disabling it again is harmless
    stats = pstats.Stats(profiles[0])
    for each in profiles[1:]:
        stats.add(each)
    pull_thread = sum(row[2] for row in pstats.Stats(profile).stats.values())  # type: ignore[attr-defined]
    all_threads = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    say(
        f"wall {wall:.2f} s (profiled); process CPU {cpu:.2f} s; profiled own time "
        f"{all_threads:.2f} s over {len(profiles)} threads, {pull_thread:.2f} s of it on the "
        f"pulling thread (progress, the write); store CPU {server['cpu_seconds']} s"
    )
    by_module: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        parts = Path(filename).parts
        key = "/".join(parts[-2:]) if "backorder_desktop" in parts else Path(filename).name
        if "site-packages" in parts:
            key = parts[parts.index("site-packages") + 1]
        by_module[key] += row[2]
    say("own time by module, all threads:")
    for key, seconds in sorted(by_module.items(), key=lambda kv: -kv[1])[:15]:
        say(f"  {seconds:6.2f} s  {key}")
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
