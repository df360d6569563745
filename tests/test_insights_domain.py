"""Pure Insights rules: bucket edges, silent customers, captured sales, overdue shipments."""

from __future__ import annotations

from datetime import date

from backorder_desktop.domain.insights import (
    WaitingLine,
    aging,
    bucket_of,
    customers_not_told,
    merge_captured,
    overdue_shipments,
    silent_customers,
    top_skus,
)
from backorder_desktop.domain.shipments import Shipment, ShipmentLine


def line(
    n: int,
    days: int,
    *,
    email: str = "a@x.test",
    told: int | None = None,
    sku: str = "S",
    units: int = 1,
) -> WaitingLine:
    return WaitingLine(n, n, sku, "Thing", email, days, units, units * 10.0, told)


def test_bucket_edges_are_the_issue_s() -> None:
    edges = {0: "0-3", 3: "0-3", 4: "4-7", 7: "4-7", 8: "8-14", 14: "8-14", 15: "15-21"}
    edges |= {
        21: "15-21",
        22: "22-30",
        30: "22-30",
        31: "31-45",
        45: "31-45",
        46: "46+",
        400: "46+",
    }
    assert {d: bucket_of(d) for d in edges} == edges
    assert bucket_of(-1) == "0-3"  # an order stamped a little in the future counts as new
    rows = aging([line(1, 3, units=2), line(2, 46), line(3, 46)])
    assert [(b.bucket, b.lines, b.units, b.value) for b in rows if b.lines] == [
        ("0-3", 1, 2, 20.0),
        ("46+", 2, 2, 20.0),
    ]
    assert len(rows) == 7  # empty buckets stay, so charts and CSVs keep their shape


def test_a_customer_told_recently_about_one_line_is_not_silent() -> None:
    lines = [
        line(1, 30, email="ann@x.test", told=2),
        line(2, 30, email="ANN@x.test"),  # same customer, other order never mentioned
        line(3, 9, email="bob@x.test"),
        line(4, 40, email="cy@x.test", told=12),
    ]
    assert customers_not_told(lines, 7) == 2
    assert [(c.email, c.days_silent, c.lines) for c in silent_customers(lines, 7)] == [
        ("cy@x.test", 12, 1),
        ("bob@x.test", 9, 1),
    ]
    assert customers_not_told(lines, 12) == 0


def test_captured_sales_keep_lines_that_left_and_count_each_once() -> None:
    known = {1: 50.0, 2: 20.0}
    merged = merge_captured(known, {2: 30.0, 3: 5.0})
    assert merged == {1: 50.0, 2: 30.0, 3: 5.0}
    assert merge_captured(merged, {2: 10.0}) == merged  # fewer units backordered later: keep


def test_overdue_shipments_are_inbound_past_their_date_most_late_first() -> None:
    today = date(2026, 5, 20)
    lines = (ShipmentLine("S", 4),)

    def ship(sid: str, status: str, expected: date | None) -> Shipment:
        return Shipment(
            id=sid,
            reference=sid.upper(),
            supplier_id="acme",
            status=status,
            expected_date=expected,
            lines=lines,
        )

    found = overdue_shipments(
        [
            ship("a", "ordered", date(2026, 5, 18)),
            ship("b", "in_transit", date(2026, 5, 1)),
            ship("c", "received", date(2026, 5, 1)),
            ship("d", "ordered", today),
            ship("e", "ordered", None),
        ],
        {"acme": "Acme"},
        today,
    )
    assert [(s.reference, s.days_overdue, s.supplier) for s in found] == [
        ("B", 19, "Acme"),
        ("A", 2, "Acme"),
    ]


def test_top_skus_rank_by_units_waiting() -> None:
    lines = [
        line(1, 1, sku="A", units=2),
        line(2, 1, sku="B", units=4),
        line(3, 1, sku="A", units=1),
    ]
    assert [(t.sku, t.lines, t.units, t.value) for t in top_skus(lines)] == [
        ("B", 1, 4, 40.0),
        ("A", 2, 3, 30.0),
    ]
