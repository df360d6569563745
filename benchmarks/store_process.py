"""The demo store in its own process, so its CPU work does not share the measured process's GIL.

Child (`python -m benchmarks.store_process ...`): serves a `DemoStore`, writes one JSON line with
the api_url, store hash and token to its stdout pipe (read by the parent, never shown), then
answers one-line commands on stdin: `stats` (requests seen, the store's own handler and CPU time,
dataset counts), `reset` (forget the request log and start a fresh rate-limit window), `quit`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import TracebackType
from typing import Any

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.records import APP_NAMESPACE, OPEN_STATUSES


def endpoint(method: str, path: str, query: dict[str, str]) -> str:
    """A request's kind for the tables: 'GET /v2/orders/{id}/products', 'GET /v2/orders?status_id=11'."""
    parts = ["{id}" if p.isdigit() else p for p in path.split("/")]
    name = f"{method} {'/'.join(parts)}"
    if path == "/v2/orders" and "status_id" in query:
        name += f"?status_id={query['status_id']}"
    return name


def dataset_counts(store: DemoStore) -> dict[str, Any]:
    """What a minimal full read has to page through (BigCommerce's own numbers, from the state)."""
    state = store.state
    open_by_status = Counter(o.status_id for o in state.orders.values())
    metafields = Counter(
        m.resource_type for m in state.metafields.values() if m.namespace == APP_NAMESPACE
    )
    open_orders = [o for o in state.orders.values() if o.status_id in OPEN_STATUSES]
    return {
        "products": len(state.products),
        "variants": len(state.variants),
        "tracked_variants": sum(1 for vid in state.variants if state.tracked(vid)),
        "locations": len(state.locations),
        "inventory_records": len(state.inventory),
        "orders": len(state.orders),
        "open_orders_by_status": {str(s): open_by_status.get(s, 0) for s in OPEN_STATUSES},
        "open_order_lines": sum(len(o.lines) for o in open_orders),
        "app_metafields": {k: metafields.get(k, 0) for k in ("variant", "order", "store")},
    }


class _Timed:
    """Adds up the store's own work: handler time under the engine's lock, per endpoint, and the
    process's CPU time (JSON encoding and HTTP parsing included). Latency sleeps are not work."""

    def __init__(self, store: DemoStore) -> None:
        self.lock = threading.Lock()
        self.by_endpoint: defaultdict[str, float] = defaultdict(float)
        self.cpu_start = time.process_time()
        router = store.engine._router
        resolve = router.resolve

        def timed_resolve(method: str, path: str) -> Any:
            handler, params = resolve(method, path)

            def timed(ctx: Any, request: Any) -> Any:
                started = time.perf_counter()
                try:
                    return handler(ctx, request)
                finally:
                    name = endpoint(method, path, request.query)
                    with self.lock:
                        self.by_endpoint[name] += time.perf_counter() - started

            return timed, params

        router.resolve = timed_resolve  # type: ignore[method-assign]

    def reset(self) -> None:
        with self.lock:
            self.by_endpoint.clear()
            self.cpu_start = time.process_time()

    def report(self) -> dict[str, Any]:
        with self.lock:
            return {
                "handler_seconds": round(sum(self.by_endpoint.values()), 3),
                "handler_seconds_by_endpoint": {
                    k: round(v, 3) for k, v in sorted(self.by_endpoint.items())
                },
                "cpu_seconds": round(time.process_time() - self.cpu_start, 3),
            }


def _serve(args: argparse.Namespace) -> None:
    if args.nice:
        os.nice(args.nice)
    store = DemoStore(
        Path(args.data_dir) if args.data_dir else None,
        seed=args.seed,
        products=args.products,
        orders=args.orders,
        latency_ms=args.latency_ms,
        rate_limit=(args.quota, args.window),
        # Nothing but HTTP reaches this process's state, so listed documents can be kept until
        # the next write (demo_store/listing_cache.py): less of the test bed's own CPU is measured.
        cache_listings=not args.no_listing_cache,
    ).start()
    timer = _Timed(store)
    hello = {"api_url": store.api_url, "store_hash": store.store_hash, "token": store.token}
    sys.stdout.write(json.dumps(hello) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        command = line.strip()
        if command == "stats":
            records = store.requests
            kinds = Counter(endpoint(r.method, r.path, r.query) for r in records)
            reply = {
                "requests": len(records),
                "by_endpoint": dict(sorted(kinds.items())),
                "statuses": dict(Counter(str(r.status) for r in records)),
                **timer.report(),
                "dataset": dataset_counts(store),
            }
        elif command == "reset":
            store.clear_requests()
            store.set_rate_limit(args.quota, args.window)
            timer.reset()
            reply = {"ok": True}
        elif command == "quit":
            break
        else:
            reply = {"error": f"unknown command {command!r}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    store.stop()


class StoreProcess:
    """Parent side: starts the child, reads its address and token, sends commands."""

    def __init__(
        self,
        *,
        products: int,
        orders: int,
        latency_ms: int,
        rate_limit: tuple[int, float] = (150, 30.0),
        data_dir: Path | None = None,
        seed: int = 1,
        nice: int = 0,
        listing_cache: bool = True,
    ) -> None:
        self.rate_limit = rate_limit
        self.latency_ms = latency_ms
        command = [
            sys.executable,
            "-m",
            "benchmarks.store_process",
            "--products",
            str(products),
            "--orders",
            str(orders),
            "--latency-ms",
            str(latency_ms),
            "--quota",
            str(rate_limit[0]),
            "--window",
            str(rate_limit[1]),
            "--seed",
            str(seed),
            "--nice",
            str(nice),
        ]
        if data_dir is not None:
            command += ["--data-dir", str(data_dir)]
        if not listing_cache:
            command.append("--no-listing-cache")
        repo = Path(__file__).resolve().parent.parent
        env = {**os.environ, "PYTHONPATH": str(repo)}
        self._proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=repo,
            env=env,
        )
        hello = self._read()
        self.api_url: str = hello["api_url"]
        self.store_hash: str = hello["store_hash"]
        self.token: str = hello["token"]

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the demo store process ended before answering")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def command(self, name: str) -> dict[str, Any]:
        assert self._proc.stdin is not None
        self._proc.stdin.write(name + "\n")
        self._proc.stdin.flush()
        return self._read()

    def stats(self) -> dict[str, Any]:
        return self.command("stats")

    def reset(self) -> None:
        """A fresh rate-limit window and an empty request log: each measurement starts equal."""
        self.command("reset")

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                assert self._proc.stdin is not None
                self._proc.stdin.write("quit\n")
                self._proc.stdin.flush()
                self._proc.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> StoreProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, required=True)
    parser.add_argument("--orders", type=int, required=True)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--quota", type=int, default=150)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir")
    parser.add_argument("--nice", type=int, default=0)
    parser.add_argument("--no-listing-cache", action="store_true")
    _serve(parser.parse_args())


if __name__ == "__main__":
    main()
