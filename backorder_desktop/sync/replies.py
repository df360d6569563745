"""What an accepted outbox write means for the cache: the store's reply replaces our guess."""

from __future__ import annotations

import logging
from typing import Any

from ..bigcommerce import batches
from ..bigcommerce import operations as ops
from ..bigcommerce.errors import BigCommerceError, ItemError
from ..bigcommerce.mapping import map_metafield, map_order, map_product, map_variant
from ..cache import Cache, OutboxRow
from ..cache.accounts import note_own
from ..domain.models import METAFIELD_NAMESPACE

log = logging.getLogger("backorder_desktop.sync")

JSON = dict[str, Any]


def operation_of(row: OutboxRow) -> ops.Operation:
    """The typed operation an outbox row holds (bigcommerce/operations.py encodes it)."""
    return ops.Operation(row.action, row.resource, row.body, row.target)


def _ident(row: OutboxRow) -> batches.Ident:
    """How to match a batch item with its entry in the reply."""
    resource_type = operation_of(row).metafield_type
    if row.action == ops.CREATE and resource_type is not None:
        if resource_type == "store":
            return batches.metafield_store_key
        return batches.metafield_create_key
    return batches.by_id


def partial_failures(row: OutboxRow, body: Any) -> tuple[list[JSON], list[ItemError]]:
    """For a batch body: what the store saved, and the items it refused (207 / partial 422)."""
    if not isinstance(row.body, list):
        data = body.get("data") if isinstance(body, dict) else body
        return ([data] if isinstance(data, dict) else []), []
    items, reply = row.body, body
    if row.action == ops.DELETE:
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
    op = operation_of(row)
    if op.resource == ops.PRODUCTS_R and op.action == ops.UPDATE:
        cache.products.upsert([map_product(d)[0] for d in saved])
        return
    if op.resource == ops.VARIANTS_R and op.action == ops.UPDATE:
        variants = [map_variant(d) for d in saved]
        # A variant of a product the cache does not hold yet waits for the next pull.
        known = {p.id for p in cache.products.get_many({v.product_id for v in variants})}
        cache.variants.upsert([v for v in variants if v.product_id in known])
        return
    if op.resource == ops.ORDER_R and op.action == ops.UPDATE and isinstance(body, dict):
        # The V2 reply carries no lines: update the status, keep the cached lines.
        order = map_order(body)
        cache.orders.set_status(order.id, order.status_id, order.date_modified)
        return
    resource_type = op.metafield_type
    if resource_type is None:
        return  # e.g. inventory writes: the reply is a transaction id, nothing to read
    if op.action == ops.DELETE:
        cache.metafields.delete(resource_type, _ids(row.body))
        return
    fields = [map_metafield(d, resource_type) for d in saved]
    if op.action == ops.CREATE:
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
