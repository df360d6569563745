"""Receiving a delivery: checking it against the shipment, booking it, and the stock it moves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from .allocation import AllocationPlan
from .models import StockDelta
from .shipments import (
    CLOSED,
    IN_TRANSIT,
    PARTIALLY_RECEIVED,
    RECEIVED,
    ReceiptNote,
    Shipment,
    ShipmentLine,
)

# (variant id, location id)
StockKey = tuple[int, int]


class ReceiptError(ValueError):
    """A receipt that cannot be booked as given; the message says why, in the merchant's words."""

    def __init__(self, message: str, *, over_receipt: bool = False) -> None:
        super().__init__(message)
        self.over_receipt = over_receipt


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    sku: str
    accepted: int
    rejected: int = 0
    reason: str = ""  # why units were rejected (damaged, wrong item, ...)
    close_short: bool = False  # the rest of this line will not come


@dataclass(frozen=True, slots=True)
class OverReceipt:
    sku: str
    outstanding: int
    arriving: int


def merge_lines(lines: Iterable[ReceiptLine]) -> list[ReceiptLine]:
    """One line per SKU (a scanner and typed quantities may name a SKU several times)."""
    merged: dict[str, ReceiptLine] = {}
    for line in lines:
        sku = line.sku.strip()
        known = merged.get(sku)
        if known is None:
            merged[sku] = replace(line, sku=sku)
            continue
        reasons = [r for r in (known.reason, line.reason) if r]
        merged[sku] = ReceiptLine(
            sku,
            known.accepted + line.accepted,
            known.rejected + line.rejected,
            "; ".join(dict.fromkeys(reasons)),
            known.close_short or line.close_short,
        )
    return list(merged.values())


def _by_sku(shipment: Shipment) -> dict[str, ShipmentLine]:
    return {line.sku: line for line in shipment.lines}


def over_receipts(shipment: Shipment, lines: Sequence[ReceiptLine]) -> list[OverReceipt]:
    """Lines bringing more than the shipment still expects (need the user's confirmation)."""
    expected = _by_sku(shipment)
    out = []
    for line in merge_lines(lines):
        on_shipment = expected.get(line.sku)
        if on_shipment is None:
            continue
        arriving = line.accepted + line.rejected
        if arriving > on_shipment.qty_outstanding:
            out.append(OverReceipt(line.sku, on_shipment.qty_outstanding, arriving))
    return out


def check_receipt(
    shipment: Shipment, lines: Sequence[ReceiptLine], *, allow_over: bool = False
) -> list[ReceiptLine]:
    """The receipt's lines, merged per SKU; ReceiptError when it cannot be booked as given."""
    label = shipment.reference or shipment.id
    if shipment.status == CLOSED:
        raise ReceiptError(f"Shipment {label} is closed: nothing can be received against it.")
    merged = merge_lines(lines)
    expected = _by_sku(shipment)
    for line in merged:
        if line.sku not in expected:
            raise ReceiptError(f"SKU {line.sku} is not on shipment {label}.")
        if line.accepted < 0 or line.rejected < 0:
            raise ReceiptError(
                f"SKU {line.sku}: quantities cannot be negative "
                f"(accepted {line.accepted}, rejected {line.rejected})."
            )
    if not any(line.accepted or line.rejected or line.close_short for line in merged):
        raise ReceiptError("Nothing to receive: every quantity is 0.")
    over = over_receipts(shipment, merged)
    if over and not allow_over:
        detail = ", ".join(
            f"{o.sku} ({o.arriving} arriving, {o.outstanding} expected)" for o in over
        )
        raise ReceiptError(
            f"More than expected: {detail}. Confirm the over-receipt to book it.",
            over_receipt=True,
        )
    return merged


def _status_of(lines: Sequence[ShipmentLine], fallback: str) -> str:
    if lines and all(line.qty_outstanding == 0 for line in lines):
        return RECEIVED
    if any(line.qty_received or line.qty_rejected for line in lines):
        return PARTIALLY_RECEIVED
    return fallback


def apply_receipt(
    shipment: Shipment,
    lines: Sequence[ReceiptLine],
    *,
    receipt_id: str,
    at: datetime,
    allow_over: bool = False,
) -> Shipment:
    """The shipment with the receipt booked: quantities, lines closed short, status, receipt note."""
    merged = {line.sku: line for line in check_receipt(shipment, lines, allow_over=allow_over)}
    new_lines = []
    for line in shipment.lines:
        got = merged.get(line.sku)
        if got is None:
            new_lines.append(line)
            continue
        new_lines.append(
            replace(
                line,
                qty_received=line.qty_received + got.accepted,
                qty_rejected=line.qty_rejected + got.rejected,
                closed_short=line.closed_short or got.close_short,
            )
        )
    note = ReceiptNote(
        receipt_id,
        at,
        sum(g.accepted for g in merged.values()),
        sum(g.rejected for g in merged.values()),
    )
    return replace(
        shipment,
        lines=tuple(new_lines),
        status=_status_of(new_lines, shipment.status),
        updated_at=at,
        receipts=(*shipment.receipts, note),
    )


