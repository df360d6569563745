"""Pull: fetch the store's state page by page, then write it to the cache in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from ..cache import Cache
from ..cache.accounts import note_owners
from ..cache.backorder_queue import load_queue
from ..domain.models import (
    METAFIELD_NAMESPACE,
    OPEN_ORDER_STATUSES,
    InventoryRecord,
    Location,
    Metafield,
    Order,
    Product,
    Variant,
)
from .progress import Cancelled, Pager, Progress, SyncCancelled

log = logging.getLogger("backorder_desktop.sync")

# Re-read a little before the saved cursor: a record saved in the same second as the newest one
# we saw (V2 dates have whole seconds) or committed late on the store's side is not missed.
OVERLAP = timedelta(seconds=120)
METAFIELD_RESOURCES: tuple[str, ...] = ("variant", "order", "store")

__all__ = ["OVERLAP", "PullClient", "PullResult", "SyncCancelled", "pull"]


class PullClient(Protocol):
    """What pull needs of `bigcommerce.BigCommerceClient`."""

    @property
    def request_count(self) -> int: ...

    def list_locations(self) -> list[Location]: ...

    def iter_products(
        self, *, modified_since: datetime | None = None, ids: Sequence[int] | None = None
    ) -> Iterator[tuple[Product, list[Variant]]]: ...

    def iter_inventory(self) -> Iterator[InventoryRecord]: ...

    def iter_orders(
        self, *, status_ids: Sequence[int], modified_since: datetime | None = None
    ) -> Iterator[Order]: ...

    def iter_metafields(
        self, resource_type: str, *, namespace: str, modified_since: datetime | None = None
    ) -> Iterator[Metafield]: ...


@dataclass(frozen=True, slots=True)
class PullResult:
    """Totals in the cache after the pull, and what this pull changed."""

    products: int
    variants: int
    orders: int  # open orders
    backorder_lines: int
    requests: int  # HTTP requests this pull sent (retries included)
    changed: frozenset[
        str
    ]  # subset of {"locations", "products", "inventory", "orders", "metafields"}
    full: bool = False


@dataclass(slots=True)
class _Fetched:
    """Everything one pull read from the store, held in memory until the write."""

    full: bool
    locations: list[Location] = field(default_factory=list)
    products_full: bool = True
    products: list[Product] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    inventory: list[InventoryRecord] = field(default_factory=list)
    orders_full: bool = True
    orders: list[Order] = field(default_factory=list)
    metafields_full: dict[str, bool] = field(default_factory=dict)
    metafields: dict[str, list[Metafield]] = field(default_factory=dict)
    cursors: dict[str, datetime] = field(default_factory=dict)


def pull(
    client: PullClient,
    cache: Cache,
    *,
    full: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PullResult:
    """Bring the cache up to date with the store.

    A first sync (never synced) or `full=True` lists everything and removes what the store no
    longer has; otherwise products, orders and metafields changed since the saved cursors are
    merged in, and orders that left the open statuses are dropped. Locations and inventory are
    always read whole (the API has no modified filter for them). Nothing is written until every
    page has arrived: an error or a cancel leaves the cache exactly as it was.
    """
    pager = Pager(client, progress, cancelled)
    start = client.request_count
    full = full or cache.sync_state.last_sync() is None
    cursors = {} if full else _saved_cursors(cache)
    fetched = _fetch(client, pager, full, cursors)
    pager.check("write")
    with cache.bulk_transaction():
        changed = _write(cache, fetched)
        for resource, value in fetched.cursors.items():
            cache.sync_state.set_cursor(resource, value)
        cache.sync_state.set_last_sync(datetime.now(UTC))
    with cache.read():
        result = PullResult(
            products=cache.products.count(),
            variants=cache.variants.count(),
            orders=cache.orders.count_open(),
            backorder_lines=len(load_queue(cache)),
            requests=client.request_count - start,
            changed=frozenset(changed),
            full=full,
        )
    log.info(
        "pull (%s): %d requests, changed %s",
        "full" if full else "incremental",
        result.requests,
        sorted(result.changed) or "nothing",
    )
    return result


def _saved_cursors(cache: Cache) -> dict[str, datetime]:
    out = {}
    for resource in ("products", "orders", *(f"metafields:{r}" for r in METAFIELD_RESOURCES)):
        value = cache.sync_state.cursor(resource)
        if value is not None:
            out[resource] = value
    return out


def _since(cursors: dict[str, datetime], resource: str) -> datetime | None:
    value = cursors.get(resource)
    return value - OVERLAP if value is not None else None


def _newest(current: datetime | None, values: Iterator[datetime | None]) -> datetime | None:
    for value in values:
        if value is not None and (current is None or value > current):
            current = value
    return current


def _fetch(client: PullClient, pager: Pager, full: bool, cursors: dict[str, datetime]) -> _Fetched:
    out = _Fetched(full=full)
    # A cursor comes from the store's own dates (the newest record seen), never from this
    # machine's clock, so a laptop with a wrong clock still misses nothing.
    pager.check("locations")
    out.locations = client.list_locations()
    pager.report("locations", len(out.locations), len(out.locations))

    since = _since(cursors, "products")
    out.products_full = since is None
    for product, variants in pager.walk("products", client.iter_products(modified_since=since)):
        out.products.append(product)
        out.variants.extend(variants)
    # The store bumps a product's date_modified when one of its variants changes, so the
    # product listing also brings changed variants.
    newest = _newest(cursors.get("products"), (p.date_modified for p in out.products))
    if newest is not None:
        out.cursors["products"] = newest

    out.inventory = list(pager.walk("inventory", client.iter_inventory()))

    since = _since(cursors, "orders")
    out.orders_full = since is None
    orders = client.iter_orders(status_ids=OPEN_ORDER_STATUSES, modified_since=since)
    latest: dict[int, Order] = {}
    for order in pager.walk("orders", orders):
        # The per-status listings run concurrently: an order whose status changed meanwhile
        # can appear twice; the newer copy wins.
        known = latest.get(order.id)
        if known is None or order.date_modified >= known.date_modified:
            latest[order.id] = order
    out.orders = list(latest.values())
    newest = _newest(cursors.get("orders"), (o.date_modified for o in out.orders))
    if newest is not None:
        out.cursors["orders"] = newest

    for resource_type in METAFIELD_RESOURCES:
        key = f"metafields:{resource_type}"
        since = _since(cursors, key)
        out.metafields_full[resource_type] = since is None
        listing = client.iter_metafields(
            resource_type, namespace=METAFIELD_NAMESPACE, modified_since=since
        )
        seen = sum(len(v) for v in out.metafields.values())
        fields = [
            m
            for m in pager.walk("metafields", listing, done=seen)
            if m.namespace == METAFIELD_NAMESPACE
        ]
        out.metafields[resource_type] = fields
        newest = _newest(cursors.get(key), (m.date_modified for m in fields))
        if newest is not None:
            out.cursors[key] = newest
    return out


def _write(cache: Cache, f: _Fetched) -> set[str]:
    """Apply what was fetched; returns the names of what changed. Runs inside one transaction."""
    changed: set[str] = set()
    if cache.locations.replace_all(f.locations):
        changed.add("locations")

    if f.products_full:
        # Parents first: products that vanished take their variants with them.
        touched = cache.products.replace_all(f.products)
        touched = cache.variants.replace_all(f.variants) or touched
    else:
        touched = cache.products.upsert(f.products)
        ids = [p.id for p in f.products]
        touched = cache.variants.replace_for_products(ids, f.variants) or touched
    if touched:
        changed.add("products")

    if cache.inventory.replace_all(f.inventory):
        changed.add("inventory")

    open_orders = [o for o in f.orders if o.is_open]
    if f.orders_full:
        touched = cache.orders.replace_all(open_orders)
    else:
        closed = [o.id for o in f.orders if not o.is_open]
        touched = cache.orders.upsert(open_orders)
        touched = cache.orders.delete(closed) or touched
    if touched:
        changed.add("orders")

    for resource_type, fields in f.metafields.items():
        note_owners(cache, fields)  # another API account's records are worth a warning
        if f.metafields_full[resource_type]:
            touched = cache.metafields.replace_all(resource_type, fields)
        else:
            touched = cache.metafields.upsert(fields)
        if touched:
            changed.add("metafields")
    return changed
