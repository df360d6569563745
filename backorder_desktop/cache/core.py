"""The shared handle every repository works through: one connection, one lock, transactions."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

# SQLite's default limit on bound parameters is 32766 in current builds but 999 in old ones.
_CHUNK = 500


class CacheCore:
    """One `sqlite_utils.Database` used from several threads (GUI and sync worker).

    The connection is opened with `check_same_thread=False`, and every read and write holds one
    re-entrant lock, so a sync writing on a worker thread and a view reading on the GUI thread
    take turns instead of interleaving statements on one connection.
    """

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path
        self._lock = threading.RLock()
        self._bulk = 0  # > 0 inside bulk_transaction: nested transaction() blocks join it

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """Everything inside commits together or not at all; nested blocks use savepoints."""
        with self._lock:
            if self._bulk:
                yield self.db  # part of the enclosing bulk transaction: no savepoint
                return
            with self.db.atomic():
                yield self.db

    @contextmanager
    def bulk_transaction(self) -> Iterator[sqlite_utils.Database]:
        """One all-or-nothing transaction whose nested blocks join it instead of using savepoints.

        For large writes such as a sync's: inside a savepoint SQLite wrote 40,000 variant rows
        2-3x slower. The price is that a nested block cannot be rolled back on its own, so code
        inside must let errors propagate (any error rolls the whole block back).
        """
        with self._lock:
            if self.db.conn.in_transaction:
                with self.db.atomic(), self._joining():
                    yield self.db
                return
            # IMMEDIATE: take SQLite's write lock at once. A deferred transaction that read
            # first could not write after another connection committed (SQLITE_BUSY_SNAPSHOT,
            # raised at once, not waited out).
            self.db.execute("BEGIN IMMEDIATE")
            try:
                with self._joining():
                    yield self.db
            except BaseException:
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    @contextmanager
    def _joining(self) -> Iterator[None]:
        self._bulk += 1
        try:
            yield
        finally:
            self._bulk -= 1

    @contextmanager
    def read(self) -> Iterator[sqlite_utils.Database]:
        """Hold the connection for a few reads that must see one consistent state."""
        with self._lock:
            yield self.db

    def rows(
        self,
        table: str,
        where: str | None = None,
        args: Sequence[Any] = (),
        *,
        order_by: str | None = None,
    ) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.db.table(table).rows_where(where, args, order_by=order_by))

    def rows_in(self, table: str, column: str, values: Iterable[Any]) -> list[dict[str, Any]]:
        """Rows whose `column` is one of `values`, in no particular order.

        Queried in chunks to stay under SQLite's limit on bound parameters.
        """
        out: list[dict[str, Any]] = []
        with self._lock:
            for chunk in chunks(list(values)):
                where = f"[{column}] IN ({placeholders(len(chunk))})"
                out.extend(self.db.table(table).rows_where(where, chunk))
        return out

    def delete_in(
        self,
        table: str,
        column: str,
        values: Iterable[Any],
        *,
        extra: tuple[str, Any] | None = None,
    ) -> int:
        """Delete rows whose `column` is one of `values`; returns how many went."""
        deleted = 0
        with self.transaction():
            for chunk in chunks(list(values)):
                where = f"[{column}] IN ({placeholders(len(chunk))})"
                args: list[Any] = list(chunk)
                if extra is not None:
                    where += f" AND [{extra[0]}] = ?"
                    args.append(extra[1])
                deleted += self.db.table(table).count_where(where, args)
                self.db.table(table).delete_where(where, args)
        return deleted

    def count(self, table: str, where: str | None = None, args: Sequence[Any] = ()) -> int:
        with self._lock:
            return self.db.table(table).count_where(where, args)


def chunks(values: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def placeholders(n: int) -> str:
    return ", ".join("?" * n)
