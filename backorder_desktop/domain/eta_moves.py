"""Whose ETA a change moves (earlier or later), and the delay notices it makes due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .eta import NEEDS_DATE, OVERDUE, Eta, eta_key
from .models import BackorderLine


@dataclass(frozen=True, slots=True)
class EtaMove:
    """One waiting line whose ETA a change would move."""

    order_id: int
    line_id: int
    sku: str
    customer_name: str
    qty_waiting: int
    before: Eta
    after: Eta
    notified_eta: date | None  # what the customer was last told
    delay_due: bool  # the change makes a delay notice due (it was not due before)

    @property
    def later(self) -> bool:
        return eta_key(self.after.date) > eta_key(self.before.date)


def _delay(eta: Eta, told: date | None) -> bool:
    """A delay is due: told a date, and the ETA is later or no longer known (not while the
    line waits for staff to give a date: domain.notices.line_kind)."""
    if told is None or eta.source in NEEDS_DATE:
        return False
    return eta.date is None or eta.date > told


def eta_moves(before: Sequence[BackorderLine], after: Sequence[BackorderLine]) -> list[EtaMove]:
    """Lines whose ETA differs between two readings of the queue, by SKU then order. A line
    that left the queue (served by the change) is not a move."""
    old = {line.line_id: line for line in before}
    out = []
    for line in after:
        prior = old.get(line.line_id)
        if prior is None:
            continue
        was = Eta(prior.eta, prior.eta_source, prior.eta_ref)
        now = Eta(line.eta, line.eta_source, line.eta_ref)
        if (was.date, was.source) == (now.date, now.source):
            continue
        told = line.notified_eta
        out.append(
            EtaMove(
                order_id=line.order_id,
                line_id=line.line_id,
                sku=line.sku,
                customer_name=line.customer_name,
                qty_waiting=line.qty_waiting,
                before=was,
                after=now,
                notified_eta=told,
                delay_due=_delay(now, told) and not _delay(was, told),
            )
        )
    return sorted(out, key=lambda m: (m.sku, m.order_id, m.line_id))


@dataclass(frozen=True, slots=True)
class DateNeeded:
    """Waiting lines that promise nothing until staff give a date: an overdue shipment's
    (source OVERDUE, ref its reference) or a passed fallback's (TO_CONFIRM)."""

    source: str
    ref: str
    label: str
    lines: int
    units: int
    customers: int


def dates_needed(queue: Sequence[BackorderLine]) -> list[DateNeeded]:
    """What staff must date before those customers are told anything, overdue shipments first."""
    groups: dict[tuple[str, str], list[BackorderLine]] = {}
    for line in queue:
        if line.eta_source in NEEDS_DATE:
            groups.setdefault((line.eta_source, line.eta_ref), []).append(line)
    out = [
        DateNeeded(
            source=source,
            ref=ref,
            label=Eta(None, source, ref).label,
            lines=len(lines),
            units=sum(line.qty_waiting for line in lines),
            customers=len({line.customer_email.strip().lower() for line in lines}),
        )
        for (source, ref), lines in groups.items()
    ]
    return sorted(out, key=lambda d: (d.source != OVERDUE, d.ref))
