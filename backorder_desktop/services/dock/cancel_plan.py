"""Cancelling waiting lines, step one: what would be cancelled and refunded, per order.

Reads the queue from the cache and asks BigCommerce for a refund quote per order (a quote
changes nothing). Nothing is written here: the window shows this plan in its preview, the CLI
prints it for --dry-run, and `cancelling.execute_cancel` carries it out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from backorder_desktop.bigcommerce.errors import BigCommerceError, ScopeError, ValidationError
from backorder_desktop.bigcommerce.refunds import RefundItem, RefundQuote, quote_refund
from backorder_desktop.cache import Cache
from backorder_desktop.cache.cancellations import cancellations
from backorder_desktop.domain.cancellations import CONTROL_PANEL, NOT_PAID, REFUNDED
from backorder_desktop.domain.models import AWAITING_PAYMENT, BackorderLine, Order
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.services.errors import UserError, describe_error
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.sync_control.session import StoreSession

NO_SCOPE = (
    'The API account lacks the "Order Transactions" scope, so the app cannot refund: '
    "refund these items in the BigCommerce control panel (a staff note on each order says so)."
)


@dataclass(frozen=True, slots=True)
class LineToCancel:
    line_id: int
    sku: str
    name: str
    qty: int  # units cancelled now
    qty_waiting: int  # units that wait on the line before the cancellation
    price_inc_tax: float


@dataclass
class OrderToCancel:
    order_id: int
    customer_name: str
    customer_email: str
    currency: str
    status_id: int
    lines: list[LineToCancel]
    fully: bool  # nothing of the order is left to ship: it moves to Cancelled
    refund: str = NOT_PAID  # REFUNDED (through BigCommerce) | CONTROL_PANEL | NOT_PAID
    quote: RefundQuote | None = None
    problem: str = ""  # why this order cannot be cancelled now ("" = it can)

    @property
    def amount(self) -> float | None:
        """What the customer gets back: the quote's amount, else the items' price with tax."""
        if self.refund == NOT_PAID:
            return None
        if self.quote is not None:
            return self.quote.amount
        return round(sum(x.price_inc_tax * x.qty for x in self.lines), 2)

    @property
    def items(self) -> list[RefundItem]:
        return [RefundItem(x.line_id, x.qty) for x in self.lines]


@dataclass
class CancelPlan:
    orders: list[OrderToCancel] = field(default_factory=list)
    scope_missing: bool = False  # no Order Transactions scope: refunds go to the control panel
    notes: list[str] = field(default_factory=list)  # e.g. a cancellation recovered first

    @property
    def ready(self) -> list[OrderToCancel]:
        return [o for o in self.orders if not o.problem]

    def messages(self) -> list[str]:
        out = list(self.notes)
        out += [f"Order #{o.order_id}: {o.problem}" for o in self.orders if o.problem]
        if self.scope_missing:
            out.append(NO_SCOPE)
        return out


Selection = Mapping[int, Sequence[tuple[str, int | None]]]  # order id -> [(sku, qty or all)]


def parse_line_arg(text: str) -> tuple[str, int | None]:
    """'SKU' or 'SKU:QTY' (the CLI's --line)."""
    text = text.strip()
    sku, sep, qty = text.rpartition(":")
    if not sep:
        sku, qty = text, ""
    sku = sku.strip()
    if not sku:
        raise InputError(f"'{text}' is not SKU or SKU:QTY.")
    if not sep:
        return sku, None
    if not qty.strip().isdigit() or int(qty) < 1:
        raise InputError(f"'{text}': the quantity after ':' must be a whole number above 0.")
    return sku, int(qty)


def _pick(
    order_id: int, waiting: list[BackorderLine], wanted: Sequence[tuple[str, int | None]]
) -> list[LineToCancel]:
    def line(x: BackorderLine, qty: int) -> LineToCancel:
        return LineToCancel(x.line_id, x.sku, x.name, qty, x.qty_waiting, x.price_inc_tax)

    if not wanted:
        return [line(x, x.qty_waiting) for x in waiting]
    left = {x.line_id: x.qty_waiting for x in waiting}
    picked: dict[int, int] = defaultdict(int)
    for sku, qty in wanted:
        lines = [x for x in waiting if x.sku == sku]
        if not lines:
            raise InputError(f"Order #{order_id} has no waiting line of SKU {sku}.")
        need = qty if qty is not None else sum(left[x.line_id] for x in lines)
        available = sum(left[x.line_id] for x in lines)
        if need > available:
            raise InputError(
                f"Order #{order_id}: only {available} unit(s) of {sku} wait, not {need}."
            )
        for x in lines:  # a SKU on two lines of one order: the first line first
            take = min(need, left[x.line_id])
            picked[x.line_id] += take
            left[x.line_id] -= take
            need -= take
    by_id = {x.line_id: x for x in waiting}
    return [line(by_id[i], q) for i, q in sorted(picked.items()) if q > 0]


def _fully(order: Order, lines: list[LineToCancel], before: Mapping[int, int]) -> bool:
    """Nothing of the order is left to ship once these units are cancelled."""
    now = {x.line_id: x.qty for x in lines}
    return all(
        line.quantity_shipped == 0 and before.get(line.id, 0) + now.get(line.id, 0) >= line.quantity
        for line in order.lines
    )


def select_lines(cache: Cache, selection: Selection) -> list[OrderToCancel]:
    """The orders and waiting units `selection` names, from the cache (InputError if none)."""
    if not selection:
        raise InputError("Choose at least one order to cancel.")
    with cache.read():
        queue = load_queue(cache)
        orders = {o.id: o for o in cache.orders.open_orders()}
        earlier = cancellations(cache)
    by_order: dict[int, list[BackorderLine]] = defaultdict(list)
    for x in sorted(queue, key=lambda x: x.line_id):
        by_order[x.order_id].append(x)
    out = []
    for order_id, wanted in selection.items():
        order = orders.get(order_id)
        if order is None:
            raise InputError(f"Order #{order_id} is not an open order in the cache (sync first?).")
        if not by_order.get(order_id):
            raise InputError(f"Order #{order_id} has no waiting lines to cancel.")
        lines = _pick(order_id, by_order[order_id], wanted)
        before = earlier[order_id].units_by_line() if order_id in earlier else {}
        out.append(
            OrderToCancel(
                order_id=order_id,
                customer_name=order.customer_name,
                customer_email=order.customer_email,
                currency=order.currency_code,
                status_id=order.status_id,
                lines=lines,
                fully=_fully(order, lines, before),
            )
        )
    return out


def plan_cancel(session: StoreSession, selection: Selection, *, refund: bool = True) -> CancelPlan:
    """Which units would go and what each order's customer would get back (a refund quote per
    order). `refund=False`: nothing is refunded through BigCommerce (the note says to)."""
    plan = CancelPlan(select_lines(session.cache, selection))
    for item in plan.orders:
        if item.status_id == AWAITING_PAYMENT:
            item.refund = NOT_PAID  # nothing captured yet: nothing to pay back
        elif not refund or plan.scope_missing:
            item.refund = CONTROL_PANEL
        else:
            quote_order(session, plan, item)
    return plan


def quote_order(session: StoreSession, plan: CancelPlan, item: OrderToCancel) -> None:
    try:
        item.quote = quote_refund(session.client, item.order_id, item.items)
        item.refund = REFUNDED
    except ScopeError:
        plan.scope_missing = True
        item.refund = CONTROL_PANEL
    except ValidationError as exc:
        item.problem = f"BigCommerce cannot refund these items ({exc.message})."
    except BigCommerceError as exc:
        raise UserError(
            f"{describe_error(exc)} A refund needs the store: nothing was cancelled."
        ) from exc


def selection_of(
    rows: Iterable[tuple[int, str, int | None]],
) -> dict[int, list[tuple[str, int | None]]]:
    """(order id, sku, qty or None) rows -> a selection."""
    out: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for order_id, sku, qty in rows:
        out[int(order_id)].append((sku, qty))
    return dict(out)
