"""Receiving at the dock: preview which orders a delivery fills, book it once, reverse it."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.bigcommerce.client import INVENTORY_BATCH
from backorder_desktop.bigcommerce.errors import BigCommerceError
from backorder_desktop.cache import Cache
from backorder_desktop.domain.allocation import AllocationPlan, allocate, remaining_queue
from backorder_desktop.domain.changes import NOTHING, Changes
from backorder_desktop.domain.models import InventoryRecord
from backorder_desktop.domain.receiving import (
    OverReceipt,
    ReceiptError,
    ReceiptLine,
    StockDelta,
    StockLevel,
    apply_deltas,
    apply_receipt,
    check_receipt,
    over_receipts,
    receipt_deltas,
)
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.domain.shipments import SHIPMENT_KEY_PREFIX, Shipment
from backorder_desktop.domain.stock_moves import delta_items
from backorder_desktop.services.dock.allocations import (
    RECEIPT,
    HeldUnits,
    ready_order_ids,
)
from backorder_desktop.services.dock.shared_allocations import publish_allocations
from backorder_desktop.services.dock.shipments import archive_old_shipments, find_shipment
from backorder_desktop.services.notices.notice_records import publish_statuses
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.sync_control.metafield_writes import FieldWrite, queue_field_writes
from backorder_desktop.services.sync_control.outbox_ops import queue
from backorder_desktop.services.sync_control.session import StoreSession

log = logging.getLogger("backorder_desktop.services")


def new_receipt_id() -> str:
    """Made once per receipt (when the dialog opens, or per CLI run): committing it again finds
    it in the ledger and changes nothing."""
    return f"r-{uuid.uuid4().hex[:16]}"


@dataclass(frozen=True, slots=True)
class ReceiptPreview:
    receipt_id: str
    shipment: Shipment
    lines: list[ReceiptLine]
    location_id: int
    plan: AllocationPlan
    ready_orders: list[int]  # orders ready to release once this receipt is booked
    over: list[OverReceipt]
    levels_after: list[StockLevel] = field(default_factory=list)
    already_booked: bool = False

    @property
    def filled_orders(self) -> list[int]:
        return self.plan.order_ids

    @property
    def units_accepted(self) -> int:
        return sum(line.accepted for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "receipt_id": self.receipt_id,
            "shipment_id": self.shipment.id,
            "reference": self.shipment.reference,
            "status": self.shipment.status,
            "lines": [
                {"sku": x.sku, "accepted": x.accepted, "rejected": x.rejected} for x in self.lines
            ],
            "units_to_stock": self.plan.units_to_stock,
        }


def _location(cache: Cache, location_id: int | None) -> int:
    if location_id is not None:
        if location_id not in {loc.id for loc in cache.locations.all()}:
            raise InputError(f"There is no inventory location {location_id}.")
        return location_id
    default = cache.locations.default()
    if default is None:
        raise InputError("The store has no inventory location in the cache: sync first.")
    return default.id


def stock_levels(cache: Cache, variant_ids: Sequence[int]) -> dict[tuple[int, int], StockLevel]:
    return {
        (r.variant_id, r.location_id): StockLevel(
            r.variant_id, r.location_id, r.on_hand, r.qty_backordered
        )
        for r in cache.inventory.for_variants(variant_ids)
    }


def tracked_only(cache: Cache, accepted: dict[int, int]) -> dict[int, int]:
    """Units of variants whose product tracks inventory: BigCommerce refuses a stock write
    for the others (and with it the whole request)."""
    variants = [v for v in (cache.variants.get(vid) for vid in accepted) if v is not None]
    products = {p.id: p for p in cache.products.get_many({v.product_id for v in variants})}
    tracked = {
        v.id
        for v in variants
        if v.product_id in products and products[v.product_id].inventory_tracking != "none"
    }
    return {vid: qty for vid, qty in accepted.items() if vid in tracked}


def _accepted_by_variant(shipment: Shipment, lines: Sequence[ReceiptLine]) -> dict[int, int]:
    variant_of = {line.sku: line.variant_id for line in shipment.lines}
    out: dict[int, int] = defaultdict(int)
    for line in lines:
        vid = variant_of.get(line.sku)
        if vid is None:
            raise ReceiptError(f"SKU {line.sku} has no catalog variant: edit the shipment line.")
        out[vid] += line.accepted
    return dict(out)


def preview_receipt(
    cache: Cache,
    shipment_id: str,
    lines: Sequence[ReceiptLine],
    *,
    receipt_id: str | None = None,
    location_id: int | None = None,
    now: datetime | None = None,
) -> ReceiptPreview:
    """What booking the receipt would do; nothing is written. ReceiptError/InputError on bad input.

    An over-receipt is not an error here: it is listed in `over` (asked about before committing).
    """
    now = now or datetime.now(UTC)
    receipt_id = receipt_id or new_receipt_id()
    with cache.read():
        booked = cache.ledger.entries(RECEIPT, batch_id=receipt_id)
        shipment = find_shipment(cache, shipment_id)
        merged = check_receipt(shipment, lines, allow_over=True)
        over = over_receipts(shipment, merged)
        loc = _location(cache, location_id)
        accepted = _accepted_by_variant(shipment, merged)
        queue = load_queue(cache)
        open_orders = {o.id: o for o in cache.orders.open_orders()}
        native = {
            line.id
            for order in open_orders.values()
            for line in order.lines
            if line.quantity_backordered is not None
        }
        plan = allocate(queue, accepted, native_lines=native)
        extra = [
            HeldUnits(a.order_id, a.line_id, a.variant_id, a.sku, loc, a.native, a.qty)
            for a in plan.allocations
        ]
        ready = ready_order_ids(
            cache, remaining_queue(queue, plan.allocations), open_orders=open_orders, extra=extra
        )
        stocked = tracked_only(cache, accepted)
        levels = stock_levels(cache, sorted(stocked))
        deltas = receipt_deltas(plan, stocked, levels, loc)
    return ReceiptPreview(
        receipt_id=receipt_id,
        shipment=apply_receipt(shipment, merged, receipt_id=receipt_id, at=now, allow_over=True),
        lines=merged,
        location_id=loc,
        plan=plan,
        ready_orders=ready,
        over=over,
        levels_after=apply_deltas(levels, deltas),
        already_booked=bool(booked),
    )


@dataclass(frozen=True, slots=True)
class ReceiptResult:
    receipt_id: str
    booked: bool  # False: this receipt id was booked before; nothing was changed again
    preview: ReceiptPreview | None = None  # what was booked (None when booked before)
    requests_queued: int = 0
    changes: Changes = NOTHING  # the orders, variants and shipment the receipt touched


def _inventory_record(level: StockLevel, known: InventoryRecord | None) -> InventoryRecord:
    limit = known.backorder_limit if known is not None else None
    backordered = level.qty_backordered or 0
    room = max(0, limit - backordered) if limit is not None and limit > 0 else 0
    return InventoryRecord(
        level.variant_id,
        level.location_id,
        level.on_hand,
        level.on_hand + room,
        level.qty_backordered,
        limit,
    )


def queue_stock(
    cache: Cache, deltas: Sequence[StockDelta], *, batch_id: str, kind: str, reason: str
) -> int:
    """Relative adjustments (chunks of 2000 items) and the optimistic stock in the cache.

    Stock is changed by deltas on what the store has when they apply, never by an absolute
    figure from an earlier read: shoppers keep buying meanwhile (docs/RELIABILITY.md).
    """
    rows = 0
    for _location_id, items in delta_items(deltas).items():
        for start in range(0, len(items), INVENTORY_BATCH):
            chunk = items[start : start + INVENTORY_BATCH]
            queue(cache, batch_id, kind, ops.adjust_stock(chunk, reason))
            rows += 1
    levels = stock_levels(cache, sorted({d.variant_id for d in deltas}))
    known = {
        (r.variant_id, r.location_id): r
        for r in cache.inventory.for_variants({d.variant_id for d in deltas})
    }
    cache.inventory.upsert(
        [
            _inventory_record(lv, known.get((lv.variant_id, lv.location_id)))
            for lv in apply_deltas(levels, deltas)
        ]
    )
    return rows


def commit_receipt(
    cache: Cache,
    shipment_id: str,
    lines: Sequence[ReceiptLine],
    *,
    receipt_id: str,
    location_id: int | None = None,
    allow_over: bool = False,
    now: datetime | None = None,
) -> ReceiptResult:
    """Book the receipt: ledger (receipt + allocations), absolute stock per location, and the
    shipment record, all in one cache transaction; the outbox carries them to BigCommerce.

    A receipt id already in the ledger changes nothing (double click, retry after a crash).
    """
    now = now or datetime.now(UTC)
    with cache.transaction():
        if cache.ledger.entries(RECEIPT, batch_id=receipt_id):
            return ReceiptResult(receipt_id, booked=False)
        preview = preview_receipt(
            cache, shipment_id, lines, receipt_id=receipt_id, location_id=location_id, now=now
        )
        shipment = find_shipment(cache, shipment_id)
        merged = check_receipt(shipment, lines, allow_over=allow_over)
        stocked = tracked_only(cache, _accepted_by_variant(shipment, merged))
        levels = stock_levels(cache, sorted(stocked))
        deltas = receipt_deltas(preview.plan, stocked, levels, preview.location_id)
        cache.ledger.append(
            RECEIPT,
            batch_id=receipt_id,
            ref=shipment.id,
            qty=preview.units_accepted,
            payload={
                "shipment_id": shipment.id,
                "reference": shipment.reference,
                "location_id": preview.location_id,
                "lines": [
                    {
                        "sku": x.sku,
                        "accepted": x.accepted,
                        "rejected": x.rejected,
                        "reason": x.reason,
                        "close_short": x.close_short,
                    }
                    for x in merged
                ],
                "deltas": [
                    [d.variant_id, d.location_id, d.on_hand, d.qty_backordered] for d in deltas
                ],
            },
        )
        for a in preview.plan.allocations:
            cache.ledger.append(
                "allocation",
                qty=a.qty,
                order_id=a.order_id,
                line_id=a.line_id,
                variant_id=a.variant_id,
                sku=a.sku,
                batch_id=receipt_id,
                payload={"native": a.native, "location_id": preview.location_id},
            )
        rows = queue_stock(
            cache,
            deltas,
            batch_id=receipt_id,
            kind="receipt",
            reason=f"Backorder Desktop: receipt {receipt_id} of shipment {shipment.reference}",
        )
        booked = apply_receipt(
            shipment, merged, receipt_id=receipt_id, at=now, allow_over=allow_over
        )
        rows += queue_field_writes(
            cache,
            [FieldWrite("store", None, SHIPMENT_KEY_PREFIX + booked.id, booked.to_json())],
            batch_id=receipt_id,
            kind="shipment",
            now=now,
        )
        rows += publish_allocations(
            cache, [a.order_id for a in preview.plan.allocations], batch_id=receipt_id, now=now
        )
        archive_old_shipments(cache, now=now)
        rows += publish_statuses(cache, now=now, batch_id=f"status-{receipt_id}")
    changes = Changes.of(
        orders=[a.order_id for a in preview.plan.allocations],
        # The shipment's every SKU: what is still inbound moved the cascade of each.
        variants={*stocked, *(x.variant_id for x in shipment.lines if x.variant_id)},
        shipments=[shipment.id],
    )
    return ReceiptResult(
        receipt_id, booked=True, preview=preview, requests_queued=rows, changes=changes
    )


def refresh_stock(session: StoreSession, variant_ids: Sequence[int]) -> bool:
    """Re-read the stock of these variants before an absolute write is computed from it.

    Skipped (False) while stock writes wait in the outbox (the cache then holds the newer
    values) or when the store cannot be reached (the cache's values are used).
    """
    cache = session.cache
    waiting = [
        r
        for state in ("pending", "sending", "failed")
        for r in cache.outbox.rows(state)
        if r.resource in (ops.STOCK_R, ops.LOCATION_ITEMS_R)
    ]
    if waiting or not variant_ids:
        return False
    try:
        records = list(session.client.iter_inventory(variant_ids=variant_ids))
    except BigCommerceError as exc:
        log.warning("stock not refreshed before the receipt (%s); using the cache", exc)
        return False
    cache.inventory.upsert(records)
    return True
