"""What an accepted outbox write means for the cache: the store's reply replaces our guess."""

from __future__ import annotations

import logging
import re
from typing import Any

from ..bigcommerce import batches
from ..bigcommerce.errors import BigCommerceError, ItemError
from ..bigcommerce.mapping import map_metafield, map_order, map_product, map_variant
from ..cache import Cache, OutboxRow
from ..cache.accounts import note_own
from ..domain.models import METAFIELD_NAMESPACE

log = logging.getLogger("backorder_desktop.sync")

JSON = dict[str, Any]

_PRODUCTS = re.compile(r"^/v3/catalog/products/?$")
_VARIANTS = re.compile(r"^/v3/catalog/variants/?$")
_ORDER = re.compile(r"^/v2/orders/(\d+)/?$")
# (path pattern, resource type); group 1, when present, is one metafield's id.
_METAFIELDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/v3/catalog/products/metafields/?$"), "product"),
    (re.compile(r"^/v3/catalog/variants/metafields/?$"), "variant"),
    (re.compile(r"^/v3/orders/metafields/?$"), "order"),
    (re.compile(r"^/v3/store/metafields/?$"), "store"),
    (re.compile(r"^/v3/catalog/products/\d+/variants/\d+/metafields(?:/(\d+))?/?$"), "variant"),
    (re.compile(r"^/v3/catalog/products/\d+/metafields(?:/(\d+))?/?$"), "product"),
    (re.compile(r"^/v3/orders/\d+/metafields(?:/(\d+))?/?$"), "order"),
    (re.compile(r"^/v3/store/metafields/(\d+)/?$"), "store"),
)


def _metafield_target(path: str) -> tuple[str, re.Match[str]] | None:
    for pattern, resource_type in _METAFIELDS:
        match = pattern.match(path)
        if match:
            return resource_type, match
    return None


def _ident(row: OutboxRow) -> batches.Ident:
    """How to match a batch item with its entry in the reply."""
    target = _metafield_target(row.path)
    if row.method == "POST" and target is not None:
        if target[0] == "store":
            return batches.metafield_store_key
        return batches.metafield_create_key
    return batches.by_id


def partial_failures(row: OutboxRow, body: Any) -> tuple[list[JSON], list[ItemError]]:
    """For a batch body: what the store saved, and the items it refused (207 / partial 422)."""
    if not isinstance(row.body, list):
        data = body.get("data") if isinstance(body, dict) else body
        return ([data] if isinstance(data, dict) else []), []
    items, reply = row.body, body
    if row.method == "DELETE":
        # Batch deletes send bare ids and get the deleted ids back in `data`
        # (MetaFieldCollectionDeleteResponseSuccess): match them as {"id": n}.
        items = [_as_item(i) for i in row.body]
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            reply = {**body, "data": [_as_item(d) for d in body["data"]]}
    result = batches.reply_result(items, reply, _ident(row))
    return result.succeeded, result.failed


def _as_item(value: Any) -> Any:
    return value if isinstance(value, dict) else {"id": value}


def apply_reply(cache: Cache, row: OutboxRow, saved: list[JSON], body: Any) -> None:
    """Write what the store saved into the cache (inside the caller's transaction).

    A reply the app cannot read only loses this refresh, never the write: the next pull
    brings the same data.
    """
    try:
        _apply(cache, row, saved, body)
    except (BigCommerceError, ValueError, TypeError, KeyError) as exc:
        log.warning("outbox row %d: reply not applied to the cache (%s)", row.id, exc)


def _apply(cache: Cache, row: OutboxRow, saved: list[JSON], body: Any) -> None:
    if _PRODUCTS.match(row.path) and row.method == "PUT":
        cache.products.upsert([map_product(d)[0] for d in saved])
        return
    if _VARIANTS.match(row.path) and row.method == "PUT":
        variants = [map_variant(d) for d in saved]
        # A variant of a product the cache does not hold yet waits for the next pull.
        known = {p.id for p in cache.products.get_many({v.product_id for v in variants})}
        cache.variants.upsert([v for v in variants if v.product_id in known])
        return
    match = _ORDER.match(row.path)
    if match and row.method == "PUT" and isinstance(body, dict):
        # The V2 reply carries no lines: update the status, keep the cached lines.
        order = map_order(body)
        cache.orders.set_status(order.id, order.status_id, order.date_modified)
        return
    target = _metafield_target(row.path)
    if target is None:
        return  # e.g. inventory writes: the reply is a transaction id, nothing to read
    resource_type, found = target
    if row.method == "DELETE":
        ids = [int(found.group(1))] if found.lastindex else _ids(row.body)
        cache.metafields.delete(resource_type, ids)
        return
    fields = [map_metafield(d, resource_type) for d in saved]
    if row.method == "POST":
        # The created metafields replace the optimistic copies queued without an id.
        cache.metafields.delete_placeholders(resource_type, row.id)
        note_own(cache, fields)
    cache.metafields.upsert([m for m in fields if m.namespace == METAFIELD_NAMESPACE])


def _ids(body: Any) -> list[int]:
    items = body if isinstance(body, list) else []
    out = []
    for item in items:
        value = item.get("id") if isinstance(item, dict) else item
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            out.append(int(value))
    return out
