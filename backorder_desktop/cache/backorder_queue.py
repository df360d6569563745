"""What the backorder queue is built from, read from the cache as records (no rules here:
services/queue.py applies domain.queue and domain.eta to them)."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ..domain.cancellations import Cancellation
from ..domain.consent import NONE, Answer
from ..domain.models import METAFIELD_NAMESPACE, Order, Product
from ..domain.notice_log import NoticeRecord
from ..domain.notices import Release
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
from .shared_consent import consent_answers, delay_policy

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


# A line's SKU in a shipment record's JSON text, as written (escapes left as they are).
_SKU_FIELD = re.compile(r'"sku"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _may_carry(text: str, skus: Collection[str]) -> bool:
    """Whether a shipment record (JSON text) may have a line of one of `skus`, without parsing
    it: parsing thousands of records to find the few a targeted read needs was most of its
    time. A SKU written with escapes cannot be compared as text: that record is parsed."""
    return any("\\" in sku or sku in skus for sku in _SKU_FIELD.findall(text))


def shipments_and_suppliers(
    cache: Cache, *, skus: Collection[str] | None = None
) -> tuple[list[Shipment], dict[str, Supplier]]:
    """The shared shipment and supplier records (store metafields); unreadable ones skipped.
    `skus`: only the shipments that may carry one of them (None: all)."""
    shipments: list[Shipment] = []
    for key, value in _store_values(cache, SHIPMENT_KEY_PREFIX):
        if skus is not None and not _may_carry(value, skus):
            continue
        try:
            shipments.append(Shipment.from_json(value))
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
class QueueRecords:
    """What the queue, its ETAs and the notices are built from, as the cache holds it (records
    only: services/queue.py applies the domain rules to them)."""

    orders: list[Order]  # open orders, oldest first
    products: dict[int, Product]  # the products their lines refer to
    preorder: dict[int, date]
    on_hand: dict[int, int]
    priorities: dict[int, int]
    allocated: dict[int, int]
    manual: dict[int, date]
    supplier_of: dict[int, str]
    shipments: list[Shipment]
    suppliers: dict[str, Supplier]
    ledger: list[LedgerNotice] = field(default_factory=list)
    logs: dict[int, list[NoticeRecord]] = field(default_factory=dict)
    releases: list[Release] = field(default_factory=list)
    partial: set[int] = field(default_factory=set)
    answers: dict[int, list[Answer]] = field(default_factory=dict)  # consent, per order
    policy: str = NONE  # the delay policy in force (domain.consent)
    cancellations: list[Cancellation] = field(default_factory=list)  # units never to ship
    # None: the whole store. Else the variants whose queues these records hold complete (every
    # open order with a line of them), and the orders whose lines are all among them.
    variants: frozenset[int] | None = None
    complete_orders: frozenset[int] | None = None


def _orders_with(cache: Cache, variants: Collection[int]) -> list[Order]:
    """Orders (any status) with a line of one of `variants`, with all their lines, oldest
    first."""
    rows = cache.rows_in("order_lines", "variant_id", variants) if variants else []
    return cache.orders.get_many({row["order_id"] for row in rows})


def read_queue_records(cache: Cache, *, variants: Collection[int] | None = None) -> QueueRecords:
    """One consistent read of everything the queue depends on.

    `variants`: only what the queues of these variants need (a targeted reload), widened to
    every variant of the open orders that have a line of one of them (those orders' notices
    depend on all their lines): the open orders with a line of the widened set, and the stock,
    products and records they refer to. None: the whole store.
    """
    with cache.read():
        complete: frozenset[int] | None = None
        whole_orders: frozenset[int] | None = None
        if variants is None:
            orders = cache.orders.open_orders()
        else:
            first = _orders_with(cache, set(variants))
            complete = frozenset(variants) | {
                line.variant_id for o in first if o.is_open for line in o.lines
            }
            whole_orders = frozenset(o.id for o in first)
            orders = [o for o in _orders_with(cache, complete) if o.is_open]
        # Only the products open lines refer to: reading all 10k+ costs more than the rest.
        wanted = {line.product_id for order in orders for line in order.lines}
        products = {p.id: p for p in cache.products.get_many(wanted)}
        preorder = preorder_dates(cache)
        if variants is None:
            on_hand = cache.inventory.on_hand_by_variant()
        else:
            on_hand = cache.inventory.on_hand_for(
                {line.variant_id for o in orders for line in o.lines}
            )
        skus = None
        if complete is not None:  # the SKUs of the queues and of the rows re-read
            skus = {line.sku for o in orders for line in o.lines}
            skus.update(v.sku for v in cache.variants.get_many(complete))
        shipments, suppliers = shipments_and_suppliers(cache, skus=skus)
        ledger = NoticeLedger(cache).notices()
        records = QueueRecords(
            orders=orders,
            products=products,
            preorder=preorder,
            on_hand=on_hand,
            priorities=shared_priorities(cache),  # order metafields (issue 7)
            allocated=allocated_by_line(cache),  # this laptop and the others (issue 7)
            manual=manual_etas(cache),
            supplier_of=chosen_suppliers(cache),
            shipments=shipments,
            suppliers=suppliers,
            ledger=ledger,
            logs=notice_logs(
                cache, ledger, orders=None if complete is None else {o.id for o in orders}
            ),
            releases=releases(cache),
            partial=partial_shipment_orders(cache),
            cancellations=list(cancellation_records(cache).values()),
            answers=consent_answers(cache),
            policy=delay_policy(cache),
            variants=complete,
            complete_orders=whole_orders,
        )
    return records
