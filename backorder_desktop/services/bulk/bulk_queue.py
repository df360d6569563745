"""Queues a planned bulk edit: outbox rows in batches, the optimistic copy and its history."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.bigcommerce.client import INVENTORY_BATCH, METAFIELD_BATCH, PRODUCT_BATCH
from backorder_desktop.cache import Cache
from backorder_desktop.cache.backorder_queue import ETA_KEY
from backorder_desktop.cache.metafields import placeholder_id
from backorder_desktop.cache.write_bases import record_bases
from backorder_desktop.domain.bulk import (
    ETA,
    LIMIT,
    RELEASE_DATE,
    BatchSizes,
    Change,
    Plan,
)
from backorder_desktop.domain.models import (
    METAFIELD_NAMESPACE,
    UNLIMITED_BACKORDER_LIMIT,
    InventoryRecord,
    Metafield,
)
from backorder_desktop.services.bulk.bulk_snapshot import Snapshot
from backorder_desktop.services.bulk.bulk_state import HISTORY_KIND
from backorder_desktop.services.sync_control.outbox_ops import queue

SIZES = BatchSizes(
    location_items=INVENTORY_BATCH, metafields=METAFIELD_BATCH, products=PRODUCT_BATCH
)
# The ETA is shown on the storefront (issue 4) and edited from other laptops with their own API
# accounts: readable by the storefront and writable by other API accounts.
ETA_PERMISSION = "write_and_sf_access"
KIND_LIMITS = "bulk_limits"
KIND_ETA = "bulk_eta"
KIND_PRODUCTS = "bulk_products"


@dataclass
class Queued:
    batch_id: str
    rows: list[int] = field(default_factory=list)


def _chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def wire_value(name: str, value: Any) -> Any:
    """A product field as the Catalog API takes it."""
    if name == RELEASE_DATE and isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _available(record: InventoryRecord, limit: int | None) -> int:
    # Mirrors BigCommerce: on hand plus what is left of the limit (spec README).
    value = max(0, record.on_hand)
    if limit is not None:
        value += max(0, limit - (record.qty_backordered or 0))
    return min(value, UNLIMITED_BACKORDER_LIMIT)


def _refresh(
    cache: Cache, store: Snapshot, location_id: int, scope: set[int], limits: bool, etas: bool
) -> None:
    """Write what BigCommerce holds now into the cache (the re-read before the edit)."""
    if limits:
        records = {
            r.variant_id: r
            for r in cache.inventory.for_variants(scope)
            if r.location_id == location_id
        }
        fresh = []
        for vid in scope:
            state = store.variants.get(vid)
            record = records.get(vid)
            if state is None or record is None or record.backorder_limit == state.limit:
                continue
            fresh.append(
                replace(
                    record,
                    backorder_limit=state.limit,
                    available_to_sell=_available(record, state.limit),
                )
            )
        cache.inventory.upsert(fresh)
    if etas:
        cached = {
            m.resource_id: m
            for m in cache.metafields.by_key("variant", ETA_KEY)
            if m.resource_id in store.variants and m.id > 0
        }
        upserts, gone = [], []
        for vid, state in store.variants.items():
            known = cached.get(vid)
            if state.eta_field_id is not None and state.eta_field_id > 0 and state.eta is not None:
                value = state.eta.isoformat()
                if known is None or known.id != state.eta_field_id or known.value != value:
                    upserts.append(
                        Metafield(
                            state.eta_field_id, "variant", vid, METAFIELD_NAMESPACE, ETA_KEY, value
                        )
                    )
                if known is not None and known.id != state.eta_field_id:
                    gone.append(known.id)
            elif state.eta_field_id is None and known is not None:
                gone.append(known.id)
        cache.metafields.delete("variant", gone)
        cache.metafields.upsert(upserts)


def queue_plan(
    cache: Cache,
    plan: Plan,
    batch_id: str,
    *,
    summary: str,
    undo_of: str | None = None,
    store: Snapshot | None = None,
    refresh_scope: set[int] | None = None,
    refresh: tuple[bool, bool] = (False, False),
) -> Queued:
    """One transaction: the store's fresh values, the optimistic change, the outbox rows and the
    history entry with every before value (for an exact undo). Bodies hold absolute values."""
    queued = Queued(batch_id)
    with cache.transaction():
        if store is not None and refresh_scope:
            _refresh(cache, store, plan.location_id, refresh_scope, *refresh)
        _queue_limits(cache, plan, queued)
        eta_ids = _queue_etas(cache, plan, queued)
        _queue_products(cache, plan, queued)
        if plan.empty:
            return queued  # nothing to undo later: no history entry
        cache.ledger.append(
            HISTORY_KIND,
            batch_id=batch_id,
            ref=undo_of or "",
            qty=len(plan.changed_variants),
            payload=history_payload(plan, summary, undo_of, eta_ids, len(queued.rows)),
        )
    return queued


def history_payload(
    plan: Plan, summary: str, undo_of: str | None, eta_ids: dict[int, int], rows: int
) -> dict[str, Any]:
    variants: dict[str, dict[str, Any]] = {}
    products: dict[str, dict[str, Any]] = {}
    for c in plan.changes:
        target = variants if c.kind == "variant" else products
        entry = target.setdefault(str(c.id), {"label": c.label})
        entry[c.field] = [_jsonable(c.before), _jsonable(c.after)]
    return {
        "summary": summary,
        "location_id": plan.location_id,
        "native": plan.native,
        "undo_of": undo_of,
        "variants": variants,
        "products": products,
        "eta_ids": {str(k): v for k, v in eta_ids.items()},
        "requests": rows,
    }


def _queue_limits(cache: Cache, plan: Plan, queued: Queued) -> None:
    changes = plan.of("variant", LIMIT)
    if not changes:
        return
    items = [{"identity": {"variant_id": c.id}, "backorder_limit": c.after} for c in changes]
    for chunk in _chunks(items, SIZES.location_items):
        op = ops.set_location_items(int(plan.location_id), chunk)
        queued.rows.append(queue(cache, queued.batch_id, KIND_LIMITS, op))
    records = {
        r.variant_id: r
        for r in cache.inventory.for_variants([c.id for c in changes])
        if r.location_id == plan.location_id
    }
    optimistic = []
    for c in changes:
        record = records.get(c.id) or InventoryRecord(
            c.id, plan.location_id, on_hand=0, available_to_sell=0, qty_backordered=0
        )
        optimistic.append(
            replace(record, backorder_limit=c.after, available_to_sell=_available(record, c.after))
        )
    cache.inventory.upsert(optimistic)


def _eta_item(change: Change) -> dict[str, Any]:
    return {
        "namespace": METAFIELD_NAMESPACE,
        "key": ETA_KEY,
        "value": change.after.isoformat(),
        "permission_set": ETA_PERMISSION,
    }


def _queue_etas(cache: Cache, plan: Plan, queued: Queued) -> dict[int, int]:
    """Deletes, updates and creates of the `eta` variant metafield; returns field id -> variant."""
    deletes: list[tuple[int, Change]] = []
    updates: list[tuple[int, Change]] = []
    creates: list[Change] = []
    for c in plan.of("variant", ETA):
        field_id = plan.variants[c.id].eta_field_id
        if c.after is None:
            if field_id is not None and field_id > 0:
                deletes.append((field_id, c))
        elif field_id is not None and field_id > 0:
            updates.append((field_id, c))
        else:
            creates.append(c)
    # The cache is written once at the end: each metafield upsert reads the whole variant
    # metafield table (its rows are keyed by resource type first), so once per chunk is O(n^2).
    gone: list[int] = []
    copies: list[Metafield] = []
    for chunk in _chunks(deletes, SIZES.metafields):
        ids = [fid for fid, _ in chunk]
        op = ops.metafield_op(ops.DELETE, "variant", ids)
        queued.rows.append(queue(cache, queued.batch_id, KIND_ETA, op))
        gone.extend(ids)
    # What this laptop read of the ETAs it overwrites: the push checks it is still there.
    wanted = {fid for fid, _ in updates}
    read = {m.id: m for m in cache.metafields.by_key("variant", ETA_KEY) if m.id in wanted}
    for chunk in _chunks(updates, SIZES.metafields):
        body = [{"id": fid, **_eta_item(c)} for fid, c in chunk]
        row_id = queue(
            cache, queued.batch_id, KIND_ETA, ops.metafield_op(ops.UPDATE, "variant", body)
        )
        queued.rows.append(row_id)
        record_bases(cache, row_id, [read[fid] for fid, _ in chunk if fid in read])
        copies.extend(
            Metafield(fid, "variant", c.id, METAFIELD_NAMESPACE, ETA_KEY, c.after.isoformat())
            for fid, c in chunk
        )
    if creates:
        # Copies of creates that failed earlier give way to the new ones.
        created = {c.id for c in creates}
        gone.extend(
            m.id for m in cache.metafields.by_key("variant", ETA_KEY) if m.resource_id in created
        )
    for chunk in _chunks(creates, SIZES.metafields):
        body = [{"resource_id": c.id, **_eta_item(c)} for c in chunk]
        row_id = queue(
            cache, queued.batch_id, KIND_ETA, ops.metafield_op(ops.CREATE, "variant", body)
        )
        queued.rows.append(row_id)
        copies.extend(
            Metafield(
                placeholder_id(row_id, i),
                "variant",
                c.id,
                METAFIELD_NAMESPACE,
                ETA_KEY,
                c.after.isoformat(),
            )
            for i, c in enumerate(chunk)
        )
    cache.metafields.delete("variant", gone)
    cache.metafields.upsert(copies)
    return {fid: c.id for fid, c in deletes + updates}


def _queue_products(cache: Cache, plan: Plan, queued: Queued) -> None:
    fields: dict[int, dict[str, Any]] = {}
    for c in plan.changes:
        if c.kind == "product":
            fields.setdefault(c.id, {})[c.field] = c.after
    if not fields:
        return
    items = [
        {"id": pid, **{name: wire_value(name, value) for name, value in values.items()}}
        for pid, values in sorted(fields.items())
    ]
    for chunk in _chunks(items, SIZES.products):
        queued.rows.append(queue(cache, queued.batch_id, KIND_PRODUCTS, ops.update_products(chunk)))
    current = {p.id: p for p in cache.products.get_many(fields)}
    cache.products.upsert(
        [replace(current[pid], **values) for pid, values in fields.items() if pid in current]
    )
