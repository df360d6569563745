"""A metafield create sent again after a lost reply: what its first send created is updated."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from typing import Any

from ..bigcommerce import batches, reads
from ..bigcommerce import operations as ops
from ..bigcommerce.error_mapping import parse_body
from ..bigcommerce.reads import Requester
from ..cache import Cache, OutboxRow
from .replies import apply_reply, operation_of

JSON = dict[str, Any]
# Batch metafield collections (POST creates): a second POST of a key that exists is refused
# ("already exists"), so a create whose first reply was lost would otherwise fail for good.
_IDS_PER_READ = 50
_PAGE = 250


def may_exist(row: OutboxRow) -> bool:
    """A create that was tried before (a crash left it `sending`, or its reply was lost)."""
    return (
        row.attempts > 0
        and row.action == ops.CREATE
        and operation_of(row).metafield_type is not None
        and isinstance(row.body, list)
        and all(isinstance(i, dict) for i in row.body)
    )


def _key(item: JSON, store: bool) -> Hashable:
    return batches.metafield_store_key(item) if store else batches.metafield_create_key(item)


def _existing(client: Requester, row: OutboxRow, store: bool) -> dict[Hashable, Any]:
    items: list[JSON] = row.body
    namespaces = sorted({str(i.get("namespace")) for i in items})
    chunks: list[dict[str, Any]] = []
    if store:
        chunks.append({})
    else:
        ids = sorted({int(i["resource_id"]) for i in items if "resource_id" in i})
        for start in range(0, len(ids), _IDS_PER_READ):
            part = ids[start : start + _IDS_PER_READ]
            chunks.append({"resource_id:in": ",".join(str(x) for x in part)})
    found: dict[Hashable, Any] = {}
    op = operation_of(row)
    for params in chunks:
        # The one V3 pager, one page at a time: a resend is rare.
        query = {**params, "namespace:in": ",".join(namespaces)}
        for entry in reads.records_of(client, op, query, limit=_PAGE):
            if "id" in entry:
                found[_key(entry, store)] = entry["id"]
    return found


def settle_creates(client: Requester, cache: Cache, row: OutboxRow) -> OutboxRow | None:
    """Update by id the items of `row` that already exist (absolute values: the same result as
    the create); return the row narrowed to what is still to create, or None (row sent)."""
    store = operation_of(row).metafield_type == "store"
    found = _existing(client, row, store)
    items: list[JSON] = row.body
    updates = []
    for item in items:
        metafield_id = found.get(_key(item, store))
        if metafield_id is not None:
            fields = {k: v for k, v in item.items() if k not in ("resource_id", "namespace", "key")}
            # Store metafields list their id as a string ("16"); updates take the number, as
            # the queued updates (cache ids) do.
            if isinstance(metafield_id, str) and metafield_id.isdigit():
                metafield_id = int(metafield_id)
            updates.append({"id": metafield_id, **fields})
    rest = [i for i in items if _key(i, store) not in found]
    if updates:
        update = ops.encode(replace(operation_of(row), action=ops.UPDATE), updates)
        body = parse_body(client.request(update.method, update.path, json=update.body))
        data = body.get("data") if isinstance(body, dict) else None
        with cache.transaction():
            # Matched to the queued items by resource, namespace and key, as a create reply is.
            apply_reply(cache, row, data if isinstance(data, list) else [], body)
            if not rest:
                cache.outbox.mark_sent(row.id)
    return replace(row, body=rest) if rest else None
