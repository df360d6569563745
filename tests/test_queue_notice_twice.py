"""The stateful test's finding "#119: a delay repeating None" (docs/DECISIONS.md): notify runs
on one day stamped with the same instant let random record ids decide what a line was last
told, and the same "no date yet" delay went out twice; an "on its way" notice tells no date."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import cast

from backorder_desktop.domain.models import BackorderLine
from backorder_desktop.domain.notice_log import (
    CONFIRMATION,
    DELAY,
    RELEASED,
    NoticeRecord,
    ToldLine,
    told_by_line,
)
from backorder_desktop.domain.notices import line_kind
from backorder_desktop.services.dock.shipments import list_shipments
from backorder_desktop.services.queue import QueueState
from tests.support.queue_world import World, open_world

NOON = datetime(2026, 12, 7, 12, tzinfo=UTC)
DAY = date(2026, 12, 20)


def _record(rid: str, kind: str, at: datetime, eta: date | None) -> NoticeRecord:
    return NoticeRecord(rid, 119, kind, at, eta, (ToldLine(7, "MUG", 1, eta),))


def _line(eta: date | None) -> BackorderLine:
    return BackorderLine(
        order_id=119, line_id=7, order_date=NOON, customer_email="a@example.com",
        customer_name="A", sku="MUG", product_id=1, variant_id=2, name="Mug",
        qty_ordered=2, qty_waiting=1, queue_position=1, priority=0, eta=eta,
        eta_source="unknown" if eta is None else "manual",
    )  # fmt: skip


def test_a_line_told_no_date_after_its_date_is_not_told_again() -> None:
    """Domain rule: told a date, then (a later run) "no date yet": nothing more to say while
    there is still no date, even if its id sorts first."""
    records = [
        _record("zz", CONFIRMATION, NOON, DAY),
        _record("aa", DELAY, NOON + timedelta(1), None),
    ]
    assert line_kind(_line(None), told_by_line(records)[7]) is None
    assert line_kind(_line(DAY + timedelta(3)), told_by_line(records)[7]) == CONFIRMATION


def test_the_invariant_does_not_count_an_on_its_way_notice_as_a_date_told() -> None:
    """Told a date, part of the order released ("on its way", no date), then the rest has no
    date any more: one delay, the first one; the invariant must not call it a repeat."""
    records = [
        _record("c", CONFIRMATION, NOON, DAY),
        _record("r", RELEASED, NOON + timedelta(seconds=1), None),
        _record("d", DELAY, NOON + timedelta(seconds=2), None),
    ]
    state = cast(QueueState, SimpleNamespace(logs={119: records}))
    assert World.no_notice_twice(cast(World, None), state) == ""
    twice = [*records, _record("e", DELAY, NOON + timedelta(seconds=3), None)]
    state = cast(QueueState, SimpleNamespace(logs={119: twice}))
    assert World.no_notice_twice(cast(World, None), state) == "#119: a delay repeating None"


def test_notify_runs_on_one_day_never_repeat_a_delay() -> None:
    """The fixed sequence: shoppers order, notify (dates told), the supplier shipment they
    wait for is closed (no date any more), then notify three times on the same day."""
    worlds = open_world(1)
    world = next(worlds)
    try:
        for pick in range(3):
            world.shopper_order(pick, 3)
        world.sync()
        world.notify()
        dated = {line.eta_ref for line in world.state().queue if line.eta_source == "shipment"}
        inbound = [s for s in list_shipments(world.cache) if s.is_inbound]
        pick = next(i for i, s in enumerate(inbound) if s.reference in dated)
        world.close_shipment(pick)
        world.notify()
        sent = len(world.sink.messages())
        world.notify()
        world.notify()
        state = world.state()
        # What a line was last told is ordered by time: each run stamps after the one before.
        told_at = Counter(
            (order_id, line.line_id, r.sent_at)
            for order_id, records in state.logs.items()
            for r in records
            if r.kind != RELEASED
            for line in r.lines
        )
        assert max(told_at.values()) == 1
        delays = Counter(
            (order_id, line.line_id)
            for order_id, records in state.logs.items()
            for r in records
            if r.kind == DELAY
            for line in r.lines
        )
        assert delays, f"the sequence must send delays to mean anything: {world.log}"
        assert max(delays.values()) == 1, f"delays sent twice: {delays.most_common(3)}"
        assert len(world.sink.messages()) == sent, world.log  # nothing more was e-mailed
        world.check()
    finally:
        worlds.close()
