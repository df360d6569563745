"""Cancelling waiting lines, step two: refund each order once, then cancel its lines.

Per order, in this order: the refund (synchronous, never queued: see bigcommerce/refunds.py),
then one cache transaction that records the cancellation (order metafield `cancellation`, which
takes the units out of the queue and makes the cancellation notice due), lowers
`qty_backordered`, appends the staff note and sets the status (Cancelled when nothing of the
order is left; else the status it had, since BigCommerce moves a refunded order to Partially
Refunded, which is not an open status). Those writes go through the outbox like any other.

A refused refund stops that order before anything is written: no line cancelled, no notice,
nothing queued. Orders already refunded in the same run stay done (their money went back).

Before the refund a local ledger entry (`refund_intent`) records what is being refunded and
which refunds the order had; the cancellation's transaction settles it. If the app stops in
between, `prepare_cancel` finds the intent, reads the order's refunds, and records the
cancellation the made refund paid for instead of refunding again.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.bigcommerce.errors import BigCommerceError, ScopeError
from backorder_desktop.bigcommerce.refunds import (
    Refund,
    RefundItem,
    RefundRefused,
    RefundUncertain,
    create_refund,
    current_staff_notes,
    list_refunds,
    same_items,
)
from backorder_desktop.cache import Cache
from backorder_desktop.cache.cancellations import cancellations, good_news_enabled, set_good_news
from backorder_desktop.domain.cancellations import (
    CANCELLATION_KEY,
    CANCELLED_STATUS,
    CONTROL_PANEL,
    NOT_PAID,
    REFUNDED,
    Cancellation,
    CancellationEntry,
    CancelledLine,
    cancel_note,
)
from backorder_desktop.domain.notice_log import CANCELLED
from backorder_desktop.domain.receiving import StockDelta
from backorder_desktop.domain.releases import append_note
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.services.dock.cancel_plan import (
    NO_SCOPE,
    CancelPlan,
    LineToCancel,
    OrderToCancel,
    Selection,
    plan_cancel,
)
from backorder_desktop.services.dock.receiving import queue_stock, refresh_stock, stock_levels
from backorder_desktop.services.notices.notice_records import publish_statuses
from backorder_desktop.services.notices.notify import plan_notices
from backorder_desktop.services.sync_control.metafield_writes import FieldWrite, queue_field_writes
from backorder_desktop.services.sync_control.outbox_ops import queue
from backorder_desktop.services.sync_control.session import StoreSession

log = logging.getLogger("backorder_desktop.cancel")
OUTBOX_KIND = "cancel"
INTENT, SETTLED = "refund_intent", "refund_settled"  # ledger kinds
__all__ = ["CancelOutcome", "execute_cancel", "good_news_enabled", "set_good_news"]
REFUND_STATUS = {REFUNDED: "refunded", CONTROL_PANEL: "control_panel", NOT_PAID: "not_paid"}


@dataclass
class CancelOutcome:
    cancelled: list[dict[str, Any]] = field(default_factory=list)  # {"order_id","sku","qty"}
    refunds: list[dict[str, Any]] = field(default_factory=list)  # {"order_id","amount",...}
    order_status: dict[int, int] = field(default_factory=dict)
    notices_queued: int = 0
    refused: dict[int, str] = field(default_factory=dict)  # order id -> why nothing was done
    messages: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "cancelled": self.cancelled,
            "refunds": self.refunds,
            "order_status": {str(k): v for k, v in self.order_status.items()},
            "notices_queued": self.notices_queued,
        }


def execute_cancel(
    session: StoreSession, plan: CancelPlan, *, reason: str = "", now: datetime | None = None
) -> CancelOutcome:
    """Refund and cancel every order of `plan` that has no problem (see the module docstring)."""
    now = now or datetime.now(UTC)
    outcome = CancelOutcome()
    reason = " ".join(reason.split())[:500]
    for item in plan.ready:
        refund: Refund | None = None
        batch_id = f"cancel-{item.order_id}-{uuid.uuid4().hex[:8]}"
        if item.refund == REFUNDED and item.quote is not None:
            try:
                before = {r.id for r in list_refunds(session.client, item.order_id)}
                _record_intent(session.cache, item, batch_id, before, reason)
                refund = create_refund(
                    session.client,
                    item.order_id,
                    item.items,
                    item.quote,
                    reason=reason,
                    before=before,
                )
            except ScopeError:
                item.refund = CONTROL_PANEL  # the scope went between the quote and now
                plan.scope_missing = True
            except RefundUncertain as exc:
                _refused(outcome, item, exc.message)  # the intent stays: settled next time
                continue
            except RefundRefused as exc:
                _settle(session.cache, item.order_id, batch_id)
                _refused(outcome, item, exc.message)
                continue
            except BigCommerceError as exc:
                _settle(session.cache, item.order_id, batch_id)
                _refused(outcome, item, f"The refund could not be made ({exc.message}).")
                continue
        _commit(session, item, refund, reason, now, outcome, batch_id=batch_id)
    if plan.scope_missing:
        outcome.messages.append(NO_SCOPE)
    done = set(outcome.order_status)
    outcome.notices_queued = sum(
        1 for n in plan_notices(session.cache).due if n.kind == CANCELLED and n.order_id in done
    )
    return outcome


def _refused(outcome: CancelOutcome, item: OrderToCancel, why: str) -> None:
    log.warning("order %s: refund refused, nothing cancelled: %s", item.order_id, why)
    outcome.refused[item.order_id] = why
    outcome.refunds.append(
        {"order_id": item.order_id, "amount": item.amount, "currency": item.currency,
         "status": "refused"}
    )  # fmt: skip
    outcome.messages.append(f"{why} Nothing of order #{item.order_id} was cancelled.")


def _notes(session: StoreSession, order_id: int, cached: str) -> str:
    try:
        return current_staff_notes(session.client, order_id)
    except BigCommerceError as exc:
        log.warning("order %s: staff notes not re-read (%s); using the cache", order_id, exc)
        return cached


def _commit(
    session: StoreSession,
    item: OrderToCancel,
    refund: Refund | None,
    reason: str,
    now: datetime,
    outcome: CancelOutcome,
    *,
    batch_id: str,
) -> None:
    cache = session.cache
    native = _native_units(cache, item)
    if native:
        refresh_stock(session, sorted(native))
    order = cache.orders.get(item.order_id)
    notes = _notes(session, item.order_id, order.staff_notes if order else "")
    amount = refund.amount if refund is not None else item.amount
    entry = CancellationEntry(
        id=batch_id,
        at=now,
        lines=tuple(CancelledLine(x.line_id, x.sku, x.name, x.qty) for x in item.lines),
        reason=reason,
        refund=item.refund,
        amount=amount,
        currency=item.currency,
        order_cancelled=item.fully,
    )
    status = CANCELLED_STATUS if item.fully else item.status_id
    note = cancel_note(now, entry, fully=item.fully)
    notes = append_note(notes, note)
    with cache.transaction():
        record = cancellations(cache, order_id=item.order_id).get(item.order_id) or Cancellation(
            item.order_id,
            item.customer_email,
            item.customer_name,
            order.date_created if order else None,
        )
        queue_field_writes(
            cache,
            [
                FieldWrite(
                    "order", item.order_id, CANCELLATION_KEY, record.with_entry(entry).to_json()
                )
            ],
            batch_id=batch_id,
            kind=OUTBOX_KIND,
            now=now,
        )
        if native:
            _lower_backordered(cache, native, batch_id, item.order_id)
        queue(
            cache,
            batch_id,
            OUTBOX_KIND,
            # Appended to the notes the store has when the row is sent (sync/order_notes.py):
            # a note typed in the control panel meanwhile stays (issue 16).
            ops.append_staff_note(item.order_id, note, {"status_id": status}),
        )
        cache.orders.set_status(item.order_id, status, staff_notes=notes)
        publish_statuses(cache, now=now, batch_id=f"status-{batch_id}")
        _settle(cache, item.order_id, batch_id)
    outcome.cancelled.extend(
        {"order_id": item.order_id, "sku": x.sku, "qty": x.qty} for x in item.lines
    )
    outcome.refunds.append(
        {"order_id": item.order_id, "amount": amount, "currency": item.currency,
         "status": REFUND_STATUS[item.refund]}
    )  # fmt: skip
    outcome.order_status[item.order_id] = status


def _native_units(cache: Cache, item: OrderToCancel) -> dict[int, int]:
    """Units per variant that BigCommerce counts in `qty_backordered` (lines that carry
    `quantity_backordered`): cancelling them lowers what the store says it owes."""
    order = cache.orders.get(item.order_id)
    if order is None:
        return {}
    lines = {line.id: line for line in order.lines}
    out: dict[int, int] = {}
    for x in item.lines:
        line = lines.get(x.line_id)
        if line is not None and line.quantity_backordered is not None:
            out[line.variant_id] = out.get(line.variant_id, 0) + x.qty
    return out


def _lower_backordered(cache: Cache, native: dict[int, int], batch_id: str, order_id: int) -> None:
    """`qty_backordered` falls by the cancelled units where it is owed, as a relative change
    on what the store has when it applies (services/dock/receiving.queue_stock; the push fits it to
    what the store still owes then, sync/stock_push.py)."""
    levels = stock_levels(cache, sorted(native))
    deltas = []
    for vid, units in sorted(native.items()):
        left = units
        owed = sorted(
            (lv for lv in levels.values() if lv.variant_id == vid and lv.qty_backordered),
            key=lambda lv: lv.location_id,
        )
        for level in owed:
            take = min(left, level.qty_backordered or 0)
            if take > 0:
                deltas.append(StockDelta(vid, level.location_id, 0, -take))
                left -= take
    if deltas:
        queue_stock(
            cache,
            deltas,
            batch_id=batch_id,
            kind=OUTBOX_KIND,
            reason=f"Backorder Desktop: waiting items of order {order_id} cancelled",
        )


# --- a refund made, then the app stopped ----------------------------------------------------


def _record_intent(
    cache: Cache, item: OrderToCancel, batch_id: str, before: set[int], reason: str
) -> None:
    cache.ledger.append(
        INTENT,
        order_id=item.order_id,
        batch_id=batch_id,
        payload={
            "before": sorted(before),
            "reason": reason,
            "fully": item.fully,
            "status_id": item.status_id,
            "currency": item.currency,
            "customer_name": item.customer_name,
            "customer_email": item.customer_email,
            "lines": [
                [x.line_id, x.sku, x.name, x.qty, x.qty_waiting, x.price_inc_tax]
                for x in item.lines
            ],
        },
    )


def _settle(cache: Cache, order_id: int, batch_id: str) -> None:
    cache.ledger.append(SETTLED, order_id=order_id, batch_id=batch_id)


def _dangling(cache: Cache) -> list[tuple[str, int, dict[str, Any]]]:
    settled = {e.batch_id for e in cache.ledger.entries(SETTLED)}
    return [
        (e.batch_id or "", e.order_id, e.payload)
        for e in cache.ledger.entries(INTENT)
        if e.batch_id not in settled and e.order_id is not None and isinstance(e.payload, dict)
    ]


def recover_refunds(session: StoreSession, *, now: datetime | None = None) -> list[str]:
    """Record the cancellations whose refund was made before the app stopped (see the module
    docstring); the messages say what was recorded. An intent whose refund was not made is
    settled without anything else."""
    now = now or datetime.now(UTC)
    messages: list[str] = []
    for batch_id, order_id, data in _dangling(session.cache):
        lines = [LineToCancel(int(a), str(b), str(c), int(d), int(e), float(f))
                 for a, b, c, d, e, f in data.get("lines") or []]  # fmt: skip
        items = [RefundItem(x.line_id, x.qty) for x in lines]
        before = {int(i) for i in data.get("before") or []}
        made = [
            r
            for r in list_refunds(session.client, order_id)
            if r.id not in before and same_items(r, items) and not r.declined
        ]
        if not made:
            _settle(session.cache, order_id, batch_id)
            continue
        item = OrderToCancel(
            order_id=order_id,
            customer_name=str(data.get("customer_name") or ""),
            customer_email=str(data.get("customer_email") or ""),
            currency=str(data.get("currency") or ""),
            status_id=int(data.get("status_id") or 11),
            lines=lines,
            fully=bool(data.get("fully")),
            refund=REFUNDED,
        )
        outcome = CancelOutcome()
        _commit(session, item, made[0], str(data.get("reason") or ""), now, outcome,
                batch_id=batch_id)  # fmt: skip
        messages.append(
            f"Order #{order_id}: a refund of {made[0].amount:.2f} was made before the app "
            "stopped; its cancellation is recorded now (nothing was refunded again)."
        )
    return messages


def prepare_cancel(
    session: StoreSession, selection: Selection, *, refund: bool = True
) -> CancelPlan:
    """`plan_cancel`, after recording any cancellation a refund already paid for."""
    recovered = recover_refunds(session)
    try:
        plan = plan_cancel(session, selection, refund=refund)
    except InputError as exc:
        if recovered:
            raise InputError(" ".join([*recovered, str(exc)])) from exc
        raise
    plan.notes.extend(recovered)
    return plan
