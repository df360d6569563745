"""Rows of the Open backorders tab, and the ETA a new order would get (Products tab)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from backorder_desktop.domain.consent import ConsentStatus
from backorder_desktop.domain.eta import NEEDS_DATE, UNKNOWN, Eta, eta_key, source_label
from backorder_desktop.domain.models import BackorderLine
from backorder_desktop.domain.notice_log import KIND_LABELS, NoticeRecord
from backorder_desktop.domain.notices import DueNotice
from backorder_desktop.services.notices.consent import consent_by_order
from backorder_desktop.services.queue import QueueState


@dataclass(frozen=True, slots=True)
class NoticeSummary:
    """The last notice an order's line was part of."""

    kind: str
    sent_at: datetime
    eta: date | None
    unconfirmed: bool = False

    @property
    def label(self) -> str:
        text = KIND_LABELS.get(self.kind, self.kind)
        return text + (" (unconfirmed)" if self.unconfirmed else "")


@dataclass(frozen=True, slots=True)
class BackorderRow:
    line: BackorderLine
    days_waiting: int
    partial_allowed: bool = False
    last_notice: NoticeSummary | None = None
    due: str = ""  # the kind of notice due now for this line ("" if none)
    consent: ConsentStatus | None = None  # the order's consent to its delays (None: not needed)

    @property
    def consent_state(self) -> str | None:
        return self.consent.state if self.consent is not None else None

    @property
    def key(self) -> int:
        return self.line.line_id

    @property
    def eta_source_label(self) -> str:
        return source_label(self.line.eta_source, self.line.eta_ref)

    @property
    def value_waiting(self) -> float:
        return self.line.qty_waiting * self.line.price_inc_tax

    @property
    def overdue(self) -> bool:
        """No date to promise until staff give one: an overdue shipment covers the line, or
        its fallback date passed (domain.eta; a date before today is never shown)."""
        return self.line.eta_source in NEEDS_DATE


def _last_notices(state: QueueState) -> dict[int, NoticeSummary]:
    """Per line id, the latest notice that included it."""
    out: dict[int, tuple[NoticeRecord, date | None]] = {}
    for records in state.logs.values():
        for record in records:
            for told in record.lines:
                known = out.get(told.line_id)
                if known is None or (record.sent_at, record.id) > (known[0].sent_at, known[0].id):
                    out[told.line_id] = (record, told.eta)
    return {
        line_id: NoticeSummary(r.kind, r.sent_at, eta, r.unconfirmed)
        for line_id, (r, eta) in out.items()
    }


def backorder_rows(state: QueueState, due: list[DueNotice], *, now: datetime) -> list[BackorderRow]:
    last = _last_notices(state)
    consents = consent_by_order(state, today=now.date())
    due_by_line: dict[int, str] = {}
    for notice in due:
        for line in notice.lines:
            due_by_line.setdefault(line.line_id, notice.kind)
    return [
        BackorderRow(
            line,
            max(0, (now - line.order_date).days),
            line.order_id in state.partial,
            last.get(line.line_id),
            due_by_line.get(line.line_id, ""),
            consents.get(line.order_id),
        )
        for line in state.queue
    ]


def next_unit_etas(state: QueueState, variants: dict[int, tuple[str, int]]) -> dict[int, Eta]:
    """Per variant id (-> (sku, product id)): the ETA of one more unit ordered now, i.e. of
    the unit after every unit already waiting in its SKU's queue."""
    waiting: dict[str, int] = defaultdict(int)
    last: dict[str, Eta] = {}
    for line in state.queue:
        waiting[line.sku] += line.qty_waiting
        last[line.sku] = Eta(line.eta, line.eta_source, line.eta_ref)
    out = {}
    for variant_id, (sku, product_id) in variants.items():
        eta = state.cascade.eta_for_unit(
            sku, waiting[sku] + 1, variant_id=variant_id, product_id=product_id
        )
        behind = last.get(sku)  # a new unit cannot ship before the last line waiting
        if behind is not None and eta_key(eta.date) < eta_key(behind.date):
            eta = behind
        out[variant_id] = eta
    return out


def product_eta_label(eta: Eta) -> str:
    """'PO-1042', 'manual ETA', ...; "" when unknown (the Products tab leaves it blank)."""
    return "" if eta.source == UNKNOWN else eta.label
