"""Which customer notices are due (DESIGN.md): new backorders, delays, releases, check-ins."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from .cancellations import Cancellation, untold_units
from .eta import NEEDS_DATE
from .models import BackorderLine, Order
from .notice_log import (
    CANCELLED,
    CHECK_IN,
    CONFIRMATION,
    DELAY,
    EARLIER,
    KINDS,
    RELEASED,
    NoticeRecord,
    Told,
    told_by_line,
)


@dataclass(frozen=True, slots=True)
class Release:
    """The app's record of releasing an order (order metafield `release`, written on release)."""

    order_id: int
    released_at: datetime | None
    undone: bool = False
    customer_email: str = ""
    customer_name: str = ""
    lines: tuple[tuple[int, str, int], ...] = ()  # (line id, sku, units released)

    @staticmethod
    def parse(text: str | None, order_id: int) -> Release | None:
        try:
            doc = json.loads(text or "")
        except ValueError:
            return None
        if not isinstance(doc, dict):
            return None
        when: datetime | None = None
        raw = doc.get("released_at")
        if isinstance(raw, str) and raw:
            try:
                when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                when = None
        lines = []
        for item in doc.get("lines") or []:
            try:
                lines.append((int(item["line_id"]), str(item.get("sku", "")), int(item["qty"])))
            except (KeyError, TypeError, ValueError):
                continue
        return Release(
            order_id=order_id,
            released_at=when,
            undone=bool(doc.get("undone", False)),
            customer_email=str(doc.get("customer_email") or ""),
            customer_name=str(doc.get("customer_name") or ""),
            lines=tuple(lines),
        )


@dataclass(frozen=True, slots=True)
class DueLine:
    line_id: int
    sku: str
    name: str
    qty: int  # units waiting (units ordered, for a release)
    eta: date | None = None
    eta_source: str = ""
    eta_ref: str = ""
    told_eta: date | None = None  # the ETA last told (a delay's "old" date)


@dataclass(frozen=True, slots=True)
class DueNotice:
    """One email to send: one per order and kind (check-ins: one per customer, see `others`)."""

    order_id: int
    kind: str
    email: str
    customer_name: str
    order_date: datetime | None
    lines: tuple[DueLine, ...] = field(default_factory=tuple)
    # A release that leaves lines behind: what still waits, with its ETA (the customer must
    # not think the order is complete).
    waiting: tuple[DueLine, ...] = ()
    # A release: every unit released so far per line, (line id, units); the notice is due
    # until "on its way" notices have told them all (the rest of a partial shipment is news).
    covers: tuple[tuple[int, int], ...] = ()
    # Check-ins: the same customer's other orders told in the same email (each logs its own).
    others: tuple[DueNotice, ...] = ()
    # A cancellation: what was refunded (or is to be refunded separately), and why.
    refund_amount: float | None = None
    refund_currency: str = ""
    refund_made: bool = False
    cancel_reason: str = ""
    order_left: bool = False  # a cancellation: part of the order still ships

    @property
    def key(self) -> tuple[int, str]:
        return (self.order_id, self.kind)

    @property
    def order_ids(self) -> tuple[int, ...]:
        return (self.order_id, *(o.order_id for o in self.others))

    @property
    def eta(self) -> date | None:
        """When the whole order can ship: the latest line ETA (unknown if any line's is).
        A partial release: when what still waits can ship."""
        if self.kind in (RELEASED, CANCELLED):
            return latest_eta(line.eta for line in self.waiting) if self.waiting else None
        return latest_eta(line.eta for n in (self, *self.others) for line in n.lines)

    @property
    def old_eta(self) -> date | None:
        return latest_eta(line.told_eta for line in self.lines)


def latest_eta(etas: Iterable[date | None]) -> date | None:
    values = list(etas)
    if not values or any(v is None for v in values):
        return None
    return max(v for v in values if v is not None)


def _due_line(line: BackorderLine, told: Told | None) -> DueLine:
    return DueLine(
        line_id=line.line_id,
        sku=line.sku,
        name=line.name,
        qty=line.qty_waiting,
        eta=line.eta,
        eta_source=line.eta_source,
        eta_ref=line.eta_ref,
        told_eta=told.eta if told else None,
    )


def line_kind(line: BackorderLine, told: Told | None, *, earlier: bool = False) -> str | None:
    """CONFIRMATION, DELAY, EARLIER (only with `earlier`: the merchant's "good news" setting)
    or None for one waiting line.

    - never told, or told "we will let you know" and now there is a date: a confirmation;
    - told a date and the ETA is now later, or no longer known: a delay;
    - told a date and the line now waits for staff to give one (an overdue shipment, a passed
      lead time): nothing yet; the delay goes out with the new date (issue 14);
    - otherwise (same or earlier ETA): nothing to say.
    """
    if told is None:
        return CONFIRMATION
    if told.eta is None:
        return CONFIRMATION if line.eta is not None else None
    if line.eta_source in NEEDS_DATE:
        return None
    if line.eta is None or line.eta > told.eta:
        return DELAY
    if earlier and line.eta < told.eta:
        return EARLIER  # customers ahead cancelled, or more stock is coming sooner
    return None


