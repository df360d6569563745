"""Change the demo store through its API as another laptop or the merchant's admin would, with
the app's own encoder of typed operations (bigcommerce/operations.py): one request per call."""

from __future__ import annotations

from typing import Any

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.bigcommerce.error_mapping import parse_body


def send(client: BigCommerceClient, op: ops.Operation) -> Any:
    """Send `op` as one request; the store's reply body."""
    request = ops.encode(op)
    return parse_body(client.request(request.method, request.path, json=request.body))


def rename_product(client: BigCommerceClient, product_id: int, name: str) -> Any:
    return send(client, ops.update_products([{"id": product_id, "name": name}]))


def set_order_status(client: BigCommerceClient, order_id: int, status_id: int) -> Any:
    return send(client, ops.update_order(order_id, {"status_id": status_id}))


def create_metafields(client: BigCommerceClient, resource_type: str, items: list[Any]) -> Any:
    """Created readable and writable by every API account, as the app creates its own."""
    items = [{"permission_set": "write", **item} for item in items]
    return send(client, ops.metafield_op(ops.CREATE, resource_type, items))


def set_stock(client: BigCommerceClient, items: list[dict[str, Any]], reason: str = "") -> Any:
    """Absolute stock levels: [{"location_id", "variant_id", "quantity"}]."""
    return send(client, ops.set_stock(items, reason))
