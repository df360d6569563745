"""V2 order JSON: orders, order products (lines), consignments and shipments (orders.v2.oas2.yml)."""

from __future__ import annotations

from typing import Any

from .api import Context
from .dates import rfc2822
from .gen_orders import TAX_RATE
from .records import AddressRec, LineRec, OrderRec, ShipmentRec

STATUS_NAMES: dict[int, str] = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}
_PAYMENT_STATUS = {
    0: "",
    1: "pending",
    4: "refunded",
    5: "void",
    6: "declined",
    7: "pending",
    14: "partially refunded",
}


def money(value: float) -> str:
    # V2 money fields are decimal strings with four places, e.g. "12.5000".
    return f"{value:.4f}"


def _resource(ctx: Context, path: str) -> dict[str, str]:
    return {"url": f"{ctx.base_url}/v2{path}", "resource": path}


def address_json(addr: AddressRec, *, with_form_fields: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "first_name": addr.first_name,
        "last_name": addr.last_name,
        "company": addr.company,
        "street_1": addr.street_1,
        "street_2": addr.street_2,
        "city": addr.city,
        "state": addr.state,
        "zip": addr.zip,
        "country": addr.country,
        "country_iso2": addr.country_iso2,
        "phone": addr.phone,
        "email": addr.email,
    }
    if with_form_fields:
        doc["form_fields"] = []
    return doc


def line_json(ctx: Context, line: LineRec) -> dict[str, Any]:
    tax = line.price_inc_tax - line.price_ex_tax
    variant = ctx.state.variants.get(line.variant_id)
    order = ctx.state.orders.get(line.order_id)
    refunded_qty = sum(
        item.quantity
        for refund in (order.refunds if order is not None else ())
        for item in refund.items
        if item.item_type == "PRODUCT" and item.item_id == line.id
    )
    options = []
    for i, (name, value) in enumerate(line.options):
        value_id = (
            variant.option_values[i].value_id if variant and i < len(variant.option_values) else 0
        )
        option_id = (
            variant.option_values[i].option_id if variant and i < len(variant.option_values) else 0
        )
        options.append(
            {
                "id": line.id * 10 + i,
                "option_id": option_id,
                "order_product_id": line.id,
                "product_option_id": option_id,
                "display_name": name,
                "display_value": value,
                "value": str(value_id),
                "type": "Multiple choice",
                "name": name,
                "display_style": "Rectangle",
                "display_name_customer": name,
                "display_name_merchant": name,
                "display_value_customer": value,
                "display_value_merchant": value,
            }
        )
    doc: dict[str, Any] = {
        "id": line.id,
        "order_id": line.order_id,
        "product_id": line.product_id,
        "variant_id": line.variant_id,
        "order_pickup_method_id": 0,
        "order_address_id": line.order_address_id,
        "name": line.name,
        "name_customer": line.name,
        "name_merchant": line.name,
        "sku": line.sku,
        "upc": line.upc,
        "type": _line_type(ctx, line),
        "base_price": money(line.price_ex_tax),
        "price_ex_tax": money(line.price_ex_tax),
        "price_inc_tax": money(line.price_inc_tax),
        "price_tax": money(tax),
        "base_total": money(line.price_ex_tax * line.quantity),
        "total_ex_tax": money(line.price_ex_tax * line.quantity),
        "total_inc_tax": money(line.price_inc_tax * line.quantity),
        "total_tax": money(tax * line.quantity),
        "weight": line.weight,
        "width": "0.0000",
        "height": "0.0000",
        "depth": "0.0000",
        "quantity": line.quantity,
        "base_cost_price": "0.0000",
        "cost_price_inc_tax": "0.0000",
        "cost_price_ex_tax": "0.0000",
        "cost_price_tax": "0.0000",
        "is_refunded": refunded_qty > 0,
        "quantity_refunded": refunded_qty,
        "refund_amount": money(refunded_qty * line.price_inc_tax),
        "return_id": 0,
        "wrapping_id": 0,
        "wrapping_name": None,
        "base_wrapping_cost": "0.0000",
        "wrapping_cost_ex_tax": "0.0000",
        "wrapping_cost_inc_tax": "0.0000",
        "wrapping_cost_tax": "0.0000",
        "wrapping_message": "",
        "quantity_shipped": line.quantity_shipped,
        "event_name": None,
        "event_date": None,
        "fixed_shipping_cost": "0.0000",
        "ebay_item_id": "",
        "ebay_transaction_id": "",
        "option_set_id": None,
        "parent_order_product_id": None,
        "is_bundled_product": False,
        "bin_picking_number": variant.bin_picking_number if variant else "",
        "external_id": None,
        "brand": "",
        "applied_discounts": [],
        "product_options": options,
        "configurable_fields": [],
        "gift_certificate_id": None,
        "discounted_total_inc_tax": money(line.price_inc_tax * line.quantity),
    }
    if ctx.native_backorders and line.quantity_backordered is not None:
        # Beta field: present on the lines of orders with backordered units (spec README).
        doc["quantity_backordered"] = line.quantity_backordered
    return doc


