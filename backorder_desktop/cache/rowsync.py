"""Write only the rows that differ, so a sync knows exactly what changed (and writes little)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from operator import itemgetter
from typing import Any

from ..domain.slices import free_in_slices
from .core import CacheCore, chunks, placeholders

Row = dict[str, Any]
Key = tuple[Any, ...]


def sync_rows(
    core: CacheCore,
    table: str,
    rows: Sequence[Row],
    pk: tuple[str, ...],
    *,
    replace: bool,
    within: tuple[str, Collection[Any]] | None = None,
    touched: set[Key] | None = None,
) -> bool:
    """Upsert `rows` into `table`; with `replace`, also delete the rows they do not mention.

    `within=(column, values)` narrows `replace` to the rows whose column holds one of the values
    (e.g. the variants of the products a sync saw); without it `replace` covers the whole table.
    Returns whether anything was inserted, updated or deleted; `touched` (if given) collects
    the keys of the rows written or deleted (a table filled for the first time: none, as
    everything is new).

    Rows go to SQLite as tuples through one `executemany` of `INSERT ... ON CONFLICT DO UPDATE`
    (sqlite-utils' `upsert_all` spent most of a large sync in its per-value Python code). Never
    INSERT OR REPLACE: it deletes the old row first, which would fire ON DELETE CASCADE and take
    a product's variants or an order's lines with it.
    """
    if not rows and not replace:
        return False
    with core.transaction() as db:
        conn = db.conn
        columns = _columns(conn, table) if not rows else tuple(rows[0])
        as_tuple = row_getter(columns)
        key_of = _key_getter(columns, pk)
        new = [as_tuple(row) for row in rows]
        old: dict[Key, tuple[Any, ...]] = {}
        first = not _has_rows(conn, table)
        if first:
            # A first sync: nothing to compare with or delete.
            changed, gone = list(new), []
        else:
            old = _existing(conn, table, columns, pk, rows, replace=replace, within=within)
            changed = [t for t in new if old.get(key_of(t)) != t]
            if replace:
                seen = {key_of(t) for t in new}
                gone = [k for k in old if k not in seen]
            else:
                gone = []
        if changed:
            conn.executemany(_upsert_sql(table, columns, pk), changed)
        if gone:
            where = " AND ".join(f"[{c}] = ?" for c in pk)
            conn.executemany(f"DELETE FROM [{table}] WHERE {where}", gone)  # noqa: S608 (names)
        if touched is not None and not first:
            touched.update(key_of(t) for t in changed)
            touched.update(gone)
        any_change = bool(changed or gone)
        free_in_slices(changed, new, old)  # this runs beside the window (domain/slices.py)
        return any_change


def row_getter(columns: Sequence[str]) -> Callable[[Row], tuple[Any, ...]]:
    # By name, not by dict order: callers may mix rows built by to_row with rows read back.
    if len(columns) == 1:
        name = columns[0]
        return lambda row: (row[name],)
    get = itemgetter(*columns)
    return lambda row: get(row)


def _key_getter(columns: Sequence[str], pk: tuple[str, ...]) -> Callable[[Key], Key]:
    positions = [columns.index(c) for c in pk]
    if len(positions) == 1:
        at = positions[0]
        return lambda t: (t[at],)
    get = itemgetter(*positions)
    return lambda t: get(t)


def insert_head(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)})"


def on_conflict(columns: Sequence[str], pk: tuple[str, ...]) -> str:
    """Update the row in place on a key conflict (never delete + insert: see sync_rows)."""
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c not in pk)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    return f"ON CONFLICT ({', '.join(f'[{c}]' for c in pk)}) {action}"


def _upsert_sql(table: str, columns: Sequence[str], pk: tuple[str, ...]) -> str:
    values = f"VALUES ({placeholders(len(columns))})"
    return f"{insert_head(table, columns)} {values} {on_conflict(columns, pk)}"


def _columns(conn: Any, table: str) -> tuple[str, ...]:
    return tuple(r[1] for r in conn.execute(f"PRAGMA table_info([{table}])"))


def _has_rows(conn: Any, table: str) -> bool:
    return conn.execute(f"SELECT 1 FROM [{table}] LIMIT 1").fetchone() is not None  # noqa: S608


def _existing(
    conn: Any,
    table: str,
    columns: Sequence[str],
    pk: tuple[str, ...],
    rows: Sequence[Row],
    *,
    replace: bool,
    within: tuple[str, Collection[Any]] | None,
) -> dict[Key, tuple[Any, ...]]:
    """The stored rows `rows` could collide with (or, with `replace`, could remove), by key."""
    select = f"SELECT {', '.join(f'[{c}]' for c in columns)} FROM [{table}]"  # noqa: S608
    key_of = _key_getter(columns, pk)
    if replace and within is None:
        found = conn.execute(select).fetchall()
    else:
        if replace and within is not None:
            column, values = within[0], list(within[1])
        elif len(pk) == 1:
            column, values = pk[0], [row[pk[0]] for row in rows]
        else:
            # Composite keys: narrow by the first key column, then match whole keys.
            column, values = pk[0], list({row[pk[0]] for row in rows})
        found = []
        for chunk in chunks(values):
            where = f" WHERE [{column}] IN ({placeholders(len(chunk))})"
            found.extend(conn.execute(select + where, chunk).fetchall())
    return {key_of(t): t for t in found}
