"""Pull: fetch the store's state (all listings at once), then write it to the cache in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..cache import Cache
from ..cache.accounts import note_owners
from ..cache.codec import dt_from_db
from ..cache.queued_fields import keep_queued
from ..cache.staging import Staging
from ..cache.stock_writes import overlay_queued
from ..domain.changes import NOTHING, Changes
from ..domain.slices import free_in_slices
from .changes import Touched, pulled_changes
from .collector import collector_paused
from .fetch import METAFIELD_RESOURCES, OVERLAP, Fetched, PullClient, fetch
from .progress import Cancelled, Pager, Progress, SyncCancelled
from .seen_orders import closed_seen, held_since, save_closed_seen
from .stock_reads import SWEEP_CURSOR

log = logging.getLogger("backorder_desktop.sync")

__all__ = ["OVERLAP", "PullClient", "PullResult", "SyncCancelled", "pull"]


@dataclass(frozen=True, slots=True)
class PullResult:
    """Totals in the cache after the pull, and what this pull changed."""

    products: int
    variants: int
    orders: int  # open orders
    requests: int  # HTTP requests this pull sent (retries included)
    changed: frozenset[
        str
    ]  # subset of {"locations", "products", "inventory", "orders", "metafields"}
    full: bool = False
    backorder_lines: int = 0  # set by services (sync_store): sync/ does not build the queue
    # The keys this pull wrote (the window re-reads those rows); everything after a full one.
    changes: Changes = field(default_factory=Changes.all)


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
    merged in, and orders that left the open statuses are dropped. Locations are always read
    whole; inventory (the API has no modified filter for it) only for the variants those
    orders and products name, and whole at most hourly (`fetch.SWEEP_EVERY`), which catches
    stock changed without an order. The backorder queue is not counted here: that is a view
    (`services.sync_control.status.waiting_line_count`), and a window rebuilds it anyway.

    A first sync stages its bulk rows while the fetch goes on (`_CacheSink`); everything is
    written in one transaction on a second connection (`Cache.writer`) once every page has
    arrived, so the window's reads see the cache as it was until the pull commits, and an
    error or a cancel leaves the cache exactly as it was.
    """
    pager = Pager(client, progress, cancelled)
    start = client.request_count
    full = full or cache.sync_state.last_sync() is None
    cursors = {} if full else _saved_cursors(cache)
    with collector_paused(), cache.writer() as writer:
        # Staging needs the writer's own connection (an in-memory cache has no second one).
        sink = _CacheSink(writer, stream=full and writer is not cache)
        fetched = fetch(client, pager, full, cursors, sink)
        pager.check("write")
        with writer.bulk_transaction():
            changed = sink.apply(fetched)
            changes = pulled_changes(fetched, sink.touched) if changed else NOTHING
            for resource, value in fetched.cursors.items():
                writer.sync_state.set_cursor(resource, value)
            orders_cursor = None if full else fetched.cursors.get("orders")
            keep_since = orders_cursor - OVERLAP if orders_cursor is not None else None
            save_closed_seen(writer, sink.closed, fetched.orders, keep_since)
            writer.sync_state.set_last_sync(datetime.now(UTC))
        # The records are in the cache now: let go of them without holding up the window.
        free_in_slices(
            fetched.products,
            fetched.variants,
            fetched.inventory,
            fetched.orders,
            *fetched.metafields.values(),
        )
        del fetched, sink
    with cache.read():
        result = PullResult(
            products=cache.products.count(),
            variants=cache.variants.count(),
            orders=cache.orders.count_open(),
            requests=client.request_count - start,
            changed=frozenset(changed),
            full=full,
            changes=changes,
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
    resources = (
        "products",
        "orders",
        SWEEP_CURSOR,
        *(f"metafields:{r}" for r in METAFIELD_RESOURCES),
    )
    for resource in resources:
        value = cache.sync_state.cursor(resource)
        if value is not None:
            out[resource] = value
    return out


class _CacheSink:
    """Gathers a pull's rows while it fetches; `apply` writes them in one short transaction.

    A full listing into an empty table (a first sync, or after a rebuild) has nothing to
    compare with or delete, so its rows are converted and staged batch by batch as they arrive
    (`cache.staging`, on the listing's thread, while the rest is still on the network) and
    moved in with one statement per table at the end. Everything else is written at the end
    through the repositories, so that `replace_all` can remove what the store no longer has.
    The real tables are only touched in the final transaction: SQLite's write lock is held
    for that, not for the whole fetch (which the rate limit can stretch to minutes).
    """

    def __init__(self, cache: Cache, *, stream: bool) -> None:
        self.cache = cache
        self.streamed: set[str] = set()
        # What the write changed, by key (sync/changes.py): variants whose stock rows moved, and
        # per metafield resource the owners (the key, for store metafields) of records that
        # differ; "products", "metafields:order", ... for the parts that changed at all.
        self.touched = Touched()
        self.closed: dict[int, datetime] = {}  # closed orders seen in the overlap (seen_orders)
        if stream:
            with cache.read():
                if not cache.count("products") and not cache.count("variants"):
                    self.streamed.add("products")
                if not cache.count("inventory"):
                    self.streamed.add("inventory")
        tables = [t for t in ("products", "variants", "inventory") if self._streams_table(t)]
        self.staging = Staging(cache, tables) if tables else None

    def _streams_table(self, table: str) -> bool:
        return ("inventory" if table == "inventory" else "products") in self.streamed

    def streams(self, part: str) -> bool:
        return part in self.streamed

    def add(self, part: str, page: Any) -> None:
        assert self.staging is not None
        if part == "products":
            # Parents first; a later copy of a record wins, as in replace_all. Variants and stock
            # go in as the fields the page read, in their tables' column order: 110,000 records
            # a first sync would build only to take apart again.
            self.staging.add("products", page.products)
            self.staging.add_rows("variants", page.variant_fields())
        else:
            self.staging.add_rows("inventory", page.fields)

    def known(self, table: str, ids: list[int]) -> dict[int, datetime]:
        if table not in ("orders", "products"):
            raise ValueError(table)
        stored = self.cache.modified_in(table, ids)
        return {k: v for k, v in ((k, dt_from_db(t)) for k, t in stored.items()) if v is not None}

    def held_orders(self, since: datetime) -> dict[int, datetime]:
        self.closed = closed_seen(self.cache)
        return held_since(self.cache, since, self.closed)

    def stock_siblings(self, variant_ids: set[int]) -> set[int]:
        return self.cache.variants.stock_siblings(variant_ids)

    def stale_stock(self) -> frozenset[int]:
        return self.cache.sync_state.stale_stock()

    def apply(self, f: Fetched) -> set[str]:
        """Write everything fetched (inside the pull's transaction); the names of what changed."""
        staged = self.staging.apply() if self.staging is not None else set()
        changed: set[str] = set()
        parts = ["locations", "products", "inventory", "orders"]
        for part in [*parts, *(f"metafields:{r}" for r in f.metafields)]:
            if part not in self.streamed:
                found = _write(self.cache, f, part, self.touched)
                changed |= found
                if found:
                    self.touched.parts.add(part)
            elif staged & ({"inventory"} if part == "inventory" else {"products", "variants"}):
                changed.add(part)
        return changed


def _write(cache: Cache, f: Fetched, part: str, touched_keys: Touched) -> set[str]:
    """Apply one complete part of what was fetched; returns the names of what changed.

    Runs inside the pull's one transaction. Parts are independent (inventory has no foreign
    key to variants, see cache/schema.py), so they are written in the order they complete.
    """
    if part == "locations":
        return {"locations"} if cache.locations.replace_all(f.locations) else set()
    if part == "products":
        if f.products_full:
            # Parents first: products that vanished take their variants with them.
            touched = cache.products.replace_all(f.products)
            touched = cache.variants.replace_all(f.variants) or touched
        else:
            touched = cache.products.upsert(f.products)
            ids = [p.id for p in f.products]
            touched = cache.variants.replace_for_products(ids, f.variants) or touched
        return {"products"} if touched else set()
    if part == "inventory":
        # Queued stock changes stay on top of what the store reported until they are sent.
        records = overlay_queued(cache, f.inventory)
        if f.inventory_full:
            touched = cache.inventory.replace_all(records, touched=touched_keys.stock)
        else:  # an incremental pull read only these variants' stock (stock_reads.py)
            touched = cache.inventory.replace_for_variants(
                f.inventory_variants, records, touched=touched_keys.stock
            )
        cache.sync_state.clear_stale_stock(None if f.inventory_full else f.inventory_variants)
        return {"inventory"} if touched else set()
    if part == "orders":
        open_orders = [o for o in f.orders if o.is_open]
        if f.orders_full:
            touched = cache.orders.replace_all(open_orders)
        else:
            closed = [o.id for o in f.orders if not o.is_open]
            touched = cache.orders.upsert(open_orders)
            touched = cache.orders.delete(closed) or touched
        return {"orders"} if touched else set()
    resource_type = part.removeprefix("metafields:")
    fields = f.metafields[resource_type]
    note_owners(cache, fields)  # another API account's records are worth a warning
    fields = keep_queued(cache, resource_type, fields)  # queued updates stay this laptop's
    if f.metafields_full[resource_type]:
        touched_keys.note_whole(cache, resource_type, fields)
        touched = cache.metafields.replace_all(resource_type, fields)
    else:
        touched_keys.note_merged(cache, resource_type, fields)
        touched = cache.metafields.upsert(fields)
    return {"metafields"} if touched else set()
