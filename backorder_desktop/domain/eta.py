"""The ETA cascade: when each waiting line can ship, from inbound shipments and fallbacks."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from .models import BackorderLine
from .notice_log import Told
from .shipments import Shipment, Supplier

SHIPMENT, MANUAL, PREORDER, LEAD_TIME, UNKNOWN = (
    "shipment",
    "manual",
    "preorder",
    "lead_time",
    "unknown",
)
# No date to promise until staff give one: an overdue shipment covers the line (ref: its
# reference), or the fallback's date has passed (ref: what passed, e.g. "lead time (Acme)").
OVERDUE, TO_CONFIRM = "overdue", "to_confirm"
NEEDS_DATE: frozenset[str] = frozenset({OVERDUE, TO_CONFIRM})
SOURCE_LABELS = {
    SHIPMENT: "shipment",
    MANUAL: "manual ETA",
    PREORDER: "pre-order date",
    LEAD_TIME: "supplier lead time",
    UNKNOWN: "unknown",
    OVERDUE: "overdue shipment, new date needed",
    TO_CONFIRM: "to be confirmed",
}


@dataclass(frozen=True, slots=True)
class Eta:
    date: date | None
    source: str  # one of SHIPMENT, MANUAL, PREORDER, LEAD_TIME, UNKNOWN, OVERDUE, TO_CONFIRM
    ref: str = ""  # the shipment's reference, the supplier's name, or what passed

    @property
    def label(self) -> str:
        """'PO-1042', 'manual ETA', 'lead time (Acme)', 'overdue: PO-2039, new date needed'."""
        if self.source == SHIPMENT and self.ref:
            return self.ref
        if self.source == LEAD_TIME and self.ref:
            return f"lead time ({self.ref})"
        if self.source == OVERDUE and self.ref:
            return f"overdue: {self.ref}, new date needed"
        if self.source == TO_CONFIRM and self.ref:
            return f"to be confirmed: {self.ref} passed, new date needed"
        return SOURCE_LABELS.get(self.source, self.source)

    @property
    def needs_date(self) -> bool:
        """Staff must give a date (an overdue shipment's, or an ETA) before anyone is told."""
        return self.source in NEEDS_DATE


UNKNOWN_ETA = Eta(None, UNKNOWN)


def source_label(source: str, ref: str) -> str:
    return Eta(None, source, ref).label if source else ""


def eta_key(when: date | None) -> date:
    """Queue-order comparison: no date sorts after every date (it is not a promise)."""
    return date.max if when is None else when


@dataclass(frozen=True, slots=True)
class _Inbound:
    """One SKU's inbound stock: cumulative outstanding units, dated shipments first."""

    cumulative: list[int]
    dates: list[date | None]  # None: an overdue shipment (lends no date)
    refs: list[str]


def is_overdue(shipment: Shipment, today: date) -> bool:
    """Inbound, past its expected date and not fully received (DESIGN.md)."""
    return (
        shipment.is_inbound
        and shipment.expected_date is not None
        and shipment.expected_date < today
        and shipment.units_outstanding > 0
    )


class EtaCascade:
    """Per SKU: inbound shipments sorted by expected date; the k-th waiting unit in the queue
    gets the date of the shipment whose cumulative outstanding quantity covers it. Beyond all
    inbound stock: the variant's manual ETA, then the product's pre-order release date, then
    the lead time of the supplier the merchant chose for the variant, else unknown.

    Nothing before `today` is ever a promise (DESIGN.md): an overdue shipment lends no date
    (its units come after every dated shipment's, flagged OVERDUE), and a fallback whose date
    has passed is TO_CONFIRM. A lead time counts from today, except that a line once told a
    lead-time date keeps it (counted from the day it was told) so it does not slip a day
    every day; once that date passes, it is to be confirmed.
    """

    def __init__(
        self,
        shipments: Iterable[Shipment] = (),
        *,
        suppliers: Mapping[str, Supplier] | None = None,
        manual: Mapping[int, date] | None = None,
        preorder: Mapping[int, date] | None = None,
        supplier_of: Mapping[int, str] | None = None,
        today: date | None = None,
    ) -> None:
        self.today = today or datetime.now(UTC).date()
        self._manual = manual or {}
        self._preorder = preorder or {}
        self._suppliers = suppliers or {}
        # Variant id -> supplier id: the merchant's explicit choice, never a shipment's default.
        self._supplier_of = supplier_of or {}
        batches: dict[str, list[tuple[bool, date, str, str, int]]] = defaultdict(list)
        for shipment in shipments:
            if not shipment.is_inbound or shipment.expected_date is None:
                continue
            overdue = is_overdue(shipment, self.today)
            for line in shipment.lines:
                if line.qty_outstanding > 0:
                    batches[line.sku].append(
                        (
                            overdue,
                            shipment.expected_date,
                            shipment.id,
                            shipment.reference,
                            line.qty_outstanding,
                        )
                    )
        self._inbound: dict[str, _Inbound] = {}
        for sku, items in batches.items():
            items.sort(key=lambda b: (b[0], b[1], b[2]))
            total, cumulative, dates, refs = 0, [], [], []
            for overdue, expected, _id, reference, qty in items:
                total += qty
                cumulative.append(total)
                dates.append(None if overdue else expected)
                refs.append(reference)
            self._inbound[sku] = _Inbound(cumulative, dates, refs)

    def inbound_units(self, sku: str) -> int:
        inbound = self._inbound.get(sku)
        return inbound.cumulative[-1] if inbound else 0

    def supplier_for(self, variant_id: int | None) -> Supplier | None:
        if variant_id is None:
            return None
        return self._suppliers.get(self._supplier_of.get(variant_id, ""))

    def eta_for_unit(
        self,
        sku: str,
        unit: int,
        *,
        variant_id: int | None = None,
        product_id: int | None = None,
        told: Told | None = None,
    ) -> Eta:
        """The ETA of the `unit`-th waiting unit (1-based) in `sku`'s queue."""
        inbound = self._inbound.get(sku)
        if inbound is not None and unit >= 1:
            at = bisect_left(inbound.cumulative, unit)
            if at < len(inbound.cumulative):
                when = inbound.dates[at]
                if when is None:
                    return Eta(None, OVERDUE, inbound.refs[at])
                return Eta(when, SHIPMENT, inbound.refs[at])
        return self.fallback(sku, variant_id=variant_id, product_id=product_id, told=told)

    def fallback(
        self,
        sku: str,
        *,
        variant_id: int | None = None,
        product_id: int | None = None,
        told: Told | None = None,
    ) -> Eta:
        """The ETA beyond all inbound stock."""
        if variant_id is not None and variant_id in self._manual:
            return self._not_passed(Eta(self._manual[variant_id], MANUAL), "manual ETA")
        if product_id is not None and product_id in self._preorder:
            return self._not_passed(Eta(self._preorder[product_id], PREORDER), "pre-order date")
        supplier = self.supplier_for(variant_id)
        if supplier is not None and supplier.lead_time_days is not None:
            lead = timedelta(days=supplier.lead_time_days)
            if told is not None and told.eta is not None:
                told_on = told.sent_at.astimezone(UTC).date()
                if told.eta == told_on + lead:  # a lead-time promise: it stands
                    return self._not_passed(
                        Eta(told.eta, LEAD_TIME, supplier.name), f"lead time ({supplier.name})"
                    )
            return Eta(self.today + lead, LEAD_TIME, supplier.name)
        return UNKNOWN_ETA

    def _not_passed(self, eta: Eta, what: str) -> Eta:
        if eta.date is not None and eta.date < self.today:
            return Eta(None, TO_CONFIRM, what)
        return eta

    def line_etas(
        self,
        queue: Sequence[BackorderLine],
        told: Mapping[int, Told] | None = None,
    ) -> list[tuple[BackorderLine, Eta]]:
        """Each line of the queue (sorted by SKU and queue position) with its ETA.

        A line's ETA is that of its last unit: the date the whole line can ship. Along a SKU's
        queue ETAs never decrease: a line cannot ship before the lines ahead of it (a fallback
        date earlier than an inbound shipment's, or a date behind a line with none, takes the
        ETA of the line ahead). `told`: what each line was last told (line id -> Told).
        """
        told = told or {}
        out: list[tuple[BackorderLine, Eta]] = []
        units_before: dict[str, int] = defaultdict(int)
        ahead: dict[str, Eta] = {}
        for line in sorted(queue, key=lambda ln: (ln.sku, ln.queue_position)):
            last_unit = units_before[line.sku] + line.qty_waiting
            units_before[line.sku] = last_unit
            eta = self.eta_for_unit(
                line.sku,
                last_unit,
                variant_id=line.variant_id,
                product_id=line.product_id,
                told=told.get(line.line_id),
            )
            prev = ahead.get(line.sku)
            if prev is not None and eta_key(eta.date) < eta_key(prev.date):
                eta = prev
            ahead[line.sku] = eta
            out.append((line, eta))
        return out

    def apply(
        self, queue: Sequence[BackorderLine], told: Mapping[int, Told] | None = None
    ) -> list[BackorderLine]:
        """The queue with each line's ETA and its source filled in."""
        return [
            replace(line, eta=eta.date, eta_source=eta.source, eta_ref=eta.ref)
            for line, eta in self.line_etas(queue, told)
        ]
