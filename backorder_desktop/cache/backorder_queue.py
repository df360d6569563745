"""The backorder queue built from what the cache holds (the rules are domain.queue and .eta)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from ..domain.eta import EtaCascade
from ..domain.models import BackorderLine, Order
from ..domain.notice_log import NoticeRecord, told_by_line
from ..domain.notices import Release
from ..domain.queue import build_queue
from ..domain.shipments import (
    SHIPMENT_KEY_PREFIX,
    SUPPLIER_KEY_PREFIX,
    RecordFormatError,
    Shipment,
    Supplier,
)
from .codec import date_from_text
from .notice_ledger import LedgerNotice, NoticeLedger, notice_logs, releases

if TYPE_CHECKING:
    from .database import Cache

log = logging.getLogger("backorder_desktop.cache")

ETA_KEY = "eta"  # variant metafield holding the merchant's manual ETA (ISO date)
PARTIAL_NAMESPACE = "partial_shipment"  # app_state: order id -> "1" when partial is allowed


def manual_etas(cache: Cache) -> dict[int, date]:
    """Manual ETA per variant id; values that are not ISO dates are ignored, not fatal."""
    out: dict[int, date] = {}
    for field_ in cache.metafields.by_key("variant", ETA_KEY):
        eta = date_from_text(field_.value)
        if field_.resource_id is not None and eta is not None:
            out[field_.resource_id] = eta
    return out


def shipments_and_suppliers(cache: Cache) -> tuple[list[Shipment], dict[str, Supplier]]:
    """The shared shipment and supplier records (store metafields); unreadable ones skipped."""
    shipments: list[Shipment] = []
    for field_ in cache.metafields.by_key_prefix("store", SHIPMENT_KEY_PREFIX):
        try:
            shipments.append(Shipment.from_json(field_.value))
        except RecordFormatError as exc:
            log.warning("store metafield %s skipped: %s", field_.key, exc)
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
    out = set()
    for key, value in cache.app_state.items(PARTIAL_NAMESPACE).items():
        if value == "1" and key.isdigit():
            out.add(int(key))
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


def load_queue_state(cache: Cache) -> QueueState:
    """One consistent read of everything the queue, its ETAs and the notices depend on."""
    with cache.read():
        orders = cache.orders.open_orders()
        products = cache.products.by_id()
        on_hand = cache.inventory.on_hand_by_variant()
        priorities = cache.app_state.priorities()
        allocated = cache.ledger.allocated_by_line()
        manual = manual_etas(cache)
        shipments, suppliers = shipments_and_suppliers(cache)
        ledger = NoticeLedger(cache).notices()
        logs = notice_logs(cache, ledger)
        released = releases(cache)
        partial = partial_shipment_orders(cache)
    preorder = {
        p.id: p.preorder_release_date.date()
        for p in products.values()
        if p.availability == "preorder" and p.preorder_release_date is not None
    }
    cascade = EtaCascade(shipments, suppliers=suppliers, manual=manual, preorder=preorder)
    queue = cascade.apply(
        build_queue(orders, products, on_hand, allocated_by_line=allocated, priorities=priorities)
    )
    told: dict[int, date | None] = {}
    for records in logs.values():
        told.update((line_id, t.eta) for line_id, t in told_by_line(records).items())
    if told:
        queue = [
            replace(line, notified_eta=told[line.line_id]) if line.line_id in told else line
            for line in queue
        ]
    return QueueState(
        queue=queue,
        cascade=cascade,
        orders={o.id: o for o in orders},
        logs=logs,
        ledger=ledger,
        releases=released,
        partial=partial,
    )


def load_queue(cache: Cache) -> list[BackorderLine]:
    """Every open line with units waiting, per SKU in queue order, with its ETA."""
    return load_queue_state(cache).queue
