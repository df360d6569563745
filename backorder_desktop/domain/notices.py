"""Which customer notices are due (DESIGN.md): new backorders, delays, releases, check-ins."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .eta import NEEDS_DATE
from .models import BackorderLine, Order
from .notice_log import (
    CHECK_IN,
    CONFIRMATION,
    DELAY,
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
    """One email to send: one per order and kind."""

    order_id: int
    kind: str
    email: str
    customer_name: str
    order_date: datetime | None
    lines: tuple[DueLine, ...] = field(default_factory=tuple)

    @property
    def key(self) -> tuple[int, str]:
        return (self.order_id, self.kind)

    @property
    def eta(self) -> date | None:
        """When the whole order can ship: the latest line ETA (unknown if any line's is)."""
        return latest_eta(line.eta for line in self.lines)

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


def line_kind(line: BackorderLine, told: Told | None) -> str | None:
    """CONFIRMATION, DELAY or None for one waiting line.

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
    return None


def select_due(
    queue: Sequence[BackorderLine],
    logs: Mapping[int, Sequence[NoticeRecord]],
    *,
    orders: Mapping[int, Order] | None = None,
    releases: Iterable[Release] = (),
    today: date | None = None,
    checkin_days: int = 0,
) -> list[DueNotice]:
    """Every notice due now, one per order and kind, ordered by order id then kind.

    `logs` holds each order's notices (metafield and local ledger merged; a possibly-sent
    notice counts as sent). A released order is due its "on its way" notice once: when its
    release is not undone and it has no released notice yet. With `checkin_days` > 0, an
    order still waiting whose last notice is that many days old gets a check-in.
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
            kind = line_kind(line, told.get(line.line_id))
            if kind is not None:
                grouped[kind].append(_due_line(line, told.get(line.line_id)))
        if not grouped and checkin_days > 0 and log:
            last = max(record.sent_at for record in log)
            if (today - last.astimezone(UTC).date()).days >= checkin_days:
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
        if any(record.kind == RELEASED for record in logs.get(release.order_id, ())):
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
                lines=_released_lines(release, order),
            )
        )
    due.sort(key=lambda n: (n.order_id, KINDS.index(n.kind)))
    return due


def _released_lines(release: Release, order: Order | None) -> tuple[DueLine, ...]:
    """What is on its way: the lines the release names, else the order's unshipped lines."""
    names = {line.id: line.name for line in order.lines} if order else {}
    if release.lines:
        return tuple(
            DueLine(line_id, sku, names.get(line_id, sku), qty)
            for line_id, sku, qty in release.lines
            if qty > 0
        )
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
