"""Recognising a command run again after a failure or a kill, so nothing is booked twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from backorder_desktop.cache import Cache
from backorder_desktop.domain.receiving import ReceiptLine, merge_lines
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.domain.shipments import Shipment
from backorder_desktop.services.dock.allocations import RECEIPT, RECEIPT_REVERSAL
from backorder_desktop.services.dock.shipments import find_supplier, list_shipments

# A re-run after a kill or a failure comes within minutes; the same command an hour later is
# taken as a new delivery (pass --receipt-id to say which it is).
RERUN_WINDOW = timedelta(hours=1)

LineKey = tuple[tuple[str, int, int, bool], ...]


def _key(lines: Sequence[ReceiptLine]) -> LineKey:
    return tuple(sorted((x.sku, x.accepted, x.rejected, x.close_short) for x in merge_lines(lines)))


def _payload_key(payload: Any) -> LineKey:
    lines = payload.get("lines") if isinstance(payload, dict) else None
    return tuple(
        sorted(
            (
                str(x.get("sku", "")),
                int(x.get("accepted", 0)),
                int(x.get("rejected", 0)),
                bool(x.get("close_short", False)),
            )
            for x in (lines if isinstance(lines, list) else [])
            if isinstance(x, dict)
        )
    )


def receipt_rerun(
    cache: Cache, shipment_id: str, lines: Sequence[ReceiptLine], *, now: datetime | None = None
) -> str | None:
    """The id of the receipt this command already booked, when it looks like a re-run: the
    latest receipt on the shipment, booked here less than RERUN_WINDOW ago from the same
    lines and not reversed."""
    now = now or datetime.now(UTC)
    entries = [e for e in cache.ledger.entries(RECEIPT) if e.ref == shipment_id]
    if not entries:
        return None
    latest = max(entries, key=lambda e: (e.created_at, e.id))
    if now - latest.created_at > RERUN_WINDOW or latest.batch_id is None:
        return None
    if cache.ledger.entries(RECEIPT_REVERSAL, batch_id=latest.batch_id):
        return None
    return latest.batch_id if _payload_key(latest.payload) == _key(lines) else None


def check_receipt_id(
    cache: Cache, receipt_id: str, shipment_id: str, lines: Sequence[ReceiptLine]
) -> None:
    """A receipt id names one delivery: the same id with other lines or another shipment is
    refused (InputError), never skipped as "booked before"."""
    for entry in cache.ledger.entries(RECEIPT, batch_id=receipt_id):
        if entry.ref != shipment_id or _payload_key(entry.payload) != _key(lines):
            raise InputError(
                f"Receipt id {receipt_id} was already used for another delivery "
                f"(shipment {entry.ref}, other quantities). Nothing was booked: give this "
                "delivery a new --receipt-id."
            )


def shipment_rerun(
    cache: Cache,
    *,
    supplier: str,
    expected: date | None,
    lines: Sequence[tuple[str, int]],
    reference: str | None,
    now: datetime | None = None,
) -> Shipment | None:
    """The shipment an earlier run of the same `shipments add` recorded, if any: same
    reference (when given), supplier, expected date and lines, created less than
    RERUN_WINDOW ago (without a reference)."""
    now = now or datetime.now(UTC)
    found = find_supplier(cache, supplier)
    if found is None:
        return None
    want = sorted((sku, qty) for sku, qty in lines)
    ref = (reference or "").strip()
    for shipment in list_shipments(cache):
        if shipment.supplier_id != found.id or shipment.expected_date != expected:
            continue
        if sorted((x.sku, x.qty_expected) for x in shipment.lines) != want:
            continue
        if ref:
            if shipment.reference == ref:
                return shipment
            continue
        created = shipment.created_at
        if created is not None and now - created <= RERUN_WINDOW:
            return shipment
    return None


def check_reference(cache: Cache, reference: str | None) -> None:
    """A reference names one shipment: reusing it for different lines is refused."""
    ref = (reference or "").strip()
    if ref and any(s.reference == ref for s in list_shipments(cache)):
        raise InputError(
            f"Shipment reference {ref} is already used by another shipment (other supplier, "
            "date or lines). Nothing was recorded: use another --ref."
        )
