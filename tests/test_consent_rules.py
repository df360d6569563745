"""Delay policy and consent rules (issue 19.1), as pure functions: which delay asks for consent,
the reply-by day, and the state an order's log and answers give."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from backorder_desktop.domain.consent import (
    ASKED,
    EXPIRED,
    GIVEN,
    NONE,
    REFUSED,
    US,
    Answer,
    consent_status,
    default_policy,
    dump_answers,
    effective_policy,
    parse_answers,
    reply_by,
)
from backorder_desktop.domain.models import BackorderLine
from backorder_desktop.domain.notice_log import (
    CONFIRMATION,
    CONSENT,
    DELAY,
    NoticeRecord,
    ToldLine,
    dump_log,
    parse_log,
)
from backorder_desktop.domain.notices import select_due

DAY = date(2026, 12, 1)


def _at(days: int) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, 12, tzinfo=UTC) + timedelta(days=days)


def _record(
    rid: str, kind: str, days: int, eta: date | None, reply_by: date | None = None
) -> NoticeRecord:
    lines = (ToldLine(70, "TENT", 1, eta),)
    return NoticeRecord(rid, 7, kind, _at(days), eta, lines, reply_by=reply_by)


def _line(eta: date | None) -> BackorderLine:
    return BackorderLine(
        order_id=7, line_id=70, order_date=_at(-5), customer_email="a@example.com",
        customer_name="Ann", sku="TENT", variant_id=1, product_id=1, name="Tent",
        qty_ordered=1, qty_waiting=1, queue_position=1, priority=0, eta=eta,
        eta_source="manual",
    )  # fmt: skip


def test_the_default_policy_follows_the_store_country() -> None:
    assert default_policy("United States") == US
    assert default_policy(" united states ") == US
    assert default_policy("Germany") == NONE
    assert default_policy(None) == NONE  # never read: no rule to follow
    assert effective_policy(NONE, "United States") == NONE  # the merchant's choice wins
    assert effective_policy("auto", "United States") == US


def test_us_rule_first_delay_with_a_date_tells_a_later_delay_asks() -> None:
    confirmed = [_record("c", CONFIRMATION, 0, DAY + timedelta(10))]
    today = DAY + timedelta(1)
    first = select_due([_line(DAY + timedelta(20))], {7: confirmed}, today=today, policy=US)
    assert [n.kind for n in first] == [DELAY]
    assert first[0].reply_by is None

    delayed = [*confirmed, _record("d", DELAY, 1, DAY + timedelta(20))]
    today = DAY + timedelta(2)
    second = select_due([_line(DAY + timedelta(30))], {7: delayed}, today=today, policy=US)
    assert [n.kind for n in second] == [CONSENT]
    # The customer has until the end of the delay they already accepted.
    assert second[0].reply_by == DAY + timedelta(20)

    none = select_due([_line(DAY + timedelta(30))], {7: delayed}, today=today, policy=NONE)
    assert [n.kind for n in none] == [DELAY]


def test_a_first_delay_without_a_date_asks_for_consent() -> None:
    confirmed = [_record("c", CONFIRMATION, 0, DAY + timedelta(10))]
    today = DAY + timedelta(8)
    due = select_due([_line(None)], {7: confirmed}, today=today, policy=US)
    assert [n.kind for n in due] == [CONSENT]
    assert due[0].reply_by == today + timedelta(7)  # the old date is too near: a week at least


def test_reply_by_gives_at_least_a_week_and_thirty_days_without_any_date() -> None:
    assert reply_by(DAY + timedelta(20), DAY) == DAY + timedelta(20)
    assert reply_by(DAY - timedelta(3), DAY) == DAY + timedelta(7)
    assert reply_by(None, DAY) == DAY + timedelta(30)


def test_consent_states_through_answers_and_the_reply_by_day() -> None:
    log = [
        _record("c", CONFIRMATION, 0, DAY + timedelta(10)),
        _record("d", DELAY, 1, DAY + timedelta(20)),
        _record("q", CONSENT, 2, DAY + timedelta(30), reply_by=DAY + timedelta(20)),
    ]
    assert consent_status(log[:2], [], DAY + timedelta(3)).state is None
    assert consent_status(log, [], DAY + timedelta(20)).state == ASKED
    assert consent_status(log, [], DAY + timedelta(21)).state == EXPIRED
    given = [Answer(GIVEN, _at(3), "staff", "q")]
    assert consent_status(log, given, DAY + timedelta(40)).state == GIVEN
    refused = [*given, Answer(REFUSED, _at(4), "reply", "q")]
    status = consent_status(log, refused, DAY + timedelta(5))
    assert (status.state, status.source, status.to_cancel) == (REFUSED, "reply", True)
    # Consent to one delay is not consent to the next.
    later = [*log, _record("q2", CONSENT, 6, DAY + timedelta(45), reply_by=DAY + timedelta(30))]
    status = consent_status(later, given, DAY + timedelta(7))
    assert status.state == ASKED and status.reply_by == DAY + timedelta(30)
    assert [(d.revised, d.asked) for d in status.delays] == [
        (DAY + timedelta(20), False),
        (DAY + timedelta(30), True),
        (DAY + timedelta(45), True),
    ]


def test_records_and_answers_survive_their_metafield_text() -> None:
    record = _record("q", CONSENT, 2, DAY + timedelta(30), reply_by=DAY + timedelta(20))
    assert parse_log(dump_log([record]), 7) == [record]
    answers = [Answer(GIVEN, _at(3), "staff", "q")]
    assert parse_answers(dump_answers(answers)) == answers
    assert parse_answers('{"answers": [{"state": "maybe", "at": "2026-12-01T00:00:00Z"}]}') == []
    assert parse_answers("not json") == []


def test_orders_awaiting_cancellation_are_not_asked_again() -> None:
    log = [
        _record("d", DELAY, 1, DAY + timedelta(20)),
        _record("q", CONSENT, 2, DAY + timedelta(30), reply_by=DAY + timedelta(20)),
    ]
    today = DAY + timedelta(25)
    line = _line(DAY + timedelta(60))
    assert [n.kind for n in select_due([line], {7: log}, today=today, policy=US)] == [CONSENT]
    assert select_due([line], {7: log}, today=today, policy=US, awaiting_cancel={7}) == []