def released_told(records: Iterable[NoticeRecord], kind: str = RELEASED) -> dict[int, int] | None:
    """Units per line that "on its way" (or `kind`) notices have told; None when one named no
    lines (an older app's notice: it told the whole release)."""
    told: dict[int, int] = defaultdict(int)
    for record in records:
        if record.kind != kind:
            continue
        if not record.lines:
            return None
        for line in record.lines:
            told[line.line_id] += line.qty
    return dict(told)


def release_told(
    covers: Iterable[tuple[int, int]], records: Iterable[NoticeRecord], kind: str = RELEASED
) -> bool:
    """True when every unit of a release (`covers`) was in an "on its way" notice already
    (with `kind` CANCELLED: every cancelled unit in a cancellation notice)."""
    records = list(records)
    told = released_told(records, kind)
    if told is None:
        return True
    covers = list(covers)
    if not covers:
        return any(r.kind == kind for r in records)
    return all(told.get(line_id, 0) >= qty for line_id, qty in covers)


DEFAULT_CHECKIN_MAX = 3  # check-ins per order before they stop (Mail settings)


def select_due(
    queue: Sequence[BackorderLine],
    logs: Mapping[int, Sequence[NoticeRecord]],
    *,
    orders: Mapping[int, Order] | None = None,
    releases: Iterable[Release] = (),
    today: date | None = None,
    checkin_days: int = 0,
    checkin_max: int = DEFAULT_CHECKIN_MAX,
    cancellations: Iterable[Cancellation] = (),
    good_news: bool = False,
) -> list[DueNotice]:
    """Every notice due now, one per order and kind, ordered by order id then kind.

    A cancellation is due its notice while units it cancelled were in no cancellation notice
    yet; with `good_news`, a line whose ETA moved earlier than the date told gets one.

    `logs` holds each order's notices (metafield and local ledger merged; a possibly-sent
    notice counts as sent). A released order is due its "on its way" notice while units its
    release shipped were in no such notice yet (once; again when the rest of a partial shipment
    is released). With `checkin_days` > 0, an order still waiting whose last notice is that
    many days old gets a check-in, at most `checkin_max` times; a customer's check-ins due at
    once go in one email (the first order's notice, the others in `others`).
    """
    today = today or datetime.now(UTC).date()
    orders = orders or {}
    by_order: dict[int, list[BackorderLine]] = defaultdict(list)
    for line in queue:
        by_order[line.order_id].append(line)

    due: list[DueNotice] = []
    for order_id, lines in by_order.items():
        log = logs.get(order_id, ())
        told = told_by_line(log)
        grouped: dict[str, list[DueLine]] = defaultdict(list)
        for line in lines:
            kind = line_kind(line, told.get(line.line_id), earlier=good_news)
            if kind is not None:
                grouped[kind].append(_due_line(line, told.get(line.line_id)))
        if not grouped and checkin_days > 0 and log:
            last = max(record.sent_at for record in log)
            checkins = sum(1 for record in log if record.kind == CHECK_IN)
            if (today - last.astimezone(UTC).date()).days >= checkin_days and (
                checkins < checkin_max
            ):
                grouped[CHECK_IN] = [_due_line(line, told.get(line.line_id)) for line in lines]
        first = lines[0]
        for kind, due_lines in grouped.items():
            due.append(
                DueNotice(
                    order_id=order_id,
                    kind=kind,
                    email=first.customer_email,
                    customer_name=first.customer_name,
                    order_date=first.order_date,
                    lines=tuple(due_lines),
                )
            )

    for release in releases:
        if release.undone:
            continue
        covers = _covers(release)
        if release_told(covers, logs.get(release.order_id, ())):
            continue
        order = orders.get(release.order_id)
        email = order.customer_email if order else release.customer_email
        if not email:
            continue  # nobody to tell: the order left the cache and the release names no one
        due.append(
            DueNotice(
                order_id=release.order_id,
                kind=RELEASED,
                email=email,
                customer_name=order.customer_name if order else release.customer_name,
                order_date=order.date_created if order else None,
                lines=_released_lines(release, order, logs.get(release.order_id, ())),
                waiting=tuple(
                    _due_line(line, None)
                    for line in sorted(by_order.get(release.order_id, ()), key=lambda x: x.line_id)
                ),
                covers=covers,
            )
        )
    for record in cancellations:
        notice = _cancellation_notice(record, orders, logs, by_order)
        if notice is not None:
            due.append(notice)
    due = _combine_checkins(due)
    due.sort(key=lambda n: (n.order_id, KINDS.index(n.kind)))
    return due


