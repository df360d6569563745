"""Pull: fetch the store's state (all listings at once), then write it to the cache in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from ..cache import Cache
from ..cache.accounts import note_owners
from ..cache.backorder_queue import load_queue
from .collector import collector_paused
from .fetch import METAFIELD_RESOURCES, OVERLAP, Fetched, PullClient, fetch
from .progress import Cancelled, Pager, Progress, SyncCancelled

log = logging.getLogger("backorder_desktop.sync")

__all__ = ["OVERLAP", "PullClient", "PullResult", "SyncCancelled", "pull"]


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
    with collector_paused():
        fetched = fetch(client, pager, full, cursors)
        pager.check("write")
        with cache.bulk_transaction():
            changed = _write(cache, fetched)
            for resource, value in fetched.cursors.items():
                cache.sync_state.set_cursor(resource, value)
            cache.sync_state.set_last_sync(datetime.now(UTC))
        del fetched  # the records are in the cache now; let the collector see them go
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


def _write(cache: Cache, f: Fetched) -> set[str]:
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