def _totals(order: OrderRec) -> dict[str, float]:
    sub_ex = sum(line.price_ex_tax * line.quantity for line in order.lines)
    sub_inc = sum(line.price_inc_tax * line.quantity for line in order.lines)
    ship_ex = order.shipping_cost_ex_tax
    ship_inc = round(ship_ex * (1 + TAX_RATE), 2)
    return {"sub_ex": sub_ex, "sub_inc": sub_inc, "ship_ex": ship_ex, "ship_inc": ship_inc}


def order_total_inc_tax(order: OrderRec) -> float:
    t = _totals(order)
    return t["sub_inc"] + t["ship_inc"]


def _line_type(ctx: Context, line: LineRec) -> str:
    product = ctx.state.products.get(line.product_id)
    return "digital" if product is not None and product.type == "digital" else "physical"


def consignments_json(ctx: Context, order: OrderRec, with_lines: bool) -> dict[str, Any]:
    addr = order.shipping_address
    t = _totals(order)

    def items(chosen: list[LineRec]) -> list[dict[str, Any]]:
        if with_lines:
            return [line_json(ctx, line) for line in chosen]
        return [_resource(ctx, f"/orders/{order.id}/products/{line.id}") for line in chosen]

    # Digital lines go in a downloads consignment (orders.v2.oas2.yml, digitalConsignment_Get).
    digital = [line for line in order.lines if _line_type(ctx, line) == "digital"]
    physical = [line for line in order.lines if _line_type(ctx, line) != "digital"]
    lines = items(physical)
    downloads = (
        [{"recipient_email": order.billing_address.email, "line_items": items(digital)}]
        if digital
        else []
    )
    shipping = {
        "id": addr.id,
        **address_json(addr),
        "line_items": lines,
        "items_total": sum(line.quantity for line in physical),
        "items_shipped": sum(line.quantity_shipped for line in physical),
        "shipping_method": addr.shipping_method,
        "base_cost": t["ship_ex"],
        "cost_ex_tax": t["ship_ex"],
        "cost_inc_tax": t["ship_inc"],
        "cost_tax": round(t["ship_inc"] - t["ship_ex"], 2),
        "cost_tax_class_id": 2,
        "base_handling_cost": 0,
        "handling_cost_ex_tax": 0,
        "handling_cost_inc_tax": 0,
        "handling_cost_tax": 0,
        "handling_cost_tax_class_id": 2,
        "shipping_zone_id": 1,
        "shipping_zone_name": "United States",
        "shipping_quotes": _resource(
            ctx, f"/orders/{order.id}/consignments/shipping/{addr.id}/shipping_quotes"
        ),
    }
    return {
        "pickups": [],
        "shipping": [shipping] if physical else [],
        "downloads": downloads,
        "email": {"gift_certificates": []},
    }


