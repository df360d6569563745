"""The rows each tab shows, read from the cache in one go (on a worker thread, never the GUI's)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from backorder_desktop.cache import Cache
from backorder_desktop.domain.insights import InsightsReport
from backorder_desktop.domain.models import (
    UNLIMITED_BACKORDER_LIMIT,
    InventoryRecord,
    Product,
    Variant,
)
from backorder_desktop.domain.notices import DEFAULT_CHECKIN_MAX, latest_eta
from backorder_desktop.domain.slices import free_in_slices, sorted_in_slices
from backorder_desktop.domain.stock_counts import StockCounts
from backorder_desktop.domain.storefront import StorefrontFlag, storefront_flags
from backorder_desktop.services.backorder_rows import (
    BackorderRow,
    backorder_rows,
    next_unit_etas,
    product_eta_label,
)
from backorder_desktop.services.bulk.bulk_snapshot import store_is_native
from backorder_desktop.services.bulk.bulk_state import variant_sync_states
from backorder_desktop.services.dock.shipment_rows import ShipmentRow, shipment_rows
from backorder_desktop.services.insights import insights_from
from backorder_desktop.services.notices.notify import NoticePlan, plan_notices
from backorder_desktop.services.queue import QueueState, load_queue_state
from backorder_desktop.services.sync_control.status import store_status


@dataclass(frozen=True, slots=True)
class ProductRow:
    variant_id: int
    product_id: int
    product_name: str
    options: str
    sku: str
    tracking: str
    availability: str
    on_hand: int
    backordered: int | None
    backorder_limit: int | None  # None: off
    available: int
    waiting: int
    eta: date | None
    eta_source: str
    message: str
    sync_state: str = ""
    # False: the store has no native backorders; the product's pre-order switch stands in.
    native: bool = True
    counts: StockCounts | None = None  # how on hand, backordered and waiting relate
    # The product's storefront texts that contradict its backorder state (issue 14), with fixes.
    flags: tuple[StorefrontFlag, ...] = ()

    @property
    def flag_text(self) -> str:
        return " ".join(flag.message for flag in self.flags)

    @property
    def counts_text(self) -> str:
        return self.counts.explain() if self.counts is not None else ""

    @property
    def limit_text(self) -> str:
        if not self.native:
            return "pre-order" if self.availability == "preorder" else "off"
        if self.tracking == "none":
            return "not tracked"
        if self.backorder_limit is None or self.backorder_limit <= 0:
            return "off"
        if self.backorder_limit >= UNLIMITED_BACKORDER_LIMIT:
            return "unlimited"
        return str(self.backorder_limit)

    @property
    def unlimited(self) -> bool:
        return (
            self.backorder_limit is not None and self.backorder_limit >= UNLIMITED_BACKORDER_LIMIT
        )

    @property
    def backorders_on(self) -> bool:
        if not self.native:
            return self.availability == "preorder"
        return self.backorder_limit is not None and self.backorder_limit > 0


@dataclass
class ViewRows:
    products: list[ProductRow] = field(default_factory=list)
    backorders: list[BackorderRow] = field(default_factory=list)
    shipments: list[ShipmentRow] = field(default_factory=list)
    status: dict[str, object] = field(default_factory=dict)
    currency: str = "USD"
    notices: NoticePlan | None = None  # the customer notices due now (Open backorders tab)
    native_backorders: bool = True  # False: the store has none; pre-order fields are used
    insights: InsightsReport | None = None  # the Insights tab's figures
    # Per table, key -> position in its list (built and kept by services/reload.py's merges).
    indexes: dict[str, dict[Any, int]] = field(default_factory=dict, repr=False, compare=False)


def _waiting_parts(
    state: QueueState, products: dict[int, Product]
) -> tuple[dict[int, int], dict[int, int]]:
    """Per variant: units waiting on lines BigCommerce backordered, and unshipped units on
    older lines (no quantity_backordered), for StockCounts."""
    native_lines = {
        line.id
        for order in state.orders.values()
        for line in order.lines
        if line.quantity_backordered is not None
    }
    native: dict[int, int] = defaultdict(int)
    for waiting in state.queue:
        if waiting.line_id in native_lines:
            native[waiting.variant_id] += waiting.qty_waiting
    older: dict[int, int] = defaultdict(int)
    for order in state.orders.values():
        for line in order.lines:
            product = products.get(line.product_id)
            if line.quantity_backordered is not None or product is None:
                continue
            if product.inventory_tracking == "none":
                continue
            older[line.variant_id] += max(0, line.quantity - line.quantity_shipped)
    return native, older


def _storefront_flags(
    state: QueueState, products: dict[int, Product], today: date
) -> dict[int, tuple[StorefrontFlag, ...]]:
    """Per product with customers waiting: its storefront texts that contradict that. The
    product's ETA is its latest line's, unknown if any line's is or has passed."""
    waiting: dict[int, int] = defaultdict(int)
    etas: dict[int, list[date | None]] = defaultdict(list)
    for line in state.queue:
        waiting[line.product_id] += line.qty_waiting
        etas[line.product_id].append(line.eta if line.eta and line.eta >= today else None)
    out: dict[int, tuple[StorefrontFlag, ...]] = {}
    for pid, units in waiting.items():
        product = products.get(pid)
        if product is None:
            continue
        found = storefront_flags(
            availability=product.availability,
            description=product.availability_description,
            preorder_message=product.preorder_message,
            release_date=product.preorder_release_date,
            waiting=units,
            eta=latest_eta(etas[pid]),
        )
        if found:
            out[pid] = tuple(found)
    return out


