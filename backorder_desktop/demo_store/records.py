"""The demo store's in-memory dataset: mutable records and the `StoreState` that holds them.

`StoreState` is what `DemoStore.state` returns. Tests read it to build expectations that do not
depend on the HTTP layer, so every field is documented here:

- `locations`: id -> `LocationRec`; exactly one has `is_default` (id 1, like BigCommerce).
- `products`: id -> `ProductRec`; `variant_ids` lists the product's variants in order. A product
  without options has one base variant (its SKU equals the product SKU, `option_values` empty) and
  `base_variant_id` set; a product with options has one variant per option combination and
  `base_variant_id` None.
- `variants`: id -> `VariantRec`. `price` None means "inherits the product price".
- `inventory`: (variant_id, location_id) -> `InventoryRec` for every variant of a product that
  tracks inventory (`inventory_tracking` "product" or "variant"), at every location. Records are
  created when a product starts tracking and kept (hidden from the Inventory API) if it stops.
  A product tracked by product (with or without options) has one stock per location, kept in
  the record of `stock_variant(vid)`; the Inventory API shows it on each of its variants and
  takes writes for it by `product_id` only.
  `on_hand` never goes below 0; `qty_backordered` is the units sold past zero;
  `backorder_limit` None means backorders are off for the item.
- `orders`: id -> `OrderRec` with `lines` (`LineRec`) and `shipments` (`ShipmentRec`).
  `LineRec.quantity_backordered` is set on every line of an order with backordered units (0 on
  the lines that took stock) and None on all other lines: orders without backordered units,
  and orders from before the store enabled native backorders (`native_backorders_since`).
  Generated pre-order lines never share an order with backordered units.
- `metafields`: id -> `MetafieldRec` for every resource type ("product", "variant", "order",
  "store"; store metafields use resource_id 0).
- `customers`: id -> `CustomerRec`; `backorder_messages`: id -> `BackorderMessageRec`.
- `inventory_settings`: the `/v3/settings/inventory` document.
- `suppliers`: parsed from the store metafields `backorder_desktop` / `supplier:<id>` (JSON).

Dataset invariant (native backorders): for every tracked variant, `qty_backordered` at the default
location equals the sum of `quantity_backordered` over the lines of open orders (statuses 11, 9, 3,
7) for that variant, and `backorder_limit` is at least that sum. The demo store keeps it when
orders are created through the API; direct writes through the Inventory API may break it, as on a
real store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DEFAULT_LOCATION_ID = 1
# BigCommerce has no "unlimited" backorder limit: the app writes this value for "unlimited"
# (the largest inventory value the Catalog API accepts, products_catalog.v3.yml inventory_level).
UNLIMITED_BACKORDER_LIMIT = 2_147_483_647
SUPPLIER_KEY_PREFIX = "supplier:"
APP_NAMESPACE = "backorder_desktop"  # same value as domain.models.METAFIELD_NAMESPACE
OPEN_STATUSES = (11, 9, 3, 7)  # same value as domain.models.OPEN_ORDER_STATUSES


@dataclass(slots=True)
class LocationRec:
    id: int
    code: str
    label: str
    description: str
    is_default: bool
    enabled: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(slots=True)
class OptionValueRec:
    id: int
    label: str


@dataclass(slots=True)
class OptionRec:
    id: int
    display_name: str
    values: list[OptionValueRec] = field(default_factory=list)


@dataclass(slots=True)
class VariantOptionRec:
    option_id: int
    value_id: int
    option_display_name: str
    label: str


@dataclass(slots=True)
class ProductRec:
    id: int
    name: str
    sku: str
    price: float
    cost_price: float
    weight: float
    inventory_tracking: str  # "none" | "product" | "variant"
    availability: str  # "available" | "disabled" | "preorder"
    date_created: datetime
    date_modified: datetime
    availability_description: str = ""
    preorder_release_date: datetime | None = None
    preorder_message: str = ""
    is_preorder_only: bool = False
    is_visible: bool = True
    inventory_warning_level: int = 0
    upc: str = ""
    gtin: str = ""
    mpn: str = ""
    brand_id: int = 0
    categories: list[int] = field(default_factory=list)
    description: str = ""
    total_sold: int = 0
    base_variant_id: int | None = None
    options: list[OptionRec] = field(default_factory=list)
    variant_ids: list[int] = field(default_factory=list)
    type: str = "physical"  # "physical" | "digital" (downloads consignment on orders)


@dataclass(slots=True)
class VariantRec:
    id: int
    product_id: int
    sku: str
    price: float | None = None
    sale_price: float | None = None
    cost_price: float | None = None
    weight: float | None = None
    upc: str = ""
    gtin: str = ""
    mpn: str = ""
    sku_id: int | None = None  # None for a product's base variant
    purchasing_disabled: bool = False
    purchasing_disabled_message: str = ""
    inventory_warning_level: int = 0
    bin_picking_number: str = ""
    option_values: list[VariantOptionRec] = field(default_factory=list)

    @property
    def option_label(self) -> str:
        return ", ".join(f"{o.option_display_name} {o.label}" for o in self.option_values)


@dataclass(slots=True)
class InventoryRec:
    variant_id: int
    location_id: int
    on_hand: int = 0
    safety_stock: int = 0
    is_in_stock: bool = True
    warning_level: int = 0
    bin_picking_number: str = ""
    qty_backordered: int = 0
    backorder_limit: int | None = None
    backorder_message_id: int | None = None


@dataclass(slots=True)
class CustomerRec:
    id: int
    first_name: str
    last_name: str
    email: str
    company: str = ""
    phone: str = ""
    street_1: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = "United States"
    country_iso2: str = "US"


@dataclass(slots=True)
class AddressRec:
    id: int  # order_address_id for shipping addresses; 0 for billing
    first_name: str
    last_name: str
    email: str
    company: str = ""
    street_1: str = ""
    street_2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = "United States"
    country_iso2: str = "US"
    phone: str = ""
    shipping_method: str = "Flat Rate"


@dataclass(slots=True)
class LineRec:
    id: int
    order_id: int
    product_id: int
    variant_id: int
    sku: str
    name: str
    quantity: int
    price_ex_tax: float
    price_inc_tax: float
    quantity_shipped: int = 0
    quantity_backordered: int | None = None
    order_address_id: int = 0
    upc: str = ""
    weight: float = 0.0
    options: list[tuple[str, str]] = field(default_factory=list)  # (display_name, value)


@dataclass(slots=True)
class ShipmentItemRec:
    order_product_id: int
    product_id: int
    quantity: int


@dataclass(slots=True)
class ShipmentRec:
    id: int
    order_id: int
    order_address_id: int
    date_created: datetime
    tracking_number: str = ""
    tracking_carrier: str = ""
    shipping_provider: str = ""
    shipping_method: str = ""
    comments: str = ""
    items: list[ShipmentItemRec] = field(default_factory=list)


@dataclass(slots=True)
class RefundItemRec:
    item_type: str  # "PRODUCT" (item_id = order product id); the demo store refunds no others
    item_id: int
    quantity: int
    amount: float  # what the item refunded, tax included
    reason: str = ""


@dataclass(slots=True)
class RefundPaymentRec:
    id: int
    provider_id: str
    amount: float
    offline: bool
    is_declined: bool = False
    declined_message: str = ""


@dataclass(slots=True)
class RefundRec:
    """One refund of `POST /v3/orders/{id}/payment_actions/refunds` (orders.v3.yml, Refund)."""

    id: int
    order_id: int
    created: datetime
    reason: str
    total_amount: float
    total_tax: float
    items: list[RefundItemRec] = field(default_factory=list)
    payments: list[RefundPaymentRec] = field(default_factory=list)


@dataclass(slots=True)
class OrderRec:
    id: int
    customer_id: int
    status_id: int
    date_created: datetime
    date_modified: datetime
    billing_address: AddressRec
    shipping_address: AddressRec
    lines: list[LineRec] = field(default_factory=list)
    shipments: list[ShipmentRec] = field(default_factory=list)
    date_shipped: datetime | None = None
    staff_notes: str = ""
    customer_message: str = ""
    payment_method: str = "Credit Card"
    currency_code: str = "USD"
    shipping_cost_ex_tax: float = 0.0
    external_source: str | None = None
    refunds: list[RefundRec] = field(default_factory=list)

    @property
    def has_backordered_units(self) -> bool:
        return any(line.quantity_backordered for line in self.lines)


@dataclass(slots=True)
class MetafieldRec:
    id: int
    resource_type: str  # "product" | "variant" | "order" | "store"
    resource_id: int  # 0 for store metafields
    namespace: str
    key: str
    value: str
    permission_set: str
    date_created: datetime
    date_modified: datetime
    description: str = ""
    owner_client_id: str = ""


@dataclass(slots=True)
class BackorderMessageRec:
    id: int
    name: str
    message: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class StoreState:
    store_hash: str
    created_at: datetime
    native_backorders_since: datetime
    seed: int
    locations: dict[int, LocationRec] = field(default_factory=dict)
    products: dict[int, ProductRec] = field(default_factory=dict)
    variants: dict[int, VariantRec] = field(default_factory=dict)
    inventory: dict[tuple[int, int], InventoryRec] = field(default_factory=dict)
    customers: dict[int, CustomerRec] = field(default_factory=dict)
    orders: dict[int, OrderRec] = field(default_factory=dict)
    metafields: dict[int, MetafieldRec] = field(default_factory=dict)
    backorder_messages: dict[int, BackorderMessageRec] = field(default_factory=dict)
    inventory_settings: dict[str, Any] = field(default_factory=dict)
    # Next ids to hand out (BigCommerce ids are sequential per resource).
    next_ids: dict[str, int] = field(default_factory=dict)

    def new_id(self, kind: str) -> int:
        value = self.next_ids.get(kind, 1)
        self.next_ids[kind] = value + 1
        return value

    @property
    def default_location_id(self) -> int:
        for loc in self.locations.values():
            if loc.is_default:
                return loc.id
        return DEFAULT_LOCATION_ID

    def stock_variant(self, variant_id: int) -> int:
        """Whose record holds this variant's stock: a product tracked by product keeps one
        stock for all its variants, in its base variant's record, or its first variant's when
        it has options (a choice of this demo store; BigCommerce does not say)."""
        variant = self.variants.get(variant_id)
        if variant is None:
            return variant_id
        product = self.products[variant.product_id]
        if product.inventory_tracking != "product" or not product.variant_ids:
            return variant_id
        return product.base_variant_id or product.variant_ids[0]

    def variants_of(self, product_id: int) -> list[VariantRec]:
        return [self.variants[vid] for vid in self.products[product_id].variant_ids]

    def tracked(self, variant_id: int) -> bool:
        variant = self.variants.get(variant_id)
        if variant is None:
            return False
        return self.products[variant.product_id].inventory_tracking != "none"

    def on_hand(self, variant_id: int, location_id: int | None = None) -> int:
        loc = self.default_location_id if location_id is None else location_id
        rec = self.inventory.get((variant_id, loc))
        return rec.on_hand if rec else 0

    def open_orders(self) -> list[OrderRec]:
        return [o for o in self.orders.values() if o.status_id in OPEN_STATUSES]

    @property
    def suppliers(self) -> list[dict[str, Any]]:
        """Supplier documents kept as store metafields (JSON values), in key order."""
        found = [
            m
            for m in self.metafields.values()
            if m.resource_type == "store"
            and m.namespace == APP_NAMESPACE
            and m.key.startswith(SUPPLIER_KEY_PREFIX)
        ]
        out: list[dict[str, Any]] = []
        for m in sorted(found, key=lambda m: m.key):
            try:
                doc = json.loads(m.value)
            except ValueError:
                continue
            if isinstance(doc, dict):
                out.append(doc)
        return out
