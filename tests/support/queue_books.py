"""The stateful queue test's own books: what shoppers bought, what receipts accepted and what
was cancelled and refunded, counted by the test itself; and the rules a merchant relies on
that these books check against the demo store after every step: stock = start + received -
sold, money refunded only for cancelled units and never twice, a refused refund changes
nothing, a cancelled line waits no more, one cancellation notice per cancellation."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backorder_desktop.bigcommerce.errors import ValidationError
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.accounts import ALL_SCOPES, OPTIONAL_SCOPES
from backorder_desktop.demo_store.refunds import refunded_by_line, refunded_total
from backorder_desktop.domain.cancellations import CANCELLATION_KEY, CANCELLED_STATUS, REFUNDED
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, OPEN_ORDER_STATUSES
from backorder_desktop.domain.notice_log import CANCELLED
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.mail.message import NOTICE_ID_HEADER
from backorder_desktop.services.dock.allocations import held_units
from backorder_desktop.services.dock.cancelling import execute_cancel, prepare_cancel
from backorder_desktop.services.dock.releasing import ready_orders
from backorder_desktop.services.errors import UserError
from backorder_desktop.services.notices.notify import plan_notices
from backorder_desktop.services.queue import QueueState, load_queue
from backorder_desktop.services.sync_control.actions import run_action

if TYPE_CHECKING:
    from tests.support.queue_world import World

TRANSACTIONS = OPTIONAL_SCOPES["Order Transactions"][0]
STOCK_WRITES = ("/v3/inventory/adjustments",)  # a stock write, relative or absolute


def stock_figures(store: DemoStore) -> dict[int, int]:
    """on hand - backordered per stock record (a variant, or the record of a product tracked
    by product: `stock_variant`), summed over locations: what shoppers can still buy from
    stock less what the store owes them."""
    out: dict[int, int] = defaultdict(int)
    with store.engine.lock:
        state = store.state
        for (vid, _loc), rec in state.inventory.items():
            out[state.stock_variant(vid)] += rec.on_hand - rec.qty_backordered
    return dict(out)


def unowed_allocated(store: DemoStore) -> Counter[int]:
    """Units receipts handed to lines that carry no `quantity_backordered`, per stock record,
    from the orders' shared `allocations` records. DESIGN.md: such a line waits for what on
    hand does not cover, so the store owes it nothing and its units leave stock at the
    receipt. (A web order paid from stock carries none either: see
    tests/test_from_stock_order_waits.py.)"""
    out: Counter[int] = Counter()
    with store.engine.lock:
        state = store.state
        for m in state.metafields.values():
            if m.resource_type != "order" or m.key != "allocations":
                continue
            lines = {x.id: x for x in state.orders[m.resource_id].lines}
            for _batch, line_id, _vid, _sku, qty, _loc, _native in json.loads(m.value)["entries"]:
                line = lines[line_id]
                if line.quantity_backordered is None:
                    out[state.stock_variant(line.variant_id)] += qty
    return out


def stock_writes(store: DemoStore) -> int:
    return sum(1 for r in store.requests if r.method != "GET" and r.path.startswith(STOCK_WRITES))


@dataclass
class Books:
    """Counted by the test as it acts, never read from the app."""

    start: dict[int, int]  # stock_figures at the start
    unowed_start: Counter[int]  # unowed_allocated at the start
    start_refunds: dict[int, int]  # order -> refunds it had at the start
    shopper_sales: int  # store.shoppers.sales already counted
    sold: Counter[int] = field(default_factory=Counter)  # stock record -> units bought
    received: Counter[int] = field(default_factory=Counter)  # stock record -> units accepted
    unsold: Counter[int] = field(default_factory=Counter)  # backordered units cancelled
    cancelled: dict[int, Counter[int]] = field(default_factory=dict)  # order -> line -> units
    emptied: set[int] = field(default_factory=set)  # lines with nothing left waiting or held
    fully: set[int] = field(default_factory=set)  # orders cancelled whole (-> Cancelled)
    partly: set[int] = field(default_factory=set)  # orders with units cancelled, some left

    @staticmethod
    def open(store: DemoStore) -> Books:
        with store.engine.lock:
            refunds = {o.id: len(o.refunds) for o in store.state.orders.values() if o.refunds}
        return Books(
            stock_figures(store), unowed_allocated(store), refunds, len(store.shoppers.sales)
        )

    def count_shoppers(self, store: DemoStore) -> None:
        """Sales the store's own shoppers made (e.g. scripted between a read and a write)."""
        sales = store.shoppers.sales
        for sale in sales[self.shopper_sales :]:
            self.sold[store.state.stock_variant(sale.variant_id)] += sale.qty
        self.shopper_sales = len(sales)


