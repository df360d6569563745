"""Two notices to one order in the same second: the later one is what the line was last told."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from backorder_desktop.domain.notice_log import (
    NoticeRecord,
    ToldLine,
    dump_log,
    parse_log,
    told_by_line,
)


def test_a_delay_sent_in_the_same_second_as_the_confirmation_wins_after_a_round_trip() -> None:
    t0 = datetime(2026, 11, 26, 15, 0, 0, 100_000, tzinfo=UTC)
    first = NoticeRecord(
        "zz-confirmation",
        276,
        "confirmation",
        t0,
        date(2026, 12, 1),
        (ToldLine(9, "MUG", 1, date(2026, 12, 1)),),
    )
    # An id that sorts before the first one: ordering must come from the time, not the id.
    later = NoticeRecord(
        "aa-delay",
        276,
        "delay",
        t0 + timedelta(milliseconds=300),
        date(2026, 12, 13),
        (ToldLine(9, "MUG", 1, date(2026, 12, 13)),),
    )
    records = parse_log(dump_log([first, later]), 276)
    assert told_by_line(records)[9].eta == date(2026, 12, 13)
