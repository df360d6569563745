"""The app's metafields in the cache (namespace backorder_desktop on variants, orders, store)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..domain.models import METAFIELD_NAMESPACE, Metafield
from .codec import dt_from_db, dt_to_db
from .core import CacheCore
from .rowsync import sync_rows

TABLE = "metafields"
_PK = ("resource_type", "id")
# An optimistic copy of a metafield whose create (POST) waits in the outbox has no id yet: it is
# stored under a negative placeholder id derived from its outbox row, -(row_id * STRIDE + index),
# and replaced by the real one when the store's reply comes back (sync.replies).
PLACEHOLDER_STRIDE = 1000


def placeholder_id(outbox_row_id: int, index: int) -> int:
    if not 0 <= index < PLACEHOLDER_STRIDE:
        raise ValueError(f"placeholder index {index} out of range")
    return -(outbox_row_id * PLACEHOLDER_STRIDE + index)


def placeholder_row(metafield_id: int) -> int | None:
    """The outbox row that creates a placeholder metafield (None for a real id)."""
    return (-metafield_id) // PLACEHOLDER_STRIDE if metafield_id < 0 else None


def to_row(m: Metafield) -> dict[str, Any]:
    return {
        "resource_type": m.resource_type,
        "id": m.id,
        "resource_id": m.resource_id,
        "namespace": m.namespace,
        "key": m.key,
        "value": m.value,
        "date_modified": dt_to_db(m.date_modified),
    }


def from_row(r: dict[str, Any]) -> Metafield:
    return Metafield(
        id=r["id"],
        resource_type=r["resource_type"],
        resource_id=r["resource_id"],
        namespace=r["namespace"],
        key=r["key"],
        value=r["value"],
        date_modified=dt_from_db(r["date_modified"]),
    )


class MetafieldRepository:
    def __init__(self, core: CacheCore) -> None:
        self._core = core

    def all(self, resource_type: str | None = None) -> list[Metafield]:
        if resource_type is None:
            rows = self._core.rows(TABLE, order_by="resource_type, id")
        else:
            rows = self._core.rows(TABLE, "resource_type = ?", [resource_type], order_by="id")
        return [from_row(r) for r in rows]

    def by_key(
        self, resource_type: str, key: str, *, namespace: str = METAFIELD_NAMESPACE
    ) -> list[Metafield]:
        rows = self._core.rows(
            TABLE,
            "resource_type = ? AND namespace = ? AND key = ?",
            [resource_type, namespace, key],
            order_by="resource_id, id",
        )
        return [from_row(r) for r in rows]

    def by_key_prefix(
        self, resource_type: str, prefix: str, *, namespace: str = METAFIELD_NAMESPACE
    ) -> list[Metafield]:
        """E.g. every store metafield whose key starts with "supplier:"."""
        rows = self._core.rows(
            TABLE,
            "resource_type = ? AND namespace = ? AND substr(key, 1, ?) = ?",
            [resource_type, namespace, len(prefix), prefix],
            order_by="key, id",
        )
        return [from_row(r) for r in rows]

    def for_resource(self, resource_type: str, resource_id: int | None) -> list[Metafield]:
        where = "resource_type = ? AND resource_id IS NULL"
        args: list[object] = [resource_type]
        if resource_id is not None:
            where = "resource_type = ? AND resource_id = ?"
            args.append(resource_id)
        return [from_row(r) for r in self._core.rows(TABLE, where, args, order_by="key, id")]

    def replace_all(self, resource_type: str, metafields: Sequence[Metafield]) -> bool:
        """The metafields of one resource type become exactly `metafields`.

        Placeholders of creates still waiting in the outbox stay (the store cannot list them yet).
        """
        rows = [to_row(m) for m in metafields]
        if any(r["resource_type"] != resource_type for r in rows):
            raise ValueError(f"replace_all({resource_type!r}) given another resource type")
        with self._core.transaction():
            waiting = self._core.rows(
                TABLE,
                "resource_type = ? AND id < 0 AND (-id) / ? IN "
                "(SELECT id FROM outbox WHERE state IN ('pending', 'sending'))",
                [resource_type, PLACEHOLDER_STRIDE],
            )
            return sync_rows(
                self._core,
                TABLE,
                rows + waiting,
                _PK,
                replace=True,
                within=("resource_type", {resource_type}),
            )

    def delete_placeholders(self, resource_type: str, outbox_row_id: int) -> bool:
        """Drop the optimistic copies a create row stood for (its reply holds the real ones)."""
        high = -(outbox_row_id * PLACEHOLDER_STRIDE)
        low = high - (PLACEHOLDER_STRIDE - 1)
        where, args = "resource_type = ? AND id BETWEEN ? AND ?", [resource_type, low, high]
        with self._core.transaction() as db:
            n = self._core.count(TABLE, where, args)
            db.table(TABLE).delete_where(where, args)
            return n > 0

    def upsert(self, metafields: Sequence[Metafield]) -> bool:
        return sync_rows(self._core, TABLE, [to_row(m) for m in metafields], _PK, replace=False)

    def delete(self, resource_type: str, ids: Iterable[int]) -> bool:
        return self._core.delete_in(TABLE, "id", ids, extra=("resource_type", resource_type)) > 0
