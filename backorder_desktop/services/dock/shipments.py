"""Suppliers and inbound shipments: list, create, edit, close, archive (store metafields)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from backorder_desktop.cache import Cache
from backorder_desktop.cache.backorder_queue import chosen_suppliers
from backorder_desktop.cache.shipments import (
    load_archive,
    load_shipment,
    load_shipments,
    load_suppliers,
)
from backorder_desktop.domain.shipment_rules import (
    ARCHIVE_KEY_PREFIX,
    InputError,
    archive_due,
    archive_value,
    check_shipment,
    merge_shipment_lines,
    new_record_id,
    pack_archive,
    slug,
)
from backorder_desktop.domain.shipments import (
    CLOSED,
    DRAFT,
    ORDERED,
    SHIPMENT_KEY_PREFIX,
    SHIPMENT_STATUSES,
    SUPPLIER_KEY_PREFIX,
    Shipment,
    ShipmentLine,
    Supplier,
)
from backorder_desktop.services.notices.notice_records import publish_statuses
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.sync_control.metafield_writes import (
    FieldWrite,
    queue_field_deletes,
    queue_field_writes,
)

__all__ = [
    "add_shipment",
    "archive_old_shipments",
    "close_shipment",
    "find_shipment",
    "find_supplier",
    "list_shipments",
    "list_suppliers",
    "save_shipment",
    "save_supplier",
    "variant_ids_by_sku",
    "waiting_lines",
]


def list_suppliers(cache: Cache) -> list[Supplier]:
    return load_suppliers(cache)


def list_shipments(cache: Cache) -> list[Shipment]:
    return load_shipments(cache)


def find_supplier(cache: Cache, name_or_id: str) -> Supplier | None:
    wanted = name_or_id.strip().casefold()
    for supplier in load_suppliers(cache):
        if supplier.id.casefold() == wanted or supplier.name.strip().casefold() == wanted:
            return supplier
    return None


def find_shipment(cache: Cache, id_or_reference: str) -> Shipment:
    """By id, else by reference; InputError naming what was asked for when neither matches."""
    wanted = id_or_reference.strip()
    found = load_shipment(cache, wanted)
    if found is not None:
        return found
    matches = [s for s in load_shipments(cache) if s.reference.casefold() == wanted.casefold()]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        ids = ", ".join(s.id for s in matches)
        raise InputError(f"Several shipments have the reference '{wanted}': use an id ({ids}).")
    raise InputError(f"No shipment '{wanted}'. 'shipments list' shows the ids and references.")


def save_supplier(
    cache: Cache,
    name: str,
    *,
    email: str = "",
    lead_time_days: int | None = None,
    supplier_id: str | None = None,
    now: datetime | None = None,
) -> Supplier:
    name = name.strip()
    if not name:
        raise InputError("A supplier needs a name.")
    if email and "@" not in email:
        raise InputError(f"'{email}' is not an email address.")
    if lead_time_days is not None and not 0 <= lead_time_days <= 3650:
        raise InputError("The lead time must be between 0 and 3650 days.")
    known = {s.id: s for s in load_suppliers(cache)}
    if supplier_id is None:
        supplier_id = slug(name)
        if supplier_id in known:
            supplier_id = new_record_id(supplier_id + "-")
    # The supplier's codes for SKUs (purchase orders) are edited elsewhere: keep them.
    codes = known[supplier_id].codes if supplier_id in known else ()
    supplier = Supplier(supplier_id, name, email.strip(), lead_time_days, codes)
    write = FieldWrite("store", None, SUPPLIER_KEY_PREFIX + supplier.id, supplier.to_json())
    queue_field_writes(cache, [write], batch_id=f"supplier:{supplier.id}", kind="supplier", now=now)
    return supplier


def variant_ids_by_sku(cache: Cache, skus: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for sku in skus:
        found = cache.variants.by_sku(sku)
        if found:
            out[sku] = found[0].id
    return out


def _resolve_lines(cache: Cache, lines: Sequence[ShipmentLine]) -> tuple[ShipmentLine, ...]:
    merged = merge_shipment_lines(replace(line, sku=line.sku.strip()) for line in lines)
    ids = variant_ids_by_sku(cache, [line.sku for line in merged])
    unknown = [line.sku for line in merged if line.sku not in ids and line.variant_id is None]
    if unknown:
        shown = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        raise InputError(
            f"Not in the catalog: {shown}. Check the SKU, or sync if the product is new."
        )
    return tuple(replace(line, variant_id=ids.get(line.sku, line.variant_id)) for line in merged)


def save_shipment(cache: Cache, shipment: Shipment, *, now: datetime | None = None) -> Shipment:
    """Create or replace a shipment record (validated, lines merged per SKU, variants resolved)."""
    now = now or datetime.now(UTC)
    if shipment.status not in SHIPMENT_STATUSES:
        raise InputError(f"Unknown shipment status '{shipment.status}'.")
    if shipment.supplier_id and shipment.supplier_id not in {s.id for s in load_suppliers(cache)}:
        raise InputError(f"Unknown supplier '{shipment.supplier_id}'.")
    ready = replace(
        shipment,
        reference=shipment.reference.strip(),
        lines=_resolve_lines(cache, shipment.lines),
        created_at=shipment.created_at or now,
        updated_at=now,
    )
    check_shipment(ready)
    with cache.transaction():
        write = FieldWrite("store", None, SHIPMENT_KEY_PREFIX + ready.id, ready.to_json())
        queue_field_writes(
            cache, [write], batch_id=f"shipment:{ready.id}", kind="shipment", now=now
        )
        archive_old_shipments(cache, now=now)
        # A new, moved or closed shipment moves its customers' dates on the storefront too.
        publish_statuses(cache, now=now, batch_id=f"status-shipment:{ready.id}")
    return ready


def add_shipment(
    cache: Cache,
    *,
    supplier: str,
    expected: date | None,
    lines: Sequence[tuple[str, int]],
    reference: str | None = None,
    status: str = ORDERED,
    notes: str = "",
    now: datetime | None = None,
) -> tuple[Shipment, bool]:
    """A new shipment from a supplier name (created when unknown); returns it and whether the
    supplier was created."""
    now = now or datetime.now(UTC)
    if not lines:
        raise InputError("Give at least one line (SKU:QTY).")
    for sku, qty in lines:
        if qty <= 0:
            raise InputError(f"SKU {sku}: the expected quantity must be at least 1.")
    with cache.transaction():
        found = find_supplier(cache, supplier)
        created = found is None
        if found is None:
            found = save_supplier(cache, supplier, now=now)
        shipment_id = new_record_id("s-")
        shipment = Shipment(
            id=shipment_id,
            reference=(reference or "").strip() or f"PO-{now:%Y%m%d}-{shipment_id[-4:].upper()}",
            supplier_id=found.id,
            status=status,
            expected_date=expected,
            lines=tuple(ShipmentLine(sku, qty) for sku, qty in lines),
            notes=notes,
        )
        return save_shipment(cache, shipment, now=now), created


def close_shipment(cache: Cache, shipment_id: str, *, now: datetime | None = None) -> Shipment:
    """Nothing more will come: outstanding units stop feeding the ETA cascade."""
    shipment = find_shipment(cache, shipment_id)
    if shipment.status == CLOSED:
        raise InputError(f"Shipment {shipment.reference} is already closed.")
    return save_shipment(cache, replace(shipment, status=CLOSED), now=now)


def archive_old_shipments(cache: Cache, *, now: datetime | None = None) -> int:
    """Move received/closed shipments untouched for ARCHIVE_AFTER_DAYS into the yearly archive
    record (their scorecard figures stay) and delete their own metafields. Returns how many."""
    now = now or datetime.now(UTC)
    due = archive_due(load_shipments(cache), now)
    if not due:
        return 0
    with cache.transaction():
        changed = pack_archive(load_archive(cache), due)
        writes = [FieldWrite("store", None, key, archive_value(v)) for key, v in changed.items()]
        queue_field_writes(cache, writes, batch_id="archive", kind="shipment_archive", now=now)
        fields = [
            f for s in due for f in cache.metafields.by_key("store", SHIPMENT_KEY_PREFIX + s.id)
        ]
        queue_field_deletes(cache, fields, batch_id="archive", kind="shipment_archive")
    return len(due)


def waiting_lines(
    cache: Cache, *, line_ids: Iterable[int] | None = None, net_of_inbound: bool = True
) -> list[ShipmentLine]:
    """'Order what is waiting': units waiting per SKU (of the chosen backorder lines, or all),
    less what inbound shipments already bring when `net_of_inbound`."""
    wanted = set(line_ids) if line_ids is not None else None
    waiting: dict[str, int] = defaultdict(int)
    variant_of: dict[str, int] = {}
    for line in load_queue(cache):
        if wanted is None or line.line_id in wanted:
            waiting[line.sku] += line.qty_waiting
            variant_of[line.sku] = line.variant_id
    if net_of_inbound:
        for shipment in load_shipments(cache):
            if shipment.is_inbound:
                for sl in shipment.lines:
                    if sl.sku in waiting:
                        waiting[sl.sku] -= sl.qty_outstanding
    return [
        ShipmentLine(sku, qty, variant_id=variant_of.get(sku))
        for sku, qty in sorted(waiting.items())
        if qty > 0
    ]


def sku_suppliers(cache: Cache) -> dict[str, str]:
    """SKU -> supplier id to order from: the merchant's explicit choice (the one the ETA rules
    use), else the supplier of the SKU's most recent shipment (only to group the drafts: a draft
    promises no date and chooses nothing); SKUs with neither have none."""
    chosen: dict[str, str] = {}
    for variant_id, supplier_id in chosen_suppliers(cache).items():
        variant = cache.variants.get(variant_id)
        if variant is not None and variant.sku:
            chosen[variant.sku] = supplier_id
    latest: dict[str, tuple[date, str, str]] = {}
    for shipment in load_shipments(cache):
        if not shipment.supplier_id:
            continue
        stamp = (shipment.expected_date or date.min, shipment.id, shipment.supplier_id)
        for line in shipment.lines:
            known = latest.get(line.sku)
            if known is None or stamp[:2] > known[:2]:
                latest[line.sku] = stamp
    return {sku: stamp[2] for sku, stamp in latest.items()} | chosen


def waiting_by_supplier(
    cache: Cache, *, line_ids: Iterable[int] | None = None
) -> dict[str, list[ShipmentLine]]:
    """'Order what is waiting', one group per supplier ("" for SKUs with no known supplier)."""
    suppliers = sku_suppliers(cache)
    groups: dict[str, list[ShipmentLine]] = defaultdict(list)
    for line in waiting_lines(cache, line_ids=line_ids):
        groups[suppliers.get(line.sku, "")].append(line)
    return dict(groups)


def save_drafts(
    cache: Cache, groups: dict[str, list[ShipmentLine]], *, now: datetime | None = None
) -> list[Shipment]:
    """One draft shipment per known supplier (drafts promise no date: ETAs do not move)."""
    drafts = []
    names = {s.id: s.name for s in load_suppliers(cache)}
    day = (now or datetime.now(UTC)).date().isoformat()
    for supplier_id, lines in sorted(groups.items()):
        if not supplier_id or not lines:
            continue
        reference = f"Draft {names.get(supplier_id, supplier_id)} {day}"
        draft = Shipment(new_record_id("s-"), reference, supplier_id, DRAFT, None, tuple(lines))
        drafts.append(save_shipment(cache, draft, now=now))
    return drafts


def archived_keys(cache: Cache) -> list[str]:
    return sorted({f.key for f in cache.metafields.by_key_prefix("store", ARCHIVE_KEY_PREFIX)})
