"""Allocations and releases as recorded (ledger and order metafields), and the ready orders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from backorder_desktop.cache import Cache
from backorder_desktop.cache.shared_allocations import allocation_entries
from backorder_desktop.cache.shared_choices import partial_orders
from backorder_desktop.cache.shipments import load_releases
from backorder_desktop.domain.allocation import ready_orders
from backorder_desktop.domain.models import BackorderLine, Order
from backorder_desktop.domain.releases import ReleaseLine, ReleaseRecord

RELEASE = "release"
RELEASE_UNDO = "release_undo"
RECEIPT = "receipt"
RECEIPT_REVERSAL = "receipt_reversal"
PARTIAL_NAMESPACE = "partial_shipment"  # app_state, key str(order id), "1" = allowed (issue 5)


@dataclass(frozen=True, slots=True)
class HeldUnits:
    """Net units allocated to one order line, at the location they were received at."""

    order_id: int
    line_id: int
    variant_id: int
    sku: str
    location_id: int
    native: bool
    qty: int


def held_units(cache: Cache, *, order_id: int | None = None) -> list[HeldUnits]:
    """Units allocated and not given back (allocations net of reversals and undos)."""
    totals: dict[tuple[int, int, int, str, int, bool], int] = defaultdict(int)
    for entry in allocation_entries(cache, order_id=order_id):  # every laptop's
        if entry.order_id is None or entry.line_id is None:
            continue
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        key = (
            entry.order_id,
            entry.line_id,
            entry.variant_id or 0,
            entry.sku,
            int(payload.get("location_id") or 0),
            bool(payload.get("native", True)),
        )
        totals[key] += entry.qty
    return [HeldUnits(*key, qty) for key, qty in sorted(totals.items()) if qty > 0]


def release_lines(held: Sequence[HeldUnits]) -> dict[int, list[ReleaseLine]]:
    per_line: dict[tuple[int, int, str], int] = defaultdict(int)
    for h in held:
        per_line[(h.order_id, h.line_id, h.sku)] += h.qty
    out: dict[int, list[ReleaseLine]] = defaultdict(list)
    for (order_id, line_id, sku), qty in sorted(per_line.items()):
        out[order_id].append(ReleaseLine(line_id, sku, qty))
    return dict(out)


def active_releases(cache: Cache) -> dict[int, ReleaseRecord]:
    """Orders released and not undone. This laptop's ledger speaks first (it is written with
    the optimistic change); for orders it never touched, the shared order metafield."""
    records = load_releases(cache)
    latest: dict[int, str] = {}
    for entry in cache.ledger.entries():
        if entry.kind in (RELEASE, RELEASE_UNDO) and entry.order_id is not None:
            latest[entry.order_id] = entry.kind
    out = {}
    for order_id, record in records.items():
        if latest.get(order_id, RELEASE) == RELEASE and not record.undone:
            out[order_id] = record
    for entry in cache.ledger.entries(RELEASE):
        if entry.order_id is not None and latest.get(entry.order_id) == RELEASE:
            if entry.order_id not in out and isinstance(entry.payload, dict):
                try:
                    out[entry.order_id] = ReleaseRecord.from_json(str(entry.payload["record"]))
                except (KeyError, ValueError):
                    continue
    return out


def partial_allowed(cache: Cache) -> set[int]:
    return partial_orders(cache)  # shared by every laptop (order metafield `queue`)


def ready_order_ids(
    cache: Cache,
    queue: Sequence[BackorderLine],
    *,
    open_orders: dict[int, Order],
    extra: Sequence[HeldUnits] = (),
) -> list[int]:
    """Open orders holding allocated units not yet released whose waiting lines are all
    covered (or one is, with partial shipment allowed). `extra`: allocations of a receipt not
    yet booked.

    An order released in part is offered again once units beyond what its release shipped are
    held for it (the rest of a partial shipment arrived): those lines are not "already released".
    """
    released = active_releases(cache)
    held: dict[tuple[int, int], int] = defaultdict(int)
    for h in [*held_units(cache), *extra]:
        if h.order_id in open_orders:
            held[(h.order_id, h.line_id)] += h.qty
    shipped: dict[tuple[int, int], int] = defaultdict(int)
    for order_id, record in released.items():
        if not record.lines:  # a record naming no lines (older app): it released everything
            shipped[(order_id, -1)] = -1
        for line in record.lines:
            shipped[(order_id, line.line_id)] += line.qty
    lines: dict[int, set[int]] = defaultdict(set)
    for (order_id, line_id), qty in held.items():
        if order_id not in released:
            lines[order_id].add(line_id)
        elif (order_id, -1) not in shipped and qty > shipped.get((order_id, line_id), 0):
            lines[order_id].add(line_id)
    return ready_orders(lines, queue, partial_allowed=partial_allowed(cache))