def reverse_receipt(
    shipment: Shipment, lines: Sequence[ReceiptLine], *, receipt_id: str, at: datetime
) -> Shipment:
    """The shipment as if the receipt had not been booked (its note stays, marked reversed)."""
    merged = {line.sku: line for line in merge_lines(lines)}
    new_lines = []
    for line in shipment.lines:
        got = merged.get(line.sku)
        if got is None:
            new_lines.append(line)
            continue
        new_lines.append(
            replace(
                line,
                qty_received=max(0, line.qty_received - got.accepted),
                qty_rejected=max(0, line.qty_rejected - got.rejected),
                closed_short=line.closed_short and not got.close_short,
            )
        )
    receipts = tuple(
        replace(r, reversed=True) if r.id == receipt_id else r for r in shipment.receipts
    )
    status = shipment.status if shipment.status == CLOSED else _status_of(new_lines, IN_TRANSIT)
    return replace(
        shipment, lines=tuple(new_lines), status=status, updated_at=at, receipts=receipts
    )


# --- stock --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Absolute stock of a variant at a location, as the Inventory API takes it."""

    variant_id: int
    location_id: int
    on_hand: int
    qty_backordered: int | None  # None: the store has no native backorders


def receipt_deltas(
    plan: AllocationPlan,
    accepted_by_variant: Mapping[int, int],
    levels: Mapping[StockKey, StockLevel],
    location_id: int,
) -> list[StockDelta]:
    """What a receipt does to stock (spec README: native backorders).

    At the receiving location on hand grows by the accepted units less those allocated to
    waiting orders (they are owed, not sellable); `qty_backordered` falls by the units allocated
    to lines BigCommerce counts as backordered: at the receiving location first, then at the
    others that owe some; what no location is known to owe is cleared at the receiving location
    (the push turns what the store does not owe into on hand).
    """
    allocated = plan.allocated_by_variant
    native = plan.native_by_variant
    owed_at: dict[int, list[StockLevel]] = defaultdict(list)
    for level in levels.values():
        if level.qty_backordered:
            owed_at[level.variant_id].append(level)
    deltas: dict[StockKey, list[int]] = {}
    for vid in sorted(set(accepted_by_variant) | set(allocated)):
        accepted = accepted_by_variant.get(vid, 0)
        on_hand_delta = accepted - allocated.get(vid, 0)
        deltas[(vid, location_id)] = [on_hand_delta, 0]
        to_clear = native.get(vid, 0)
        places = sorted(
            owed_at.get(vid, []), key=lambda lv: (lv.location_id != location_id, lv.location_id)
        )
        for level in places:
            if to_clear <= 0:
                break
            take = min(to_clear, level.qty_backordered or 0)
            to_clear -= take
            deltas.setdefault((vid, level.location_id), [0, 0])[1] -= take
        receiving = levels.get((vid, location_id))
        if to_clear > 0 and (receiving is None or receiving.qty_backordered is not None):
            # More allocated to native lines than this laptop's (maybe stale) figures owe: the
            # rest is cleared at the receiving location too, and the push moves what the store
            # no longer owes to on hand (domain.stock_moves.clamp_owed), with fresh figures.
            deltas[(vid, location_id)][1] -= to_clear
    return [
        StockDelta(vid, loc, d[0], d[1])
        for (vid, loc), d in sorted(deltas.items())
        if d[0] or d[1] or accepted_by_variant.get(vid)
    ]


def apply_deltas(
    levels: Mapping[StockKey, StockLevel], deltas: Iterable[StockDelta], *, sign: int = 1
) -> list[StockLevel]:
    """New absolute levels: current plus (sign=1) or minus (sign=-1, a reversal) the deltas."""
    out: dict[StockKey, StockLevel] = {}
    for d in deltas:
        key = (d.variant_id, d.location_id)
        level = out.get(key) or levels.get(key) or StockLevel(d.variant_id, d.location_id, 0, None)
        backordered = level.qty_backordered
        if backordered is not None or d.qty_backordered:
            backordered = max(0, (backordered or 0) + sign * d.qty_backordered)
        out[key] = StockLevel(
            d.variant_id,
            d.location_id,
            max(0, level.on_hand + sign * d.on_hand),
            backordered if level.qty_backordered is not None else None,
        )
    return [out[k] for k in sorted(out)]


def adjustment_items(levels: Iterable[StockLevel]) -> dict[int, list[dict[str, int]]]:
    """Absolute adjustment items (inventory.v3.yml, /adjustments/absolute), per location id."""
    out: dict[int, list[dict[str, int]]] = defaultdict(list)
    for level in levels:
        item = {
            "location_id": level.location_id,
            "variant_id": level.variant_id,
            "quantity": level.on_hand,
        }
        if level.qty_backordered is not None:
            item["qty_backordered"] = level.qty_backordered
        out[level.location_id].append(item)
    return dict(sorted(out.items()))
