"""A create refused because another laptop created the same record first: adopt it or show it.

Two laptops of one store can both create `supplier:…`, `allocations`, `release` or a backorder
status for the same record before either syncs; the second POST is refused ("already exists")
and would stay failed forever. After a push, each such row lists the records that exist: one
holding exactly this laptop's value is adopted (nothing to send); one holding another value
becomes an update whose base is "nothing read", so the push's version check merges records
that only accumulate (allocations) and shows a conflict for the rest (Conflicts: keep mine or
take theirs). Items with no record found stay failed with their reason.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from typing import Any

from ..bigcommerce import operations as ops
from ..bigcommerce import reads
from ..bigcommerce.error_mapping import parse_body
from ..bigcommerce.reads import Requester
from ..cache import Cache, OutboxRow
from ..cache.write_bases import record_bases
from ..domain.models import Metafield
from .recreate import _key
from .replies import apply_reply, operation_of

log = logging.getLogger("backorder_desktop.sync")

DUPLICATE = "already exist"
_CHECKED = "adopt_checked"  # app_state namespace: failed rows looked at once, nothing found
_PAGE = 250

__all__ = ["adopt_duplicates"]


def _candidates(cache: Cache) -> list[OutboxRow]:
    checked = set(cache.app_state.items(_CHECKED))
    return [
        r
        for r in cache.outbox.rows("failed")
        if r.action == ops.CREATE
        and operation_of(r).metafield_type is not None
        and DUPLICATE in (r.last_error or "")
        and isinstance(r.body, list)
        and str(r.id) not in checked
    ]


def _existing(client: Requester, row: OutboxRow, store: bool) -> dict[Hashable, dict[str, Any]]:
    """The records this row's items would create, as the store holds them (by key)."""
    items: list[dict[str, Any]] = row.body
    namespaces = ",".join(sorted({str(i.get("namespace")) for i in items}))
    keys = ",".join(sorted({str(i.get("key")) for i in items}))
    params: dict[str, Any] = {"namespace:in": namespaces, "key:in": keys, "limit": _PAGE}
    if not store:
        ids = sorted({int(i["resource_id"]) for i in items if "resource_id" in i})
        params["resource_id:in"] = ",".join(str(x) for x in ids)
    found: dict[Hashable, dict[str, Any]] = {}
    op = operation_of(row)
    page = 1
    while True:
        body = parse_body(reads.records_page(client, op, {**params, "page": page}))
        data = body.get("data") if isinstance(body, dict) else None
        for entry in data if isinstance(data, list) else []:
            if isinstance(entry, dict) and "id" in entry:
                found[_key(entry, store)] = entry
        if not isinstance(data, list) or len(data) < _PAGE:
            return found
        page += 1


def adopt_duplicates(client: Requester, cache: Cache) -> int:
    """Settle failed duplicate creates; returns how many update rows were queued."""
    queued = 0
    for row in _candidates(cache):
        resource_type = operation_of(row).metafield_type
        if resource_type is None:
            continue
        store = resource_type == "store"
        found = _existing(client, row, store)
        same, differ, missing = [], [], []
        for item in row.body:
            entry = found.get(_key(item, store))
            if entry is None:
                missing.append(item)
            elif str(entry.get("value")) == str(item.get("value")):
                same.append(entry)
            else:
                differ.append((item, entry))
        with cache.transaction():
            # The store's copies replace this laptop's placeholders in the cache.
            adopted = same + [entry for _, entry in differ]
            if adopted:
                apply_reply(cache, row, adopted, {"data": adopted})
            if differ:
                queued += _queue_update(cache, row, resource_type, differ)
            if missing:
                cache.outbox.replace_failed_body(row.id, missing)
                cache.app_state.set(_CHECKED, str(row.id), "1")
            else:
                cache.outbox.discard(row.id)
        log.info(
            "outbox row %d: %d record(s) adopted, %d to check, %d not found",
            row.id,
            len(same),
            len(differ),
            len(missing),
        )
    return queued


def _queue_update(
    cache: Cache,
    row: OutboxRow,
    resource_type: str,
    differ: list[tuple[dict[str, Any], dict[str, Any]]],
) -> int:
    items = []
    bases = []
    for item, entry in differ:
        field_id = int(entry["id"])
        items.append({"id": field_id, **item})  # as queued updates are (the check reads keys)
        resource = item.get("resource_id")
        # Base "": this laptop never read the other laptop's record, so the version check
        # sees a change it did not make (merged if mergeable, else a conflict to choose).
        bases.append(
            Metafield(
                field_id,
                resource_type,
                int(resource) if resource is not None else None,
                str(item.get("namespace")),
                str(item.get("key")),
                "",
            )
        )
    new_id = cache.outbox.enqueue(row.batch_id, row.kind, ops.UPDATE, row.resource, items)
    record_bases(cache, new_id, bases)
    return 1
