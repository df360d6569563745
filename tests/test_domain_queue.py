"""The backorder queue rule (DESIGN.md): who waits, how many units, in what order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from backorder_desktop.domain.models import Order, OrderLine, Product
from backorder_desktop.domain.queue import build_queue

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
TRACKED = Product(1, "Mug", "MUG", "variant", "available", 12.0)
UNTRACKED = Product(2, "Gift card", "GIFT", "none", "available", 25.0)
PREORDER = Product(3, "Café crème <small>", "CAFE", "product", "preorder", 9.5)
PRODUCTS = {p.id: p for p in (TRACKED, UNTRACKED, PREORDER)}


def order(
    order_id: int,
    *lines: OrderLine,
    days: int = 0,
    status: int = 11,
    email: str | None = None,
) -> Order:
    return Order(
        id=order_id,
        status_id=status,
        date_created=T0 + timedelta(days=days),
        date_modified=T0 + timedelta(days=days),
        customer_id=order_id,
        customer_email=email or f"c{order_id}@example.com",
        customer_name=f"Customer {order_id}",
        total_inc_tax=10.0,
        currency_code="USD",
        lines=tuple(lines),
    )


def line(
    line_id: int,
    order_id: int,
    *,
    product: Product = TRACKED,
    variant: int = 10,
    qty: int = 1,
    shipped: int = 0,
    backordered: int | None = None,
) -> OrderLine:
    return OrderLine(
        id=line_id,
        order_id=order_id,
        product_id=product.id,
        variant_id=variant,
        sku=f"{product.sku}-{variant}",
        name=product.name,
        quantity=qty,
        quantity_shipped=shipped,
        price_inc_tax=product.price,
        quantity_backordered=backordered,
    )


def ids(queue: list) -> list[int]:
    return [b.order_id for b in queue]


def test_priority_then_order_date_then_id() -> None:
    orders = [
        order(100, line(1, 100, backordered=1), days=3),
        order(101, line(2, 101, backordered=1), days=1),  # older than 100 despite higher id
        order(102, line(3, 102, backordered=1), days=5),
        order(99, line(4, 99, backordered=1), days=1),  # same date as 101: lower id first
    ]
    queue = build_queue(orders, PRODUCTS, {}, priorities={102: 5})
    assert ids(queue) == [102, 99, 101, 100]
    assert [b.queue_position for b in queue] == [1, 2, 3, 4]
    assert queue[0].priority == 5


def test_native_lines_wait_for_backordered_units_less_allocations() -> None:
    orders = [
        order(1, line(1, 1, qty=5, backordered=3)),
        order(2, line(2, 2, qty=2, backordered=2)),
    ]
    queue = build_queue(orders, PRODUCTS, {10: 100}, allocated_by_line={1: 1, 2: 2})
    # Stock on hand does not matter for native lines: the store already counted it.
    assert [(b.order_id, b.qty_waiting) for b in queue] == [(1, 2)]


def test_lines_without_native_field_are_covered_by_stock_in_queue_order() -> None:
    orders = [
        order(1, line(1, 1, qty=3), days=0),
        order(2, line(2, 2, qty=4, shipped=1), days=1),
        order(3, line(3, 3, qty=2), days=2),
    ]
    # 4 on hand: order 1 takes 3, order 2 takes the last 1 of its 3 unshipped units.
    queue = build_queue(orders, PRODUCTS, {10: 4})
    assert [(b.order_id, b.qty_waiting, b.queue_position) for b in queue] == [(2, 2, 1), (3, 2, 2)]


def test_priority_changes_who_gets_the_stock_on_hand() -> None:
    orders = [order(1, line(1, 1, qty=2), days=0), order(2, line(2, 2, qty=2), days=1)]
    queue = build_queue(orders, PRODUCTS, {10: 2}, priorities={2: 1})
    assert [(b.order_id, b.qty_waiting) for b in queue] == [(1, 2)]


def test_preorder_products_wait_in_full_and_untracked_never_wait() -> None:
    orders = [
        order(
            1,
            line(1, 1, product=PREORDER, variant=30, qty=2),
            line(2, 1, product=UNTRACKED, variant=20, qty=9),
        )
    ]
    queue = build_queue(orders, PRODUCTS, {30: 50, 20: 0})
    assert [(b.sku, b.qty_waiting) for b in queue] == [("CAFE-30", 2)]


def test_closed_orders_never_wait_and_positions_are_per_sku() -> None:
    orders = [
        order(1, line(1, 1, backordered=1), status=10),  # completed
        order(2, line(2, 2, backordered=1), status=5),  # cancelled
        order(3, line(3, 3, backordered=1), line(4, 3, variant=11, backordered=2), status=7),
        order(4, line(5, 4, variant=11, backordered=1), days=1, status=3),
    ]
    queue = build_queue(orders, PRODUCTS, {})
    assert [(b.sku, b.order_id, b.queue_position) for b in queue] == [
        ("MUG-10", 3, 1),
        ("MUG-11", 3, 1),
        ("MUG-11", 4, 2),
    ]


def test_eta_and_last_notified_eta_are_attached() -> None:
    orders = [order(1, line(1, 1, backordered=1))]
    queue = build_queue(
        orders,
        PRODUCTS,
        {},
        etas_by_variant={10: date(2026, 12, 1)},
        notified_eta_by_line={1: date(2026, 11, 20)},
    )
    assert queue[0].eta == date(2026, 12, 1)
    assert queue[0].notified_eta == date(2026, 11, 20)
