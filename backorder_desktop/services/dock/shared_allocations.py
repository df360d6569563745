"""Publish this laptop's allocations to the order metafields so other laptops can release."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from backorder_desktop.cache import Cache
from backorder_desktop.cache.shared_allocations import ALLOCATIONS_KEY, allocation_entries, encode
from backorder_desktop.services.sync_control.metafield_writes import FieldWrite, queue_field_writes


def publish_allocations(
    cache: Cache, order_ids: Iterable[int | None], *, batch_id: str, now: datetime | None = None
) -> int:
    """Queue the whole allocation record of each order (absolute: a retry is harmless), in the
    caller's transaction, right after the ledger entries. Returns outbox rows queued."""
    writes = []
    for order_id in sorted({o for o in order_ids if o is not None}):
        entries = [e for e in allocation_entries(cache, order_id=order_id) if e.qty]
        if entries:
            writes.append(FieldWrite("order", order_id, ALLOCATIONS_KEY, encode(entries)))
    if not writes:
        return 0
    return queue_field_writes(cache, writes, batch_id=batch_id, kind="allocations", now=now)
