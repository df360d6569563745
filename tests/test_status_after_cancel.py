"""`status` (and the window's status line) count the waiting lines the Backorders tab shows,
also after a cancellation: found by the stateful queue test (tests/test_queue_stateful.py),
whose `status_counts_the_queue` broke after a cancel that left the order open."""

from __future__ import annotations

from pathlib import Path

from backorder_desktop.services.dock.cancel_plan import plan_cancel
from backorder_desktop.services.dock.cancelling import execute_cancel
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.sync_control.actions import run_action
from backorder_desktop.services.sync_control.status import store_status
from tests.support.notices import notice_rig
from tests.test_cancel_refund import two_line_order


def test_a_line_cancelled_whole_is_no_longer_counted_as_waiting(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig:
        order_id, (first, second) = two_line_order(rig)
        cache = rig.session.cache
        before = store_status(cache)["backorder_lines"]
        assert before == len(load_queue(cache))

        plan = plan_cancel(rig.session, {order_id: [(first.sku, None)]})
        outcome = run_action(rig.session, lambda s: execute_cancel(s, plan, reason="Gone")).result
        assert outcome.order_status == {order_id: 11}  # the order stays open, one line left

        waiting = [x for x in load_queue(cache) if x.order_id == order_id]
        assert [(x.sku, x.qty_waiting) for x in waiting] == [(second.sku, 3)]
        assert store_status(cache)["backorder_lines"] == len(load_queue(cache)) == before - 1
