"""Suppliers and inbound supplier shipments, and their JSON form in store metafields.

Both are the app's own records, shared between laptops as store metafields in the namespace
`backorder_desktop`: key `supplier:<id>` and `shipment:<id>`, value the JSON below.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

SUPPLIER_KEY_PREFIX = "supplier:"
SHIPMENT_KEY_PREFIX = "shipment:"

# Lifecycle of an inbound shipment. Only the first four are "inbound" (feed the ETA cascade).
DRAFT, ORDERED, IN_TRANSIT, PARTIALLY_RECEIVED, RECEIVED, CLOSED = (
    "draft",
    "ordered",
    "in_transit",
    "partially_received",
    "received",
    "closed",
)
SHIPMENT_STATUSES: tuple[str, ...] = (
    DRAFT,
    ORDERED,
    IN_TRANSIT,
    PARTIALLY_RECEIVED,
    RECEIVED,
    CLOSED,
)
INBOUND_STATUSES: frozenset[str] = frozenset({ORDERED, IN_TRANSIT, PARTIALLY_RECEIVED})
STATUS_LABELS = {
    DRAFT: "Draft",
    ORDERED: "Ordered",
    IN_TRANSIT: "In transit",
    PARTIALLY_RECEIVED: "Partially received",
    RECEIVED: "Received",
    CLOSED: "Closed",
}


class RecordFormatError(ValueError):
    """A shared record (metafield JSON) that cannot be read; names the record."""


@dataclass(frozen=True, slots=True)
class Supplier:
    id: str
    name: str
    email: str = ""
    lead_time_days: int | None = None
    # (SKU, the supplier's own code for it), sorted by SKU: printed on purchase orders.
    codes: tuple[tuple[str, str], ...] = ()

    def code(self, sku: str) -> str:
        """The supplier's code for `sku` ("" when none is known)."""
        return next((code for known, code in self.codes if known == sku), "")

    def to_json(self) -> str:
        doc: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "lead_time_days": self.lead_time_days,
        }
        if self.codes:  # left out when empty: older laptops read the record unchanged
            doc["codes"] = dict(self.codes)
        return json.dumps(doc, ensure_ascii=False)

    @staticmethod
    def from_json(text: str) -> Supplier:
        doc = _load(text, "supplier")
        try:
            lead = doc.get("lead_time_days")
            codes = doc.get("codes") or {}
            if not isinstance(codes, dict):
                raise TypeError("codes is not an object")
            return Supplier(
                id=str(doc["id"]),
                name=str(doc.get("name") or doc["id"]),
                email=str(doc.get("email") or ""),
                lead_time_days=int(lead) if lead is not None else None,
                codes=tuple(sorted((str(k), str(v)) for k, v in codes.items() if str(v))),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RecordFormatError(f"supplier record is not readable: {exc}") from exc


@dataclass(frozen=True, slots=True)
class ShipmentLine:
    sku: str
    qty_expected: int
    qty_received: int = 0
    qty_rejected: int = 0
    variant_id: int | None = None
    closed_short: bool = False  # the rest will not come: it no longer feeds the ETA cascade

    @property
    def qty_outstanding(self) -> int:
        """Units still expected on this line (0 once closed short)."""
        if self.closed_short:
            return 0
        return max(0, self.qty_expected - self.qty_received - self.qty_rejected)


@dataclass(frozen=True, slots=True)
class ReceiptNote:
    """One delivery booked against a shipment (the supplier scorecard reads these)."""

    id: str
    received_at: datetime
    accepted: int
    rejected: int = 0
    reversed: bool = False


@dataclass(frozen=True, slots=True)
class PurchaseOrderSent:
    """The purchase order last sent (or saved) for a shipment: when, to whom, how."""

    at: datetime
    to: str  # the supplier's address, or the file it was saved to
    via: str  # PO_EMAIL or PO_FILE
    message_id: str = ""  # of the email: a supplier's reply refers to it (In-Reply-To)


PO_EMAIL, PO_FILE = "email", "file"


@dataclass(frozen=True, slots=True)
class Shipment:
    id: str
    reference: str
    supplier_id: str
    status: str
    expected_date: date | None
    lines: tuple[ShipmentLine, ...] = field(default_factory=tuple)
    notes: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    receipts: tuple[ReceiptNote, ...] = field(default_factory=tuple)
    purchase_order: PurchaseOrderSent | None = None
    supplier_confirmed: date | None = None  # the delivery date the supplier confirmed

    @property
    def is_inbound(self) -> bool:
        return self.status in INBOUND_STATUSES

    @property
    def units_expected(self) -> int:
        return sum(line.qty_expected for line in self.lines)

    @property
    def units_received(self) -> int:
        return sum(line.qty_received for line in self.lines)

    @property
    def units_rejected(self) -> int:
        return sum(line.qty_rejected for line in self.lines)

    @property
    def units_outstanding(self) -> int:
        return sum(line.qty_outstanding for line in self.lines)

    def with_lines(self, lines: tuple[ShipmentLine, ...]) -> Shipment:
        return replace(self, lines=lines)

    def to_json(self) -> str:
        # Line fields at their default (0, false, null) are left out: a 500-line shipment must
        # stay well inside a metafield value's 65,535 characters (spec README).
        doc: dict[str, Any] = {
            "id": self.id,
            "reference": self.reference,
            "supplier_id": self.supplier_id,
            "status": self.status,
            "expected_date": self.expected_date.isoformat() if self.expected_date else None,
            "notes": self.notes,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "lines": [_line_doc(line) for line in self.lines],
        }
        if self.receipts:
            doc["receipts"] = [_receipt_doc(r) for r in self.receipts]
        if self.purchase_order is not None:
            po = self.purchase_order
            doc["po"] = {"at": po.at.isoformat(), "to": po.to, "via": po.via}
            if po.message_id:
                doc["po"]["message_id"] = po.message_id
        if self.supplier_confirmed is not None:
            doc["supplier_confirmed"] = self.supplier_confirmed.isoformat()
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))

    @staticmethod
    def from_json(text: str) -> Shipment:
        doc = _load(text, "shipment")
        try:
            status = str(doc.get("status") or DRAFT)
            if status not in SHIPMENT_STATUSES:
                raise ValueError(f"unknown status {status!r}")
            lines = tuple(
                ShipmentLine(
                    sku=str(item["sku"]),
                    variant_id=int(item["variant_id"])
                    if item.get("variant_id") is not None
                    else None,
                    qty_expected=_count(item.get("qty_expected")),
                    qty_received=_count(item.get("qty_received")),
                    qty_rejected=_count(item.get("qty_rejected")),
                    closed_short=bool(item.get("closed_short", False)),
                )
                for item in doc.get("lines") or []
            )
            receipts = tuple(
                ReceiptNote(
                    id=str(item["id"]),
                    received_at=datetime.fromisoformat(str(item["at"])),
                    accepted=_count(item.get("accepted")),
                    rejected=_count(item.get("rejected")),
                    reversed=bool(item.get("reversed", False)),
                )
                for item in doc.get("receipts") or []
            )
            expected = doc.get("expected_date")
            confirmed = doc.get("supplier_confirmed")
            return Shipment(
                id=str(doc["id"]),
                reference=str(doc.get("reference") or doc["id"]),
                supplier_id=str(doc.get("supplier_id") or ""),
                status=status,
                expected_date=date.fromisoformat(expected) if expected else None,
                lines=lines,
                notes=str(doc.get("notes") or ""),
                created_at=_when(doc.get("created_at")),
                updated_at=_when(doc.get("updated_at")),
                receipts=receipts,
                purchase_order=_po_sent(doc.get("po")),
                supplier_confirmed=date.fromisoformat(confirmed) if confirmed else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RecordFormatError(f"shipment record is not readable: {exc}") from exc


def _line_doc(line: ShipmentLine) -> dict[str, Any]:
    doc: dict[str, Any] = {"sku": line.sku}
    if line.variant_id is not None:
        doc["variant_id"] = line.variant_id
    doc["qty_expected"] = line.qty_expected
    if line.qty_received:
        doc["qty_received"] = line.qty_received
    if line.qty_rejected:
        doc["qty_rejected"] = line.qty_rejected
    if line.closed_short:
        doc["closed_short"] = True
    return doc


def _receipt_doc(receipt: ReceiptNote) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": receipt.id,
        "at": receipt.received_at.isoformat(),
        "accepted": receipt.accepted,
    }
    if receipt.rejected:
        doc["rejected"] = receipt.rejected
    if receipt.reversed:
        doc["reversed"] = True
    return doc


def _po_sent(doc: Any) -> PurchaseOrderSent | None:
    if not doc:
        return None
    return PurchaseOrderSent(
        at=datetime.fromisoformat(str(doc["at"])),
        to=str(doc.get("to") or ""),
        via=str(doc.get("via") or PO_EMAIL),
        message_id=str(doc.get("message_id") or ""),
    )


def _load(text: str, what: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise RecordFormatError(f"{what} record is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise RecordFormatError(f"{what} record is not a JSON object")
    return doc


def _count(value: Any) -> int:
    number = int(value or 0)
    if number < 0:
        raise ValueError(f"negative quantity {number}")
    return number


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
