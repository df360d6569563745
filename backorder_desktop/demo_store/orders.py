"""V2 order endpoints: orders, order products, shipments, shipping addresses and statuses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import fields as f
from .api import Context, Request, Response, Router, v2_error
from .backorders import create_order
from .orders_json import (
    STATUS_NAMES,
    line_json,
    order_json,
    shipment_json,
    shipping_address_json,
)
from .paging import date_bounds, int_arg, str_list, v2_page, within
from .records import OrderRec, ShipmentItemRec, ShipmentRec

DIRTY = frozenset({"orders"})
_SORTS: dict[str, Callable[[OrderRec], Any]] = {
    "id": lambda o: o.id,
    "customer_id": lambda o: (o.customer_id, o.id),
    "date_created": lambda o: (o.date_created, o.id),
    "date_modified": lambda o: (o.date_modified, o.id),
    "status_id": lambda o: (o.status_id, o.id),
    "channel_id": lambda o: o.id,
    "external_id": lambda o: o.id,
}


def _includes(req: Request) -> tuple[set[str], bool]:
    return set(str_list(req, "include") or []), req.query.get("consignment_structure") == "object"


def _order(ctx: Context, req: Request) -> OrderRec:
    order = ctx.state.orders.get(req.int_param("order_id"))
    if order is None:
        raise v2_error(404, "The requested resource was not found.")
    return order


def list_orders(ctx: Context, req: Request) -> Response:
    status = int_arg(req, "status_id")
    customer = int_arg(req, "customer_id")
    min_id, max_id = int_arg(req, "min_id"), int_arg(req, "max_id")
    email = req.query.get("email", "").lower()
    bounds = date_bounds(
        req,
        ctx.now,
        (
            ("min_date_created", "date_created", True),
            ("max_date_created", "date_created", False),
            ("min_date_modified", "date_modified", True),
            ("max_date_modified", "date_modified", False),
        ),
    )
    rows = []
    for order in ctx.state.orders.values():
        if status is not None and order.status_id != status:
            continue
        if customer is not None and order.customer_id != customer:
            continue
        if (min_id is not None and order.id < min_id) or (max_id is not None and order.id > max_id):
            continue
        if email and order.billing_address.email.lower() != email:
            continue
        if within(order, bounds):
            rows.append(order)
    field, _, direction = req.query.get("sort", "id").partition(":")
    if field not in _SORTS:
        raise v2_error(400, f"The sort field '{field}' is not supported.")
    rows.sort(key=_SORTS[field], reverse=direction == "desc")
    page = v2_page(req, rows)
    if not page:
        return Response(204)  # V2 lists answer an empty result with 204 and no body
    include, as_object = _includes(req)
    return Response(200, [order_json(ctx, o, include, as_object) for o in page])


def count_orders(ctx: Context, req: Request) -> Response:
    counts = {sid: 0 for sid in STATUS_NAMES}
    for order in ctx.state.orders.values():
        counts[order.status_id] = counts.get(order.status_id, 0) + 1
    statuses = [
        {
            "id": sid,
            "name": name,
            "system_label": name,
            "custom_label": name,
            "system_description": name,
            "count": counts[sid],
            "sort_order": sid,
        }
        for sid, name in STATUS_NAMES.items()
    ]
    return Response(200, {"statuses": statuses, "count": len(ctx.state.orders)})


def get_order(ctx: Context, req: Request) -> Response:
    include, as_object = _includes(req)
    return Response(200, order_json(ctx, _order(ctx, req), include, as_object))


def update_order(ctx: Context, req: Request) -> Response:
    order = _order(ctx, req)
    body = req.json()
    if not isinstance(body, dict):
        raise v2_error(400, "The request body must be an order object.")
    if "status_id" in body:
        status = body["status_id"]
        if not f.is_int(status) or status not in STATUS_NAMES:
            raise v2_error(400, "The field 'status_id' must be a status id from 0 to 14.")
        order.status_id = status
    for key in ("staff_notes", "customer_message"):
        if key in body:
            if not isinstance(body[key], str) or len(body[key]) > 65_535:
                raise v2_error(
                    400, f"The field '{key}' must be a string of at most 65535 characters."
                )
            setattr(order, key, body[key])
    order.date_modified = ctx.now()
    return Response(200, order_json(ctx, order, set(), True), dirty=DIRTY)


def post_order(ctx: Context, req: Request) -> Response:
    order = create_order(ctx, req.json())
    include, as_object = _includes(req)
    return Response(200, order_json(ctx, order, include, as_object), dirty=DIRTY | {"inventory"})


def list_lines(ctx: Context, req: Request) -> Response:
    order = _order(ctx, req)
    page = v2_page(req, order.lines)
    if not page:
        return Response(204)
    return Response(200, [line_json(ctx, line) for line in page])


def list_shipments(ctx: Context, req: Request) -> Response:
    order = _order(ctx, req)
    page = v2_page(req, order.shipments)
    if not page:
        return Response(204)  # "No Content (No shipments exist)" (orders.v2.oas2.yml)
    return Response(200, [shipment_json(order, s) for s in page])


def create_shipment(ctx: Context, req: Request) -> Response:
    order = _order(ctx, req)
    body = req.json()
    if not isinstance(body, dict):
        raise v2_error(400, "The request body must be a shipment object.")
    if body.get("order_address_id") != order.shipping_address.id:
        raise v2_error(
            400, f"The field 'order_address_id' must be {order.shipping_address.id} for this order."
        )
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise v2_error(400, "The field 'items' must be a non-empty array.")
    lines = {line.id: line for line in order.lines}
    wanted: dict[int, int] = {}
    for item in items:
        line_id = item.get("order_product_id") if isinstance(item, dict) else None
        qty = item.get("quantity") if isinstance(item, dict) else None
        if not f.is_int(line_id) or line_id not in lines:
            raise v2_error(400, f"Order product {line_id} is not part of order {order.id}.")
        if not f.is_int(qty) or qty < 1:
            raise v2_error(400, "Each shipment item needs a positive integer 'quantity'.")
        wanted[line_id] = wanted.get(line_id, 0) + qty
        line = lines[line_id]
        if wanted[line_id] > line.quantity - line.quantity_shipped:
            raise v2_error(
                400,
                f"Cannot ship {wanted[line_id]} of order product {line_id}: "
                f"only {line.quantity - line.quantity_shipped} left to ship.",
            )
    tracking = body.get("tracking_number", "")
    if not isinstance(tracking, str) or len(tracking) > 50:
        raise v2_error(
            400, "The field 'tracking_number' must be a string of at most 50 characters."
        )
    now = ctx.now()
    shipment = ShipmentRec(
        id=ctx.state.new_id("shipment"),
        order_id=order.id,
        order_address_id=order.shipping_address.id,
        date_created=now,
        tracking_number=tracking,
        tracking_carrier=str(body.get("tracking_carrier", "")),
        shipping_provider=str(body.get("shipping_provider", "")),
        shipping_method=str(body.get("shipping_method", "")),
        comments=str(body.get("comments", "")),
        items=[ShipmentItemRec(lid, lines[lid].product_id, qty) for lid, qty in wanted.items()],
    )
    for lid, qty in wanted.items():
        lines[lid].quantity_shipped += qty
    order.shipments.append(shipment)
    if all(line.quantity_shipped >= line.quantity for line in order.lines):
        order.status_id, order.date_shipped = 2, now
    else:
        order.status_id = 3
    order.date_modified = now
    return Response(201, shipment_json(order, shipment), dirty=DIRTY)


def list_shipping_addresses(ctx: Context, req: Request) -> Response:
    order = _order(ctx, req)
    return Response(200, [shipping_address_json(ctx, order)])


def list_statuses(ctx: Context, req: Request) -> Response:
    return Response(
        200,
        [
            {
                "id": sid,
                "name": name,
                "system_label": name,
                "custom_label": name,
                "system_description": name,
                "order": sid,
            }
            for sid, name in STATUS_NAMES.items()
        ],
    )


def register(router: Router) -> None:
    router.add("GET", "/v2/orders", list_orders)
    router.add("POST", "/v2/orders", post_order)
    router.add("GET", "/v2/orders/count", count_orders)
    router.add("GET", "/v2/orders/{order_id}", get_order)
    router.add("PUT", "/v2/orders/{order_id}", update_order)
    router.add("GET", "/v2/orders/{order_id}/products", list_lines)
    router.add("GET", "/v2/orders/{order_id}/shipments", list_shipments)
    router.add("POST", "/v2/orders/{order_id}/shipments", create_shipment)
    router.add("GET", "/v2/orders/{order_id}/shipping_addresses", list_shipping_addresses)
    router.add("GET", "/v2/order_statuses", list_statuses)
