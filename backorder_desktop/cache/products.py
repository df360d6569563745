"""Products in the cache: replace-all, upsert, delete and reads for the views."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..domain.models import Product
from .codec import dt_from_db, dt_to_db
from .core import CacheCore
from .rowsync import sync_rows

TABLE = "products"


COLUMNS = (
    "id",
    "name",
    "sku",
    "inventory_tracking",
    "availability",
    "price",
    "preorder_release_date",
    "preorder_message",
    "availability_description",
    "date_modified",
)


def to_values(p: Product) -> tuple[Any, ...]:
    """A row as a tuple in COLUMNS order (bulk writes skip building a dict per row)."""
    return (
        p.id,
        p.name,
        p.sku,
        p.inventory_tracking,
        p.availability,
        float(p.price),
        dt_to_db(p.preorder_release_date),
        p.preorder_message,
        p.availability_description,
        dt_to_db(p.date_modified),
    )


def to_row(p: Product) -> dict[str, Any]:
    return dict(zip(COLUMNS, to_values(p), strict=True))


def from_row(r: dict[str, Any]) -> Product:
    return Product(
        id=r["id"],
        name=r["name"],
        sku=r["sku"],
        inventory_tracking=r["inventory_tracking"],
        availability=r["availability"],
        price=r["price"],
        preorder_release_date=dt_from_db(r["preorder_release_date"]),
        preorder_message=r["preorder_message"],
        availability_description=r["availability_description"],
        date_modified=dt_from_db(r["date_modified"]),
    )


class ProductRepository:
    def __init__(self, core: CacheCore) -> None:
        self._core = core

    def all(self) -> list[Product]:
        return [from_row(r) for r in self._core.rows(TABLE, order_by="id")]

    def by_id(self) -> dict[int, Product]:
        return {p.id: p for p in self.all()}

    def get(self, product_id: int) -> Product | None:
        rows = self._core.rows(TABLE, "id = ?", [product_id])
        return from_row(rows[0]) if rows else None

    def get_many(self, ids: Iterable[int]) -> list[Product]:
        rows = sorted(self._core.rows_in(TABLE, "id", ids), key=lambda r: r["id"])
        return [from_row(r) for r in rows]

    def count(self) -> int:
        return self._core.count(TABLE)

    def replace_all(self, products: Sequence[Product]) -> bool:
        """Make the table hold exactly `products` (their variants go with removed ones)."""
        return sync_rows(self._core, TABLE, [to_row(p) for p in products], ("id",), replace=True)

    def upsert(self, products: Sequence[Product]) -> bool:
        return sync_rows(self._core, TABLE, [to_row(p) for p in products], ("id",), replace=False)

    def delete(self, ids: Iterable[int]) -> bool:
        return self._core.delete_in(TABLE, "id", ids) > 0
