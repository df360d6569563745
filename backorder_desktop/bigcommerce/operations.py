"""Typed write operations and their one encoder: what the outbox keeps is what the merchant
meant ("set these limits at location 1", "create these order metafields"), never raw HTTP.

`encode` is the only place that turns an operation into a request; `decode_request` (the
reverse, for rows queued before operations were typed and for tests) also lives here, so no
module outside bigcommerce/ builds or parses a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .paths import METAFIELD_PATHS, PRODUCTS, VARIANTS, metafield_resource, order_id

# Actions
CREATE, UPDATE, DELETE, SET = "create", "update", "delete", "set"
# Resources (a metafield resource is "metafields:<type>", e.g. "metafields:order")
PRODUCTS_R, VARIANTS_R, ORDER_R = "products", "variants", "order"
LOCATION_ITEMS_R = "location_items"  # backorder limits per variant at one location
STOCK_R = "stock"  # absolute inventory adjustments (idempotent: a retry sets the same level)
# Relative inventory adjustments ("add 5"): NOT idempotent, so sync/stock_push.py reads the
# levels back before any second try (docs/RELIABILITY.md). Queued as a "create" of a change.
STOCK_CHANGES_R = "stock_changes"
# A line appended to an order's staff notes: sync/order_notes.py reads the order right before
# the write and sends its current notes plus the line (V2 replaces the field whole).
APPEND_STAFF_NOTES = "append_staff_notes"
METAFIELDS_PREFIX = "metafields:"
_ABSOLUTE = "/v3/inventory/adjustments/absolute"
_RELATIVE = "/v3/inventory/adjustments/relative"
_LOCATION_ITEMS = "/v3/inventory/locations/{}/items"
_METHOD = {CREATE: "POST", UPDATE: "PUT", DELETE: "DELETE", SET: "PUT"}


@dataclass(frozen=True, slots=True)
class Operation:
    """One queued write. `target`: the single record it addresses (an order id, a location id),
    None for batch operations over a collection."""

    action: str
    resource: str
    payload: Any
    target: int | None = None

    @property
    def metafield_type(self) -> str | None:
        """ "order" for "metafields:order"; None for anything but metafields."""
        if self.resource.startswith(METAFIELDS_PREFIX):
            return self.resource[len(METAFIELDS_PREFIX) :]
        return None


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    body: Any


def metafields(resource_type: str) -> str:
    if resource_type not in METAFIELD_PATHS:
        raise ValueError(f"no metafields of {resource_type!r}")
    return METAFIELDS_PREFIX + resource_type


def update_products(items: list[dict[str, Any]]) -> Operation:
    return Operation(UPDATE, PRODUCTS_R, items)


def update_variants(items: list[dict[str, Any]]) -> Operation:
    return Operation(UPDATE, VARIANTS_R, items)


def update_order(order: int, fields: dict[str, Any]) -> Operation:
    return Operation(UPDATE, ORDER_R, fields, target=int(order))


def set_location_items(location_id: int, settings: list[dict[str, Any]]) -> Operation:
    return Operation(SET, LOCATION_ITEMS_R, {"settings": settings}, target=int(location_id))


def set_stock(items: list[dict[str, Any]], reason: str = "") -> Operation:
    return Operation(SET, STOCK_R, {"reason": reason, "items": items})


def adjust_stock(items: list[dict[str, Any]], reason: str = "") -> Operation:
    """Relative stock changes (deltas on what the store has when they apply)."""
    return Operation(CREATE, STOCK_CHANGES_R, {"reason": reason, "items": items})


def append_staff_note(order: int, note: str, fields: dict[str, Any] | None = None) -> Operation:
    """An order update that appends `note` to the notes the store has when it is sent."""
    return update_order(order, {**(fields or {}), APPEND_STAFF_NOTES: note})


def is_stock_change(op: Operation) -> bool:
    return op.resource == STOCK_CHANGES_R and op.action == CREATE


def appends_staff_note(op: Operation) -> bool:
    return (
        op.resource == ORDER_R
        and op.action == UPDATE
        and op.target is not None
        and isinstance(op.payload, dict)
        and APPEND_STAFF_NOTES in op.payload
    )


def order_path(order: int) -> str:
    """Where an order is read (the note append reads it right before its write)."""
    return f"/v2/orders/{int(order)}"


def metafield_op(action: str, resource_type: str, payload: list[Any]) -> Operation:
    return Operation(action, metafields(resource_type), payload)


def collection_path(op: Operation) -> str:
    """The collection an operation's records live in (reads for checks go there)."""
    kind = op.metafield_type
    if kind is not None:
        return METAFIELD_PATHS[kind]
    return encode(op).path


