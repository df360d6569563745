"""Named reads for callers outside bigcommerce/: they ask for a resource, this module knows its path.

Each takes the client, or a wrapper with the same `request` / `iter_v3` (the store check keeps
every answer's headers), and sends its request through it, so a wrapper sees each one. The
sync's own listings live on the client (client.py); writes are typed operations (operations.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

import httpx

from . import scopes
from .client import ID_FILTER_CHUNK
from .operations import Operation, collection_path, order_path
from .paging import iter_v3
from .paths import METAFIELD_PATHS, PRODUCTS

JSON = dict[str, Any]
INVENTORY_ITEMS = "/v3/inventory/items"
LOCATIONS = "/v3/inventory/locations"
INVENTORY_SETTINGS = "/v3/settings/inventory"
ORDERS = "/v2/orders"
ORDER_STATUSES = "/v2/order_statuses"

# One cheap read per OAuth scope the app needs (README lists them), each needing exactly that
# scope (scopes.py): a 403 means the API account lacks it. Write access cannot be probed
# without writing, so the README asks for "modify" (Store Locations: read-only).
SCOPE_PROBES: tuple[tuple[str, str, str], ...] = (
    (scopes.PRODUCTS, "GET", PRODUCTS),
    (scopes.STORE_INVENTORY, "GET", INVENTORY_ITEMS),
    (scopes.STORE_LOCATIONS, "GET", LOCATIONS),
    (scopes.ORDERS, "GET", ORDER_STATUSES),
    (scopes.INFORMATION_SETTINGS, "GET", INVENTORY_SETTINGS),
)
PROBED_SCOPES: tuple[str, ...] = tuple(scope for scope, _, _ in SCOPE_PROBES)
_PROBE = {scope: (method, path) for scope, method, path in SCOPE_PROBES}


class Requester(Protocol):
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> httpx.Response: ...


class Lister(Protocol):
    def iter_v3(
        self, path: str, params: dict[str, Any] | None = None, *, limit: int = 250
    ) -> Iterable[JSON]: ...


def probe_scope(client: Requester, scope: str) -> httpx.Response:
    """One record of a listing that needs exactly `scope` (ScopeError when the account lacks it)."""
    method, path = _PROBE[scope]
    return client.request(method, path, params={"limit": 1} if path.startswith("/v3/") else None)


def inventory_settings(client: Requester) -> httpx.Response:
    """The store's inventory settings (native backorder switches)."""
    return client.request("GET", INVENTORY_SETTINGS)


def inventory_items(
    client: Lister, params: dict[str, Any] | None = None, *, limit: int = 250
) -> Iterable[JSON]:
    """Inventory items (per variant, with their locations), filtered by `params`."""
    return client.iter_v3(INVENTORY_ITEMS, params, limit=limit)


def inventory_items_of(
    client: Lister, variant_ids: Sequence[int], *, location_id: int
) -> Iterator[JSON]:
    """The inventory items of these variants at one location, 250 variants a request."""
    for start in range(0, len(variant_ids), ID_FILTER_CHUNK):
        chunk = list(variant_ids[start : start + ID_FILTER_CHUNK])
        params = {"variant_id:in": ",".join(map(str, chunk)), "location_id:in": location_id}
        yield from client.iter_v3(INVENTORY_ITEMS, params, limit=len(chunk))


def inventory_items_now(client: Requester, variant_ids: Iterable[int]) -> httpx.Response:
    """One page of these variants' items, as the answer (its Date header is the store's clock)."""
    ids = ",".join(map(str, variant_ids))
    return client.request("GET", INVENTORY_ITEMS, params={"variant_id:in": ids})


def locations(client: Lister, params: dict[str, Any] | None = None) -> Iterable[JSON]:
    """The store's inventory locations (`{"is_default": "true"}`: the default one)."""
    return client.iter_v3(LOCATIONS, params)


def products(client: Lister, params: dict[str, Any] | None = None) -> Iterable[JSON]:
    """Catalog products as raw records (`include_fields` keeps them small)."""
    return client.iter_v3(PRODUCTS, params)


def metafields(client: Lister, resource_type: str, params: dict[str, Any]) -> Iterable[JSON]:
    """Metafields of one resource type ("order", "variant", "store") through the batch listing."""
    return client.iter_v3(METAFIELD_PATHS[resource_type], params)


def metafields_page(
    client: Requester, resource_type: str, params: dict[str, Any]
) -> httpx.Response:
    """One page of the batch metafield listing of a resource type, as the answer."""
    return client.request("GET", METAFIELD_PATHS[resource_type], params=params)


def records_of(
    client: Requester, op: Operation, params: dict[str, Any], *, limit: int
) -> Iterator[JSON]:
    """The records of the collection an operation writes to, one page at a time (a check or a
    resend reads a page or two, never in parallel)."""
    return iter_v3(client.request, collection_path(op), params, limit=limit, max_concurrency=1)


def records_page(client: Requester, op: Operation, params: dict[str, Any]) -> httpx.Response:
    """One page of the collection an operation writes to, as the answer."""
    return client.request("GET", collection_path(op), params=params)


def orders_page(client: Requester, params: dict[str, Any]) -> httpx.Response:
    """One page of the V2 order listing (`limit`, `page`, filters); an empty page is HTTP 204."""
    return client.request("GET", ORDERS, params=params)


def order(client: Requester, order_id: int) -> httpx.Response:
    """One V2 order, as the answer."""
    return client.request("GET", order_path(order_id))
