"""Receipts booked on any laptop, and reversing one booked here by mistake."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from backorder_desktop.cache import Cache
from backorder_desktop.cache.shipments import load_shipments
from backorder_desktop.domain.receiving import ReceiptLine, StockDelta, reverse_receipt
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.domain.shipments import SHIPMENT_KEY_PREFIX
from backorder_desktop.services.dock.allocations import (
    RECEIPT,
    RECEIPT_REVERSAL,
    active_releases,
    held_units,
)
from backorder_desktop.services.dock.receiving import queue_stock
from backorder_desktop.services.dock.shared_allocations import publish_allocations
from backorder_desktop.services.dock.shipments import find_shipment
from backorder_desktop.services.sync_control.metafield_writes import FieldWrite, queue_field_writes


@dataclass(frozen=True, slots=True)
class ReceiptInfo:
    receipt_id: str
    shipment_id: str
    reference: str
    received_at: datetime
    accepted: int
    rejected: int
    reversed: bool
    orders: list[int]
    here: bool = True  # booked on this laptop (only these can be reversed here)
    blocked_by: tuple[int, ...] = ()  # released orders that took its units: undo them first

    def refusal(self) -> str | None:
        """Why this receipt cannot be reversed now, before anyone is asked to confirm."""
        if self.reversed:
            return f"The receipt on {self.reference} was already reversed."
        if not self.here:
            return (
                f"The receipt on {self.reference} was booked on another laptop: reverse it "
                "there (its stock adjustment is recorded on that laptop)."
            )
        if self.blocked_by:
            shown = ", ".join(f"#{o}" for o in self.blocked_by)
            return (
                f"Orders {shown} were released with units from this receipt: undo those "
                "releases first (Undo a release…), then reverse the receipt."
            )
        return None


def receipts(cache: Cache, shipment_id: str | None = None) -> list[ReceiptInfo]:
    """Receipts booked on every laptop, newest first: this laptop's from its ledger, the
    others' from the shipments shared in store metafields."""
    reversed_ids = {e.batch_id for e in cache.ledger.entries(RECEIPT_REVERSAL)}
    released = active_releases(cache)
    orders: dict[str, set[int]] = defaultdict(set)
    for e in cache.ledger.entries("allocation"):
        if e.batch_id and e.order_id is not None and e.qty > 0:
            orders[e.batch_id].add(e.order_id)
    out = []
    for e in cache.ledger.entries(RECEIPT):
        payload = e.payload if isinstance(e.payload, dict) else {}
        if shipment_id is not None and e.ref != shipment_id:
            continue
        lines = payload.get("lines") or []
        out.append(
            ReceiptInfo(
                receipt_id=str(e.batch_id),
                shipment_id=e.ref,
                reference=str(payload.get("reference", e.ref)),
                received_at=e.created_at,
                accepted=sum(int(x.get("accepted", 0)) for x in lines),
                rejected=sum(int(x.get("rejected", 0)) for x in lines),
                reversed=e.batch_id in reversed_ids,
                orders=sorted(orders.get(str(e.batch_id), set())),
                blocked_by=tuple(sorted(orders.get(str(e.batch_id), set()) & set(released))),
            )
        )
    here = {r.receipt_id for r in out}
    for shipment in load_shipments(cache):
        if shipment_id is not None and shipment.id != shipment_id:
            continue
        for note in shipment.receipts:
            if note.id in here:
                continue
            out.append(
                ReceiptInfo(
                    receipt_id=note.id,
                    shipment_id=shipment.id,
                    reference=shipment.reference,
                    received_at=note.received_at,
                    accepted=note.accepted,
                    rejected=note.rejected,
                    reversed=note.reversed,
                    orders=[],
                    here=False,
                )
            )
    return sorted(out, key=lambda r: r.received_at, reverse=True)


def reverse_receipt_booking(
    cache: Cache, receipt_id: str, *, now: datetime | None = None
) -> ReceiptInfo:
    """Undo a receipt booked by mistake: a compensating relative adjustment, its allocations
    given back to the queue, the shipment's quantities restored. Refused while an order it
    filled stays released (undo that release first)."""
    now = now or datetime.now(UTC)
    with cache.transaction():
        entries = cache.ledger.entries(RECEIPT, batch_id=receipt_id)
        if not entries:
            raise InputError(f"No receipt {receipt_id} on this computer.")
        if cache.ledger.entries(RECEIPT_REVERSAL, batch_id=receipt_id):
            raise InputError(f"Receipt {receipt_id} was already reversed.")
        entry = entries[0]
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        released = active_releases(cache)
        allocations = [
            e for e in cache.ledger.entries("allocation", batch_id=receipt_id) if e.qty > 0
        ]
        blocking = sorted({e.order_id for e in allocations if e.order_id in released})
        if blocking:
            shown = ", ".join(f"#{o}" for o in blocking)
            raise InputError(
                f"Orders {shown} were released with units from this receipt: undo those "
                "releases first."
            )
        held = {(h.line_id, h.location_id): h.qty for h in held_units(cache)}
        for e in allocations:
            if e.line_id is None:
                continue
            loc = int((e.payload or {}).get("location_id") or 0)
            give_back = min(e.qty, held.get((e.line_id, loc), 0))
            if give_back > 0:
                cache.ledger.append(
                    "allocation",
                    qty=-give_back,
                    order_id=e.order_id,
                    line_id=e.line_id,
                    variant_id=e.variant_id,
                    sku=e.sku,
                    batch_id=f"reverse:{receipt_id}",
                    payload=e.payload,
                )
        deltas = [StockDelta(*map(int, d)) for d in payload.get("deltas") or []]
        queue_stock(
            cache,
            [
                StockDelta(d.variant_id, d.location_id, -d.on_hand, -d.qty_backordered)
                for d in deltas
            ],
            batch_id=f"reverse:{receipt_id}",
            kind="receipt_reversal",
            reason=f"Backorder Desktop: receipt {receipt_id} reversed",
        )
        lines = [
            ReceiptLine(
                str(x["sku"]),
                int(x.get("accepted", 0)),
                int(x.get("rejected", 0)),
                str(x.get("reason", "")),
                bool(x.get("close_short", False)),
            )
            for x in payload.get("lines") or []
        ]
        try:
            shipment = find_shipment(cache, entry.ref)
        except InputError:
            shipment = None  # archived or deleted meanwhile: the stock is still put right
        if shipment is not None:
            restored = reverse_receipt(shipment, lines, receipt_id=receipt_id, at=now)
            queue_field_writes(
                cache,
                [FieldWrite("store", None, SHIPMENT_KEY_PREFIX + restored.id, restored.to_json())],
                batch_id=f"reverse:{receipt_id}",
                kind="shipment",
                now=now,
            )
        publish_allocations(
            cache, [e.order_id for e in allocations], batch_id=f"reverse:{receipt_id}", now=now
        )
        cache.ledger.append(RECEIPT_REVERSAL, batch_id=receipt_id, ref=entry.ref)
    return next(r for r in receipts(cache) if r.receipt_id == receipt_id)
