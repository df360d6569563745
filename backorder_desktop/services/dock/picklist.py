"""The pick list for released orders: what to take off the shelf, per order (HTML to print)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from backorder_desktop.cache import Cache
from backorder_desktop.services.queue import load_queue


@dataclass(frozen=True, slots=True)
class PickLine:
    sku: str
    name: str
    options: str
    qty: int


@dataclass(frozen=True, slots=True)
class PickOrder:
    order_id: int
    customer_name: str
    customer_email: str
    order_date: datetime
    lines: tuple[PickLine, ...]
    missing: tuple[PickLine, ...] = ()  # what still waits (partial shipment): not in the box

    @property
    def waiting(self) -> int:
        """Units of this order still waiting."""
        return sum(line.qty for line in self.missing)


def units(qty: int) -> str:
    return f"{qty} unit" if qty == 1 else f"{qty} units"


def missing_text(order: PickOrder) -> str:
    """'Still waiting: 1 unit of MUG-RED (Enamel mug, Red)': staff must know what is not in
    the box, and the customer's notice says the same."""
    parts = []
    for line in order.missing:
        name = line.name + (f", {line.options}" if line.options else "")
        parts.append(f"{units(line.qty)} of {line.sku} ({name})")
    return "Still waiting: " + "; ".join(parts) if parts else ""


def pick_list(cache: Cache, order_ids: Iterable[int]) -> list[PickOrder]:
    """Per order, each unshipped unit that no longer waits (released orders ship these)."""
    still_waiting: dict[int, int] = {}
    for queued in load_queue(cache):
        still_waiting[queued.line_id] = still_waiting.get(queued.line_id, 0) + queued.qty_waiting
    out = []
    for order_id in order_ids:
        order = cache.orders.get(order_id)
        if order is None:
            continue
        lines = []
        missing = []
        for line in order.lines:
            left = line.quantity - line.quantity_shipped
            held_back = min(left, still_waiting.get(line.id, 0))
            if held_back > 0:
                missing.append(PickLine(line.sku, line.name, line.option_label, held_back))
            if left - held_back > 0:
                lines.append(PickLine(line.sku, line.name, line.option_label, left - held_back))
        out.append(
            PickOrder(
                order.id,
                order.customer_name,
                order.customer_email,
                order.date_created,
                tuple(lines),
                tuple(missing),
            )
        )
    return out


def pick_list_html(orders: Iterable[PickOrder], *, generated_at: datetime | None = None) -> str:
    """A printable document (every value escaped); totals per SKU at the end."""
    generated_at = generated_at or datetime.now(UTC)
    orders = list(orders)
    parts = [
        "<html><body style='font-family: sans-serif'>",
        f"<h1>Pick list</h1><p>{len(orders)} orders, generated "
        f"{escape(generated_at.strftime('%Y-%m-%d %H:%M'))} UTC</p>",
    ]
    totals: dict[tuple[str, str], int] = {}
    for order in orders:
        parts.append(
            f"<h2>Order #{order.order_id} &mdash; {escape(order.customer_name)}</h2>"
            f"<p>{escape(order.customer_email)} &middot; ordered "
            f"{order.order_date.date().isoformat()}"
            + (f" &middot; <b>{escape(missing_text(order))}</b>" if order.missing else "")
            + "</p>"
        )
        parts.append(
            "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
            "<tr><th align='left'>Picked</th><th align='left'>SKU</th>"
            "<th align='left'>Product</th><th align='right'>Qty</th></tr>"
        )
        for line in order.lines:
            name = line.name + (f" ({line.options})" if line.options else "")
            parts.append(
                f"<tr><td>&#9744;</td><td>{escape(line.sku)}</td><td>{escape(name)}</td>"
                f"<td align='right'>{line.qty}</td></tr>"
            )
            key = (line.sku, name)
            totals[key] = totals.get(key, 0) + line.qty
        parts.append("</table>")
    if totals:
        parts.append(
            "<h2>Totals per SKU</h2><table border='1' cellspacing='0' cellpadding='4'>"
            "<tr><th align='left'>SKU</th><th align='left'>Product</th><th align='right'>Qty</th></tr>"
        )
        for (sku, name), qty in sorted(totals.items()):
            parts.append(
                f"<tr><td>{escape(sku)}</td><td>{escape(name)}</td><td align='right'>{qty}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)
