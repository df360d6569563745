"""Rows of the Supplier shipments tab, and the supplier scorecards (live and archived)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from backorder_desktop.cache import Cache
from backorder_desktop.cache.shipments import (
    load_archive,
    load_shipment,
    load_shipments,
    load_suppliers,
)
from backorder_desktop.domain.eta import is_overdue
from backorder_desktop.domain.scorecard import Scorecard, outcome_of, scorecards
from backorder_desktop.domain.shipments import (
    INBOUND_STATUSES,
    PO_EMAIL,
    STATUS_LABELS,
    PurchaseOrderSent,
    Shipment,
    ShipmentLine,
)


@dataclass(frozen=True, slots=True)
class ShipmentRow:
    id: str
    reference: str
    supplier: str
    status: str
    expected: date | None
    units_expected: int
    units_received: int
    units_rejected: int = 0
    units_outstanding: int = 0
    supplier_id: str = ""
    notes: str = ""
    lines: tuple[ShipmentLine, ...] = field(default_factory=tuple)
    overdue: bool = False  # inbound, past its expected date, units still to come: needs a date
    receipts: int = 0
    purchase_order: PurchaseOrderSent | None = None
    supplier_confirmed: date | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def po_label(self) -> str:
        """ "sent 2026-12-07 to orders@x.example · confirmed 2026-12-20", or ""."""
        parts = []
        po = self.purchase_order
        if po is not None:
            how = (
                f"sent {po.at:%Y-%m-%d} to {po.to}"
                if po.via == PO_EMAIL
                else (f"saved {po.at:%Y-%m-%d} as {po.to.replace(chr(92), '/').rsplit('/', 1)[-1]}")
            )
            parts.append(how)
        if self.supplier_confirmed is not None:
            parts.append(f"confirmed for {self.supplier_confirmed.isoformat()}")
        return " · ".join(parts)

    @property
    def is_open(self) -> bool:
        return self.status in INBOUND_STATUSES or self.status == "draft"


def row_of(shipment: Shipment, supplier_name: str, today: date) -> ShipmentRow:
    return ShipmentRow(
        id=shipment.id,
        reference=shipment.reference,
        supplier=supplier_name,
        status=shipment.status,
        expected=shipment.expected_date,
        units_expected=shipment.units_expected,
        units_received=shipment.units_received,
        units_rejected=shipment.units_rejected,
        # A closed shipment sends nothing more: what it never delivered is not "still to come".
        units_outstanding=0 if shipment.status == "closed" else shipment.units_outstanding,
        supplier_id=shipment.supplier_id,
        notes=shipment.notes,
        lines=shipment.lines,
        overdue=is_overdue(shipment, today),
        receipts=sum(1 for r in shipment.receipts if not r.reversed),
        purchase_order=shipment.purchase_order,
        supplier_confirmed=shipment.supplier_confirmed,
    )


def shipment_rows_of(
    cache: Cache, ids: Iterable[str], *, now: datetime | None = None
) -> list[ShipmentRow]:
    """The rows of these shipments only (those still recorded)."""
    today = (now or datetime.now(UTC)).date()
    names = {s.id: s.name for s in load_suppliers(cache)}
    found = [load_shipment(cache, shipment_id) for shipment_id in sorted(set(ids))]
    return [row_of(s, names.get(s.supplier_id, s.supplier_id), today) for s in found if s]


def shipment_rows(cache: Cache, *, now: datetime | None = None) -> list[ShipmentRow]:
    today = (now or datetime.now(UTC)).date()
    names = {s.id: s.name for s in load_suppliers(cache)}
    rows = [
        row_of(s, names.get(s.supplier_id, s.supplier_id), today) for s in load_shipments(cache)
    ]
    # Open shipments first, soonest expected first (undated drafts after them); then the
    # finished ones, most recent first.
    open_rows = [r for r in rows if r.is_open]
    done = [r for r in rows if not r.is_open]
    open_rows.sort(key=lambda r: (r.expected is None, r.expected or today, r.reference))
    done.sort(key=lambda r: (r.expected or today, r.reference), reverse=True)
    return open_rows + done


def supplier_scorecards(cache: Cache, *, today: date | None = None) -> list[Scorecard]:
    """Per supplier: on-time rate, fill rate, average delay, over live and archived shipments."""
    live = {s.id: outcome_of(s) for s in load_shipments(cache)}
    archived = [
        o
        for outcomes in load_archive(cache).values()
        for o in outcomes
        if o.shipment_id not in live
    ]
    return scorecards(
        load_suppliers(cache), [*live.values(), *archived], today or datetime.now(UTC).date()
    )
