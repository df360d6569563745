"""The test bed's own floor: the requests a sync made, replayed by a client that only reads bytes.

Same URLs in the same order, the same number in flight as our client, one httpx connection
each, bodies read and dropped (no JSON parsing, no records, no cache). What this takes above
the latency floor is the demo store's and the HTTP stack's time, which no client can beat.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

import httpx


def record_urls(client: Any) -> list[str]:
    """Start recording the URLs `client` (a BigCommerceClient) requests; returns the list."""
    urls: list[str] = []
    http: httpx.Client = client._transport.http  # noqa: SLF001 (bench-only look inside)
    http.event_hooks["request"].append(lambda request: urls.append(str(request.url)))
    return urls


def replay(urls: list[str], token: str, in_flight: int) -> dict[str, Any]:
    todo: queue.Queue[str] = queue.Queue()
    for url in urls:
        todo.put(url)
    received = [0] * in_flight
    failures: list[str] = []

    # Made before the clock starts, as the measured client is: building an httpx.Client loads
    # the CA bundle (tens of ms each), which is no part of either's requests. Connections are
    # opened inside the measured time by both.
    headers = {"X-Auth-Token": token, "Accept": "application/json"}
    clients = [httpx.Client(headers=headers) for _ in range(in_flight)]

    def worker(n: int) -> None:
        http = clients[n]
        while True:
            try:
                url = todo.get_nowait()
            except queue.Empty:
                return
            response = http.get(url)
            if response.status_code >= 300:
                failures.append(f"{response.status_code} {url}")
            received[n] += len(response.content)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(in_flight)]
    try:
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        for http in clients:
            http.close()
    return {
        "seconds": round(elapsed, 3),
        "requests": len(urls),
        "in_flight": in_flight,
        "megabytes": round(sum(received) / 1e6, 1),
        "failures": failures,
    }
