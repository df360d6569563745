"""Rules for shipment input (quantities, dates, line specs), record size, and archiving."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .scorecard import ShipmentOutcome, outcome_of
from .shipments import CLOSED, RECEIVED, Shipment, ShipmentLine

METAFIELD_VALUE_MAX = 65_535  # characters per metafield value (spec README)
# Closed or fully received shipments untouched this long leave their own metafield for a
# yearly archive record (the store allows 10,000 metafields per API account).
ARCHIVE_AFTER_DAYS = 60
ARCHIVE_KEY_PREFIX = "shipment_archive:"
ARCHIVE_VALUE_BUDGET = 60_000  # start the next archive part before the value limit
MAX_QUANTITY = 1_000_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InputError(ValueError):
    """Input the app cannot take (a typed quantity, a date, a CSV line); nothing was changed."""


def parse_quantity(text: object, what: str = "Quantity") -> int:
    """A whole number of units, 0 or more: '12' -> 12; '-1', '1.5', 'ten' are refused."""
    raw = str(text).strip() if text is not None else ""
    if not re.fullmatch(r"\+?\d+", raw):
        if re.fullmatch(r"-\s*\d+", raw):
            raise InputError(f"{what} cannot be negative: '{raw}'.")
        raise InputError(f"{what} must be a whole number of units, not '{raw}'.")
    value = int(raw)
    if value > MAX_QUANTITY:
        raise InputError(f"{what} {value} is too large (at most {MAX_QUANTITY:,}).")
    return value


def parse_expected_date(text: object) -> date:
    """An ISO date (YYYY-MM-DD) that exists; anything else is refused with an example."""
    raw = str(text).strip() if text is not None else ""
    if not _DATE.match(raw):
        raise InputError(f"Expected date '{raw}' is not a date like 2026-12-31 (YYYY-MM-DD).")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"Expected date '{raw}' does not exist on the calendar.") from None


def parse_line_spec(text: str, *, with_rejected: bool = False) -> tuple[str, int, int]:
    """'SKU:QTY' (or 'SKU:ACCEPTED:REJECTED' with `with_rejected`) -> (sku, qty, rejected).

    The SKU is everything before the quantities, so SKUs containing ':' still work.
    """
    parts = text.strip().rsplit(":", 2 if with_rejected else 1)
    if with_rejected and len(parts) == 3 and not re.fullmatch(r"[+-]?\s*\d+", parts[1].strip()):
        parts = [f"{parts[0]}:{parts[1]}", parts[2]]  # a SKU with ':' and no rejected count
    if len(parts) < 2 or not parts[0].strip():
        form = "SKU:ACCEPTED[:REJECTED]" if with_rejected else "SKU:QTY"
        raise InputError(f"Line '{text}' is not in the form {form}.")
    sku = parts[0].strip()
    qty = parse_quantity(parts[1], f"Quantity for {sku}")
    rejected = parse_quantity(parts[2], f"Rejected quantity for {sku}") if len(parts) > 2 else 0
    return sku, qty, rejected


def merge_shipment_lines(lines: Iterable[ShipmentLine]) -> tuple[ShipmentLine, ...]:
    """One line per SKU, in first-seen order (quantities added up)."""
    merged: dict[str, ShipmentLine] = {}
    for line in lines:
        known = merged.get(line.sku)
        if known is None:
            merged[line.sku] = line
        else:
            merged[line.sku] = replace(
                known,
                qty_expected=known.qty_expected + line.qty_expected,
                qty_received=known.qty_received + line.qty_received,
                qty_rejected=known.qty_rejected + line.qty_rejected,
                variant_id=known.variant_id if known.variant_id is not None else line.variant_id,
            )
    return tuple(merged.values())


def check_shipment(shipment: Shipment) -> None:
    """InputError when a shipment cannot be saved as it is."""
    if not shipment.reference.strip():
        raise InputError("A shipment needs a reference (e.g. the supplier's PO number).")
    if not shipment.supplier_id:
        raise InputError("Choose the supplier this shipment comes from.")
    if not shipment.lines:
        raise InputError("A shipment needs at least one line (SKU and quantity).")
    for line in shipment.lines:
        if not line.sku.strip():
            raise InputError("Every line needs a SKU.")
        if min(line.qty_expected, line.qty_received, line.qty_rejected) < 0:
            raise InputError(f"SKU {line.sku}: quantities cannot be negative.")
    size = len(shipment.to_json())
    if size > METAFIELD_VALUE_MAX:
        raise InputError(
            f"Shipment {shipment.reference} is too large to store ({size:,} characters, "
            f"BigCommerce keeps at most {METAFIELD_VALUE_MAX:,}): split it into two shipments."
        )


def new_record_id(prefix: str) -> str:
    """Ids for the app's shared records: unique across laptops without a server."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def slug(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return text[:40] or "supplier"


# --- archive -----------------------------------------------------------------------------------


def archive_due(shipments: Iterable[Shipment], now: datetime) -> list[Shipment]:
    """Received or closed shipments not touched for ARCHIVE_AFTER_DAYS days."""
    cutoff = _utc(now) - timedelta(days=ARCHIVE_AFTER_DAYS)
    out = []
    for shipment in shipments:
        touched = shipment.updated_at or shipment.created_at
        if shipment.status in (RECEIVED, CLOSED) and touched is not None:
            if _utc(touched) < cutoff:
                out.append(shipment)
    return out


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def archive_key(shipment: Shipment, part: int = 1) -> str:
    when = shipment.expected_date or (shipment.updated_at or datetime.now(UTC)).date()
    return f"{ARCHIVE_KEY_PREFIX}{when.year}" + (f"-{part}" if part > 1 else "")


def read_archive(value: str) -> list[ShipmentOutcome]:
    """Outcomes kept in one archive record; unreadable entries are skipped, never fatal."""
    try:
        docs: Any = json.loads(value)
    except ValueError:
        return []
    out = []
    for doc in docs if isinstance(docs, list) else []:
        try:
            out.append(ShipmentOutcome.from_doc(doc))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def pack_archive(
    existing: Mapping[str, Sequence[ShipmentOutcome]], shipments: Iterable[Shipment]
) -> dict[str, list[ShipmentOutcome]]:
    """Archive records (key -> outcomes) after adding `shipments`; only changed keys returned.

    A year's record grows until ARCHIVE_VALUE_BUDGET characters, then `<year>-2`, `-3`, ...
    """
    records = {key: list(v) for key, v in existing.items()}
    sizes = {key: len(archive_value(v)) for key, v in records.items()}
    changed: set[str] = set()
    for shipment in shipments:
        outcome = outcome_of(shipment)
        extra = len(archive_value([outcome])) - 1  # its text and a comma
        part = 1
        while True:
            key = archive_key(shipment, part)
            held = records.setdefault(key, [])
            size = sizes.setdefault(key, 2)
            if any(o.shipment_id == outcome.shipment_id for o in held):
                break  # archived before (a retry): nothing to add
            if size + extra <= ARCHIVE_VALUE_BUDGET:
                held.append(outcome)
                sizes[key] = size + extra - (0 if len(held) > 1 else 1)
                changed.add(key)
                break
            part += 1
    return {key: records[key] for key in sorted(changed)}


def archive_value(outcomes: Sequence[ShipmentOutcome]) -> str:
    return json.dumps([o.to_doc() for o in outcomes], ensure_ascii=False, separators=(",", ":"))
