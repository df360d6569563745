"""Plain, immutable records of the store as the app sees it (no I/O, no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# V2 order status ids that count as "open" (DESIGN.md, domain rules).
AWAITING_PAYMENT = 7
AWAITING_SHIPMENT = 9
PARTIALLY_SHIPPED = 3
AWAITING_FULFILLMENT = 11
OPEN_ORDER_STATUSES: tuple[int, ...] = (
    AWAITING_FULFILLMENT,
    AWAITING_SHIPMENT,
    PARTIALLY_SHIPPED,
    AWAITING_PAYMENT,
)

# BigCommerce's `backorder_limit` is a count; null means backorders are off. BigCommerce has no
# "unlimited": the app writes the largest inventory value the Catalog API accepts
# (products_catalog.v3.yml, inventory_level) and shows any limit that large as "unlimited".
UNLIMITED_BACKORDER_LIMIT = 2_147_483_647

# Namespace of every metafield the app writes (shared between laptops).
METAFIELD_NAMESPACE = "backorder_desktop"


@dataclass(frozen=True, slots=True)
class Product:
    id: int
    name: str
    sku: str
    inventory_tracking: str  # "none" | "product" | "variant"
    availability: str  # "available" | "disabled" | "preorder"
    price: float
    preorder_release_date: datetime | None = None
    preorder_message: str = ""
    availability_description: str = ""
    date_modified: datetime | None = None


@dataclass(frozen=True, slots=True)
class Variant:
    id: int
    product_id: int
    sku: str
    option_label: str  # e.g. "Size M, Colour Blue"; "" for a product's base variant
    price: float | None
    inventory_level: int
    upc: str = ""
    gtin: str = ""
    purchasing_disabled: bool = False


@dataclass(frozen=True, slots=True)
class Location:
    id: int
    code: str
    label: str
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class InventoryRecord:
    """Stock of one variant at one inventory location (Inventory API, native backorders)."""

    variant_id: int
    location_id: int
    on_hand: int
    available_to_sell: int
    qty_backordered: int | None = None  # None: store without native backorders
    backorder_limit: int | None = None  # None: backorders off (or unknown)


@dataclass(frozen=True, slots=True)
class OrderLine:
    id: int
    order_id: int
    product_id: int
    variant_id: int
    sku: str
    name: str
    quantity: int
    quantity_shipped: int
    price_inc_tax: float
    # None when the line predates native backorders (or the store has none).
    quantity_backordered: int | None = None
    option_label: str = ""


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    status_id: int
    date_created: datetime
    date_modified: datetime
    customer_id: int
    customer_email: str
    customer_name: str
    total_inc_tax: float
    currency_code: str
    lines: tuple[OrderLine, ...] = field(default_factory=tuple)
    staff_notes: str = ""  # V2 `staff_notes`: the app appends notice lines (absolute writes)

    @property
    def is_open(self) -> bool:
        return self.status_id in OPEN_ORDER_STATUSES


@dataclass(frozen=True, slots=True)
class Metafield:
    id: int
    resource_type: str  # "product" | "variant" | "order" | "store"
    resource_id: int | None  # None for store metafields
    namespace: str
    key: str
    value: str
    date_modified: datetime | None = None
    owner_client_id: str = ""  # the API account that created it (read-only; issue 7)


@dataclass(frozen=True, slots=True)
class BackorderLine:
    """One open order line with units waiting, placed in its SKU's queue."""

    order_id: int
    line_id: int
    order_date: datetime
    customer_email: str
    customer_name: str
    sku: str
    product_id: int
    variant_id: int
    name: str
    qty_ordered: int
    qty_waiting: int
    queue_position: int  # 1-based, per SKU
    priority: int
    price_inc_tax: float = 0.0
    eta: date | None = None
    notified_eta: date | None = None
    # Where `eta` comes from (domain.eta): "shipment", "manual", "preorder", "lead_time" or
    # "unknown"; `eta_ref` names the shipment (its reference) or the supplier.
    eta_source: str = ""
    eta_ref: str = ""


@dataclass(frozen=True, slots=True)
class StockDelta:
    """A change to a stock record (a relative inventory adjustment); the cache keeps the
    queued ones, so the type lives here rather than with the receiving rules."""

    variant_id: int
    location_id: int
    on_hand: int
    qty_backordered: int
