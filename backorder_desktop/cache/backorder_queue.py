"""The backorder queue built from what the cache holds (the rules are domain.queue and .eta)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from ..domain.cancellations import Cancellation, cancelled_by_line
from ..domain.eta import EtaCascade
from ..domain.models import METAFIELD_NAMESPACE, BackorderLine, Order
from ..domain.notice_log import NoticeRecord, Told, told_by_line
from ..domain.notices import Release
from ..domain.queue import build_queue
from ..domain.shipments import (
    SHIPMENT_KEY_PREFIX,
    SUPPLIER_KEY_PREFIX,
    RecordFormatError,
    Shipment,
    Supplier,
)
from .cancellations import cancellations as cancellation_records
from .codec import date_from_text
from .notice_ledger import LedgerNotice, NoticeLedger, notice_logs, releases
from .shared_allocations import allocated_by_line
from .shared_choices import partial_orders
from .shared_choices import priorities as shared_priorities

if TYPE_CHECKING:
    from .database import Cache

log = logging.getLogger("backorder_desktop.cache")

ETA_KEY = "eta"  # variant metafield holding the merchant's manual ETA (ISO date)
# Variant metafield holding the id of the supplier the merchant chose for it (its lead time is
# the ETA beyond inbound stock); set only by an explicit choice (issue 14), never by default.
SUPPLIER_KEY = "supplier"
PARTIAL_NAMESPACE = "partial_shipment"  # app_state: order id -> "1" when partial is allowed


def manual_etas(cache: Cache) -> dict[int, date]:
    """Manual ETA per variant id; values that are not ISO dates are ignored, not fatal."""
    out: dict[int, date] = {}
    for field_ in cache.metafields.by_key("variant", ETA_KEY):
        eta = date_from_text(field_.value)
        if field_.resource_id is not None and eta is not None:
            out[field_.resource_id] = eta
    return out


def chosen_suppliers(cache: Cache) -> dict[int, str]:
    """Supplier id per variant id, as the merchant chose it."""
    return {
        field_.resource_id: field_.value.strip()
        for field_ in cache.metafields.by_key("variant", SUPPLIER_KEY)
        if field_.resource_id is not None and field_.value.strip()
    }


# Parsed shipment records by their JSON text: the queue is re-read after every change and
# most shipments have not changed since, so their JSON is parsed once (bounded: cleared when big).
_PARSED: dict[str, Shipment] = {}
_PARSED_MAX = 50_000


def _shipment(text: str) -> Shipment:
    found = _PARSED.get(text)
    if found is None:
        found = Shipment.from_json(text)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[text] = found
    return found


def _store_values(cache: Cache, prefix: str) -> list[tuple[str, str]]:
    """(key, value) of the app's store metafields whose key starts with `prefix`; a plain
    query, as thousands of shipment records make building full Metafield rows noticeable.

    One value per key: an optimistic copy awaiting its create and the store's own copy can both
    be cached for a moment, and counting both would double a shipment's units in the cascade.
    The newer wins, as in `cache.shipments.newest_per_key`.
    """
    with cache.read() as db:
        cursor = db.execute(
            "SELECT key, value, COALESCE(date_modified, ''), id FROM metafields "
            "WHERE resource_type = 'store' AND namespace = ? AND substr(key, 1, ?) = ?",
            [METAFIELD_NAMESPACE, len(prefix), prefix],
        )
        newest: dict[str, tuple[str, int, str]] = {}
        for key, value, modified, row_id in cursor.fetchall():
            known = newest.get(key)
            if known is None or (str(modified), int(row_id)) > known[:2]:
                newest[key] = (str(modified), int(row_id), str(value))
    return [(key, newest[key][2]) for key in sorted(newest)]


def shipments_and_suppliers(cache: Cache) -> tuple[list[Shipment], dict[str, Supplier]]:
    """The shared shipment and supplier records (store metafields); unreadable ones skipped."""
    shipments: list[Shipment] = []
    for key, value in _store_values(cache, SHIPMENT_KEY_PREFIX):
        try:
            shipments.append(_shipment(value))
        except RecordFormatError as exc:
            log.warning("store metafield %s skipped: %s", key, exc)
    suppliers: dict[str, Supplier] = {}
    for field_ in cache.metafields.by_key_prefix("store", SUPPLIER_KEY_PREFIX):
        try:
            supplier = Supplier.from_json(field_.value)
        except RecordFormatError as exc:
            log.warning("store metafield %s skipped: %s", field_.key, exc)
            continue
        suppliers[supplier.id] = supplier
    return shipments, suppliers


def partial_shipment_orders(cache: Cache) -> set[int]:
    """Orders allowed to ship in part (order metafield `queue`, shared by every laptop)."""
    return partial_orders(cache)


def preorder_dates(cache: Cache) -> dict[int, date]:
    """Release date per pre-order product (the ETA after manual ones, domain.eta)."""
    rows = cache.rows(
        "products",
        "availability = 'preorder' AND preorder_release_date IS NOT NULL",
        order_by="id",
    )
    out: dict[int, date] = {}
    for row in rows:
        when = date_from_text(row["preorder_release_date"])
        if when is not None:
            out[row["id"]] = when
    return out


@dataclass
class QueueState:
    """The queue with ETAs and what was told, plus what notices and views need beside it."""

    queue: list[BackorderLine]
    cascade: EtaCascade
    orders: dict[int, Order] = field(default_factory=dict)  # open orders
    logs: dict[int, list[NoticeRecord]] = field(default_factory=dict)
    ledger: list[LedgerNotice] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    partial: set[int] = field(default_factory=set)
    cancellations: list[Cancellation] = field(default_factory=list)


def load_queue_state(cache: Cache, *, today: date | None = None) -> QueueState:
    """One consistent read of everything the queue, its ETAs and the notices depend on.

    `today`: the day no ETA may be before (default: today, UTC); tests set the clock here."""
    with cache.read():
        orders = cache.orders.open_orders()
        # Only the products open lines refer to: reading all 10k+ costs more than the rest.
        wanted = {line.product_id for order in orders for line in order.lines}
        products = {p.id: p for p in cache.products.get_many(wanted)}
        preorder = preorder_dates(cache)
        on_hand = cache.inventory.on_hand_by_variant()
        priorities = shared_priorities(cache)  # order metafields (issue 7)
        allocated = allocated_by_line(cache)  # this laptop and the others (issue 7)
        manual = manual_etas(cache)
        supplier_of = chosen_suppliers(cache)
        shipments, suppliers = shipments_and_suppliers(cache)
        ledger = NoticeLedger(cache).notices()
        logs = notice_logs(cache, ledger)
        released = releases(cache)
        partial = partial_shipment_orders(cache)
        cancelled = list(cancellation_records(cache).values())
    cascade = EtaCascade(
        shipments,
        suppliers=suppliers,
        manual=manual,
        preorder=preorder,
        supplier_of=supplier_of,
        today=today,
    )
    told: dict[int, Told] = {}
    for records in logs.values():
        told.update(told_by_line(records))
    # Cancelled units no longer wait, like allocated ones (they will never ship either).
    taken = dict(allocated)
    for line_id, qty in cancelled_by_line(cancelled).items():
        taken[line_id] = taken.get(line_id, 0) + qty
    waiting = build_queue(orders, products, on_hand, allocated_by_line=taken, priorities=priorities)
    queue = [
        replace(
            line,
            eta=eta.date,
            eta_source=eta.source,
            eta_ref=eta.ref,
            notified_eta=told[line.line_id].eta if line.line_id in told else None,
        )
        for line, eta in cascade.line_etas(waiting, told)
    ]
    return QueueState(
        queue=queue,
        cascade=cascade,
        orders={o.id: o for o in orders},
        logs=logs,
        ledger=ledger,
        releases=released,
        partial=partial,
        cancellations=cancelled,
    )


def load_queue(cache: Cache, *, today: date | None = None) -> list[BackorderLine]:
    """Every open line with units waiting, per SKU in queue order, with its ETA."""
    return load_queue_state(cache, today=today).queue
