"""BigCommerce JSON -> domain records; a record that cannot be read raises MappingError."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..domain.models import (
    UNLIMITED_BACKORDER_LIMIT,
    InventoryRecord,
    Location,
    Metafield,
    Order,
    OrderLine,
    Product,
    Variant,
)
from .coerce import (
    BadField,
    as_dict,
    as_list,
    to_bool,
    to_datetime,
    to_float,
    to_int,
    to_opt_float,
    to_opt_int,
    to_required_datetime,
    to_str,
)
from .errors import MappingError

JSON = dict[str, Any]
METAFIELD_RESOURCE_TYPES = ("product", "variant", "order", "store")
# The Locations API's records have no is_default field (locations.v3.yml); the default is the
# one `?is_default=true` lists (spec README, "Learned since"), whatever its id. A record that
# does carry the field is believed.


# Each mapper checks for an object, then turns a BadField into a MappingError naming the record.
# Plain try/except rather than a context manager: a large sync maps 90,000 records, and a
# @contextmanager per record cost more than the mapping itself.
def _not_object(resource: str, data: Any) -> MappingError:
    return MappingError(resource, None, f"expected an object, got {type(data).__name__}")


def _bad(resource: str, data: JSON, exc: BadField) -> MappingError:
    return MappingError(resource, data.get("id"), str(exc))


def map_location(data: Any) -> Location:
    if not isinstance(data, dict):
        raise _not_object("location", data)
    d = data
    try:
        location_id = to_int(d.get("id"), "id")
        is_default = d.get("is_default")
        return Location(
            id=location_id,
            code=to_str(d.get("code"), "code"),
            label=to_str(d.get("label"), "label") or to_str(d.get("code"), "code"),
            is_default=to_bool(is_default, "is_default") if is_default is not None else False,
        )
    except BadField as exc:
        raise _bad("location", d, exc) from None


def _option_label(values: Any, name_key: str, value_key: str) -> str:
    """'Size M, Colour Blue' from a variant's option_values or an order line's product_options."""
    if not values:
        return ""  # most variants of a simple product, most order lines
    parts = []
    for option in as_list(values):
        option = as_dict(option)
        name = to_str(option.get(name_key), name_key).strip()
        value = to_str(option.get(value_key), value_key).strip()
        if name or value:
            parts.append(f"{name} {value}".strip())
    return ", ".join(parts)


def map_variant(data: Any, product_id: int | None = None) -> Variant:
    if not isinstance(data, dict):
        raise _not_object("variant", data)
    d = data
    try:
        return Variant(
            id=to_int(d.get("id"), "id"),
            product_id=to_int(d.get("product_id"), "product_id", default=product_id),
            sku=to_str(d.get("sku"), "sku"),
            option_label=_option_label(d.get("option_values"), "option_display_name", "label"),
            price=to_opt_float(d.get("price"), "price"),  # null: inherits the product's price
            inventory_level=to_int(d.get("inventory_level"), "inventory_level", default=0),
            upc=to_str(d.get("upc"), "upc"),
            gtin=to_str(d.get("gtin"), "gtin"),
            purchasing_disabled=to_bool(d.get("purchasing_disabled"), "purchasing_disabled"),
        )
    except BadField as exc:
        raise _bad("variant", d, exc) from None


def map_product(data: Any) -> tuple[Product, list[Variant]]:
    """A product and its variants (present when listed with include=variants)."""
    if not isinstance(data, dict):
        raise _not_object("product", data)
    d = data
    try:
        product = Product(
            id=to_int(d.get("id"), "id"),
            name=to_str(d.get("name"), "name"),
            sku=to_str(d.get("sku"), "sku"),
            inventory_tracking=to_str(d.get("inventory_tracking"), "inventory_tracking") or "none",
            availability=to_str(d.get("availability"), "availability") or "available",
            price=to_float(d.get("price"), "price"),
            preorder_release_date=to_datetime(
                d.get("preorder_release_date"), "preorder_release_date"
            ),
            preorder_message=to_str(d.get("preorder_message"), "preorder_message"),
            availability_description=to_str(
                d.get("availability_description"), "availability_description"
            ),
            date_modified=to_datetime(d.get("date_modified"), "date_modified"),
        )
    except BadField as exc:
        raise _bad("product", d, exc) from None
    variants = [map_variant(v, product.id) for v in as_list(data.get("variants"))]
    return product, variants


def _backorder_limit(settings: JSON) -> int | None:
    """None: backorders off. Unlimited is a state of its own (storefront code reads one), which
    the REST docs do not spell: a negative count, "unlimited", or a count at least the app's
    UNLIMITED_BACKORDER_LIMIT all read as unlimited; off is only null (or absent)."""
    raw = settings.get("backorder_limit")
    if isinstance(raw, str) and raw.strip().lower() in ("unlimited", "infinite", "inf"):
        return UNLIMITED_BACKORDER_LIMIT
    if settings.get("is_backorder_unlimited") is True or settings.get("unlimited") is True:
        return UNLIMITED_BACKORDER_LIMIT
    value = to_opt_int(raw, "settings.backorder_limit")
    if value is not None and (value < 0 or value >= UNLIMITED_BACKORDER_LIMIT):
        return UNLIMITED_BACKORDER_LIMIT
    return value


def map_inventory_item(data: Any) -> list[InventoryRecord]:
    """One record per location of an /v3/inventory/items entry."""
    if not isinstance(data, dict):
        raise _not_object("inventory item", data)
    identity = as_dict(data.get("identity"))
    try:
        variant_id = to_int(identity.get("variant_id"), "identity.variant_id")
    except BadField as exc:
        raise MappingError("inventory item", identity.get("sku"), str(exc)) from None
    try:
        records = []
        for location in as_list(data.get("locations")):
            loc = as_dict(location)
            settings = as_dict(loc.get("settings"))
            on_hand = to_int(loc.get("total_inventory_onhand"), "total_inventory_onhand", default=0)
            records.append(
                InventoryRecord(
                    variant_id=variant_id,
                    location_id=to_int(loc.get("location_id"), "location_id"),
                    on_hand=on_hand,
                    available_to_sell=to_int(
                        loc.get("available_to_sell"), "available_to_sell", default=on_hand
                    ),
                    # Beta fields of native backorders; absent on stores without them.
                    qty_backordered=to_opt_int(loc.get("qty_backordered"), "qty_backordered"),
                    backorder_limit=_backorder_limit(settings),
                )
            )
        return records
    except BadField as exc:
        raise MappingError("inventory item", data.get("id"), str(exc)) from None


def _collect_line_items(node: Any, out: list[JSON]) -> bool:
    # Consignments come as an object {pickups, shipping, downloads, email{gift_certificates}}
    # with consignment_structure=object, as a list of such objects without it
    # (orders.v2.oas2.yml, orderConsignment_Get). Line items are full order products only with
    # include=consignments.line_items; bare {url, resource} links carry no quantity and are
    # skipped, but noted: the return value says whether there was one (one walk for both).
    links = False
    if isinstance(node, dict):
        for item in as_list(node.get("line_items")):
            if isinstance(item, dict):
                if "quantity" in item:
                    out.append(item)
                elif "resource" in item:
                    links = True
        for key, value in node.items():
            if key != "line_items" and isinstance(value, dict | list):
                links = _collect_line_items(value, out) or links
    elif isinstance(node, list):
        for value in node:
            links = _collect_line_items(value, out) or links
    return links


def consignment_lines(consignments: Any) -> tuple[list[JSON], bool]:
    """The full line items under an order's consignments, and whether any is given as a link
    only ({url, resource}): the orders spec allows that shape for every kind, digital
    downloads included (digitalConsignment_Get)."""
    out: list[JSON] = []
    return out, _collect_line_items(consignments, out)


def has_line_links(consignments: Any) -> bool:
    """Whether a consignment lists line items as links ({url, resource}) only."""
    return consignment_lines(consignments)[1]


def map_order_line(data: Any, order_id: int) -> OrderLine:
    if not isinstance(data, dict):
        raise _not_object("order line", data)
    d = data
    try:
        return OrderLine(
            id=to_int(d.get("id"), "id"),
            order_id=to_int(d.get("order_id"), "order_id", default=order_id),
            product_id=to_int(d.get("product_id"), "product_id", default=0),
            variant_id=to_int(d.get("variant_id"), "variant_id", default=0),  # 0: custom item
            sku=to_str(d.get("sku"), "sku"),
            name=to_str(d.get("name"), "name") or to_str(d.get("name_customer"), "name"),
            quantity=to_int(d.get("quantity"), "quantity", default=0),
            quantity_shipped=to_int(d.get("quantity_shipped"), "quantity_shipped", default=0),
            price_inc_tax=to_float(d.get("price_inc_tax"), "price_inc_tax"),
            # Absent on lines from before native backorders (DESIGN.md): keep None, not 0.
            quantity_backordered=to_opt_int(d.get("quantity_backordered"), "quantity_backordered"),
            option_label=_option_label(d.get("product_options"), "display_name", "display_value"),
        )
    except BadField as exc:
        raise _bad("order line", d, exc) from None


def map_order(data: Any, *, line_items: list[JSON] | None = None) -> Order:
    """A V2 order; its lines come from include=consignments.line_items (or a products list).
    `line_items`: what `consignment_lines` found under its consignments, if already walked."""
    if not isinstance(data, dict):
        raise _not_object("order", data)
    d = data
    try:
        order_id = to_int(d.get("id"), "id")
        created = to_required_datetime(d.get("date_created"), "date_created")
        billing = as_dict(d.get("billing_address"))
        name = " ".join(
            part
            for part in (
                to_str(billing.get("first_name"), "billing_address.first_name").strip(),
                to_str(billing.get("last_name"), "billing_address.last_name").strip(),
            )
            if part
        )
        raw_lines: list[JSON] = []
        if isinstance(d.get("products"), list):
            raw_lines.extend(p for p in d["products"] if isinstance(p, dict))
        if line_items is None:
            _collect_line_items(d.get("consignments"), raw_lines)
        else:
            raw_lines.extend(line_items)
        # Totals are in the transactional currency: default_currency_code (orders.v2 spec).
        currency = to_str(d.get("default_currency_code"), "default_currency_code") or to_str(
            d.get("currency_code"), "currency_code"
        )
        status_id = to_int(d.get("status_id"), "status_id")
        modified = to_datetime(d.get("date_modified"), "date_modified") or created
        customer_id = to_int(d.get("customer_id"), "customer_id", default=0)
        email = to_str(billing.get("email"), "billing_address.email")
        total = to_float(d.get("total_inc_tax"), "total_inc_tax")
        notes = to_str(d.get("staff_notes"), "staff_notes")
    except BadField as exc:
        raise _bad("order", d, exc) from None
    lines: dict[int, OrderLine] = {}
    for raw in raw_lines:
        line = map_order_line(raw, order_id)
        lines.setdefault(line.id, line)  # a line split over consignments is one line
    # Built once its lines are read: `replace` on a frozen record costs a second construction.
    return Order(
        id=order_id,
        status_id=status_id,
        date_created=created,
        date_modified=modified,
        customer_id=customer_id,
        customer_email=email,
        customer_name=name,
        total_inc_tax=total,
        currency_code=currency,
        lines=tuple(lines.values()),
        staff_notes=notes,
    )


def map_metafield(data: Any, resource_type: str) -> Metafield:
    if not isinstance(data, dict):
        raise _not_object(f"{resource_type} metafield", data)
    d = data
    try:
        return Metafield(
            id=to_int(d.get("id"), "id"),
            resource_type=resource_type,
            # A store metafield's resource_id is the store's own id: not a resource of ours.
            resource_id=(
                None if resource_type == "store" else to_int(d.get("resource_id"), "resource_id")
            ),
            namespace=to_str(d.get("namespace"), "namespace"),
            key=to_str(d.get("key"), "key"),
            value=to_str(d.get("value"), "value"),
            date_modified=to_datetime(d.get("date_modified"), "date_modified"),
            owner_client_id=str(d.get("owner_client_id") or ""),
        )
    except BadField as exc:
        raise _bad(f"{resource_type} metafield", d, exc) from None


def held_order(data: Any, unchanged: Mapping[int, datetime]) -> bool:
    """Whether this raw order is the copy the caller holds (same id, same `date_modified`);
    anything unusual is not, and goes through the careful mapping."""
    order_id = data.get("id") if isinstance(data, dict) else None
    held = unchanged.get(order_id) if isinstance(order_id, int) else None
    if held is None:
        return False
    try:
        return to_datetime(data.get("date_modified"), "date_modified") == held
    except BadField:
        return False