# --- actions -----------------------------------------------------------------------------------


def snapshot(w: World, order_id: int) -> dict[str, Any]:
    """Everything a refused cancellation must leave as it was."""
    with w.store.engine.lock:
        order = w.store.state.orders[order_id]
        store = (
            order.status_id,
            order.staff_notes,
            len(order.refunds),
            sorted(
                (m.key, m.value)
                for m in w.store.state.metafields.values()
                if m.resource_type == "order" and m.resource_id == order_id
            ),
        )
    return {
        "store order": store,
        "stock": stock_figures(w.store),
        "queue": sorted((x.line_id, x.qty_waiting) for x in load_queue(w.cache)),
        "outbox": sorted((r.id, r.state) for r in w.cache.outbox.rows()),
        "due": sorted((n.order_id, n.kind) for n in plan_notices(w.cache, today=w.today).due),
        "mail": len(w.sink.messages()),
    }


def cancel(
    w: World, pick: int, whole: bool, part: int | None, refuse: bool, lost: str | None
) -> None:
    """Staff cancel waiting units of one order ("Cancel and refund..." / `cancel ORDER
    [--line SKU[:QTY]]`): prepare (a quote per order), execute (the refund, then one
    transaction), push. `refuse`: the order's payment gateway declines the refund. `lost`:
    the connection drops on the refund's POST, "before" the store applies it or "after"."""
    books: Books = w.books
    by_order: dict[int, list] = defaultdict(list)
    for line in w.state().queue:
        by_order[line.order_id].append(line)
    if not by_order:
        return
    orders = sorted(by_order)
    order_id = orders[pick % len(orders)]
    lines = sorted(by_order[order_id], key=lambda x: x.line_id)
    if whole:
        wanted: list[tuple[str, int | None]] = []
    else:
        line = lines[(pick // len(orders)) % len(lines)]
        wanted = [(line.sku, None if part is None else min(part, line.qty_waiting))]
    method = w.store.state.orders[order_id].payment_method
    if refuse:
        w.store.refuse_refunds(order_id)
    before = snapshot(w, order_id)
    seen = len(w.store.requests)
    if lost:
        w.store.faults.script("POST", r"/payment_actions/refunds$", "drop", when=lost)
    try:
        plan = prepare_cancel(w.session, {order_id: wanted})
        report = run_action(w.session, lambda s: execute_cancel(s, plan, reason="Discontinued"))
    except (InputError, UserError, ValidationError) as exc:
        w.log.append(f"cancel #{order_id} {wanted} refused: {exc}")
        return
    finally:
        w.store.faults.clear()  # a drop no refund took must not strike a later one
        if refuse:  # the gateway takes refunds again; the order keeps its payment method
            with w.store.engine.lock:
                w.store.state.orders[order_id].payment_method = method
    w.push()
    outcome = report.result
    w.log.append(
        f"cancel #{order_id} {wanted or 'all'} refuse={refuse} lost={lost} -> "
        f"{outcome.refunds[0]['status'] if outcome.refunds else 'nothing'}"
    )
    # Whatever the app says: the store declined the refund (422), or the POST was dropped
    # before the store applied it, and no refund was made after -> nothing may change.
    posts = [
        r
        for r in w.store.requests[seen:]
        if r.method == "POST" and r.path.endswith("/payment_actions/refunds")
    ]
    not_made = bool(posts) and (posts[-1].status == 422 or (lost == "before" and len(posts) == 1))
    if not_made or order_id in outcome.refused or not outcome.order_status:
        after = snapshot(w, order_id)
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        if changed:
            raise AssertionError(f"a refused cancellation changed {changed}")
        return
    store_lines = {x.id: x for x in w.store.state.orders[order_id].lines}
    item = next(o for o in plan.ready if o.order_id == order_id)
    done = books.cancelled.setdefault(order_id, Counter())
    for x in item.lines:
        done[x.line_id] += x.qty
        line = store_lines[x.line_id]
        if line.quantity_backordered is not None:  # the store owed these units: no more
            books.unsold[w.store.state.stock_variant(line.variant_id)] += x.qty
    books.emptied |= {x.line_id for x in item.lines if x.qty == x.qty_waiting}
    books.emptied -= held_lines(w)  # units allocated earlier stay on the line
    (books.fully if item.fully else books.partly).add(order_id)
    if item.fully:
        books.partly.discard(order_id)


def held_lines(w: World) -> set[int]:
    return {h.line_id for h in held_units(w.cache)}


def set_transactions_scope(w: World, on: bool) -> None:
    """The store owner gives the app's API account the Order Transactions scope, or takes it."""
    w.store.set_scopes(ALL_SCOPES if on else ALL_SCOPES - {TRANSACTIONS})
    w.log.append(f"Order Transactions scope {'on' if on else 'off'}")


# --- invariants --------------------------------------------------------------------------------


def stock_is_received_less_sold(w: World, state: QueueState) -> str:
    """For every stock record: on hand - backordered = start + units received - units sold.
    Sold: what shoppers bought (the store takes it from on hand, or owes it as backordered),
    less backordered units cancelled (owed no more), plus units a receipt hands to a line
    that carries no `quantity_backordered` (`unowed_allocated`). A receipt's allocation to a
    backordered line moves units between the two figures; a release and its undo write no
    stock; a product tracked by product keeps one figure for all its variants."""
    books: Books = w.books
    books.count_shoppers(w.store)
    got = stock_figures(w.store)
    unowed = unowed_allocated(w.store)
    unowed.subtract(books.unowed_start)
    keys = set(books.start) | set(books.received) | set(books.sold) | set(books.unsold)
    want = {
        vid: books.start.get(vid, 0)
        + books.received[vid]
        - books.sold[vid]
        + books.unsold[vid]
        - unowed[vid]
        for vid in keys | set(unowed)
    }
    wrong = {
        w.store.state.variants[vid].sku: {
            "want": want.get(vid, 0),
            "got": got.get(vid, 0),
            "start": books.start.get(vid, 0),
            "received": books.received[vid],
            "sold": books.sold[vid],
            "cancelled": books.unsold[vid],
            "handed to lines owed nothing": unowed[vid],
        }
        for vid in sorted(set(want) | set(got))
        if want.get(vid, 0) != got.get(vid, 0)
    }
    return f"stock off the books: {wrong}" if wrong else ""


def _store_cancellations(store: DemoStore, order_id: int) -> list[dict[str, Any]]:
    for m in store.state.metafields.values():
        if (
            m.resource_type == "order"
            and m.resource_id == order_id
            and m.namespace == METAFIELD_NAMESPACE
            and m.key == CANCELLATION_KEY
        ):
            entries = json.loads(m.value).get("entries") or []
            return [e for e in entries if isinstance(e, dict)]
    return []


def refunds_follow_cancellations(w: World, state: QueueState) -> str:
    """The store's refunds: only for units cancelled, never twice, never more than their price
    with tax; one refund per cancellation the store records as refunded, of exactly its units."""
    books: Books = w.books
    with w.store.engine.lock:
        orders = w.store.state.orders
        ids = {i for i, o in orders.items() if o.refunds} | set(books.cancelled)
        for order in (orders[i] for i in sorted(ids)):
            if books.start_refunds.get(order.id, 0):
                continue  # refunded before the test: not the app's
            cancelled = books.cancelled.get(order.id, Counter())
            refunded = refunded_by_line(order)
            over = {k: (n, cancelled[k]) for k, n in refunded.items() if n > cancelled[k]}
            if over:
                return f"#{order.id}: refunded more units than cancelled (line: refunded, cancelled) {over}"
            paid = round(sum(x.price_inc_tax * cancelled[x.id] for x in order.lines), 2)
            if refunded_total(order) > paid + 0.005:
                return f"#{order.id}: {refunded_total(order)} refunded for {paid} cancelled"
            entries = [
                e for e in _store_cancellations(w.store, order.id) if e.get("refund") == REFUNDED
            ]
            if len(entries) != len(order.refunds):
                return f"#{order.id}: {len(order.refunds)} refunds, {len(entries)} refunded cancellations"
            told: Counter[int] = Counter()
            for e in entries:
                for x in e.get("lines") or []:
                    told[int(x["line_id"])] += int(x["qty"])
            if told != Counter(refunded):
                return f"#{order.id}: refunded {refunded}, the cancellations say {dict(told)}"
    return ""


def cancelled_lines_wait_no_more(w: World, state: QueueState) -> str:
    """A cancelled unit leaves the queue: a line waits at most for its units less those
    cancelled, a line emptied by a cancellation is in no other state, and its order keeps a
    status the queue counts (partly cancelled) or is Cancelled (whole) in store and cache."""
    books: Books = w.books
    store_lines = {
        x.id: x for order_id in books.cancelled for x in w.store.state.orders[order_id].lines
    }
    for line in state.queue:
        done = books.cancelled.get(line.order_id, Counter())[line.line_id]
        if done and line.qty_waiting + done > store_lines[line.line_id].quantity:
            return f"#{line.order_id} {line.sku}: {line.qty_waiting} wait after {done} cancelled"
    ready = {x.line_id for r in ready_orders(w.cache) for x in r.lines}
    held = held_lines(w)
    back = books.emptied & ({x.line_id for x in state.queue} | ready | held)
    if back:
        return f"cancelled lines {sorted(back)} wait, are ready or held again"
    for order_id in books.fully | books.partly:
        status = w.store.state.orders[order_id].status_id
        cached = w.cache.orders.get(order_id)
        if order_id in books.fully:
            if status != CANCELLED_STATUS or order_id in state.orders:
                return f"#{order_id} cancelled whole: store status {status}, open in the cache"
        elif status not in OPEN_ORDER_STATUSES or order_id not in state.orders:
            return f"#{order_id} partly cancelled: store status {status}, left the open orders"
        if cached is not None and cached.status_id != status:
            return f"#{order_id}: status {cached.status_id} in the cache, {status} in the store"
    return ""


def one_cancellation_notice_each(w: World, state: QueueState) -> str:
    """A cancelled unit is told once: per line, the cancellation notices tell no more units
    than were cancelled, and an order gets no more of them than its cancellations; no e-mail
    (its notice id) reaches the customer twice."""
    books: Books = w.books
    for order_id, records in state.logs.items():
        notices = [r for r in records if r.kind == CANCELLED]
        if not notices:
            continue
        cancelled = books.cancelled.get(order_id, Counter())
        told: Counter[int] = Counter()
        for r in notices:
            for line in r.lines:
                told[line.line_id] += line.qty
        over = {k: (n, cancelled[k]) for k, n in told.items() if n > cancelled[k]}
        if over:
            return f"#{order_id}: cancellation notices told {over} (told, cancelled)"
        clicks = len(_store_cancellations(w.store, order_id))
        if len(notices) > clicks:
            return f"#{order_id}: {len(notices)} cancellation notices for {clicks} cancellations"
    ids = Counter(m.message.get(NOTICE_ID_HEADER) for m in w.sink.messages())
    twice = {k: n for k, n in ids.items() if k and n > 1}
    return f"e-mails sent twice: {twice}" if twice else ""
