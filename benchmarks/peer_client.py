"""The same read scripted with BigCommerce's official Python client (`bigcommerce` 0.23.4, PyPI).

Written the way its README shows a merchant's developer: V2 resources through
`BigcommerceApi` (`Orders.iterall`, then `order.products()` for each order's lines), V3 through
an `OAuthConnection` with `api_path='/stores/{}/v3/{}'`, one request at a time, with the
client's own `rate_limiting_management` so it waits instead of failing on the quota. It gets the
same page sizes and field selection as ours, so what differs is the request pattern.

The client builds every URL as "https://" + host (connection.py, `full_path`); the demo store
speaks plain HTTP on 127.0.0.1. The one patch: each connection's `full_path` is replaced so the
same path goes to the demo store's http:// root. Paths, auth headers, sessions, paging and rate
limiting stay the client's own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import bigcommerce
from bigcommerce.connection import OAuthConnection

from backorder_desktop.bigcommerce.client import PRODUCT_FIELDS
from backorder_desktop.domain.models import OPEN_ORDER_STATUSES

# Wait for the window to reset when this few requests are left (the client's documented option).
RATE_LIMITING = {"min_requests_remaining": 2, "wait": True}


def point_at(connection: Any, api_url: str) -> None:
    """Send the connection's requests to `api_url` (http://127.0.0.1:PORT) instead of https://host."""
    root = api_url.rstrip("/")

    def full_path(url: str) -> str:
        return root + connection.api_path.format(connection.store_hash, url)

    connection.full_path = full_path


def _counting(connection: Any, counter: list[int]) -> None:
    """Count every HTTP request the client's `requests` session sends."""
    session = connection._session
    send = session.request

    def request(*args: Any, **kwargs: Any) -> Any:
        counter[0] += 1
        return send(*args, **kwargs)

    session.request = request


@dataclass
class PeerResult:
    products: int = 0
    variants: int = 0
    inventory_items: int = 0
    orders: int = 0
    order_lines: int = 0
    requests: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)


def _v3_all(v3: Any, path: str, **params: Any) -> list[dict[str, Any]]:
    """Page a V3 list to the end, as its README's `v3client.get(..., limit=, page=)` example."""
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        body = v3.get(path, page=page, **params)
        out.extend(body.get("data") or [])
        total_pages = int(((body.get("meta") or {}).get("pagination") or {}).get("total_pages", 1))
        if page >= total_pages:
            return out
        page += 1


def peer_read(api_url: str, store_hash: str, token: str) -> PeerResult:
    """Products with variants, inventory, and open orders with their line items."""
    counter = [0]
    api = bigcommerce.api.BigcommerceApi(
        client_id="benchmark",
        store_hash=store_hash,
        access_token=token,
        rate_limiting_management=RATE_LIMITING,
    )
    v3 = OAuthConnection(
        client_id="benchmark",
        store_hash=store_hash,
        access_token=token,
        api_path="/stores/{}/v3/{}",
        rate_limiting_management=RATE_LIMITING,
    )
    for connection in (api.connection, v3):
        point_at(connection, api_url)
        _counting(connection, counter)

    result = PeerResult()
    started = time.perf_counter()
    mark = started

    def lap(stage: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        result.stage_seconds[stage] = round(now - mark, 3)
        mark = now

    products = _v3_all(
        v3, "/catalog/products", include="variants", include_fields=PRODUCT_FIELDS, limit=250
    )
    result.products = len(products)
    result.variants = sum(len(p.get("variants") or []) for p in products)
    lap("products")

    items = _v3_all(v3, "/inventory/items", limit=1000)
    result.inventory_items = len(items)
    lap("inventory")

    orders = []
    for status_id in OPEN_ORDER_STATUSES:
        orders.extend(api.Orders.iterall(status_id=status_id))
    result.orders = len(orders)
    lap("orders")

    for order in orders:
        result.order_lines += len(order.products() or [])
    lap("order lines")

    result.seconds = time.perf_counter() - started
    result.requests = counter[0]
    return result
