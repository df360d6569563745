"""Small durable key/value state: sync cursors and times, and the app's own settings per store."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from .codec import dt_from_db, dt_to_db, utc_now, utc_text
from .core import CacheCore

SYNC_TABLE = "sync_state"
APP_TABLE = "app_state"

# Keys of sync_state that describe what the cache tables hold; a rebuild forgets them so the
# next sync is a full one.
CURSOR_PREFIX = "cursor:"
LAST_SYNC = "last_sync"
# Variants whose stock the next pull must read although no listing names them (JSON id list).
STALE_STOCK = "stale_stock"
PRIORITY_NAMESPACE = "priority"


class SyncStateRepository:
    """Cursors (`cursor:<resource>`) and the time of the last successful sync."""

    def __init__(self, core: CacheCore) -> None:
        self._core = core

    def get(self, key: str) -> str | None:
        rows = self._core.rows(SYNC_TABLE, "key = ?", [key])
        return rows[0]["value"] if rows else None

    def set(self, key: str, value: str) -> None:
        with self._core.transaction() as db:
            db.table(SYNC_TABLE).upsert({"key": key, "value": value}, pk="key")

    def delete(self, key: str) -> None:
        with self._core.transaction() as db:
            db.table(SYNC_TABLE).delete_where("key = ?", [key])

    def get_time(self, key: str) -> datetime | None:
        return dt_from_db(self.get(key))

    def set_time(self, key: str, value: datetime) -> None:
        text = dt_to_db(value)
        assert text is not None
        self.set(key, text)

    def cursor(self, resource: str) -> datetime | None:
        return self.get_time(CURSOR_PREFIX + resource)

    def set_cursor(self, resource: str, value: datetime) -> None:
        self.set_time(CURSOR_PREFIX + resource, value)

    def clear_cursors(self) -> None:
        with self._core.transaction() as db:
            db.table(SYNC_TABLE).delete_where(
                "substr(key, 1, ?) = ?", [len(CURSOR_PREFIX), CURSOR_PREFIX]
            )

    def stale_stock(self) -> frozenset[int]:
        """Variants whose stock the next pull reads although no listing names them."""
        try:
            ids = json.loads(self.get(STALE_STOCK) or "[]")
        except ValueError:
            return frozenset()
        if not isinstance(ids, list):
            return frozenset()
        return frozenset(i for i in ids if isinstance(i, int))

    def mark_stale_stock(self, variant_ids: Iterable[int]) -> None:
        with self._core.transaction():
            ids = self.stale_stock().union(variant_ids)
            if ids:
                self.set(STALE_STOCK, json.dumps(sorted(ids)))

    def clear_stale_stock(self, variant_ids: Iterable[int] | None) -> None:
        """Forget these (all with None): a pull has read their stock."""
        with self._core.transaction():
            left = (
                frozenset() if variant_ids is None else self.stale_stock().difference(variant_ids)
            )
            if left:
                self.set(STALE_STOCK, json.dumps(sorted(left)))
            elif self.get(STALE_STOCK) is not None:
                self.delete(STALE_STOCK)

    def last_sync(self) -> datetime | None:
        return self.get_time(LAST_SYNC)

    def set_last_sync(self, value: datetime) -> None:
        self.set_time(LAST_SYNC, value)


class AppStateRepository:
    """Per-store values the app owns, grouped by namespace (e.g. per-order priority)."""

    def __init__(self, core: CacheCore) -> None:
        self._core = core

    def get(self, namespace: str, key: str) -> str | None:
        rows = self._core.rows(APP_TABLE, "namespace = ? AND key = ?", [namespace, key])
        return rows[0]["value"] if rows else None

    def set(self, namespace: str, key: str, value: str) -> None:
        row = {
            "namespace": namespace,
            "key": key,
            "value": value,
            "updated_at": utc_text(utc_now()),
        }
        with self._core.transaction() as db:
            db.table(APP_TABLE).upsert(row, pk=("namespace", "key"))

    def delete(self, namespace: str, key: str) -> None:
        with self._core.transaction() as db:
            db.table(APP_TABLE).delete_where("namespace = ? AND key = ?", [namespace, key])

    def items(self, namespace: str) -> dict[str, str]:
        rows = self._core.rows(APP_TABLE, "namespace = ?", [namespace], order_by="key")
        return {r["key"]: r["value"] for r in rows}

    def priorities(self) -> dict[int, int]:
        """Manual queue priority per order id (higher goes first; absent means 0)."""
        out: dict[int, int] = {}
        for key, value in self.items(PRIORITY_NAMESPACE).items():
            try:
                out[int(key)] = int(value)
            except ValueError:
                continue  # a hand-edited row must not break the queue
        return out

    def set_priority(self, order_id: int, priority: int) -> None:
        if priority == 0:
            self.delete(PRIORITY_NAMESPACE, str(order_id))
        else:
            self.set(PRIORITY_NAMESPACE, str(order_id), str(int(priority)))