def encode(op: Operation, payload: Any = None) -> Request:
    """The request for `op` (with `payload` instead of its own, e.g. narrowed to some items)."""
    body = op.payload if payload is None else payload
    method = _METHOD.get(op.action)
    if method is None:
        raise ValueError(f"unknown action {op.action!r}")
    kind = op.metafield_type
    if kind is not None:
        return Request(method, METAFIELD_PATHS[kind], body)
    if op.resource == PRODUCTS_R and op.action == UPDATE:
        return Request("PUT", PRODUCTS, body)
    if op.resource == VARIANTS_R and op.action == UPDATE:
        return Request("PUT", VARIANTS, body)
    if op.resource == ORDER_R and op.action == UPDATE and op.target is not None:
        return Request("PUT", order_path(op.target), body)
    if op.resource == LOCATION_ITEMS_R and op.action == SET and op.target is not None:
        return Request("PUT", _LOCATION_ITEMS.format(int(op.target)), body)
    if op.resource == STOCK_R and op.action == SET:
        return Request("PUT", _ABSOLUTE, body)
    if op.resource == STOCK_CHANGES_R and op.action == CREATE:
        return Request("POST", _RELATIVE, body)
    raise ValueError(f"no request for {op.action} {op.resource}")


def endpoint_label(action: str, resource: str) -> str:
    """How reports name the request an operation becomes: "PUT /v3/inventory/locations/{id}/items"."""
    if resource == LOCATION_ITEMS_R:
        return f"{_METHOD[action]} {_LOCATION_ITEMS.format('{id}')}"
    request = encode(Operation(action, resource, None))
    return f"{request.method} {request.path}"


def decode_request(method: str, path: str, body: Any) -> Operation:
    """The operation a request of the app's own makes (rows queued before operations were
    typed); ValueError for anything the app never queues (a relative stock adjustment only as
    a POST: sync/stock_push.py reads back before any second try)."""
    method = method.upper()
    plain = path.split("?", 1)[0].rstrip("/")
    actions = {"POST": CREATE, "PUT": UPDATE, "DELETE": DELETE}
    kind = metafield_resource(plain)
    if kind is not None and method in actions:
        return Operation(actions[method], metafields(kind), body)
    if method == "PUT" and plain == PRODUCTS:
        return update_products(body)
    if method == "PUT" and plain == VARIANTS:
        return update_variants(body)
    order = order_id(plain)
    if method == "PUT" and order is not None:
        return update_order(order, body)
    if method == "PUT" and plain == _ABSOLUTE:
        return Operation(SET, STOCK_R, body)
    if method == "POST" and plain == _RELATIVE:
        return Operation(CREATE, STOCK_CHANGES_R, body)
    prefix, suffix = "/v3/inventory/locations/", "/items"
    if method == "PUT" and plain.startswith(prefix) and plain.endswith(suffix):
        location = plain[len(prefix) : -len(suffix)]
        if location.isdigit():
            return Operation(SET, LOCATION_ITEMS_R, body, target=int(location))
    raise ValueError(f"not a write the app queues: {method} {path}")
