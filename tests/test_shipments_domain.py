"""Pure rules: allocation down the queue, ready orders, receipts, scorecard, input, size, archive."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backorder_desktop.domain.allocation import allocate, ready_orders, remaining_queue
from backorder_desktop.domain.models import BackorderLine
from backorder_desktop.domain.receiving import (
    ReceiptError,
    ReceiptLine,
    StockLevel,
    adjustment_items,
    apply_deltas,
    apply_receipt,
    receipt_deltas,
    reverse_receipt,
)
from backorder_desktop.domain.releases import ReleaseLine, ReleaseRecord, append_note
from backorder_desktop.domain.scorecard import ShipmentOutcome, outcome_of, scorecards
from backorder_desktop.domain.shipment_rules import (
    ARCHIVE_VALUE_BUDGET,
    METAFIELD_VALUE_MAX,
    InputError,
    archive_due,
    archive_value,
    check_shipment,
    pack_archive,
    parse_expected_date,
    parse_line_spec,
    parse_quantity,
)
from backorder_desktop.domain.shipments import (
    CLOSED,
    IN_TRANSIT,
    ORDERED,
    PARTIALLY_RECEIVED,
    RECEIVED,
    ReceiptNote,
    Shipment,
    ShipmentLine,
    Supplier,
)
from backorder_desktop.services.dock.shipment_csv import lines_from_csv

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def bl(order: int, line: int, variant: int, waiting: int, pos: int = 1) -> BackorderLine:
    return BackorderLine(
        order_id=order,
        line_id=line,
        order_date=T0,
        customer_email="a@example.com",
        customer_name="A",
        sku=f"SKU-{variant}",
        product_id=variant,
        variant_id=variant,
        name="Thing",
        qty_ordered=waiting,
        qty_waiting=waiting,
        queue_position=pos,
        priority=0,
    )


def test_units_walk_down_the_queue_and_the_rest_goes_to_stock() -> None:
    queue = [bl(1, 11, 7, 2, 1), bl(2, 21, 7, 3, 2), bl(3, 31, 7, 4, 3), bl(4, 41, 8, 1)]
    plan = allocate(queue, {7: 4, 9: 5})
    assert [(a.order_id, a.qty) for a in plan.allocations] == [(1, 2), (2, 2)]
    assert plan.to_stock == {9: 5}
    left = remaining_queue(queue, plan.allocations)
    assert [(x.line_id, x.qty_waiting) for x in left] == [(21, 1), (31, 4), (41, 1)]
    big = allocate(queue, {7: 12})
    assert big.units_allocated == 9 and big.to_stock == {7: 3}


def test_native_allocations_are_told_apart() -> None:
    queue = [bl(1, 11, 7, 2), bl(2, 21, 7, 3)]
    plan = allocate(queue, {7: 5}, native_lines={21})
    assert plan.native_by_variant == {7: 3} and plan.allocated_by_variant == {7: 5}


def test_an_order_is_ready_only_when_every_waiting_line_is_covered() -> None:
    # Order 1 waits on two SKUs; only one arrives.
    queue = [bl(1, 11, 7, 2), bl(1, 12, 8, 1), bl(2, 21, 7, 1)]
    plan = allocate(queue, {7: 3})
    lines = {a.order_id: {a.line_id} for a in plan.allocations}
    left = remaining_queue(queue, plan.allocations)
    assert ready_orders(lines, left) == [2]
    assert ready_orders(lines, left, partial_allowed={1}) == [1, 2]
    # A line covered only in part never makes a partial order ready.
    short = allocate(queue, {7: 1})
    lines = {a.order_id: {a.line_id} for a in short.allocations}
    assert ready_orders(lines, remaining_queue(queue, short.allocations), partial_allowed={1}) == []


def shipment(*lines: ShipmentLine, status: str = ORDERED) -> Shipment:
    return Shipment("s1", "PO-1", "acme", status, date(2026, 11, 10), tuple(lines))


def test_a_receipt_updates_lines_status_and_keeps_a_note() -> None:
    s = shipment(ShipmentLine("A", 10, variant_id=1), ShipmentLine("B", 4, variant_id=2))
    booked = apply_receipt(
        s, [ReceiptLine("A", 3), ReceiptLine("A", 2, 1, "dented")], receipt_id="r1", at=T0
    )
    assert booked.status == PARTIALLY_RECEIVED
    assert (booked.lines[0].qty_received, booked.lines[0].qty_rejected) == (5, 1)
    assert booked.receipts == (ReceiptNote("r1", T0, 5, 1),)
    closed = apply_receipt(
        booked, [ReceiptLine("B", 4), ReceiptLine("A", 0, close_short=True)], receipt_id="r2", at=T0
    )
    assert closed.status == RECEIVED and closed.lines[0].qty_outstanding == 0
    undone = reverse_receipt(
        closed, [ReceiptLine("B", 4), ReceiptLine("A", 0, close_short=True)], receipt_id="r2", at=T0
    )
    assert undone.lines == booked.lines and undone.status == PARTIALLY_RECEIVED
    assert [r.reversed for r in undone.receipts] == [False, True]
    nothing = reverse_receipt(booked, [ReceiptLine("A", 5, 1)], receipt_id="r1", at=T0)
    assert nothing.status == IN_TRANSIT and nothing.units_received == 0


def test_receipts_the_shipment_cannot_take_are_refused() -> None:
    s = shipment(ShipmentLine("A", 2))
    with pytest.raises(ReceiptError, match="not on shipment PO-1"):
        apply_receipt(s, [ReceiptLine("B", 1)], receipt_id="r", at=T0)
    with pytest.raises(ReceiptError, match="negative"):
        apply_receipt(s, [ReceiptLine("A", 1, -1)], receipt_id="r", at=T0)
    with pytest.raises(ReceiptError) as over:
        apply_receipt(s, [ReceiptLine("A", 2, 1)], receipt_id="r", at=T0)
    assert over.value.over_receipt
    assert apply_receipt(s, [ReceiptLine("A", 3)], receipt_id="r", at=T0, allow_over=True)
    with pytest.raises(ReceiptError, match="closed"):
        apply_receipt(
            shipment(ShipmentLine("A", 2), status=CLOSED),
            [ReceiptLine("A", 1)],
            receipt_id="r",
            at=T0,
        )


def test_stock_deltas_follow_native_backorders_and_reverse_exactly() -> None:
    queue = [bl(1, 11, 7, 3), bl(2, 21, 7, 2)]
    plan = allocate(queue, {7: 8})
    levels = {
        (7, 1): StockLevel(7, 1, 0, 2),  # receiving location owes 2
        (7, 2): StockLevel(7, 2, 1, 4),  # the shop owes 4
    }
    deltas = receipt_deltas(plan, {7: 8}, levels, 1)
    after = apply_deltas(levels, deltas)
    assert after == [StockLevel(7, 1, 3, 0), StockLevel(7, 2, 1, 1)]
    items = adjustment_items(after)
    assert items == {
        1: [{"location_id": 1, "variant_id": 7, "quantity": 3, "qty_backordered": 0}],
        2: [{"location_id": 2, "variant_id": 7, "quantity": 1, "qty_backordered": 1}],
    }
    now = {(x.variant_id, x.location_id): x for x in after}
    assert apply_deltas(now, deltas, sign=-1) == [levels[(7, 1)], levels[(7, 2)]]
    # A store without native backorders: qty_backordered is never sent.
    plain = apply_deltas({(7, 1): StockLevel(7, 1, 0, None)}, receipt_deltas(plan, {7: 8}, {}, 1))
    assert plain == [StockLevel(7, 1, 3, None)]
    assert "qty_backordered" not in adjustment_items(plain)[1][0]


def test_scorecard_on_time_fill_rate_and_delay() -> None:
    suppliers = [Supplier("acme", "Acme"), Supplier("slow", "Slow Co"), Supplier("new", "New")]
    today = date(2026, 11, 26)

    def made(
        sid: str, sup: str, expected: date, arrived: date | None, exp: int, got: int, status: str
    ) -> Shipment:
        receipts = (
            (ReceiptNote("r", datetime.combine(arrived, datetime.min.time(), UTC), got),)
            if arrived
            else ()
        )
        return Shipment(
            sid, sid, sup, status, expected, (ShipmentLine("A", exp, got),), receipts=receipts
        )

    shipments = [
        made("1", "acme", date(2026, 11, 1), date(2026, 10, 30), 10, 10, RECEIVED),
        made("2", "acme", date(2026, 11, 5), date(2026, 11, 9), 10, 8, CLOSED),
        made("3", "slow", date(2026, 11, 20), None, 5, 0, IN_TRANSIT),  # 6 days late so far
        made("4", "slow", date(2026, 12, 20), None, 5, 0, ORDERED),  # not due: not judged
    ]
    cards = {
        c.supplier_id: c for c in scorecards(suppliers, [outcome_of(s) for s in shipments], today)
    }
    assert cards["acme"].on_time_rate == 0.5
    assert cards["acme"].fill_rate == 0.9
    assert cards["acme"].avg_delay_days == 2.0
    assert (cards["slow"].on_time_rate, cards["slow"].avg_delay_days) == (0.0, 6.0)
    assert cards["slow"].fill_rate is None
    assert cards["new"].as_dict() == {
        "name": "New",
        "on_time_rate": None,
        "fill_rate": None,
        "avg_delay_days": None,
    }


def test_on_time_means_the_whole_shipment_by_its_expected_date() -> None:
    """Issue 14: a supplier shown 100% on time while its shipment was listed 2 days late."""
    today = date(2026, 12, 7)

    def at(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), UTC)

    partly = Shipment(
        "p", "PO-P", "acme", PARTIALLY_RECEIVED, date(2026, 12, 5),
        (ShipmentLine("A", 10, 4),), receipts=(ReceiptNote("r1", at(date(2026, 12, 1)), 4),),
    )  # fmt: skip
    finished_late = Shipment(
        "f", "PO-F", "acme", RECEIVED, date(2026, 11, 20), (ShipmentLine("A", 6, 5, 1),),
        receipts=(
            ReceiptNote("r2", at(date(2026, 11, 18)), 3),
            ReceiptNote("r3", at(date(2026, 11, 23)), 2, 1),
        ),
    )  # fmt: skip
    partly_not_due = Shipment(
        "n", "PO-N", "slow", PARTIALLY_RECEIVED, date(2026, 12, 20),
        (ShipmentLine("A", 10, 4),), receipts=(ReceiptNote("r4", at(date(2026, 12, 1)), 4),),
    )  # fmt: skip
    cards = {
        c.supplier_id: c
        for c in scorecards(
            [Supplier("acme", "Acme"), Supplier("slow", "Slow")],
            [outcome_of(s) for s in (partly, finished_late, partly_not_due)],
            today,
        )
    }
    # Both acme shipments are late: 2 days so far, and complete 3 days after the date.
    assert (cards["acme"].shipments, cards["acme"].on_time_rate) == (2, 0.0)
    assert cards["acme"].avg_delay_days == 2.5
    assert cards["slow"].on_time_rate is None  # part in, the rest not due yet: not judged
    # The archived form keeps the day it completed.
    archived = ShipmentOutcome.from_doc(outcome_of(finished_late).to_doc())
    assert archived.completed == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-2", "cannot be negative"),
        ("2.5", "whole number"),
        ("", "whole number"),
        ("ten", "whole number"),
        ("99999999", "too large"),
    ],
)
def test_bad_quantities_get_clear_messages(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/12/2026", "not a date like"),
        ("2026-13-01", "does not exist"),
        ("2026-02-29", "does not exist"),
        ("tomorrow", "not a date like"),
    ],
)
def test_impossible_dates_are_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_expected_date(text)
    assert parse_expected_date(" 2028-02-29 ") == date(2028, 2, 29)


def test_line_specs() -> None:
    assert parse_line_spec("AB-1:3") == ("AB-1", 3, 0)
    assert parse_line_spec("AB-1:3:1", with_rejected=True) == ("AB-1", 3, 1)
    assert parse_line_spec("A:B:3", with_rejected=True) == ("A:B", 3, 0)
    with pytest.raises(InputError, match="form SKU:QTY"):
        parse_line_spec("AB-1")


@given(st.text(max_size=12))
def test_quantity_parser_takes_digits_or_raises_input_error(text: str) -> None:
    try:
        value = parse_quantity(text)
    except InputError:
        return
    assert value >= 0 and text.strip().lstrip("+").isdigit()


def test_a_500_line_shipment_fits_one_metafield_and_a_huge_one_is_refused() -> None:
    lines = tuple(
        ShipmentLine(f"SUPPLIER-SKU-{n:06d}-XL", 40, 20, 1, variant_id=100_000 + n)
        for n in range(500)
    )
    big = Shipment(
        "s-abcdef123456",
        "PO-2026-000123",
        "acme",
        PARTIALLY_RECEIVED,
        date(2026, 12, 1),
        lines,
        created_at=T0,
        updated_at=T0,
    )
    check_shipment(big)
    assert len(big.to_json()) < METAFIELD_VALUE_MAX
    huge = Shipment(
        "s2",
        "PO-2",
        "acme",
        ORDERED,
        None,
        tuple(ShipmentLine(f"S{n:08d}", 1) for n in range(3000)),
    )
    with pytest.raises(InputError, match="too large to store"):
        check_shipment(huge)
    assert Shipment.from_json(big.to_json()) == big


def test_archive_takes_old_finished_shipments_and_splits_full_records() -> None:
    old = T0 - timedelta(days=90)
    finished = [
        Shipment(
            f"s{n}",
            f"PO-{n}",
            "acme",
            RECEIVED,
            date(2026, 8, 1),
            (ShipmentLine("A", 5, 5),),
            updated_at=old,
        )
        for n in range(1000)
    ]
    fresh = Shipment("x", "PO-x", "acme", RECEIVED, date(2026, 8, 1), updated_at=T0)
    still_open = Shipment("y", "PO-y", "acme", IN_TRANSIT, date(2026, 8, 1), updated_at=old)
    due = archive_due([*finished, fresh, still_open], T0)
    assert due == finished
    records = pack_archive({}, due)
    assert len(records) >= 2 and all(
        len(archive_value(v)) <= ARCHIVE_VALUE_BUDGET for v in records.values()
    )
    assert sum(len(v) for v in records.values()) == 1000
    assert pack_archive(records, due[:3]) == {}  # archived before: nothing changes


def test_release_record_round_trip_and_notes() -> None:
    record = ReleaseRecord(T0, 11, 9, False, (ReleaseLine(5, "A", 2),))
    assert ReleaseRecord.from_json(record.to_json()) == record
    assert ReleaseRecord.from_json(record.undo().to_json()).undone
    assert append_note("", "x") == "x" and append_note("old\n", "x") == "old\nx"


def test_csv_import_accepts_common_layouts_and_refuses_bad_rows() -> None:
    assert lines_from_csv("\ufeffSKU;Quantity\nA-1;3\nB-2;4\nA-1;1\n") == (
        ShipmentLine("A-1", 4),
        ShipmentLine("B-2", 4),
    )
    assert lines_from_csv("A-1,3\nB-2,5\n") == (ShipmentLine("A-1", 3), ShipmentLine("B-2", 5))
    with pytest.raises(InputError, match="row 3: Quantity for B-2 cannot be negative"):
        lines_from_csv("sku,qty\nA,1\nB-2,-5\n")
    with pytest.raises(InputError, match="row 2: the SKU is empty"):
        lines_from_csv("sku,qty\n,1\n")
    with pytest.raises(InputError, match="empty"):
        lines_from_csv("  \n")