def _cancellation_notice(
    record: Cancellation,
    orders: Mapping[int, Order],
    logs: Mapping[int, Sequence[NoticeRecord]],
    waiting: Mapping[int, list[BackorderLine]],
) -> DueNotice | None:
    """The cancellation notice of the units no cancellation notice told yet (None: all told)."""
    covers = tuple(sorted(record.units_by_line().items()))
    told = released_told(logs.get(record.order_id, ()), CANCELLED)
    if told is None:
        return None
    left = untold_units(covers, told)
    order = orders.get(record.order_id)
    email = order.customer_email if order else record.customer_email
    if not left or not email:
        return None
    names: dict[int, tuple[str, str]] = {}
    untold = []
    for entry in record.entries:
        for line in entry.lines:
            names[line.line_id] = (line.sku, line.name or line.sku)
        if any(line.line_id in left for line in entry.lines):
            untold.append(entry)
    amounts = [e.amount for e in untold if e.amount is not None]
    return DueNotice(
        order_id=record.order_id,
        kind=CANCELLED,
        email=email,
        customer_name=order.customer_name if order else record.customer_name,
        order_date=order.date_created if order else record.order_date,
        lines=tuple(
            DueLine(line_id, names[line_id][0], names[line_id][1], qty)
            for line_id, qty in sorted(left.items())
        ),
        waiting=tuple(
            _due_line(line, None)
            for line in sorted(waiting.get(record.order_id, ()), key=lambda x: x.line_id)
        ),
        covers=covers,
        refund_amount=round(sum(amounts), 2) if amounts else None,
        refund_currency=next((e.currency for e in untold if e.currency), ""),
        refund_made=bool(untold) and all(e.refund == "refunded" for e in untold),
        cancel_reason="; ".join(dict.fromkeys(e.reason for e in untold if e.reason)),
        order_left=not any(e.order_cancelled for e in record.entries),
    )


def _covers(release: Release) -> tuple[tuple[int, int], ...]:
    units: dict[int, int] = defaultdict(int)
    for line_id, _sku, qty in release.lines:
        units[line_id] += qty
    return tuple(sorted((k, v) for k, v in units.items() if v > 0))


def _combine_checkins(due: list[DueNotice]) -> list[DueNotice]:
    """One check-in email per customer: a customer waiting on three orders got three."""
    out: list[DueNotice] = []
    by_customer: dict[str, list[DueNotice]] = defaultdict(list)
    for notice in due:
        if notice.kind == CHECK_IN and notice.email.strip():
            by_customer[notice.email.strip().lower()].append(notice)
        else:
            out.append(notice)
    for notices in by_customer.values():
        notices.sort(key=lambda n: n.order_id)
        first, rest = notices[0], notices[1:]
        out.append(replace(first, others=tuple(rest)) if rest else first)
    return out


def _released_lines(
    release: Release, order: Order | None, log: Sequence[NoticeRecord] = ()
) -> tuple[DueLine, ...]:
    """What is on its way: the units the release names that no earlier "on its way" notice
    told (the rest of a partial shipment), else the order's unshipped lines."""
    names = {line.id: line.name for line in order.lines} if order else {}
    told = dict(released_told(log) or {})
    if release.lines:
        out = []
        for line_id, sku, qty in release.lines:
            already = min(qty, told.get(line_id, 0))
            told[line_id] = told.get(line_id, 0) - already
            if qty - already > 0:
                out.append(DueLine(line_id, sku, names.get(line_id, sku), qty - already))
        return tuple(out)
    return tuple(
        DueLine(line.id, line.sku, line.name, line.quantity - line.quantity_shipped)
        for line in (order.lines if order else ())
        if line.quantity > line.quantity_shipped
    )


def backorder_status(lines: Sequence[BackorderLine], *, released: bool = False) -> dict[str, Any]:
    """What a storefront theme shows the customer about one order (order metafield)."""
    if not lines:
        return {
            "state": "released" if released else "ready",
            "lines_waiting": 0,
            "units_waiting": 0,
            "eta": None,
            "lines": [],
        }
    eta = latest_eta(line.eta for line in lines)
    return {
        "state": "waiting",
        "lines_waiting": len(lines),
        "units_waiting": sum(line.qty_waiting for line in lines),
        "eta": eta.isoformat() if eta else None,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "qty_waiting": line.qty_waiting,
                "eta": line.eta.isoformat() if line.eta else None,
            }
            for line in sorted(lines, key=lambda ln: ln.line_id)
        ],
    }
