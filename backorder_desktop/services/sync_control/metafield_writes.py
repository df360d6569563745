"""Queue writes of the app's metafields: outbox rows plus the optimistic copy, in one transaction.

A metafield the store already has is updated by id (PUT); a new one is created (POST) and cached
under a placeholder id until the store's reply brings the real one (cache.metafields). A change
to a record whose create is still queued folds into that queued body: a second POST of the same
key would be refused as a duplicate. Every body holds the whole value, so a retry is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.bigcommerce.client import DEFAULT_METAFIELD_PERMISSION, METAFIELD_BATCH
from backorder_desktop.cache import Cache
from backorder_desktop.cache.metafields import PLACEHOLDER_STRIDE, placeholder_id, placeholder_row
from backorder_desktop.cache.shipments import newest_per_key
from backorder_desktop.cache.write_bases import record_bases
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, Metafield
from backorder_desktop.domain.shipment_rules import METAFIELD_VALUE_MAX, InputError
from backorder_desktop.services.sync_control.outbox_ops import queue


@dataclass(frozen=True, slots=True)
class FieldWrite:
    resource_type: str  # "store" | "order" | "variant" | "product"
    resource_id: int | None  # None for store metafields
    key: str
    value: str


def _item(write: FieldWrite) -> dict[str, Any]:
    item: dict[str, Any] = {
        "namespace": METAFIELD_NAMESPACE,
        "key": write.key,
        "value": write.value,
        "permission_set": DEFAULT_METAFIELD_PERMISSION,
    }
    if write.resource_type != "store":
        item["resource_id"] = write.resource_id
    return item


def _copy(write: FieldWrite, field_id: int, now: datetime) -> Metafield:
    return Metafield(
        id=field_id,
        resource_type=write.resource_type,
        resource_id=write.resource_id,
        namespace=METAFIELD_NAMESPACE,
        key=write.key,
        value=write.value,
        date_modified=now,
    )


def _fold_into_create(cache: Cache, field: Metafield, write: FieldWrite, now: datetime) -> bool:
    """Put the new value into the queued create this placeholder stands for, if still queued."""
    row_id = placeholder_row(field.id)
    row = cache.outbox.get(row_id) if row_id is not None else None
    if row is None or not isinstance(row.body, list):
        return False
    index = (-field.id) % PLACEHOLDER_STRIDE
    if index >= len(row.body):
        return False
    body = [dict(item) for item in row.body]
    body[index]["value"] = write.value
    if not cache.outbox.replace_body(row.id, body):
        return False
    cache.metafields.upsert([_copy(write, field.id, now)])
    return True


def queue_field_writes(
    cache: Cache,
    writes: Sequence[FieldWrite],
    *,
    batch_id: str,
    kind: str,
    now: datetime | None = None,
) -> int:
    """Queue `writes` (creates and updates, batched per resource type); returns outbox rows added."""
    now = now or datetime.now(UTC)
    for write in writes:
        if not write.value or len(write.value) > METAFIELD_VALUE_MAX:
            raise InputError(
                f"The record {write.key} is {len(write.value):,} characters; BigCommerce keeps "
                f"1 to {METAFIELD_VALUE_MAX:,} per metafield."
            )
    rows = 0
    with cache.transaction():
        creates: dict[str, list[FieldWrite]] = {}
        updates: dict[str, list[tuple[Metafield, FieldWrite]]] = {}
        for write in writes:
            known = newest_per_key(cache.metafields.by_key(write.resource_type, write.key)).get(
                (write.resource_id, write.key)
            )
            if known is not None and known.id > 0:
                updates.setdefault(write.resource_type, []).append((known, write))
            elif known is not None and _fold_into_create(cache, known, write, now):
                continue
            else:
                if known is not None:  # a create that failed: its copy goes, a new create comes
                    cache.metafields.delete(write.resource_type, [known.id])
                creates.setdefault(write.resource_type, []).append(write)
        check_room(cache, creates)
        for resource_type, items in creates.items():
            for start in range(0, len(items), METAFIELD_BATCH):
                chunk = items[start : start + METAFIELD_BATCH]
                op = ops.metafield_op(ops.CREATE, resource_type, [_item(w) for w in chunk])
                row_id = queue(cache, batch_id, kind, op)
                cache.metafields.upsert(
                    [_copy(w, placeholder_id(row_id, i), now) for i, w in enumerate(chunk)]
                )
                rows += 1
        for resource_type, pairs in updates.items():
            for start in range(0, len(pairs), METAFIELD_BATCH):
                part = pairs[start : start + METAFIELD_BATCH]
                body = [{"id": m.id, **_item(w)} for m, w in part]
                row_id = queue(
                    cache, batch_id, kind, ops.metafield_op(ops.UPDATE, resource_type, body)
                )
                # What this laptop read: the push checks BigCommerce still holds it (issue 7).
                record_bases(cache, row_id, [m for m, _ in part])
                cache.metafields.upsert([_copy(w, m.id, now) for m, w in part])
                rows += 1
    return rows


# Limits per API account (spec README, metafields): the app refuses before BigCommerce does,
# with a message that says what to do, and nothing is queued.
STORE_MAX = 10_000
PER_RESOURCE_MAX = 250


def check_room(cache: Cache, creates: dict[str, list[FieldWrite]]) -> None:
    for resource_type, items in creates.items():
        if resource_type == "store":
            have = len(cache.metafields.all("store"))
            if have + len(items) > STORE_MAX:
                raise InputError(
                    f"BigCommerce keeps at most {STORE_MAX:,} store records per API account and "
                    f"{have:,} are in use: close or archive old shipments first."
                )
            continue
        per_resource: dict[int | None, int] = {}
        for write in items:
            per_resource[write.resource_id] = per_resource.get(write.resource_id, 0) + 1
        for resource_id, extra in per_resource.items():
            have = len(cache.metafields.for_resource(resource_type, resource_id))
            if have + extra > PER_RESOURCE_MAX:
                raise InputError(
                    f"{resource_type.capitalize()} {resource_id} already has {have} records; "
                    f"BigCommerce keeps at most {PER_RESOURCE_MAX} per API account."
                )


def queue_field_deletes(
    cache: Cache, fields: Iterable[Metafield], *, batch_id: str, kind: str
) -> int:
    """Delete metafields the store holds (batch DELETE by id); the cached copies go at once."""
    by_type: dict[str, list[int]] = {}
    for field in fields:
        if field.id > 0:
            by_type.setdefault(field.resource_type, []).append(field.id)
    rows = 0
    with cache.transaction():
        for resource_type, ids in by_type.items():
            for start in range(0, len(ids), METAFIELD_BATCH):
                chunk = ids[start : start + METAFIELD_BATCH]
                queue(cache, batch_id, kind, ops.metafield_op(ops.DELETE, resource_type, chunk))
                cache.metafields.delete(resource_type, chunk)
                rows += 1
    return rows
