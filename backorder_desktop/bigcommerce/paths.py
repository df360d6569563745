"""What a queued request addresses, by exact lookup: the one place that knows the API's paths.

The encoder of typed operations (operations.py) and its decoder for rows of older versions
use these; nothing outside bigcommerce/ matches a path.
"""

from __future__ import annotations

PRODUCTS = "/v3/catalog/products"
VARIANTS = "/v3/catalog/variants"
METAFIELD_PATHS = {
    "product": "/v3/catalog/products/metafields",
    "variant": "/v3/catalog/variants/metafields",
    "order": "/v3/orders/metafields",
    "store": "/v3/store/metafields",
}
_METAFIELD_RESOURCE = {path: resource for resource, path in METAFIELD_PATHS.items()}
_ORDER_PREFIX = "/v2/orders/"


def _plain(path: str) -> str:
    return path.split("?", 1)[0].rstrip("/")


def metafield_resource(path: str) -> str | None:
    """The resource type of a batch metafield collection path ("variant", "store"...)."""
    return _METAFIELD_RESOURCE.get(_plain(path))


def order_id(path: str) -> int | None:
    """The order a V2 order path addresses (`/v2/orders/123`), else None."""
    plain = _plain(path)
    if not plain.startswith(_ORDER_PREFIX):
        return None
    tail = plain[len(_ORDER_PREFIX) :]
    return int(tail) if tail.isdigit() else None


def refund_quotes_path(order: int) -> str:
    """POST: what refunding some items of an order would pay back (orders.v3.yml)."""
    return f"/v3/orders/{int(order)}/payment_actions/refund_quotes"


def refunds_path(order: int) -> str:
    """POST: refund items of an order; GET: the order's refunds (orders.v3.yml)."""
    return f"/v3/orders/{int(order)}/payment_actions/refunds"
