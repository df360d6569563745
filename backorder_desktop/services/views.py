"""The rows each tab shows, read from the cache in one go (on a worker thread, never the GUI's)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from ..cache import Cache
from ..cache.backorder_queue import load_queue_state
from ..domain.insights import InsightsReport
from ..domain.models import UNLIMITED_BACKORDER_LIMIT
from ..domain.slices import free_in_slices, sorted_in_slices
from .backorder_rows import BackorderRow, backorder_rows, next_unit_etas, product_eta_label
from .bulk_snapshot import store_is_native
from .bulk_state import variant_sync_states
from .insights import insights_from
from .notify import NoticePlan, plan_notices
from .shipment_rows import ShipmentRow, shipment_rows
from .status import store_status


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


def load_rows(cache: Cache, *, now: datetime | None = None, checkin_days: int = 0) -> ViewRows:
    now = now or datetime.now(UTC)
    products = {p.id: p for p in cache.products.all()}
    variants = cache.variants.all()
    stock: dict[int, list] = defaultdict(list)
    for record in cache.inventory.all():
        stock[record.variant_id].append(record)
    state = load_queue_state(cache)
    queue = state.queue
    etas = next_unit_etas(state, {v.id: (v.sku, v.product_id) for v in variants})
    waiting_by_variant: dict[int, int] = defaultdict(int)
    for line in queue:
        waiting_by_variant[line.variant_id] += line.qty_waiting
    sync_states = variant_sync_states(cache)
    native = store_is_native(cache)

    product_rows: list[ProductRow] = []
    for variant in variants:
        product = products.get(variant.product_id)
        if product is None:
            continue
        records = stock.get(variant.id, [])
        limits = [r.backorder_limit for r in records if r.backorder_limit is not None]
        backordered = [r.qty_backordered for r in records if r.qty_backordered is not None]
        eta = etas[variant.id]
        product_rows.append(
            ProductRow(
                variant_id=variant.id,
                product_id=product.id,
                product_name=product.name,
                options=variant.option_label,
                sku=variant.sku,
                tracking=product.inventory_tracking,
                availability=product.availability,
                on_hand=sum(r.on_hand for r in records) if records else variant.inventory_level,
                backordered=sum(backordered) if backordered else None,
                backorder_limit=max(limits) if limits else None,
                available=sum(r.available_to_sell for r in records)
                if records
                else variant.inventory_level,
                waiting=waiting_by_variant.get(variant.id, 0),
                eta=eta.date,
                eta_source=product_eta_label(eta),
                message=product.preorder_message or product.availability_description,
                sync_state=sync_states.get(variant.id, ""),
                native=native,
            )
        )
    product_rows = sorted_in_slices(product_rows, key=lambda r: (r.product_name.casefold(), r.sku))
    plan = plan_notices(cache, checkin_days=checkin_days, today=now.date(), state=state)
    orders = cache.orders.all()
    currency = orders[0].currency_code if orders else "USD"
    backorders = backorder_rows(state, plan.due, now=now)
    rows = ViewRows(
        products=product_rows,
        backorders=backorders,
        shipments=shipment_rows(cache, now=now),
        status=store_status(cache, backorder_lines=len(queue)),
        currency=currency,
        notices=plan,
        native_backorders=native,
        insights=insights_from(cache, backorders, now=now, currency=currency),
    )
    # The cache's records were only needed to build the rows (a reload runs beside the window).
    free_in_slices(products, variants, stock)
    return rows
