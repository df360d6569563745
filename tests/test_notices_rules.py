"""Which notices are due (pure rules) and the notice log's JSON form."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from backorder_desktop.domain.models import BackorderLine, Order, OrderLine
from backorder_desktop.domain.notice_log import (
    CHECK_IN,
    CONFIRMATION,
    DELAY,
    MAX_LOG_CHARS,
    RELEASED,
    NoticeRecord,
    ToldLine,
    dump_log,
    merge_logs,
    parse_log,
    told_by_line,
)
from backorder_desktop.domain.notices import Release, backorder_status, select_due

TODAY = date(2026, 11, 26)
D1, D2 = date(2026, 12, 1), date(2026, 12, 15)


def waiting(order_id: int, line_id: int, eta: date | None, qty: int = 1) -> BackorderLine:
    return BackorderLine(
        order_id=order_id,
        line_id=line_id,
        order_date=datetime(2026, 11, 20, tzinfo=UTC),
        customer_email=f"buyer{order_id}@example.com",
        customer_name=f"Buyer {order_id}",
        sku=f"SKU-{line_id}",
        product_id=1,
        variant_id=line_id,
        name=f"Item {line_id}",
        qty_ordered=qty,
        qty_waiting=qty,
        queue_position=1,
        priority=0,
        eta=eta,
    )


def told(order_id: int, kind: str, *lines: tuple[int, date | None], days_ago: int = 1):
    return NoticeRecord(
        id=f"{order_id}-{kind}-{days_ago}",
        order_id=order_id,
        kind=kind,
        sent_at=datetime(2026, 11, 26, 9, tzinfo=UTC) - timedelta(days=days_ago),
        eta=lines[0][1] if lines else None,
        lines=tuple(ToldLine(line_id, "", 1, eta) for line_id, eta in lines),
    )


def kinds(due) -> list[tuple[int, str]]:
    return [(n.order_id, n.kind) for n in due]


def test_never_told_is_a_confirmation_one_per_order_with_all_its_new_lines() -> None:
    due = select_due(
        [waiting(1, 10, D1), waiting(1, 11, None), waiting(2, 20, D2)], {}, today=TODAY
    )
    assert kinds(due) == [(1, CONFIRMATION), (2, CONFIRMATION)]
    assert [line.line_id for line in due[0].lines] == [10, 11]
    assert due[0].eta is None  # one line has no date: the order's ETA is unknown
    assert due[1].eta == D2 and due[1].email == "buyer2@example.com"


def test_same_or_earlier_eta_is_not_due_later_is_a_delay() -> None:
    queue = [waiting(1, 10, D1), waiting(2, 20, D1), waiting(3, 30, D2)]
    logs = {
        1: [told(1, CONFIRMATION, (10, D1))],
        2: [told(2, CONFIRMATION, (20, D2))],  # the ETA moved earlier: nothing to say
        3: [told(3, CONFIRMATION, (30, D1))],
    }
    due = select_due(queue, logs, today=TODAY)
    assert kinds(due) == [(3, DELAY)]
    assert due[0].old_eta == D1 and due[0].eta == D2


def test_a_date_no_longer_known_is_a_delay_and_a_new_date_after_unknown_a_confirmation() -> None:
    queue = [waiting(1, 10, None), waiting(2, 20, D1)]
    logs = {1: [told(1, CONFIRMATION, (10, D1))], 2: [told(2, CONFIRMATION, (20, None))]}
    assert kinds(select_due(queue, logs, today=TODAY)) == [(1, DELAY), (2, CONFIRMATION)]


def test_the_latest_notice_is_what_the_customer_was_told() -> None:
    records = [told(1, CONFIRMATION, (10, D1), days_ago=5), told(1, DELAY, (10, D2), days_ago=2)]
    assert told_by_line(records)[10].eta == D2
    assert select_due([waiting(1, 10, D2)], {1: records}, today=TODAY) == []


def test_released_once_unless_undone_and_only_with_someone_to_tell() -> None:
    order = Order(
        id=5,
        status_id=9,
        date_created=datetime(2026, 11, 1, tzinfo=UTC),
        date_modified=datetime(2026, 11, 1, tzinfo=UTC),
        customer_id=0,
        customer_email="five@example.com",
        customer_name="Five",
        total_inc_tax=10.0,
        currency_code="USD",
        lines=(OrderLine(50, 5, 1, 1, "S", "Shoe", 2, 0, 5.0),),
    )
    releases = [
        Release(5, datetime(2026, 11, 25, tzinfo=UTC), lines=((50, "S", 2),)),
        Release(6, datetime(2026, 11, 25, tzinfo=UTC), undone=True),
        Release(7, datetime(2026, 11, 25, tzinfo=UTC)),  # not cached, no email in the record
    ]
    due = select_due([], {}, orders={5: order}, releases=releases, today=TODAY)
    assert kinds(due) == [(5, RELEASED)]
    assert due[0].email == "five@example.com"
    assert [(line.name, line.qty) for line in due[0].lines] == [("Shoe", 2)]
    sent = told(5, RELEASED, (50, None))
    logs = {5: [replace(sent, lines=(ToldLine(50, "S", 2, None),))]}  # told both units
    assert select_due([], logs, orders={5: order}, releases=releases, today=TODAY) == []


def test_check_in_every_n_days_only_when_enabled_and_nothing_else_is_due() -> None:
    queue = [waiting(1, 10, D1), waiting(2, 20, D1)]
    logs = {
        1: [told(1, CONFIRMATION, (10, D1), days_ago=8)],
        2: [told(2, CONFIRMATION, (20, D1), days_ago=3)],
    }
    assert select_due(queue, logs, today=TODAY) == []  # off by default
    due = select_due(queue, logs, today=TODAY, checkin_days=7)
    assert kinds(due) == [(1, CHECK_IN)]
    # Once the check-in is logged, the next one is N days later.
    logs[1].append(told(1, CHECK_IN, (10, D1), days_ago=0))
    assert select_due(queue, logs, today=TODAY, checkin_days=7) == []


def test_log_json_round_trip_merge_and_size_limit() -> None:
    first = told(1, CONFIRMATION, (10, D1), days_ago=3)
    second = told(1, DELAY, (10, D2), days_ago=1)
    text = dump_log([second, first])
    assert [r.kind for r in parse_log(text, 1)] == [CONFIRMATION, DELAY]
    assert parse_log("not json", 1) == [] and parse_log('[{"kind": 1}]', 1) == []
    unconfirmed = NoticeRecord(**{**_fields(second), "unconfirmed": True})
    merged = merge_logs([unconfirmed], [first, second])
    assert [r.unconfirmed for r in merged] == [False, False]  # a confirmed copy wins
    many = [
        NoticeRecord(f"n{i}", 1, CHECK_IN, datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=i),
                     D1, tuple(ToldLine(j, "SKU-LONG-NAME", 1, D1) for j in range(40)))
        for i in range(100)
    ]  # fmt: skip
    trimmed = dump_log(many)
    assert len(trimmed) <= MAX_LOG_CHARS
    kept = json.loads(trimmed)
    assert kept[-1]["id"] == "n99"  # the newest entries stay


def test_storefront_status_document() -> None:
    doc = backorder_status([waiting(1, 10, D1, qty=2), waiting(1, 11, D2)])
    assert doc["state"] == "waiting" and doc["lines_waiting"] == 2 and doc["units_waiting"] == 3
    assert doc["eta"] == D2.isoformat()
    assert backorder_status([], released=True)["state"] == "released"


def _fields(record: NoticeRecord) -> dict:
    return {name: getattr(record, name) for name in NoticeRecord.__dataclass_fields__}
