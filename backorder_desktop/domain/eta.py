"""The ETA cascade: when each waiting line can ship, from inbound shipments and fallbacks."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from .models import BackorderLine
from .shipments import Shipment, Supplier

SHIPMENT, MANUAL, PREORDER, LEAD_TIME, UNKNOWN = (
    "shipment",
    "manual",
    "preorder",
    "lead_time",
    "unknown",
)
SOURCE_LABELS = {
    SHIPMENT: "shipment",
    MANUAL: "manual ETA",
    PREORDER: "pre-order date",
    LEAD_TIME: "supplier lead time",
    UNKNOWN: "unknown",
}


@dataclass(frozen=True, slots=True)
class Eta:
    date: date | None
    source: str  # one of SHIPMENT, MANUAL, PREORDER, LEAD_TIME, UNKNOWN
    ref: str = ""  # the shipment's reference, or the supplier's name for a lead time

    @property
    def label(self) -> str:
        """'PO-1042', 'manual ETA', 'lead time (Acme)', 'unknown'."""
        if self.source == SHIPMENT and self.ref:
            return self.ref
        if self.source == LEAD_TIME and self.ref:
            return f"lead time ({self.ref})"
        return SOURCE_LABELS.get(self.source, self.source)


UNKNOWN_ETA = Eta(None, UNKNOWN)


def source_label(source: str, ref: str) -> str:
    return Eta(None, source, ref).label if source else ""


@dataclass(frozen=True, slots=True)
class _Inbound:
    """One SKU's inbound stock: cumulative outstanding units, by expected date."""

    cumulative: list[int]
    dates: list[date]
    refs: list[str]


class EtaCascade:
    """Per SKU: inbound shipments sorted by expected date; the k-th waiting unit in the queue
    gets the date of the shipment whose cumulative outstanding quantity covers it. Beyond all
    inbound stock: the variant's manual ETA, then the product's pre-order release date, then
    the supplier's lead time counted from the order date, else unknown (DESIGN.md).

    Shipments with no expected date cannot promise a date and are left out, as are those not
    inbound (draft, received, closed). A lead-time ETA is counted from the order date so it
    does not drift a day later every day (which would make every such line look delayed).
    """

    def __init__(
        self,
        shipments: Iterable[Shipment] = (),
        *,
        suppliers: Mapping[str, Supplier] | None = None,
        manual: Mapping[int, date] | None = None,
        preorder: Mapping[int, date] | None = None,
    ) -> None:
        self._manual = manual or {}
        self._preorder = preorder or {}
        suppliers = suppliers or {}
        batches: dict[str, list[tuple[date, str, str, int]]] = defaultdict(list)
        # SKU -> supplier: the supplier of the SKU's most recent shipment of any status.
        latest: dict[str, tuple[date, str, str]] = {}
        for shipment in shipments:
            when = shipment.expected_date or date.min
            for line in shipment.lines:
                if shipment.supplier_id:
                    known = latest.get(line.sku)
                    stamp = (when, shipment.id, shipment.supplier_id)
                    if known is None or stamp[:2] > known[:2]:
                        latest[line.sku] = stamp
                if not shipment.is_inbound or shipment.expected_date is None:
                    continue
                if line.qty_outstanding > 0:
                    batches[line.sku].append(
                        (
                            shipment.expected_date,
                            shipment.id,
                            shipment.reference,
                            line.qty_outstanding,
                        )
                    )
        self._inbound: dict[str, _Inbound] = {}
        for sku, items in batches.items():
            items.sort(key=lambda b: (b[0], b[1]))
            total, cumulative, dates, refs = 0, [], [], []
            for expected, _id, reference, qty in items:
                total += qty
                cumulative.append(total)
                dates.append(expected)
                refs.append(reference)
            self._inbound[sku] = _Inbound(cumulative, dates, refs)
        self._supplier: dict[str, Supplier] = {}
        for sku, (_when, _id, supplier_id) in latest.items():
            supplier = suppliers.get(supplier_id)
            if supplier is not None and supplier.lead_time_days is not None:
                self._supplier[sku] = supplier

    def inbound_units(self, sku: str) -> int:
        inbound = self._inbound.get(sku)
        return inbound.cumulative[-1] if inbound else 0

    def eta_for_unit(
        self,
        sku: str,
        unit: int,
        *,
        variant_id: int | None = None,
        product_id: int | None = None,
        order_date: datetime | date | None = None,
    ) -> Eta:
        """The ETA of the `unit`-th waiting unit (1-based) in `sku`'s queue."""
        inbound = self._inbound.get(sku)
        if inbound is not None and unit >= 1:
            at = bisect_left(inbound.cumulative, unit)
            if at < len(inbound.cumulative):
                return Eta(inbound.dates[at], SHIPMENT, inbound.refs[at])
        return self.fallback(
            sku, variant_id=variant_id, product_id=product_id, order_date=order_date
        )

    def fallback(
        self,
        sku: str,
        *,
        variant_id: int | None = None,
        product_id: int | None = None,
        order_date: datetime | date | None = None,
    ) -> Eta:
        """The ETA beyond all inbound stock."""
        if variant_id is not None and variant_id in self._manual:
            return Eta(self._manual[variant_id], MANUAL)
        if product_id is not None and product_id in self._preorder:
            return Eta(self._preorder[product_id], PREORDER)
        supplier = self._supplier.get(sku)
        if supplier is not None and supplier.lead_time_days is not None:
            start = order_date.date() if isinstance(order_date, datetime) else order_date
            start = start or date.today()
            return Eta(start + timedelta(days=supplier.lead_time_days), LEAD_TIME, supplier.name)
        return UNKNOWN_ETA

    def line_etas(self, queue: Sequence[BackorderLine]) -> list[tuple[BackorderLine, Eta]]:
        """Each line of the queue (sorted by SKU and queue position) with its ETA.

        A line's ETA is that of its last unit: the date the whole line can ship.
        """
        out: list[tuple[BackorderLine, Eta]] = []
        units_before: dict[str, int] = defaultdict(int)
        for line in sorted(queue, key=lambda ln: (ln.sku, ln.queue_position)):
            last_unit = units_before[line.sku] + line.qty_waiting
            units_before[line.sku] = last_unit
            eta = self.eta_for_unit(
                line.sku,
                last_unit,
                variant_id=line.variant_id,
                product_id=line.product_id,
                order_date=line.order_date,
            )
            out.append((line, eta))
        return out

    def apply(self, queue: Sequence[BackorderLine]) -> list[BackorderLine]:
        """The queue with each line's ETA and its source filled in."""
        return [
            replace(line, eta=eta.date, eta_source=eta.source, eta_ref=eta.ref)
            for line, eta in self.line_etas(queue)
        ]
