"""A batch the store refused because of some items: send the rest again, keep only the refused."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from ..bigcommerce import batches
from ..bigcommerce.error_mapping import parse_body
from ..bigcommerce.errors import ItemError, ValidationError
from ..bigcommerce.reads import Requester

JSON = dict[str, Any]
# Wrapped batches: the Inventory API takes {"settings": [...]} or {"items": [...]}.
_WRAPPERS = ("settings", "items")


@dataclass
class Settled:
    """What became of a refused batch after the innocent items were sent once more."""

    saved: list[JSON] = field(default_factory=list)  # per-item replies to write to the cache
    reply: Any = None  # the body of the second answer
    refused: list[ItemError] = field(default_factory=list)
    remaining: Any = None  # the row's body narrowed to the refused items


def batch_items(body: Any) -> tuple[list[Any], Callable[[list[Any]], Any]] | None:
    """The items of a batch body and how to wrap a subset of them the same way."""
    if isinstance(body, list) and body and all(isinstance(i, dict) for i in body):
        return body, list
    if isinstance(body, dict):
        keys = [k for k in _WRAPPERS if isinstance(body.get(k), list)]
        if len(keys) == 1:
            key = keys[0]
            return body[key], lambda items: {**body, key: items}
    return None


def _ident(item: JSON) -> Hashable:
    # Items with an id are matched by it; wrapped inventory items only by their position
    # ("settings.3.variant_id"): a variant id must never be taken for a position or vice versa.
    return batches.by_id(item) if "id" in item else None


def _named(error: ItemError) -> ItemError:
    """Name an inventory item by its variant (or SKU) so the merchant can find the row."""
    item = error.item or {}
    identity = item.get("identity") if isinstance(item, dict) else None
    if isinstance(identity, dict):
        ident = identity.get("variant_id", identity.get("sku", identity.get("product_id")))
        if ident is not None:
            return ItemError(ident, error.message, error.item)
    if error.item_id is None and isinstance(item, dict) and "variant_id" in item:
        return ItemError(item["variant_id"], error.message, error.item)
    return error


def narrowed(body: Any, refused: list[ItemError]) -> Any:
    """`body` holding only the refused items (None when they cannot be told apart)."""
    found = batch_items(body)
    items = [e.item for e in refused]
    if found is None or not items or any(i is None for i in items):
        return None
    return found[1](items)


def settle(
    client: Requester, method: str, path: str, body: Any, exc: ValidationError
) -> Settled | None:
    """Send the items a refusal did not name once more; None when the body is no batch.

    Transient and auth errors of the second request propagate: the row then waits and is sent
    whole again later (its values are absolute, so that is harmless).
    """
    found = batch_items(body)
    if found is None:
        return None
    items, wrap = found
    failed, innocent = batches.refused_items(items, exc.body, _ident, exc.message)
    out = Settled(refused=[_named(e) for e in failed])
    if innocent:
        try:
            response = client.request(method, path, json=wrap(innocent))
        except ValidationError as again:
            out.refused.extend(
                _named(ItemError(batches.item_id_of(i), again.message, i)) for i in innocent
            )
        else:
            out.reply = parse_body(response)
            if isinstance(body, list):
                result = batches.reply_result(innocent, out.reply, _ident)
                out.saved = result.succeeded
                out.refused.extend(result.failed)
    out.remaining = narrowed(body, out.refused)
    return out
