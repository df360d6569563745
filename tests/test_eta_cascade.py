"""The ETA cascade (pure): inbound shipments unit by unit, then manual, pre-order, lead time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from backorder_desktop.domain.eta import (
    LEAD_TIME,
    MANUAL,
    OVERDUE,
    PREORDER,
    SHIPMENT,
    TO_CONFIRM,
    UNKNOWN,
    EtaCascade,
    source_label,
)
from backorder_desktop.domain.models import BackorderLine
from backorder_desktop.domain.notice_log import Told
from backorder_desktop.domain.shipments import Shipment, ShipmentLine, Supplier

D1, D2, D3 = date(2026, 12, 1), date(2026, 12, 15), date(2027, 1, 10)
TODAY = date(2026, 11, 20)  # before every shipment's date unless a test says otherwise


def at_today(*args: object, **kwargs: object) -> EtaCascade:
    return EtaCascade(*args, today=TODAY, **kwargs)  # type: ignore[arg-type]


def shipment(
    sid: str,
    expected: date | None,
    *lines: ShipmentLine,
    status: str = "ordered",
    supplier: str = "acme",
) -> Shipment:
    return Shipment(sid, f"PO-{sid}", supplier, status, expected, tuple(lines))


def line(position: int, waiting: int, *, sku: str = "A", order: int = 0) -> BackorderLine:
    return BackorderLine(
        order_id=order or 100 + position,
        line_id=1000 + position,
        order_date=datetime(2026, 11, position, tzinfo=UTC),
        customer_email=f"c{position}@example.com",
        customer_name=f"Customer {position}",
        sku=sku,
        product_id=1,
        variant_id=11,
        name="Thing",
        qty_ordered=waiting,
        qty_waiting=waiting,
        queue_position=position,
        priority=0,
    )


def test_each_unit_gets_the_date_of_the_shipment_that_covers_it() -> None:
    # Inbound for SKU A: 3 units on D2 (second listed, earlier date first after sorting),
    # 2 on D1, 4 on D3. Sorted by date: D1 covers units 1-2, D2 units 3-5, D3 units 6-9.
    cascade = at_today(
        [
            shipment("2", D2, ShipmentLine("A", 3)),
            shipment("1", D1, ShipmentLine("A", 2)),
            shipment("3", D3, ShipmentLine("A", 5, qty_received=1)),
        ]
    )
    queue = [line(1, 2), line(2, 1), line(3, 2), line(4, 4), line(5, 1)]
    out = {ln.queue_position: ln for ln in cascade.apply(queue)}
    assert out[1].eta == D1 and out[1].eta_source == SHIPMENT and out[1].eta_ref == "PO-1"
    assert out[2].eta == D2  # unit 3
    assert out[3].eta == D2  # units 4-5
    assert out[4].eta == D3 and out[4].eta_ref == "PO-3"  # units 6-9: the line ships whole
    # Unit 10 is beyond every inbound unit: no fallback known.
    assert out[5].eta is None and out[5].eta_source == UNKNOWN
    assert cascade.inbound_units("A") == 9


def test_a_line_spanning_two_shipments_waits_for_the_later_one() -> None:
    cascade = at_today(
        [shipment("1", D1, ShipmentLine("A", 2)), shipment("2", D2, ShipmentLine("A", 2))]
    )
    [only] = cascade.apply([line(1, 3)])
    assert (only.eta, only.eta_ref) == (D2, "PO-2")


def test_only_inbound_shipments_with_a_date_and_units_outstanding_count() -> None:
    cascade = at_today(
        [
            shipment("draft", D1, ShipmentLine("A", 5), status="draft"),
            shipment("received", D1, ShipmentLine("A", 5, qty_received=5), status="received"),
            shipment("closed", D1, ShipmentLine("A", 5), status="closed"),
            shipment("nodate", None, ShipmentLine("A", 5)),
            shipment("short", D1, ShipmentLine("A", 5, qty_received=1, closed_short=True)),
            shipment("transit", D2, ShipmentLine("A", 1), status="in_transit"),
            shipment("partial", D3, ShipmentLine("A", 4, 2, 1), status="partially_received"),
        ]
    )
    out = cascade.apply([line(1, 1), line(2, 1), line(3, 1)])
    assert [ln.eta for ln in out] == [D2, D3, None]


def test_fallbacks_in_order_manual_then_preorder_then_lead_time_then_unknown() -> None:
    suppliers = {"acme": Supplier("acme", "Acme Ltd", lead_time_days=21)}
    # The merchant chose Acme for variant 13 (SKU "L").
    cascade = at_today(
        [],
        suppliers=suppliers,
        manual={11: D2},
        preorder={7: D3},
        supplier_of={13: "acme"},
    )
    manual = line(1, 1)
    preorder = BackorderLine(**{**_fields(line(2, 1)), "variant_id": 12, "product_id": 7})
    lead = BackorderLine(**{**_fields(line(3, 1, sku="L")), "variant_id": 13, "product_id": 8})
    none = BackorderLine(**{**_fields(line(4, 1, sku="Z")), "variant_id": 14, "product_id": 9})
    out = {
        ln.sku + str(ln.queue_position): ln for ln in cascade.apply([manual, preorder, lead, none])
    }
    assert (out["A1"].eta, out["A1"].eta_source) == (D2, MANUAL)
    assert (out["A2"].eta, out["A2"].eta_source) == (D3, PREORDER)
    # Counted from today (20 November), not the order date (3 November).
    assert (out["L3"].eta, out["L3"].eta_source) == (date(2026, 12, 11), LEAD_TIME)
    assert out["L3"].eta_ref == "Acme Ltd"
    assert (out["Z4"].eta, out["Z4"].eta_source) == (None, UNKNOWN)


def test_a_new_unit_ordered_now_gets_the_date_after_the_queue() -> None:
    cascade = at_today([shipment("1", D1, ShipmentLine("A", 3))], manual={11: D3})
    assert cascade.eta_for_unit("A", 3, variant_id=11).date == D1
    assert cascade.eta_for_unit("A", 4, variant_id=11).date == D3
    assert cascade.eta_for_unit("A", 4, variant_id=11).source == MANUAL


def test_raising_a_priority_moves_its_order_up_to_the_earlier_shipment() -> None:
    cascade = at_today(
        [shipment("1", D1, ShipmentLine("A", 1)), shipment("2", D2, ShipmentLine("A", 1))]
    )
    before = cascade.apply([line(1, 1, order=1), line(2, 1, order=2)])
    assert [(ln.order_id, ln.eta) for ln in before] == [(1, D1), (2, D2)]
    # The queue builder put order 2 first after a priority change: ETAs follow positions.
    after = cascade.apply(
        [
            BackorderLine(**{**_fields(line(2, 1, order=2)), "queue_position": 1}),
            BackorderLine(**{**_fields(line(1, 1, order=1)), "queue_position": 2}),
        ]
    )
    assert {ln.order_id: ln.eta for ln in after} == {2: D1, 1: D2}


def _fields(ln: BackorderLine) -> dict:
    return {name: getattr(ln, name) for name in BackorderLine.__dataclass_fields__}


def told(eta: date | None, on: date) -> Told:
    return Told(eta, datetime(on.year, on.month, on.day, 9, tzinfo=UTC), "confirmation", False)


def test_an_overdue_shipment_lends_no_date_and_its_lines_ask_for_one() -> None:
    # Today is 7 December: PO-1 (1 December, 2 units outstanding) is overdue, PO-2 is not.
    today = date(2026, 12, 7)
    cascade = EtaCascade(
        [
            shipment("1", D1, ShipmentLine("A", 3, qty_received=1)),
            shipment("2", D2, ShipmentLine("A", 2)),
        ],
        today=today,
    )
    out = cascade.apply([line(1, 1), line(2, 1), line(3, 1), line(4, 1), line(5, 1)])
    # The dated shipment serves the front of the queue; the overdue one's units come after
    # every dated unit, with no date: those lines need one; beyond them nothing is inbound.
    assert [(ln.eta, ln.eta_source) for ln in out] == [
        (D2, SHIPMENT),
        (D2, SHIPMENT),
        (None, OVERDUE),
        (None, OVERDUE),
        (None, UNKNOWN),
    ]
    assert source_label(out[2].eta_source, out[2].eta_ref) == "overdue: PO-1, new date needed"
    # Received in full, it is no longer overdue: nothing left to wait for from it.
    done = EtaCascade(
        [shipment("1", D1, ShipmentLine("A", 3, qty_received=3), status="partially_received")],
        today=today,
    )
    assert done.apply([line(1, 1)])[0].eta_source == UNKNOWN


def test_no_fallback_date_before_today_is_a_promise() -> None:
    today = date(2026, 12, 7)
    suppliers = {"acme": Supplier("acme", "Acme Ltd", lead_time_days=14)}
    cascade = EtaCascade(
        [],
        suppliers=suppliers,
        manual={11: date(2026, 12, 1)},
        preorder={7: date(2026, 11, 30)},
        supplier_of={13: "acme"},
        today=today,
    )
    manual = line(1, 1)
    preorder = BackorderLine(**{**_fields(line(2, 1)), "variant_id": 12, "product_id": 7})
    lead = BackorderLine(**{**_fields(line(3, 1, sku="L")), "variant_id": 13, "product_id": 8})
    out = {ln.queue_position: ln for ln in cascade.apply([manual, preorder, lead])}
    assert (out[1].eta, out[1].eta_source, out[1].eta_ref) == (None, TO_CONFIRM, "manual ETA")
    assert (out[2].eta, out[2].eta_source) == (None, TO_CONFIRM)
    assert out[3].eta == date(2026, 12, 21)  # 14 days from today


def test_a_told_lead_time_date_stands_until_it_passes() -> None:
    suppliers = {"acme": Supplier("acme", "Acme Ltd", lead_time_days=14)}
    told_on = date(2026, 11, 20)
    promise = {1001: told(date(2026, 12, 4), told_on)}  # 14 days from the day it was told
    cascade = EtaCascade([], suppliers=suppliers, supplier_of={11: "acme"}, today=date(2026, 12, 1))
    # Eleven days later the promise stands: it does not slip a day every day.
    assert cascade.apply([line(1, 1)], promise)[0].eta == date(2026, 12, 4)
    late = EtaCascade([], suppliers=suppliers, supplier_of={11: "acme"}, today=date(2026, 12, 7))
    [passed] = late.apply([line(1, 1)], promise)
    assert (passed.eta, passed.eta_source) == (None, TO_CONFIRM)
    assert source_label(passed.eta_source, passed.eta_ref) == (
        "to be confirmed: lead time (Acme Ltd) passed, new date needed"
    )
    # A date told from a shipment is not a lead-time promise: the lead time counts from today.
    other = {1001: told(date(2026, 12, 10), told_on)}
    assert late.apply([line(1, 1)], other)[0].eta == date(2026, 12, 21)


def test_a_shipments_supplier_is_not_the_skus_supplier_unless_chosen() -> None:
    suppliers = {
        "quick": Supplier("quick", "Quick", lead_time_days=14),
        "slow": Supplier("slow", "Slow", lead_time_days=30),
    }
    # A new shipment from Slow, still a draft (no units inbound), carries the SKU.
    new = shipment("9", None, ShipmentLine("A", 5), status="draft", supplier="slow")
    chosen = EtaCascade([new], suppliers=suppliers, supplier_of={11: "quick"}, today=TODAY)
    assert chosen.apply([line(1, 1)])[0].eta == TODAY + timedelta(days=14)
    unchosen = EtaCascade([new], suppliers=suppliers, today=TODAY)
    assert unchosen.apply([line(1, 1)])[0].eta_source == UNKNOWN


def test_etas_never_decrease_along_a_skus_queue() -> None:
    # One unit inbound on D3; the manual ETA (D2) is earlier, but the lines behind cannot
    # ship before the line ahead of them.
    cascade = at_today([shipment("1", D3, ShipmentLine("A", 1))], manual={11: D2})
    out = cascade.apply([line(1, 1), line(2, 1), line(3, 1)])
    assert [ln.eta for ln in out] == [D3, D3, D3]
