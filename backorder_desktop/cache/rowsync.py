"""Write only the rows that differ, so a sync knows exactly what changed (and writes little)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from .core import CacheCore

Row = dict[str, Any]


def sync_rows(
    core: CacheCore,
    table: str,
    rows: Sequence[Row],
    pk: tuple[str, ...],
    *,
    replace: bool,
    within: tuple[str, Collection[Any]] | None = None,
) -> bool:
    """Upsert `rows` into `table`; with `replace`, also delete the rows they do not mention.

    `within=(column, values)` narrows `replace` to the rows whose column holds one of the values
    (e.g. the variants of the products a sync saw); without it `replace` covers the whole table.
    Returns whether anything was inserted, updated or deleted.
    """

    def key(row: Row) -> tuple[Any, ...]:
        return tuple(row[c] for c in pk)

    with core.transaction() as db:
        if replace and within is None:
            existing = core.rows(table)
        elif replace and within is not None:
            existing = core.rows_in(table, within[0], within[1])
        elif len(pk) == 1:
            existing = core.rows_in(table, pk[0], [row[pk[0]] for row in rows])
        else:
            # Composite keys: narrow by the first key column, then match whole keys below.
            existing = core.rows_in(table, pk[0], {row[pk[0]] for row in rows})
        old = {key(row): row for row in existing}
        new_keys = set()
        changed_rows = []
        for row in rows:
            k = key(row)
            new_keys.add(k)
            if old.get(k) != row:
                changed_rows.append(row)
        if changed_rows:
            db.table(table).upsert_all(changed_rows, pk=pk if len(pk) > 1 else pk[0])
        gone = [k for k in old if k not in new_keys] if replace else []
        if len(pk) == 1:
            core.delete_in(table, pk[0], [k[0] for k in gone])
        else:
            for k in gone:
                db.table(table).delete(k)
        return bool(changed_rows or gone)
