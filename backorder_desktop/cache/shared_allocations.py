"""Allocations as every laptop sees them: this laptop's ledger plus the order metafields.

A receipt booked on one laptop allocates units to orders; the other laptops learn of it from
the order metafield `allocations` (one per order: every allocation and give-back, by batch).
This laptop's own ledger speaks for the batches it booked; the metafield for the rest.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .ledger import ALLOCATION, LedgerEntry
from .shipments import newest_per_key

if TYPE_CHECKING:
    from .database import Cache

log = logging.getLogger("backorder_desktop.cache")

ALLOCATIONS_KEY = "allocations"  # order metafield
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode(entries: list[LedgerEntry]) -> str:
    """The shared record of one order: [batch, line, variant, sku, qty, location, native]."""
    rows = []
    for e in entries:
        payload = e.payload if isinstance(e.payload, dict) else {}
        rows.append(
            [
                e.batch_id or "",
                e.line_id,
                e.variant_id,
                e.sku,
                e.qty,
                int(payload.get("location_id") or 0),
                bool(payload.get("native", True)),
            ]
        )
    return json.dumps({"entries": rows}, separators=(",", ":"), ensure_ascii=False)


def decode(order_id: int, text: str) -> list[LedgerEntry]:
    data: Any = json.loads(text)
    out = []
    for row in data.get("entries") or []:
        batch, line, variant, sku, qty, location, native = row
        out.append(
            LedgerEntry(
                id=0,
                kind=ALLOCATION,
                created_at=_EPOCH,
                batch_id=str(batch),
                order_id=order_id,
                line_id=int(line),
                variant_id=int(variant) if variant is not None else None,
                sku=str(sku),
                qty=int(qty),
                payload={"location_id": int(location), "native": bool(native)},
            )
        )
    return out


def shared_entries(cache: Cache, *, order_id: int | None = None) -> list[LedgerEntry]:
    """What the order metafields say (a record another tool broke is skipped and logged)."""
    fields = (
        cache.metafields.for_resource("order", order_id)
        if order_id is not None
        else cache.metafields.by_key("order", ALLOCATIONS_KEY)
    )
    out: list[LedgerEntry] = []
    for (resource_id, key), field in newest_per_key(fields).items():
        if key != ALLOCATIONS_KEY or resource_id is None:
            continue
        try:
            out.extend(decode(resource_id, field.value))
        except (ValueError, TypeError, AttributeError) as exc:
            log.warning("order %s allocations record skipped: %s", resource_id, exc)
    return out


def allocation_entries(cache: Cache, *, order_id: int | None = None) -> list[LedgerEntry]:
    """Every allocation known here: this laptop's ledger, then the other laptops' batches."""
    local = cache.ledger.entries(ALLOCATION, order_id=order_id)
    mine = {(e.batch_id, e.order_id) for e in local}
    others = [
        e for e in shared_entries(cache, order_id=order_id) if (e.batch_id, e.order_id) not in mine
    ]
    return [*local, *others]


def allocated_by_line(cache: Cache) -> dict[int, int]:
    """Net units allocated to each order line, by any laptop."""
    totals: dict[int, int] = defaultdict(int)
    for entry in allocation_entries(cache):
        if entry.line_id is not None:
            totals[entry.line_id] += entry.qty
    return {line: qty for line, qty in totals.items() if qty}


def merge(theirs: str, mine: str) -> str:
    """Both laptops' entries of one order's record (each batch once): allocations only add up,
    so a record another laptop changed meanwhile is merged, never a choice between the two."""
    seen: set[str] = set()
    rows: list[Any] = []
    for text in (theirs, mine):
        for row in json.loads(text).get("entries") or []:
            key = json.dumps(row)
            if key not in seen:
                seen.add(key)
                rows.append(row)
    return json.dumps({"entries": rows}, separators=(",", ":"), ensure_ascii=False)
