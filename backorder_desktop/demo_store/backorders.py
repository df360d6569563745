"""Creating an order (POST /v2/orders) with BigCommerce's native backorder semantics.

Stock is taken first from on-hand at the default location; what is left is backordered up to the
item's `backorder_limit` (None: backorders off). An order that asks for more gets HTTP 409 with
the OutOfStock body from the spec README, and nothing changes. Pre-order products take no stock
(they have none behind them) and custom products (no product_id) are not tracked.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from . import fields as f
from .api import ApiError, Context, v2_error
from .gen_orders import TAX_RATE
from .records import AddressRec, LineRec, OrderRec, StoreState

OUT_OF_STOCK_MESSAGE = (
    "Quantities of one or more products are out of stock or did not meet quantity requirements."
)


def _bad(message: str) -> ApiError:
    return v2_error(400, message)


def _address(doc: Any, address_id: int, field: str) -> AddressRec:
    if not isinstance(doc, dict):
        raise _bad(f"The field '{field}' is required.")

    def text(key: str, default: str = "") -> str:
        value = doc.get(key)
        return str(value) if value not in (None, "") else default

    return AddressRec(
        id=address_id,
        first_name=text("first_name"),
        last_name=text("last_name"),
        email=text("email"),
        company=text("company"),
        street_1=text("street_1"),
        street_2=text("street_2"),
        city=text("city"),
        state=text("state"),
        zip=text("zip"),
        country=text("country", "United States"),
        country_iso2=text("country_iso2", "US"),
        phone=text("phone"),
        shipping_method=text("shipping_method", "Flat Rate"),
    )


def _variant_for(state: StoreState, item: dict[str, Any]) -> int:
    pid = item["product_id"]
    product = state.products.get(pid) if f.is_int(pid) else None
    if product is None:
        raise _bad(f"Product {pid} does not exist.")
    if "variant_id" in item:
        vid = item["variant_id"]
        if not f.is_int(vid) or vid not in product.variant_ids:
            raise _bad(f"Variant {vid} does not belong to product {pid}.")
        return int(vid)
    if product.base_variant_id is not None:
        return product.base_variant_id
    chosen = item.get("product_options")
    if isinstance(chosen, list) and chosen:
        wanted = {(o.get("id"), str(o.get("value"))) for o in chosen if isinstance(o, dict)}
        for vid in product.variant_ids:
            options = {(o.option_id, str(o.value_id)) for o in state.variants[vid].option_values}
            if options == wanted:
                return vid
    raise _bad(f"Product {pid} has options: give variant_id or product_options.")


def _lines(ctx: Context, order: OrderRec, items: Any) -> list[LineRec]:
    state = ctx.state
    if not isinstance(items, list) or not items:
        raise _bad("The field 'products' must be a non-empty array.")
    lines = []
    for item in items:
        if not isinstance(item, dict):
            raise _bad("Each product must be an object.")
        qty = item.get("quantity")
        if not f.is_int(qty) or qty < 1:
            raise _bad("Each product needs a positive integer 'quantity'.")
        price_ex, price_inc = item.get("price_ex_tax"), item.get("price_inc_tax")
        if "product_id" not in item:  # custom product: not in the catalog, never tracked
            name = item.get("name")
            if (
                not isinstance(name, str)
                or not name
                or not f.is_number(price_ex)
                or not f.is_number(price_inc)
            ):
                raise _bad("A custom product needs name, quantity, price_inc_tax and price_ex_tax.")
            lines.append(
                LineRec(
                    0,
                    order.id,
                    0,
                    0,
                    str(item.get("sku", "")),
                    name,
                    qty,
                    float(price_ex),
                    float(price_inc),
                    order_address_id=order.shipping_address.id,
                )
            )
            continue
        vid = _variant_for(state, item)
        variant = state.variants[vid]
        product = state.products[variant.product_id]
        base = variant.price if variant.price is not None else product.price
        ex = float(price_ex) if f.is_number(price_ex) else base
        inc = float(price_inc) if f.is_number(price_inc) else round(ex * (1 + TAX_RATE), 2)
        lines.append(
            LineRec(
                id=0,
                order_id=order.id,
                product_id=product.id,
                variant_id=vid,
                sku=variant.sku,
                name=product.name,
                quantity=qty,
                price_ex_tax=ex,
                price_inc_tax=inc,
                order_address_id=order.shipping_address.id,
                upc=variant.upc,
                weight=variant.weight if variant.weight is not None else product.weight,
                options=[(o.option_display_name, o.label) for o in variant.option_values],
            )
        )
    return lines


def _take_stock(ctx: Context, lines: list[LineRec]) -> None:
    """Check every tracked variant first; raise 409 naming all short ones, or apply all."""
    state = ctx.state
    loc = state.default_location_id
    need: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.variant_id and state.tracked(line.variant_id):
            if state.products[line.product_id].availability != "preorder":
                # A product tracked by product sells all its variants from one stock.
                need[state.stock_variant(line.variant_id)] += line.quantity
    errors = []
    plan: dict[int, tuple[int, int]] = {}  # variant -> (from stock, backordered)
    for vid, qty in need.items():
        rec = state.inventory.get((vid, loc))
        on_hand = max(0, rec.on_hand - rec.safety_stock) if rec else 0
        room = 0
        if ctx.native_backorders and rec is not None and rec.backorder_limit is not None:
            room = max(0, rec.backorder_limit - rec.qty_backordered)
        if qty > on_hand + room:
            variant = state.variants[vid]
            error: dict[str, Any] = {
                "type": "OutOfStock",
                "message": (
                    f"{state.products[variant.product_id].name} ({variant.sku}): {qty} requested, "
                    f"{on_hand} in stock, {room} more can be backordered."
                ),
                "variant_id": vid,
                "location_id": loc,
                "available_quantity": on_hand,
            }
            if ctx.native_backorders:
                error["available_quantity_for_backorder"] = room
            errors.append(error)
        plan[vid] = (min(qty, on_hand), max(0, qty - on_hand))
    if errors:
        raise v2_error(409, OUT_OF_STOCK_MESSAGE, {"errors": errors})
    for vid, (from_stock, backordered) in plan.items():
        rec = state.inventory[(vid, loc)]
        rec.on_hand -= from_stock
        rec.qty_backordered += backordered
        # Lines of the same variant take stock in order; the rest of each is backordered.
        remaining = from_stock
        for line in lines:
            if line.variant_id and state.stock_variant(line.variant_id) == vid:
                covered = min(remaining, line.quantity)
                remaining -= covered
                line.quantity_backordered = line.quantity - covered
    if any(line.quantity_backordered for line in lines):
        for line in lines:
            if line.quantity_backordered is None:
                line.quantity_backordered = 0
    else:
        for line in lines:
            line.quantity_backordered = None  # only orders with backordered units carry it


def create_order(ctx: Context, body: Any) -> OrderRec:
    state = ctx.state
    if not isinstance(body, dict):
        raise _bad("The request body must be an order object.")
    if "consignments" in body:
        raise _bad("The demo store creates orders from 'products' only, not 'consignments'.")
    status = body.get("status_id", 1)
    if not f.is_int(status) or not 0 <= status <= 14:
        raise _bad("The field 'status_id' must be a status id from 0 to 14.")
    customer_id = body.get("customer_id", 0)
    if not f.is_int(customer_id) or customer_id < 0:
        raise _bad("The field 'customer_id' must be a non-negative integer.")
    billing = _address(body.get("billing_address"), 0, "billing_address")
    shipping_docs = body.get("shipping_addresses")
    ship_doc = (
        shipping_docs[0]
        if isinstance(shipping_docs, list) and shipping_docs
        else body.get("billing_address")
    )
    now = ctx.now()
    order = OrderRec(
        id=0,
        customer_id=customer_id,
        status_id=status,
        date_created=now,
        date_modified=now,
        billing_address=billing,
        shipping_address=_address(ship_doc, 0, "shipping_addresses"),
        staff_notes=str(body.get("staff_notes", "")),
        customer_message=str(body.get("customer_message", "")),
        external_source=body.get("external_source")
        if isinstance(body.get("external_source"), str)
        else None,
    )
    lines = _lines(ctx, order, body.get("products"))
    _take_stock(ctx, lines)
    # Ids only once the order is accepted: a refused order leaves the store as it was.
    order.id = state.new_id("order")
    order.shipping_address.id = state.new_id("address")
    for line in lines:
        line.id = state.new_id("line")
        line.order_id = order.id
        line.order_address_id = order.shipping_address.id
    order.lines = lines
    state.orders[order.id] = order
    return order