def product_rows(
    cache: Cache,
    state: QueueState,
    products: dict[int, Product],
    variants: list[Variant],
    *,
    today: date,
    native: bool,
) -> list[ProductRow]:
    """The Products tab's rows of `variants` (with their `products`), from the queue `state`
    (complete for those variants) and their stock and outbox states."""
    stock: dict[int, list[InventoryRecord]] = defaultdict(list)
    whole = state.variants is None
    records = (
        cache.inventory.all() if whole else cache.inventory.for_variants(v.id for v in variants)
    )
    for record in records:
        stock[record.variant_id].append(record)
    etas = next_unit_etas(state, {v.id: (v.sku, v.product_id) for v in variants})
    waiting_by_variant: dict[int, int] = defaultdict(int)
    for line in state.queue:
        waiting_by_variant[line.variant_id] += line.qty_waiting
    waiting_native, older_unshipped = _waiting_parts(state, products)
    flags = _storefront_flags(state, products, today)
    sync_states = variant_sync_states(cache)
    out: list[ProductRow] = []
    for variant in variants:
        product = products.get(variant.product_id)
        if product is None:
            continue
        held = stock.get(variant.id, [])
        limits = [r.backorder_limit for r in held if r.backorder_limit is not None]
        backordered = [r.qty_backordered for r in held if r.qty_backordered is not None]
        eta = etas[variant.id]
        on_hand = sum(r.on_hand for r in held) if held else variant.inventory_level
        waiting = waiting_by_variant.get(variant.id, 0)
        out.append(
            ProductRow(
                variant_id=variant.id,
                product_id=product.id,
                product_name=product.name,
                options=variant.option_label,
                sku=variant.sku,
                tracking=product.inventory_tracking,
                availability=product.availability,
                on_hand=on_hand,
                backordered=sum(backordered) if backordered else None,
                backorder_limit=max(limits) if limits else None,
                available=sum(r.available_to_sell for r in held)
                if held
                else variant.inventory_level,
                waiting=waiting,
                eta=eta.date,
                eta_source=product_eta_label(eta),
                message=product.preorder_message or product.availability_description,
                sync_state=sync_states.get(variant.id, ""),
                native=native,
                counts=StockCounts(
                    on_hand=on_hand,
                    backordered=sum(backordered) if backordered else None,
                    waiting_backordered=waiting_native.get(variant.id, 0),
                    waiting_older=waiting - waiting_native.get(variant.id, 0),
                    older_unshipped=older_unshipped.get(variant.id, 0),
                ),
                # Shown on the variants customers wait for (the text is the product's).
                flags=flags.get(product.id, ()) if waiting else (),
            )
        )
    if whole:
        free_in_slices(stock)
    return out


def store_currency(cache: Cache) -> str:
    with cache.read() as db:
        found = db.execute("SELECT currency_code FROM orders ORDER BY id LIMIT 1").fetchone()
    return str(found[0]) if found and found[0] else "USD"


def load_rows(
    cache: Cache,
    *,
    now: datetime | None = None,
    checkin_days: int = 0,
    checkin_max: int = DEFAULT_CHECKIN_MAX,
) -> ViewRows:
    """Every tab's rows; the queue is built once for all of them."""
    now = now or datetime.now(UTC)
    products = {p.id: p for p in cache.products.all()}
    variants = cache.variants.all()
    state = load_queue_state(cache)
    native = store_is_native(cache)
    rows_of_products = product_rows(
        cache, state, products, variants, today=now.date(), native=native
    )
    rows_of_products = sorted_in_slices(
        rows_of_products, key=lambda r: (r.product_name.casefold(), r.sku)
    )
    plan = plan_notices(
        cache, checkin_days=checkin_days, checkin_max=checkin_max, today=now.date(), state=state
    )
    currency = store_currency(cache)
    backorders = backorder_rows(state, plan.due, now=now)
    rows = ViewRows(
        products=rows_of_products,
        backorders=backorders,
        shipments=shipment_rows(cache, now=now),
        status=store_status(cache, backorder_lines=len(state.queue)),
        currency=currency,
        notices=plan,
        native_backorders=native,
        insights=insights_from(cache, backorders, now=now, currency=currency),
    )
    # The cache's records were only needed to build the rows (a reload runs beside the window).
    free_in_slices(products, variants)
    return rows
