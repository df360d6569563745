"""Narrow mock-transport helpers for the HTTP client's unit tests (tests/test_client_*.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from backorder_desktop.bigcommerce import BigCommerceClient

TOKEN = "tok-SECRET-0123456789abcdef"
STORE = "abc123"
API = "https://api.bigcommerce.com"
Handler = Callable[[httpx.Request], httpx.Response]


def rl_headers(
    left: int = 140, quota: int = 150, reset_ms: int = 1000, window_ms: int = 30000
) -> dict[str, str]:
    return {
        "X-Rate-Limit-Requests-Left": str(left),
        "X-Rate-Limit-Requests-Quota": str(quota),
        "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
        "X-Rate-Limit-Time-Window-Ms": str(window_ms),
    }


def api_path(request: httpx.Request) -> str:
    """The request path without /stores/{hash}."""
    prefix = f"/stores/{STORE}"
    path = request.url.path
    assert path.startswith(prefix), path
    return path[len(prefix) :]


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


@dataclass
class Harness:
    client: BigCommerceClient
    requests: list[httpx.Request]
    sleeps: list[float] = field(default_factory=list)


def make_client(handler: Handler, **kwargs: Any) -> Harness:
    """A client on a MockTransport; sleeps are recorded, never slept."""
    requests: list[httpx.Request] = []
    lock = threading.Lock()

    def recording(request: httpx.Request) -> httpx.Response:
        with lock:
            requests.append(request)
        return handler(request)

    sleeps: list[float] = []
    kwargs.setdefault("sleep", sleeps.append)
    client = BigCommerceClient(
        kwargs.pop("api_url", API),
        kwargs.pop("store_hash", STORE),
        kwargs.pop("token", TOKEN),
        transport=httpx.MockTransport(recording),
        **kwargs,
    )
    return Harness(client, requests, sleeps)


def v3_list(items: list[dict[str, Any]], page: int, total_pages: int, **extra: Any) -> dict:
    return {
        "data": items,
        "meta": {
            "pagination": {
                "total": extra.get("total", len(items) * total_pages),
                "count": len(items),
                "per_page": extra.get("per_page", len(items)),
                "current_page": page,
                "total_pages": total_pages,
                "links": {"current": f"?page={page}"},
            }
        },
    }
