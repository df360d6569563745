"""Insights figures: aging buckets, value at risk, top SKUs, silent customers, overdue shipments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .scorecard import Scorecard
from .shipments import Shipment

# Days waiting: (label, first day, last day or None for open-ended), as the issue lists them.
AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-3", 0, 3),
    ("4-7", 4, 7),
    ("8-14", 8, 14),
    ("15-21", 15, 21),
    ("22-30", 22, 30),
    ("31-45", 31, 45),
    ("46+", 46, None),
)
DEFAULT_NOT_TOLD_DAYS = 7
TOP_SKU_COUNT = 10


@dataclass(frozen=True, slots=True)
class WaitingLine:
    """What the figures need of one open backorder line."""

    order_id: int
    line_id: int
    sku: str
    name: str
    customer_email: str
    days_waiting: int
    units: int  # units still waiting
    value: float  # units waiting x unit price (inc. tax)
    days_since_told: int | None = None  # None: the customer was never told about this line
    customer_name: str = ""


@dataclass(frozen=True, slots=True)
class AgingBucket:
    bucket: str
    lines: int
    units: int
    value: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "lines": self.lines,
            "units": self.units,
            "value": self.value,
        }


@dataclass(frozen=True, slots=True)
class TopSku:
    sku: str
    name: str
    lines: int
    units: int
    value: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "name": self.name,
            "lines": self.lines,
            "units": self.units,
            "value": self.value,
        }


@dataclass(frozen=True, slots=True)
class OverdueShipment:
    id: str
    reference: str
    supplier: str
    expected: date
    days_overdue: int
    units_outstanding: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reference": self.reference,
            "supplier": self.supplier,
            "expected": self.expected.isoformat(),
            "days_overdue": self.days_overdue,
            "units_outstanding": self.units_outstanding,
        }


@dataclass(frozen=True, slots=True)
class SilentCustomer:
    """A waiting customer and how long they have heard nothing."""

    email: str
    name: str
    days_silent: int
    lines: int
    units: int


@dataclass(frozen=True, slots=True)
class ValuePoint:
    """Value waiting on one day (the last sync of that day wins)."""

    day: date
    value: float
    lines: int
    units: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "value": self.value,
            "lines": self.lines,
            "units": self.units,
        }


@dataclass(frozen=True, slots=True)
class InsightsReport:
    aging: tuple[AgingBucket, ...]
    revenue_at_risk: float
    captured_on_backorder: float
    customers_waiting: int
    not_told_days: int
    customers_not_told: int
    overdue_shipments: tuple[OverdueShipment, ...]
    suppliers: tuple[Scorecard, ...]
    top_skus: tuple[TopSku, ...]
    history: tuple[ValuePoint, ...] = field(default_factory=tuple)
    currency: str = "USD"
    silent_customers: tuple[SilentCustomer, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """The `report` JSON of ../shared/CLI.md (plus top SKUs and the value history)."""
        return {
            "aging": [b.as_dict() for b in self.aging],
            "revenue_at_risk": self.revenue_at_risk,
            "captured_on_backorder": self.captured_on_backorder,
            "customers_waiting": self.customers_waiting,
            "not_notified_over_days": {str(self.not_told_days): self.customers_not_told},
            "overdue_shipments": [s.as_dict() for s in self.overdue_shipments],
            "suppliers": [s.as_dict() for s in self.suppliers],
            "top_skus": [s.as_dict() for s in self.top_skus],
            "value_history": [p.as_dict() for p in self.history],
            "currency": self.currency,
        }


def bucket_of(days_waiting: int) -> str:
    for label, first, last in AGING_BUCKETS:
        if days_waiting >= first and (last is None or days_waiting <= last):
            return label
    return AGING_BUCKETS[0][0]  # negative days (clock skew) count as new


def in_bucket(label: str, days_waiting: int) -> bool:
    return bucket_of(days_waiting) == label


def aging(lines: Iterable[WaitingLine]) -> tuple[AgingBucket, ...]:
    """Every bucket, empty ones too, so charts and CSVs always have the same seven rows."""
    sums: dict[str, list[float]] = {label: [0, 0, 0.0] for label, _f, _l in AGING_BUCKETS}
    for line in lines:
        acc = sums[bucket_of(line.days_waiting)]
        acc[0] += 1
        acc[1] += line.units
        acc[2] += line.value
    return tuple(
        AgingBucket(label, int(acc[0]), int(acc[1]), round(acc[2], 2))
        for label, acc in sums.items()
    )


def revenue_at_risk(lines: Iterable[WaitingLine]) -> float:
    return round(sum(line.value for line in lines), 2)


def top_skus(lines: Iterable[WaitingLine], count: int = TOP_SKU_COUNT) -> tuple[TopSku, ...]:
    """The SKUs with the most units waiting (then the most value, then by SKU)."""
    acc: dict[str, list[Any]] = {}
    for line in lines:
        entry = acc.setdefault(line.sku, [line.name, 0, 0, 0.0])
        entry[1] += 1
        entry[2] += line.units
        entry[3] += line.value
    ranked = sorted(acc.items(), key=lambda kv: (-kv[1][2], -kv[1][3], kv[0]))
    return tuple(TopSku(sku, e[0], e[1], e[2], round(e[3], 2)) for sku, e in ranked[:count])


def customer_silence(lines: Iterable[WaitingLine]) -> dict[str, int]:
    """Per customer: days since they last heard about any of their waiting lines (days since
    the order for a line never told about)."""
    out: dict[str, int] = {}
    for line in lines:
        silent = line.days_waiting if line.days_since_told is None else line.days_since_told
        key = line.customer_email.casefold()
        out[key] = min(out.get(key, silent), silent)
    return out


def customers_not_told(lines: Iterable[WaitingLine], days: int) -> int:
    """Customers waiting who have heard nothing for more than `days` days."""
    return sum(1 for silent in customer_silence(lines).values() if silent > days)


def silent_customers(lines: Iterable[WaitingLine], days: int) -> tuple[SilentCustomer, ...]:
    """The customers of `customers_not_told`, the longest silent first."""
    items = list(lines)
    silence = customer_silence(items)
    acc: dict[str, list[Any]] = {}
    for line in items:
        key = line.customer_email.casefold()
        if silence[key] > days:
            entry = acc.setdefault(key, [line.customer_email, line.customer_name, 0, 0])
            entry[2] += 1
            entry[3] += line.units
    out = [SilentCustomer(e[0], e[1], silence[k], e[2], e[3]) for k, e in acc.items()]
    return tuple(sorted(out, key=lambda c: (-c.days_silent, c.email.casefold())))


def overdue_shipments(
    shipments: Iterable[Shipment], supplier_names: Mapping[str, str], today: date
) -> tuple[OverdueShipment, ...]:
    """Inbound shipments past their expected date, the most overdue first."""
    out = [
        OverdueShipment(
            s.id,
            s.reference,
            supplier_names.get(s.supplier_id, s.supplier_id),
            s.expected_date,
            (today - s.expected_date).days,
            s.units_outstanding,
        )
        for s in shipments
        if s.is_inbound and s.expected_date is not None and s.expected_date < today
    ]
    return tuple(sorted(out, key=lambda o: (-o.days_overdue, o.reference, o.id)))


def captured_total(values_by_line: Mapping[int, float]) -> float:
    return round(sum(values_by_line.values()), 2)


def merge_captured(known: Mapping[int, float], seen: Mapping[int, float]) -> dict[int, float]:
    """Lines stay counted once seen on backorder (after they ship and leave the cache); a line
    seen with more units backordered than before counts the larger value."""
    merged = dict(known)
    for line_id, value in seen.items():
        merged[line_id] = max(value, merged.get(line_id, 0.0))
    return merged


def value_point(day: date, lines: Iterable[WaitingLine]) -> ValuePoint:
    items = list(lines)
    return ValuePoint(day, revenue_at_risk(items), len(items), sum(li.units for li in items))


def build_report(
    lines: Iterable[WaitingLine],
    *,
    shipments: Iterable[Shipment],
    supplier_names: Mapping[str, str],
    scorecards: Iterable[Scorecard],
    captured: Mapping[int, float],
    history: Iterable[ValuePoint],
    today: date,
    not_told_days: int = DEFAULT_NOT_TOLD_DAYS,
    currency: str = "USD",
) -> InsightsReport:
    items = list(lines)
    return InsightsReport(
        aging=aging(items),
        revenue_at_risk=revenue_at_risk(items),
        captured_on_backorder=captured_total(captured),
        customers_waiting=len(customer_silence(items)),
        not_told_days=not_told_days,
        customers_not_told=customers_not_told(items, not_told_days),
        overdue_shipments=overdue_shipments(shipments, supplier_names, today),
        suppliers=tuple(scorecards),
        top_skus=top_skus(items),
        history=tuple(sorted(history, key=lambda p: p.day)),
        currency=currency,
        silent_customers=silent_customers(items, not_told_days),
    )


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def report_csv_rows(report: InsightsReport) -> list[list[str]]:
    """The figures as one long table (section, item, measure, value): one CSV for all."""
    rows = [["section", "item", "measure", "value"]]
    for b in report.aging:
        rows += [
            ["aging", b.bucket, "lines", str(b.lines)],
            ["aging", b.bucket, "units", str(b.units)],
            ["aging", b.bucket, "value", _money(b.value)],
        ]
    rows += [
        ["totals", "", "revenue_at_risk", _money(report.revenue_at_risk)],
        ["totals", "", "captured_on_backorder", _money(report.captured_on_backorder)],
        ["totals", "", "customers_waiting", str(report.customers_waiting)],
        [
            "totals",
            "",
            f"customers_not_told_over_{report.not_told_days}_days",
            str(report.customers_not_told),
        ],
    ]
    for p in report.history:
        rows.append(["value_history", p.day.isoformat(), "value", _money(p.value)])
    for t in report.top_skus:
        rows += [
            ["top_skus", t.sku, "units", str(t.units)],
            ["top_skus", t.sku, "value", _money(t.value)],
        ]
    for s in report.overdue_shipments:
        rows += [
            ["overdue_shipments", s.reference or s.id, "days_overdue", str(s.days_overdue)],
            [
                "overdue_shipments",
                s.reference or s.id,
                "units_outstanding",
                str(s.units_outstanding),
            ],
        ]
    for c in report.suppliers:
        rows += [
            ["suppliers", c.name, "on_time_rate", _rate(c.on_time_rate)],
            ["suppliers", c.name, "fill_rate", _rate(c.fill_rate)],
            ["suppliers", c.name, "avg_delay_days", _money(c.avg_delay_days)],
        ]
    return rows
