"""The rows each tab shows, read from the cache in one go (on a worker thread, never the GUI's)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from ..cache import Cache
from ..cache.backorder_queue import manual_etas
from ..domain.models import UNLIMITED_BACKORDER_LIMIT, BackorderLine
from .backorders import list_backorders, store_status
from .shipment_rows import ShipmentRow, shipment_rows


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

    @property
    def limit_text(self) -> str:
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
        return self.backorder_limit is not None and self.backorder_limit > 0


@dataclass(frozen=True, slots=True)
class BackorderRow:
    line: BackorderLine
    days_waiting: int

    @property
    def key(self) -> int:
        return self.line.line_id


@dataclass
class ViewRows:
    products: list[ProductRow] = field(default_factory=list)
    backorders: list[BackorderRow] = field(default_factory=list)
    shipments: list[ShipmentRow] = field(default_factory=list)
    status: dict[str, object] = field(default_factory=dict)
    currency: str = "USD"


def load_rows(cache: Cache, *, now: datetime | None = None) -> ViewRows:
    now = now or datetime.now(UTC)
    products = {p.id: p for p in cache.products.all()}
    variants = cache.variants.all()
    stock: dict[int, list] = defaultdict(list)
    for record in cache.inventory.all():
        stock[record.variant_id].append(record)
    manual_eta = manual_etas(cache)
    queue = list_backorders(cache)
    waiting_by_variant: dict[int, int] = defaultdict(int)
    for line in queue:
        waiting_by_variant[line.variant_id] += line.qty_waiting

    product_rows: list[ProductRow] = []
    for variant in variants:
        product = products.get(variant.product_id)
        if product is None:
            continue
        records = stock.get(variant.id, [])
        limits = [r.backorder_limit for r in records if r.backorder_limit is not None]
        backordered = [r.qty_backordered for r in records if r.qty_backordered is not None]
        eta = manual_eta.get(variant.id)
        eta_source = "manual" if eta else ""
        if eta is None and product.availability == "preorder" and product.preorder_release_date:
            eta, eta_source = product.preorder_release_date.date(), "pre-order date"
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
                eta=eta,
                eta_source=eta_source,
                message=product.preorder_message or product.availability_description,
            )
        )
    product_rows.sort(key=lambda r: (r.product_name.casefold(), r.sku))
    backorder_rows = [BackorderRow(line, max(0, (now - line.order_date).days)) for line in queue]
    orders = cache.orders.all()
    currency = orders[0].currency_code if orders else "USD"
    return ViewRows(
        products=product_rows,
        backorders=backorder_rows,
        shipments=shipment_rows(cache, now=now),
        status=store_status(cache, backorder_lines=len(queue)),
        currency=currency,
    )
