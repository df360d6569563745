"""Stock per variant and location (Inventory API, incl. native backorder fields)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..domain.models import InventoryRecord
from .codec import int_or_none
from .core import CacheCore, chunks, placeholders
from .rowsync import sync_rows

TABLE = "inventory"
_PK = ("variant_id", "location_id")


COLUMNS = (
    "variant_id",
    "location_id",
    "on_hand",
    "available_to_sell",
    "qty_backordered",
    "backorder_limit",
)


def to_values(r: InventoryRecord) -> tuple[Any, ...]:
    """A row as a tuple in COLUMNS order (bulk writes skip building a dict per row)."""
    return (
        r.variant_id,
        r.location_id,
        r.on_hand,
        r.available_to_sell,
        r.qty_backordered,
        r.backorder_limit,
    )


def to_row(r: InventoryRecord) -> dict[str, Any]:
    return dict(zip(COLUMNS, to_values(r), strict=True))


def from_row(r: dict[str, Any]) -> InventoryRecord:
    return InventoryRecord(
        variant_id=r["variant_id"],
        location_id=r["location_id"],
        on_hand=r["on_hand"],
        available_to_sell=r["available_to_sell"],
        qty_backordered=int_or_none(r["qty_backordered"]),
        backorder_limit=int_or_none(r["backorder_limit"]),
    )


class InventoryRepository:
    def __init__(self, core: CacheCore) -> None:
        self._core = core

    def all(self) -> list[InventoryRecord]:
        return [from_row(r) for r in self._core.rows(TABLE, order_by="variant_id, location_id")]

    def for_variants(self, variant_ids: Iterable[int]) -> list[InventoryRecord]:
        rows = sorted(
            self._core.rows_in(TABLE, "variant_id", variant_ids),
            key=lambda r: (r["variant_id"], r["location_id"]),
        )
        return [from_row(r) for r in rows]

    def on_hand_by_variant(self, variant_ids: Iterable[int] | None = None) -> dict[int, int]:
        """On-hand units per variant, summed over every location (only `variant_ids` if given)."""
        sql = "SELECT variant_id, SUM(on_hand) FROM inventory"
        with self._core.read() as db:
            if variant_ids is None:
                rows = db.execute(f"{sql} GROUP BY variant_id").fetchall()
            else:
                rows = []
                for chunk in chunks(sorted(set(variant_ids))):
                    where = f" WHERE variant_id IN ({placeholders(len(chunk))}) GROUP BY variant_id"
                    rows.extend(db.execute(sql + where, chunk).fetchall())
            return {int(vid): int(total) for vid, total in rows}

    def on_hand_for(self, variant_ids: Iterable[int]) -> dict[int, int]:
        """`on_hand_by_variant` for these variants only."""
        out: dict[int, int] = {}
        for row in self._core.rows_in(TABLE, "variant_id", variant_ids):
            out[row["variant_id"]] = out.get(row["variant_id"], 0) + int(row["on_hand"])
        return out

    def replace_all(
        self, records: Sequence[InventoryRecord], *, touched: set[int] | None = None
    ) -> bool:
        """`touched` (if given) collects the variants whose stock rows changed or went."""
        keys: set[tuple[Any, ...]] | None = set() if touched is not None else None
        found = sync_rows(
            self._core, TABLE, [to_row(r) for r in records], _PK, replace=True, touched=keys
        )
        if touched is not None and keys:
            touched.update(int(key[0]) for key in keys)
        return found

    def replace_for_variants(
        self,
        variant_ids: Iterable[int],
        records: Sequence[InventoryRecord],
        *,
        touched: set[int] | None = None,
    ) -> bool:
        """The stock of these variants becomes exactly `records` (a variant the store no longer
        lists, e.g. no longer tracked, loses its rows); `touched` as in `replace_all`."""
        keys: set[tuple[Any, ...]] | None = set() if touched is not None else None
        found = sync_rows(
            self._core,
            TABLE,
            [to_row(r) for r in records],
            _PK,
            replace=True,
            within=("variant_id", set(variant_ids)),
            touched=keys,
        )
        if touched is not None and keys:
            touched.update(int(key[0]) for key in keys)
        return found

    def upsert(self, records: Sequence[InventoryRecord]) -> bool:
        return sync_rows(self._core, TABLE, [to_row(r) for r in records], _PK, replace=False)

    def delete_variants(self, variant_ids: Iterable[int]) -> bool:
        return self._core.delete_in(TABLE, "variant_id", variant_ids) > 0
