"""Orders and their lines in the cache (normally only the open ones are kept)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ..domain.models import OPEN_ORDER_STATUSES, Order, OrderLine
from .codec import dt_from_db, dt_to_db, int_or_none
from .core import CacheCore, placeholders
from .rowsync import sync_rows

TABLE = "orders"
LINES = "order_lines"


def order_row(o: Order) -> dict[str, Any]:
    return {
        "id": o.id,
        "status_id": o.status_id,
        "date_created": dt_to_db(o.date_created),
        "date_modified": dt_to_db(o.date_modified),
        "customer_id": o.customer_id,
        "customer_email": o.customer_email,
        "customer_name": o.customer_name,
        "total_inc_tax": float(o.total_inc_tax),
        "currency_code": o.currency_code,
        "staff_notes": o.staff_notes,
    }


def line_row(line: OrderLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "order_id": line.order_id,
        "product_id": line.product_id,
        "variant_id": line.variant_id,
        "sku": line.sku,
        "name": line.name,
        "quantity": line.quantity,
        "quantity_shipped": line.quantity_shipped,
        "price_inc_tax": float(line.price_inc_tax),
        "quantity_backordered": line.quantity_backordered,
        "option_label": line.option_label,
    }


def line_from_row(r: dict[str, Any]) -> OrderLine:
    return OrderLine(
        id=r["id"],
        order_id=r["order_id"],
        product_id=r["product_id"],
        variant_id=r["variant_id"],
        sku=r["sku"],
        name=r["name"],
        quantity=r["quantity"],
        quantity_shipped=r["quantity_shipped"],
        price_inc_tax=r["price_inc_tax"],
        quantity_backordered=int_or_none(r["quantity_backordered"]),
        option_label=r["option_label"],
    )


def order_from_row(r: dict[str, Any], lines: Sequence[OrderLine]) -> Order:
    created = dt_from_db(r["date_created"])
    modified = dt_from_db(r["date_modified"])
    assert created is not None and modified is not None  # NOT NULL columns
    return Order(
        id=r["id"],
        status_id=r["status_id"],
        date_created=created,
        date_modified=modified,
        customer_id=r["customer_id"],
        customer_email=r["customer_email"],
        customer_name=r["customer_name"],
        total_inc_tax=r["total_inc_tax"],
        currency_code=r["currency_code"],
        lines=tuple(lines),
        staff_notes=r["staff_notes"],
    )


class OrderRepository:
    def __init__(self, core: CacheCore) -> None:
        self._core = core

    def _with_lines(self, rows: list[dict[str, Any]]) -> list[Order]:
        by_order: dict[int, list[OrderLine]] = defaultdict(list)
        line_rows = self._core.rows_in(LINES, "order_id", [r["id"] for r in rows])
        for lr in sorted(line_rows, key=lambda r: r["id"]):
            by_order[lr["order_id"]].append(line_from_row(lr))
        return [order_from_row(r, by_order.get(r["id"], ())) for r in rows]

    def all(self) -> list[Order]:
        with self._core.read():
            return self._with_lines(self._core.rows(TABLE, order_by="id"))

    def open_orders(self) -> list[Order]:
        """Orders in the open statuses, with their lines, oldest first."""
        with self._core.read():
            rows = self._core.rows(
                TABLE,
                f"status_id IN ({placeholders(len(OPEN_ORDER_STATUSES))})",
                OPEN_ORDER_STATUSES,
                order_by="date_created, id",
            )
            return self._with_lines(rows)

    def get_many(self, ids: Iterable[int]) -> list[Order]:
        """These orders (any status) with their lines, oldest first."""
        with self._core.read():
            rows = self._core.rows_in(TABLE, "id", ids)
            rows.sort(key=lambda r: (r["date_created"], r["id"]))
            return self._with_lines(rows)

    def get(self, order_id: int) -> Order | None:
        with self._core.read():
            found = self._with_lines(self._core.rows(TABLE, "id = ?", [order_id]))
        return found[0] if found else None

    def ids(self) -> set[int]:
        return {r["id"] for r in self._core.rows(TABLE)}

    def count(self) -> int:
        return self._core.count(TABLE)

    def count_open(self) -> int:
        where = f"status_id IN ({placeholders(len(OPEN_ORDER_STATUSES))})"
        return self._core.count(TABLE, where, OPEN_ORDER_STATUSES)

    def replace_all(self, orders: Sequence[Order]) -> bool:
        """The cache holds exactly these orders and their lines."""
        with self._core.transaction():
            changed = sync_rows(
                self._core, TABLE, [order_row(o) for o in orders], ("id",), replace=True
            )
            lines = [line_row(line) for o in orders for line in o.lines]
            lines_changed = sync_rows(self._core, LINES, lines, ("id",), replace=True)
        return changed or lines_changed

    def upsert(self, orders: Sequence[Order]) -> bool:
        """Insert or update these orders; each one's lines become exactly the lines given."""
        with self._core.transaction():
            changed = sync_rows(
                self._core, TABLE, [order_row(o) for o in orders], ("id",), replace=False
            )
            lines = [line_row(line) for o in orders for line in o.lines]
            lines_changed = sync_rows(
                self._core,
                LINES,
                lines,
                ("id",),
                replace=True,
                within=("order_id", {o.id for o in orders}),
            )
        return changed or lines_changed

    def delete(self, ids: Iterable[int]) -> bool:
        """Remove orders (their lines go with them)."""
        return self._core.delete_in(TABLE, "id", ids) > 0

    def set_status(
        self,
        order_id: int,
        status_id: int,
        date_modified: datetime | None = None,
        *,
        staff_notes: str | None = None,
    ) -> bool:
        """Record a status change (optimistically, or from the store's reply)."""
        with self._core.transaction() as db:
            if not self._core.count(TABLE, "id = ?", [order_id]):
                return False
            update: dict[str, Any] = {"status_id": status_id}
            if date_modified is not None:
                update["date_modified"] = dt_to_db(date_modified)
            if staff_notes is not None:
                update["staff_notes"] = staff_notes
            db.table(TABLE).update(order_id, update)
            return True
