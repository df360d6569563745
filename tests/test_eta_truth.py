"""Issue 14 on the real demo store: no date before today in the queue or in a planned notice,
whatever the clock says; overdue shipments flagged and dated; previews that tell the change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from backorder_desktop.domain.bulk import VariantEdit
from backorder_desktop.domain.eta import MANUAL, OVERDUE, TO_CONFIRM
from backorder_desktop.domain.eta_moves import dates_needed
from backorder_desktop.domain.notice_log import DELAY
from backorder_desktop.mail.templates import NoticeRenderer
from backorder_desktop.services.bulk import bulk_edit as bulk
from backorder_desktop.services.dock.eta_choices import choose_supplier, set_expected_date
from backorder_desktop.services.dock.shipments import list_shipments, save_supplier
from backorder_desktop.services.notices.eta_preview import (
    describe_moves,
    preview_close,
    preview_priority,
)
from backorder_desktop.services.notices.notify import NoticeOptions, plan_notices, prepare_notices
from backorder_desktop.services.queue import load_queue, load_queue_state
from tests.support.notices import notice_rig
from tests.support.shipments import Env, demo_env


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    with demo_env(tmp_path_factory.mktemp("eta-truth")) as e:
        yield e


def clock_dates(env: Env) -> list[date]:
    """Today, a month and a quarter on, and the day after every shipment's expected date."""
    today = datetime.now(UTC).date()
    expected = [s.expected_date for s in list_shipments(env.cache) if s.expected_date]
    return sorted({today, today + timedelta(days=30), today + timedelta(days=90)} | {
        d + timedelta(days=1) for d in expected
    })  # fmt: skip


def test_no_queue_line_or_planned_notice_names_a_date_before_today(env: Env) -> None:
    cache = env.cache
    # A supplier with a lead time, chosen for some SKUs: lead-time ETAs are in play too.
    supplier = save_supplier(cache, "Slowboat Ltd", lead_time_days=21)
    some = sorted({line.sku for line in load_queue(cache)})[:5]
    choose_supplier(cache, some, supplier.id)
    renderer = NoticeRenderer()
    flagged_after_all = 0
    days = clock_dates(env)
    assert len(days) >= 5
    for today in days:
        state = load_queue_state(cache, today=today)
        assert state.queue
        past = [(x.order_id, x.sku, x.eta) for x in state.queue if x.eta and x.eta < today]
        assert past == [], f"queue on {today}"
        plan = plan_notices(cache, today=today, state=state)
        for notice in plan.due:
            dated = [line.eta for line in notice.lines if line.eta]
            assert all(d >= today for d in dated), (today, notice.order_id, notice.kind)
        # The mails as they would go out that day name no passed date either.
        now = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
        for prepared in prepare_notices(plan.due[:40], renderer, NoticeOptions("Demo"), now=now):
            eta = prepared.record.eta
            assert eta is None or eta >= today
        if today > max(s.expected_date for s in list_shipments(cache) if s.expected_date):
            flagged_after_all = sum(x.eta_source in (OVERDUE, TO_CONFIRM) for x in state.queue)
    # After every expected date, the lines the inbound shipments covered ask for a new date.
    assert flagged_after_all > 0


def test_an_overdue_shipment_asks_for_a_date_and_its_delays_wait_for_it(env: Env) -> None:
    cache = env.cache
    today = datetime.now(UTC).date()
    overdue = next(
        s
        for s in list_shipments(cache)
        if s.is_inbound and s.expected_date and s.expected_date < today and s.units_outstanding
    )
    state = load_queue_state(cache, today=today)
    flagged = [x for x in state.queue if x.eta_source == OVERDUE and x.eta_ref == overdue.reference]
    assert flagged, "the demo store's PO-2039 is two days late"
    needed = dates_needed(state.queue)
    assert needed[0].label == f"overdue: {overdue.reference}, new date needed"
    assert needed[0].lines == len(flagged)
    # Nothing is sent to those customers about a date while it is missing.
    due = plan_notices(cache, today=today, state=state).due
    flagged_orders = {x.order_id for x in flagged if x.notified_eta is not None}
    assert not [n for n in due if n.kind == DELAY and n.order_id in flagged_orders]
    # A date before today is refused; a new date makes the lines dated again.
    with pytest.raises(ValueError, match="has passed"):
        set_expected_date(cache, overdue.id, today - timedelta(days=1), today=today)
    new = today + timedelta(days=10)
    set_expected_date(cache, overdue.id, new, today=today)
    after = {x.line_id: x for x in load_queue(cache, today=today)}
    assert all(after[x.line_id].eta_source != OVERDUE for x in flagged if x.line_id in after)
    assert any(after[x.line_id].eta == new for x in flagged if x.line_id in after)


def test_previews_name_whose_date_moves_and_write_nothing(env: Env) -> None:
    cache = env.cache
    today = datetime.now(UTC).date()
    queue = load_queue(cache, today=today)
    by_sku: dict[str, list] = {}
    for line in queue:
        by_sku.setdefault(line.sku, []).append(line)
    # A SKU whose first and last lines have different dates: raising the last one moves both.
    sku, lines = next(
        (s, ls) for s, ls in sorted(by_sku.items()) if len(ls) >= 2 and ls[0].eta != ls[-1].eta
    )
    last = lines[-1]
    rows_before = cache.outbox.counts()
    moves = preview_priority(cache, [last.order_id], +1, today=today)
    assert cache.outbox.counts() == rows_before  # a preview writes nothing
    moved = {m.order_id: m for m in moves if m.sku == sku}
    assert last.order_id in moved and not moved[last.order_id].later
    assert any(m.later for m in moved.values())  # someone is pushed back
    assert "->" in describe_moves(moves)
    # Closing an inbound shipment: its customers' dates move later, never to a passed date.
    shipment = next(s for s in list_shipments(cache) if s.is_inbound and s.expected_date
                    and s.expected_date >= today and s.units_outstanding)  # fmt: skip
    closing = preview_close(cache, shipment.id, today=today)
    assert closing and all(m.later for m in closing)
    assert all(m.after.date is None or m.after.date >= today for m in closing)
    assert cache.outbox.counts() == rows_before


def test_bulk_preview_before_after_is_the_eta_in_force_with_a_delay_warning(
    tmp_path: Path,
) -> None:
    with notice_rig(tmp_path) as rig:
        cache = rig.session.cache
        rig.notify()  # every waiting customer told their ETA
        queue = load_queue(cache)
        # A variant dated by its manual ETA, its customers told that date.
        line = next(x for x in queue if x.eta_source == MANUAL and x.notified_eta == x.eta)
        same = [x for x in queue if x.variant_id == line.variant_id]
        assert line.eta is not None
        later = line.eta + timedelta(days=30)
        plan = bulk.preview(cache, bulk.BulkRequest({line.variant_id: VariantEdit(eta=later)}))
        before, after = plan.eta_in_force[line.variant_id]
        assert before == (line.eta, "manual ETA") and after == (later, "manual ETA")
        [warning] = [w for w in plan.warnings if w.code == "eta_later_for_waiting"]
        customers = len({x.order_id for x in same})
        assert f"{customers} customer(s) will get a delay notice" in warning.message
        assert line.variant_id in warning.ids
        # The preview's before/after for a shipment-dated variant names the shipment.
        shipped = next(x for x in queue if x.eta_source == "shipment")
        plan = bulk.preview(cache, bulk.BulkRequest({shipped.variant_id: VariantEdit(eta=later)}))
        before, _after = plan.eta_in_force[shipped.variant_id]
        assert before[1] and before[1] != "manual ETA"
