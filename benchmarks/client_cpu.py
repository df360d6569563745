"""The client's own CPU per full sync, without the network: `python -m benchmarks.client_cpu`.

The large store's answers are recorded once (from a demo store process with no latency) and
then served from memory by an httpx mock transport, so a `sync.pull(full=True)` into a fresh
cache measures only our side: HTTP parsing in httpx, JSON, mapping, staging, the final write.
Wall time then equals the client's critical path on one interpreter lock, far steadier than the
networked bench on a shared machine: use it to decide between two versions of the client
(run both back to back). `--profile` adds a per-thread CPU-time profile (cProfile with
`time.thread_time`, so waiting on locks and sockets costs nothing in it). Not part of
`benchmarks.run`.
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.cache import open_cache
from backorder_desktop.sync.pull import pull

from .common import LARGE, QUICK, Size, out_dir, say
from .store_process import StoreProcess

Recorded = dict[str, tuple[int, dict[str, str], bytes]]  # url -> status, headers, body


class _Recorder(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.seen: Recorded = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-encoding"}
        self.seen[str(request.url)] = (response.status_code, headers, body)
        return httpx.Response(response.status_code, headers=headers, content=body)


def record(size: Size) -> tuple[Recorded, str, str]:
    path = out_dir() / f"client_cpu_{size.products}.pickle"
    if path.exists():
        recorded, api_url, store_hash = pickle.loads(path.read_bytes())  # noqa: S301 (our own file)
        return recorded, api_url, store_hash
    with (
        StoreProcess(products=size.products, orders=size.orders, latency_ms=0) as store,
        tempfile.TemporaryDirectory() as folder,
    ):
        recorder = _Recorder()
        with (
            BigCommerceClient(
                store.api_url, store.store_hash, store.token, transport=recorder
            ) as client,
            open_cache(Path(folder) / "cache.sqlite") as cache,
        ):
            pull(client, cache, full=True)
        data = (recorder.seen, store.api_url, store.store_hash)
    path.write_bytes(pickle.dumps(data))
    return data


def _mock(recorded: Recorded) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, body = recorded[str(request.url)]
        return httpx.Response(status, headers=headers, content=body)

    return httpx.MockTransport(handler)


def once(recorded: Recorded, api_url: str, store_hash: str) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as folder:
        started, cpu = time.perf_counter(), time.process_time()
        with (
            BigCommerceClient(api_url, store_hash, "token", transport=_mock(recorded)) as client,
            open_cache(Path(folder) / "cache.sqlite") as cache,
        ):
            result = pull(client, cache, full=True)
        return time.perf_counter() - started, time.process_time() - cpu, result.requests


def profiled(recorded: Recorded, api_url: str, store_hash: str, top: int) -> None:
    profiles: list[cProfile.Profile] = []

    def start_thread_profile(*_args: object) -> None:
        thread_profile = cProfile.Profile(time.thread_time)
        profiles.append(thread_profile)
        thread_profile.enable()

    main = cProfile.Profile(time.thread_time)
    profiles.append(main)
    threading.setprofile(start_thread_profile)
    main.enable()
    once(recorded, api_url, store_hash)
    main.disable()
    threading.setprofile(None)  # type: ignore[arg-type]
    for each in profiles:
        each.disable()
    stats = pstats.Stats(profiles[0])
    for each in profiles[1:]:
        stats.add(each)
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    say(f"profiled thread CPU {total:.2f} s over {len(profiles)} threads")
    by_module: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        parts = Path(filename).parts
        key = "/".join(parts[-2:]) if "backorder_desktop" in parts else Path(filename).name
        if "site-packages" in parts:
            key = parts[parts.index("site-packages") + 1]
        by_module[key] += row[2]
    for key, seconds in sorted(by_module.items(), key=lambda kv: -kv[1])[:20]:
        say(f"  {seconds:6.3f} s  {key}")
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    size = QUICK if args.quick else LARGE
    recorded, api_url, store_hash = record(size)
    megabytes = sum(len(body) for _, _, body in recorded.values()) / 1e6
    say(f"{len(recorded)} recorded answers, {megabytes:.1f} MB")
    if args.profile:
        profiled(recorded, api_url, store_hash, args.top)
        return
    walls, cpus = [], []
    for _ in range(args.runs):
        wall, cpu, requests = once(recorded, api_url, store_hash)
        walls.append(wall)
        cpus.append(cpu)
        say(f"  {wall:.3f} s wall, {cpu:.3f} s CPU, {requests} requests")
    say(
        f"median {statistics.median(walls):.3f} s wall (min {min(walls):.3f}), "
        f"{statistics.median(cpus):.3f} s CPU (min {min(cpus):.3f})"
    )


if __name__ == "__main__":
    main()
