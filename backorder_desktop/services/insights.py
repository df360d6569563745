"""The Insights report built from the cache, and the daily snapshot each sync records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from backorder_desktop.cache import Cache
from backorder_desktop.cache.insights import (
    captured_values,
    record_captured,
    record_value,
    value_history,
)
from backorder_desktop.cache.shipments import load_shipments, load_suppliers
from backorder_desktop.domain.insights import (
    DEFAULT_NOT_TOLD_DAYS,
    InsightsReport,
    WaitingLine,
    build_report,
    merge_captured,
    value_point,
)
from backorder_desktop.services.backorder_rows import BackorderRow, backorder_rows
from backorder_desktop.services.dock.shipment_rows import supplier_scorecards
from backorder_desktop.services.queue import QueueState, load_queue_state


def waiting_lines(rows: Iterable[BackorderRow], now: datetime) -> list[WaitingLine]:
    return [
        WaitingLine(
            order_id=r.line.order_id,
            line_id=r.line.line_id,
            sku=r.line.sku,
            name=r.line.name,
            customer_email=r.line.customer_email,
            days_waiting=r.days_waiting,
            units=r.line.qty_waiting,
            value=r.value_waiting,
            days_since_told=max(0, (now - r.last_notice.sent_at).days) if r.last_notice else None,
            customer_name=r.line.customer_name,
        )
        for r in rows
    ]


def seen_on_backorder(cache: Cache, rows: Iterable[BackorderRow]) -> dict[int, float]:
    """Value backordered per cached open line: `quantity_backordered` x price where the store
    records it (native backorders); for lines without it, the units the queue has waiting."""
    out: dict[int, float] = {}
    without_field: set[int] = set()
    for order in cache.orders.all():
        for line in order.lines:
            if line.quantity_backordered is None:
                without_field.add(line.id)
            elif line.quantity_backordered > 0:
                out[line.id] = round(line.quantity_backordered * line.price_inc_tax, 2)
    for r in rows:
        if r.line.line_id in without_field and r.line.qty_waiting > 0:
            out[r.line.line_id] = round(r.value_waiting, 2)
    return out


def insights_from(
    cache: Cache,
    rows: list[BackorderRow],
    *,
    now: datetime,
    not_told_days: int = DEFAULT_NOT_TOLD_DAYS,
    currency: str = "USD",
) -> InsightsReport:
    """The report over the Open backorders rows already read (the window's load_rows)."""
    today = now.date()
    return build_report(
        waiting_lines(rows, now),
        shipments=load_shipments(cache),
        supplier_names={s.id: s.name for s in load_suppliers(cache)},
        scorecards=supplier_scorecards(cache, today=today),
        captured=merge_captured(captured_values(cache), seen_on_backorder(cache, rows)),
        history=value_history(cache),
        today=today,
        not_told_days=not_told_days,
        currency=currency,
    )


def _rows(cache: Cache, now: datetime) -> list[BackorderRow]:
    return backorder_rows(load_queue_state(cache), [], now=now)


def report(
    cache: Cache, *, now: datetime | None = None, not_told_days: int = DEFAULT_NOT_TOLD_DAYS
) -> InsightsReport:
    """The `report` command's figures (the same the Insights tab shows)."""
    now = now or datetime.now(UTC)
    orders = cache.orders.all()
    currency = orders[0].currency_code if orders else "USD"
    return insights_from(
        cache, _rows(cache, now), now=now, not_told_days=not_told_days, currency=currency
    )


def record_snapshot(
    cache: Cache, *, now: datetime | None = None, state: QueueState | None = None
) -> None:
    """After a sync: today's value waiting, and every line seen on backorder (so sales captured
    still count after the order ships and leaves the cache). `state`: the queue, if read."""
    now = now or datetime.now(UTC)
    rows = backorder_rows(state, [], now=now) if state is not None else _rows(cache, now)
    record_value(cache, value_point(now.date(), waiting_lines(rows, now)))
    known = captured_values(cache)
    merged = merge_captured(known, seen_on_backorder(cache, rows))
    record_captured(cache, {k: v for k, v in merged.items() if known.get(k) != v})
