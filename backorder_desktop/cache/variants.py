"""Variants in the cache (every product has at least its base variant)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..domain.models import Variant
from .codec import float_or_none
from .core import CacheCore, chunks, placeholders
from .rowsync import sync_rows

TABLE = "variants"


COLUMNS = (
    "id",
    "product_id",
    "sku",
    "option_label",
    "price",
    "inventory_level",
    "upc",
    "gtin",
    "purchasing_disabled",
)


def to_values(v: Variant) -> tuple[Any, ...]:
    """A row as a tuple in COLUMNS order (bulk writes skip building a dict per row)."""
    return (
        v.id,
        v.product_id,
        v.sku,
        v.option_label,
        None if v.price is None else float(v.price),
        v.inventory_level,
        v.upc,
        v.gtin,
        int(v.purchasing_disabled),
    )


def to_row(v: Variant) -> dict[str, Any]:
    return dict(zip(COLUMNS, to_values(v), strict=True))


def from_row(r: dict[str, Any]) -> Variant:
    return Variant(
        id=r["id"],
        product_id=r["product_id"],
        sku=r["sku"],
        option_label=r["option_label"],
        price=float_or_none(r["price"]),
        inventory_level=r["inventory_level"],
        upc=r["upc"],
        gtin=r["gtin"],
        purchasing_disabled=bool(r["purchasing_disabled"]),
    )


_SIBLINGS = (
    "SELECT s.id FROM variants v JOIN products p ON p.id = v.product_id "
    "JOIN variants s ON s.product_id = p.id WHERE p.inventory_tracking = 'product' AND v.id IN "
)


class VariantRepository:
    def __init__(self, core: CacheCore) -> None:
        self._core = core

    def all(self) -> list[Variant]:
        return [from_row(r) for r in self._core.rows(TABLE, order_by="id")]

    def by_id(self) -> dict[int, Variant]:
        return {v.id: v for v in self.all()}

    def get(self, variant_id: int) -> Variant | None:
        rows = self._core.rows(TABLE, "id = ?", [variant_id])
        return from_row(rows[0]) if rows else None

    def get_many(self, variant_ids: Iterable[int]) -> list[Variant]:
        rows = sorted(self._core.rows_in(TABLE, "id", variant_ids), key=lambda r: r["id"])
        return [from_row(r) for r in rows]

    def by_sku(self, sku: str) -> list[Variant]:
        return [from_row(r) for r in self._core.rows(TABLE, "sku = ?", [sku], order_by="id")]

    def for_products(self, product_ids: Iterable[int]) -> list[Variant]:
        rows = sorted(self._core.rows_in(TABLE, "product_id", product_ids), key=lambda r: r["id"])
        return [from_row(r) for r in rows]

    def count(self) -> int:
        return self._core.count(TABLE)

    def replace_all(self, variants: Sequence[Variant]) -> bool:
        return sync_rows(self._core, TABLE, [to_row(v) for v in variants], ("id",), replace=True)

    def replace_for_products(self, product_ids: Iterable[int], variants: Sequence[Variant]) -> bool:
        """The variants of these products become exactly `variants` (removed ones are deleted)."""
        return sync_rows(
            self._core,
            TABLE,
            [to_row(v) for v in variants],
            ("id",),
            replace=True,
            within=("product_id", set(product_ids)),
        )

    def stock_siblings(self, variant_ids: Iterable[int]) -> set[int]:
        """The other variants of the products tracked by product among these variants'
        products: they share one stock record (stock_identity.py)."""
        out: set[int] = set()
        with self._core.read() as db:
            for chunk in chunks(sorted(set(variant_ids))):
                sql = _SIBLINGS + f"({placeholders(len(chunk))})"
                rows = db.execute(sql, chunk).fetchall()
                out.update(int(r[0]) for r in rows)
        return out

    def upsert(self, variants: Sequence[Variant]) -> bool:
        return sync_rows(self._core, TABLE, [to_row(v) for v in variants], ("id",), replace=False)

    def delete(self, ids: Iterable[int]) -> bool:
        return self._core.delete_in(TABLE, "id", ids) > 0
