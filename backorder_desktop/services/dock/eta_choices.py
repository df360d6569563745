"""The merchant's explicit date choices: a SKU's supplier, and a new date for a late shipment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime

from backorder_desktop.cache import Cache
from backorder_desktop.cache.backorder_queue import SUPPLIER_KEY, chosen_suppliers
from backorder_desktop.cache.shipments import load_suppliers
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.domain.shipments import Shipment
from backorder_desktop.services.dock.shipments import (
    find_shipment,
    save_shipment,
    variant_ids_by_sku,
)
from backorder_desktop.services.sync_control.metafield_writes import FieldWrite, queue_field_writes


def choose_supplier(
    cache: Cache, skus: Iterable[str], supplier_id: str, *, now: datetime | None = None
) -> list[int]:
    """Make `supplier_id` the supplier of these SKUs (its lead time is their ETA beyond inbound
    stock). Only this explicit choice sets it: a new shipment never does (issue 14). Returns the
    variant ids whose choice changed."""
    if supplier_id not in {s.id for s in load_suppliers(cache)}:
        raise InputError(f"Unknown supplier '{supplier_id}'.")
    wanted = sorted({sku.strip() for sku in skus if sku.strip()})
    ids = variant_ids_by_sku(cache, wanted)
    unknown = [sku for sku in wanted if sku not in ids]
    if unknown:
        raise InputError(f"Not in the catalog: {', '.join(unknown[:5])}.")
    current = chosen_suppliers(cache)
    writes = [
        FieldWrite("variant", vid, SUPPLIER_KEY, supplier_id)
        for vid in sorted(ids.values())
        if current.get(vid) != supplier_id
    ]
    if writes:
        queue_field_writes(
            cache, writes, batch_id=f"supplier-choice:{supplier_id}", kind="supplier", now=now
        )
    return [w.resource_id for w in writes if w.resource_id is not None]


def set_expected_date(
    cache: Cache,
    shipment_id: str,
    expected: date,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> Shipment:
    """Give a shipment (typically an overdue one) a new expected date, today or later: its
    units lend that date again, and the delay notices it makes due can go out with it."""
    now = now or datetime.now(UTC)
    today = today or now.date()
    if expected < today:
        raise InputError(
            f"The new expected date {expected.isoformat()} has passed: give today or later."
        )
    shipment = find_shipment(cache, shipment_id)
    if not shipment.is_inbound:
        raise InputError(f"Shipment {shipment.reference} is not inbound ({shipment.status}).")
    return save_shipment(cache, replace(shipment, expected_date=expected), now=now)
