"""A first sync's bulk rows gathered in temp tables while it fetches, then applied in one go."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import inventory, products, variants
from .core import CacheCore
from .rowsync import insert_head, on_conflict

# What can be staged: table -> (primary key, columns, record -> values in that order).
_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {
    products.TABLE: (("id",), products.COLUMNS, products.to_values),
    variants.TABLE: (("id",), variants.COLUMNS, variants.to_values),
    inventory.TABLE: (("variant_id", "location_id"), inventory.COLUMNS, inventory.to_values),
}


class Staging:
    """Temp tables of the writer connection (`Cache.writer`) shaped like the real ones.

    Table names come from `_TABLES` only (fixed names), never from data.

    A first sync's 120,000 product, variant and stock rows are converted and inserted batch by
    batch while the rest is still on the network, without touching the real tables, so no write
    lock is held meanwhile (temp tables belong to this connection alone). `apply` then moves
    each staged table into its real one with one INSERT ... SELECT inside the sync's short
    final transaction. Only for tables that were empty (nothing to compare with or delete).
    """

    def __init__(self, core: CacheCore, tables: Sequence[str]) -> None:
        self._core = core
        self.tables = tuple(tables)
        self._staged: set[str] = set()
        with core.read() as db:
            for table in self.tables:
                db.execute(f"DROP TABLE IF EXISTS temp.[stage_{table}]")
                # Same columns in the same order, no constraints: a plain holding area.
                db.execute(
                    f"CREATE TEMP TABLE [stage_{table}] AS SELECT * FROM main.[{table}] WHERE 0"  # noqa: S608 (fixed names)
                )

    def add(self, table: str, records: Sequence[Any]) -> None:
        """Convert and hold `records` (any thread; batches are written one at a time)."""
        if not records:
            return
        to_values = _TABLES[table][2]
        self.add_rows(table, [to_values(r) for r in records])

    def add_rows(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """`add` for rows already in the table's COLUMNS order (any thread)."""
        if not rows:
            return
        columns = _TABLES[table][1]
        names = ", ".join(f"[{c}]" for c in columns)
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO temp.[stage_{table}] ({names}) VALUES ({marks})"  # noqa: S608
        with self._core.read() as db:
            db.conn.executemany(sql, rows)
            db.conn.commit()  # ends the implicit transaction: it only touched temp tables
        self._staged.add(table)

    def apply(self) -> set[str]:
        """Move the staged rows into the real tables (call inside the writing transaction);
        returns the tables that got rows. A key staged twice keeps its last copy."""
        applied = set()
        with self._core.transaction() as db:
            for table in self.tables:
                if table not in self._staged:
                    continue
                pk = _TABLES[table][0]
                columns = [r[1] for r in db.execute(f"PRAGMA table_info([{table}])").fetchall()]
                names = ", ".join(f"[{c}]" for c in columns)
                # "WHERE true": SQLite needs it to tell an upsert's ON CONFLICT from a join's.
                select = f"SELECT {names} FROM temp.[stage_{table}] WHERE true ORDER BY rowid"  # noqa: S608
                db.execute(f"{insert_head(table, columns)} {select} {on_conflict(columns, pk)}")
                db.execute(f"DELETE FROM temp.[stage_{table}]")  # noqa: S608 (fixed names)
                applied.add(table)
        return applied
