"""Addresses each stock write the way the item's product tracks inventory.

The app names inventory items by `variant_id` everywhere (outbox rows, ledger, read-back). A
product tracked by product (`inventory_tracking: product`, with or without options) takes stock
writes by `product_id` only: by variant id BigCommerce answers 422 "[Item with variant_id N is
tracked by product, please update stock by product id]" and refuses the whole request
(inventory.v3.yml; spec README, "Learned since"). So every inventory write is rewritten here,
right before it is sent, whoever built it: adjustments (absolute and relative) and location item
settings, for receiving, undo, releases, bulk limits and anything added later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

# variant ids -> {variant_id: product_id} for those whose product tracks stock by product.
ByProduct = Callable[[Collection[int]], Mapping[int, int]]

_ADJUSTMENTS = re.compile(r"^/v3/inventory/adjustments/(absolute|relative)/?$")
_LOCATION_ITEMS = re.compile(r"^/v3/inventory/locations/\d+/items/?$")


def is_stock_write(method: str, path: str) -> bool:
    return method.upper() in ("PUT", "POST") and bool(
        _ADJUSTMENTS.match(path) or _LOCATION_ITEMS.match(path)
    )


def _variant_ids(items: list[Any], nested: bool) -> set[int]:
    found: set[int] = set()
    for item in items:
        holder = item.get("identity") if nested and isinstance(item, dict) else item
        if isinstance(holder, dict):
            vid = holder.get("variant_id")
            if isinstance(vid, int) and not isinstance(vid, bool):
                found.add(vid)
    return found


def _readdress(holder: dict[str, Any], by_product: Mapping[int, int]) -> dict[str, Any]:
    vid = holder.get("variant_id")
    if not isinstance(vid, int) or vid not in by_product:
        return holder
    out = {k: v for k, v in holder.items() if k != "variant_id"}
    out["product_id"] = by_product[vid]
    return out


def address_stock(method: str, path: str, body: Any, resolve: ByProduct | None) -> Any:
    """`body` with items of products tracked by product named by `product_id` (a new object;
    the caller's body is never changed). Anything else passes through unchanged."""
    if resolve is None or not is_stock_write(method, path) or not isinstance(body, dict):
        return body
    nested = bool(_LOCATION_ITEMS.match(path))
    key = "settings" if nested else "items"
    items = body.get(key)
    if not isinstance(items, list):
        return body
    by_product = resolve(_variant_ids(items, nested)) if items else {}
    if not by_product:
        return body
    rewritten: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            rewritten.append(item)
        elif nested and isinstance(item.get("identity"), dict):
            rewritten.append({**item, "identity": _readdress(item["identity"], by_product)})
        elif not nested:
            rewritten.append(_readdress(item, by_product))
        else:
            rewritten.append(item)
    return {**body, key: rewritten}


def tracked_by_product_error(message: str) -> bool:
    """Whether BigCommerce refused a stock write for addressing an item by the wrong id."""
    lowered = message.lower()
    return "tracked by product" in lowered or "tracked by variant" in lowered


def variant_ids_of(path: str, body: Any) -> set[int]:
    """The variant ids a stock write names (before `address_stock`)."""
    if not isinstance(body, dict):
        return set()
    nested = bool(_LOCATION_ITEMS.match(path))
    items = body.get("settings" if nested else "items")
    return _variant_ids(items, nested) if isinstance(items, list) else set()


class StockAddresser:
    """What the client knows of each variant's tracking: what the store said (product
    listings, or a look-up after a 422) wins over `lookup` (the cache, set by the session)."""

    def __init__(self) -> None:
        self.lookup: ByProduct | None = None
        self._known: dict[int, int | None] = {}  # variant -> product when tracked by product

    def learn(self, product_id: int, tracking: str, variant_ids: Collection[int]) -> None:
        owner = product_id if tracking == "product" else None
        for vid in variant_ids:
            self._known[vid] = owner

    def resolve(self, variant_ids: Collection[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        unknown = [vid for vid in variant_ids if vid not in self._known]
        if unknown and self.lookup is not None:
            out.update(self.lookup(unknown))
        for vid in variant_ids:
            owner = self._known.get(vid)
            if owner is not None:
                out[vid] = owner
        return out
