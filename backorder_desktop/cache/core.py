"""The shared handle every repository works through: one connection, one lock, transactions."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import sqlite3

    import sqlite_utils

# SQLite's default limit on bound parameters is 32766 in current builds but 999 in old ones.
_CHUNK = 500


class LazyDatabase:
    """A `sqlite_utils.Database` made on first use of anything but `conn` and a SELECT.

    Importing sqlite-utils costs ~60 ms (click, dateutil, pluggy): a command that only reads
    the cache (`status`) never needs it, since plain reads go straight to sqlite3 here and in
    `CacheCore`'s helpers; the first write, migration or table helper builds the real one (its
    `execute` commits a write made outside a transaction, which sqlite3 alone would not).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._db: sqlite_utils.Database | None = None

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        if sql.lstrip()[:6].upper() != "SELECT":
            return self.real().execute(sql, parameters)
        # A SELECT opens no implicit transaction: sqlite3 alone does what sqlite-utils would.
        if parameters is not None:
            return self.conn.execute(sql, parameters)
        return self.conn.execute(sql)

    def close(self) -> None:
        self.conn.close()  # all sqlite_utils.Database.close does

    def real(self) -> sqlite_utils.Database:
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._db

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)

    def __getitem__(self, table: str) -> Any:  # db["outbox"]: dunders skip __getattr__
        return self.real()[table]

    def __enter__(self) -> Any:
        return self.real().__enter__()

    def __exit__(self, *exc: object) -> None:
        self.real().__exit__(*exc)  # type: ignore[arg-type]


def lazy_database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """`conn` as the `sqlite_utils.Database` the repositories use, built on first need."""
    return cast("sqlite_utils.Database", LazyDatabase(conn))


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
        """Rows as dicts, as sqlite-utils' `rows_where` gives them (plain sqlite3, see
        `LazyDatabase`)."""
        sql = f"SELECT * FROM [{table}]"  # noqa: S608 (table names are the repositories' own)
        if where is not None:
            sql += f" WHERE {where}"
        if order_by is not None:
            sql += f" ORDER BY {order_by}"
        with self._lock:
            cursor = self.db.conn.execute(sql, list(args))
            keys = [d[0] for d in cursor.description]
            return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]

    def rows_in(self, table: str, column: str, values: Iterable[Any]) -> list[dict[str, Any]]:
        """Rows whose `column` is one of `values`, in no particular order.

        Queried in chunks to stay under SQLite's limit on bound parameters.
        """
        out: list[dict[str, Any]] = []
        with self._lock:
            for chunk in chunks(list(values)):
                out.extend(self.rows(table, f"[{column}] IN ({placeholders(len(chunk))})", chunk))
        return out

    def modified_in(self, table: str, ids: Iterable[int]) -> dict[int, str]:
        """`date_modified` as stored (ISO text) of the rows with these ids that have one."""
        out: dict[int, str] = {}
        with self._lock:
            for chunk in chunks(sorted(set(ids))):
                sql = f"SELECT id, date_modified FROM [{table}] WHERE id IN ({placeholders(len(chunk))})"  # noqa: S608
                for row_id, modified in self.db.conn.execute(sql, chunk):
                    if modified:
                        out[int(row_id)] = str(modified)
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
        sql = f"SELECT COUNT(*) FROM [{table}]"  # noqa: S608 (the repositories' own names)
        if where is not None:
            sql += f" WHERE {where}"
        with self._lock:
            return int(self.db.conn.execute(sql, list(args)).fetchone()[0])


def chunks(values: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def placeholders(n: int) -> str:
    return ", ".join("?" * n)