def order_json(
    ctx: Context, order: OrderRec, include: set[str], object_structure: bool
) -> dict[str, Any]:
    t = _totals(order)
    total_ex = t["sub_ex"] + t["ship_ex"]
    total_inc = t["sub_inc"] + t["ship_inc"]
    doc: dict[str, Any] = {
        "id": order.id,
        "customer_id": order.customer_id,
        "date_created": rfc2822(order.date_created),
        "date_modified": rfc2822(order.date_modified),
        "date_shipped": rfc2822(order.date_shipped) if order.date_shipped else "",
        "status_id": order.status_id,
        "status": STATUS_NAMES.get(order.status_id, ""),
        "subtotal_ex_tax": money(t["sub_ex"]),
        "subtotal_inc_tax": money(t["sub_inc"]),
        "subtotal_tax": money(t["sub_inc"] - t["sub_ex"]),
        "base_shipping_cost": money(t["ship_ex"]),
        "shipping_cost_ex_tax": money(t["ship_ex"]),
        "shipping_cost_inc_tax": money(t["ship_inc"]),
        "shipping_cost_tax": money(t["ship_inc"] - t["ship_ex"]),
        "shipping_cost_tax_class_id": 2,
        "base_handling_cost": "0.0000",
        "handling_cost_ex_tax": "0.0000",
        "handling_cost_inc_tax": "0.0000",
        "handling_cost_tax": "0.0000",
        "handling_cost_tax_class_id": 2,
        "base_wrapping_cost": "0.0000",
        "wrapping_cost_ex_tax": "0.0000",
        "wrapping_cost_inc_tax": "0.0000",
        "wrapping_cost_tax": "0.0000",
        "wrapping_cost_tax_class_id": 3,
        "total_ex_tax": money(total_ex),
        "total_inc_tax": money(total_inc),
        "total_tax": money(total_inc - total_ex),
        "items_total": sum(line.quantity for line in order.lines),
        "items_shipped": sum(line.quantity_shipped for line in order.lines),
        "payment_method": order.payment_method,
        "payment_provider_id": "",
        "payment_status": _PAYMENT_STATUS.get(order.status_id, "captured"),
        "refunded_amount": money(
            sum(r.total_amount for r in order.refunds) or (total_inc if order.status_id == 4 else 0)
        ),
        "order_is_digital": False,
        "store_credit_amount": "0.0000",
        "gift_certificate_amount": "0.0000",
        "ip_address": "",
        "ip_address_v6": "",
        "geoip_country": order.billing_address.country,
        "geoip_country_iso2": order.billing_address.country_iso2,
        "currency_id": 1,
        "currency_code": order.currency_code,
        "currency_exchange_rate": "1.0000000000",
        "default_currency_id": 1,
        "default_currency_code": order.currency_code,
        "store_default_currency_code": order.currency_code,
        "store_default_to_transactional_exchange_rate": "1.0000000000",
        "staff_notes": order.staff_notes,
        "customer_message": order.customer_message,
        "discount_amount": "0.0000",
        "coupon_discount": "0.0000",
        "shipping_address_count": 1,
        "is_deleted": False,
        "ebay_order_id": "0",
        "cart_id": "",
        "billing_address": address_json(order.billing_address),
        "is_email_opt_in": False,
        "order_source": "external" if order.external_source else "www",
        "channel_id": 1,
        "external_source": order.external_source,
        "external_id": None,
        "external_merchant_id": None,
        "tax_provider_id": "BasicTaxProvider",
        "customer_locale": "en",
        "external_order_id": "",
        "is_tax_inclusive_pricing": False,
        "products": _resource(ctx, f"/orders/{order.id}/products"),
        "shipping_addresses": _resource(ctx, f"/orders/{order.id}/shipping_addresses"),
        "coupons": _resource(ctx, f"/orders/{order.id}/coupons"),
    }
    if "consignments" in include or "consignments.line_items" in include:
        cons = consignments_json(ctx, order, "consignments.line_items" in include)
        # Without consignment_structure=object the API answers the legacy shape, a one-element
        # array (BigCommerce's Aug 2025 announcement; orders.v2.oas2.yml consignment_structure).
        doc["consignments"] = cons if object_structure else [cons]
    if "fees" in include:
        doc["fees"] = []
    return doc


def shipment_json(order: OrderRec, shipment: ShipmentRec) -> dict[str, Any]:
    return {
        "id": shipment.id,
        "order_id": shipment.order_id,
        "customer_id": order.customer_id,
        "order_address_id": shipment.order_address_id,
        "date_created": rfc2822(shipment.date_created),
        "tracking_number": shipment.tracking_number,
        "merchant_shipping_cost": "0.0000",
        "shipping_method": shipment.shipping_method,
        "shipping_provider": shipment.shipping_provider,
        "tracking_carrier": shipment.tracking_carrier,
        "tracking_link": "",
        "comments": shipment.comments,
        "billing_address": address_json(order.billing_address, with_form_fields=False),
        "shipping_address": address_json(order.shipping_address, with_form_fields=False),
        "items": [
            {
                "order_product_id": i.order_product_id,
                "product_id": i.product_id,
                "quantity": i.quantity,
            }
            for i in shipment.items
        ],
        "shipping_provider_display_name": shipment.shipping_provider.upper(),
        "generated_tracking_link": "",
    }


def shipping_address_json(ctx: Context, order: OrderRec) -> dict[str, Any]:
    addr = order.shipping_address
    t = _totals(order)
    return {
        "id": addr.id,
        "order_id": order.id,
        **address_json(addr),
        "items_total": sum(line.quantity for line in order.lines),
        "items_shipped": sum(line.quantity_shipped for line in order.lines),
        "shipping_method": addr.shipping_method,
        "base_cost": money(t["ship_ex"]),
        "cost_ex_tax": money(t["ship_ex"]),
        "cost_inc_tax": money(t["ship_inc"]),
        "cost_tax": money(t["ship_inc"] - t["ship_ex"]),
        "cost_tax_class_id": 2,
        "shipping_zone_id": 1,
        "shipping_zone_name": "United States",
        "shipping_quotes": _resource(
            ctx, f"/orders/{order.id}/shipping_addresses/{addr.id}/shipping_quotes"
        ),
    }
