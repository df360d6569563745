"""The backorder queue: which open order lines wait for stock, and in what order (DESIGN.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .models import BackorderLine, Order, OrderLine, Product


@dataclass(frozen=True, slots=True)
class _Candidate:
    order: Order
    line: OrderLine
    priority: int

    @property
    def sort_key(self) -> tuple[int, float, int, int]:
        # Higher priority first, then order date (not id: imported orders can carry earlier
        # dates), then order id, then line id so the order is total.
        return (-self.priority, self.order.date_created.timestamp(), self.order.id, self.line.id)


def waiting_units_native(line: OrderLine, allocated: int) -> int:
    """Units still owed on a line that carries `quantity_backordered`."""
    assert line.quantity_backordered is not None
    return max(0, line.quantity_backordered - allocated)


def build_queue(
    orders: Iterable[Order],
    products: Mapping[int, Product],
    on_hand_by_variant: Mapping[int, int],
    *,
    allocated_by_line: Mapping[int, int] | None = None,
    priorities: Mapping[int, int] | None = None,
    etas_by_variant: Mapping[int, date] | None = None,
    notified_eta_by_line: Mapping[int, date] | None = None,
) -> list[BackorderLine]:
    """Every open line with units waiting, grouped by SKU in queue order.

    - Lines of products without inventory tracking never wait.
    - With native backorders a line waits for `quantity_backordered` less what the app has
      allocated to it since.
    - A line without that field: its unshipped units are covered by the variant's on-hand stock
      walked in queue order, and the rest waits; pre-order products have no stock behind them, so
      their unshipped units wait in full.
    """
    allocated_by_line = allocated_by_line or {}
    priorities = priorities or {}
    etas_by_variant = etas_by_variant or {}
    notified_eta_by_line = notified_eta_by_line or {}

    by_sku: dict[str, list[_Candidate]] = defaultdict(list)
    for order in orders:
        if not order.is_open:
            continue
        for line in order.lines:
            product = products.get(line.product_id)
            if product is None or product.inventory_tracking == "none":
                continue
            by_sku[line.sku].append(_Candidate(order, line, priorities.get(order.id, 0)))

    queue: list[BackorderLine] = []
    for sku in sorted(by_sku):
        candidates = sorted(by_sku[sku], key=lambda c: c.sort_key)
        stock_left: dict[int, int] = {}
        position = 0
        for cand in candidates:
            line = cand.line
            allocated = allocated_by_line.get(line.id, 0)
            if line.quantity_backordered is not None:
                waiting = waiting_units_native(line, allocated)
            else:
                unshipped = max(0, line.quantity - line.quantity_shipped - allocated)
                if products[line.product_id].availability == "preorder":
                    waiting = unshipped
                else:
                    left = stock_left.setdefault(
                        line.variant_id, max(0, on_hand_by_variant.get(line.variant_id, 0))
                    )
                    covered = min(left, unshipped)
                    stock_left[line.variant_id] = left - covered
                    waiting = unshipped - covered
            if waiting <= 0:
                continue
            position += 1
            queue.append(
                BackorderLine(
                    order_id=cand.order.id,
                    line_id=line.id,
                    order_date=cand.order.date_created,
                    customer_email=cand.order.customer_email,
                    customer_name=cand.order.customer_name,
                    sku=sku,
                    product_id=line.product_id,
                    variant_id=line.variant_id,
                    name=line.name,
                    qty_ordered=line.quantity,
                    qty_waiting=waiting,
                    queue_position=position,
                    priority=cand.priority,
                    price_inc_tax=line.price_inc_tax,
                    eta=etas_by_variant.get(line.variant_id),
                    notified_eta=notified_eta_by_line.get(line.id),
                )
            )
    return queue
