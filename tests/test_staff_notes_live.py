"""Staff notes typed in BigCommerce's control panel after the last sync survive a release/undo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.dock.receiving import commit_receipt
from backorder_desktop.services.dock.releasing import ready_orders, release_orders, undo_release
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.sync.push import push
from tests.support.demo_store_http import DemoApi
from tests.support.shipments import Env, demo_env, make_due_now, variant_with_waiting_lines


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    with demo_env(tmp_path) as e:
        yield e


def _ready_order(env: Env) -> int:
    vid, lines = variant_with_waiting_lines(env.cache)
    sku, waiting = lines[0].sku, sum(line.qty_waiting for line in lines)
    shipment, _ = add_shipment(env.cache, supplier="Acme", expected=None, lines=[(sku, waiting)])
    commit_receipt(env.cache, shipment.id, [ReceiptLine(sku, waiting)], receipt_id="r-notes")
    env.push()
    return ready_orders(env.cache)[0].order_id


def _type_in_control_panel(env: Env, order_id: int, line: str) -> None:
    with DemoApi(env.store) as api:
        notes = api.get(f"/v2/orders/{order_id}").json()["staff_notes"]
        changed = api.put(f"/v2/orders/{order_id}", {"staff_notes": f"{notes}\n{line}".strip()})
        assert changed.status_code == 200


def test_a_note_typed_after_the_sync_survives_release_and_undo(env: Env) -> None:
    order_id = _ready_order(env)
    release_orders(env.cache, [order_id])  # queued with this laptop's (older) copy of the order
    _type_in_control_panel(env, order_id, "Customer called: leave at the back door")
    assert env.push().failed == 0
    notes = env.store.state.orders[order_id].staff_notes
    assert "Customer called: leave at the back door" in notes
    assert notes.rstrip().endswith(")."), notes  # the release line came after the typed one
    assert "released from backorder" in notes.splitlines()[-1]
    undo_release(env.cache, order_id)
    _type_in_control_panel(env, order_id, "Second call: wants it Friday")
    assert env.push().failed == 0
    after = env.store.state.orders[order_id].staff_notes
    assert after.startswith(notes)  # nothing typed or written before is lost
    assert "Second call: wants it Friday" in after
    assert "release undone" in after.splitlines()[-1]
    assert len(after.splitlines()) == len(notes.splitlines()) + 2  # the typed line + the undo


def test_a_note_whose_answer_was_lost_is_not_appended_twice(env: Env) -> None:
    order_id = _ready_order(env)
    before = env.store.state.orders[order_id].staff_notes
    release_orders(env.cache, [order_id])
    env.store.faults.script("PUT", rf"^/v2/orders/{order_id}$", "500", when="after", times=3)
    assert push(env.client, env.cache).pending >= 1  # applied, answer lost
    make_due_now(env.cache)
    assert env.push().failed == 0
    after = env.store.state.orders[order_id].staff_notes
    assert len(after.splitlines()) == len(before.splitlines()) + 1


def test_notes_for_many_orders_are_read_in_one_listing_not_one_get_each(env: Env) -> None:
    from backorder_desktop.bigcommerce import operations as ops
    from backorder_desktop.services.notices.notice_records import OUTBOX_KIND
    from backorder_desktop.services.sync_control.outbox_ops import queue

    orders = sorted(env.store.state.open_orders(), key=lambda o: o.id)[:12]
    with env.cache.transaction():
        for order in orders:
            queue(env.cache, "b", OUTBOX_KIND, ops.append_staff_note(order.id, "x1"))
    _type_in_control_panel(env, orders[3].id, "Typed meanwhile")
    env.store.clear_requests()
    assert env.push().failed == 0
    reads = [r for r in env.store.requests if r.method == "GET" and r.path.startswith("/v2/")]
    assert len(reads) == 1  # one listing by id range for the 12 orders
    for order in orders:
        assert env.store.state.orders[order.id].staff_notes.endswith("x1")
    assert "Typed meanwhile" in env.store.state.orders[orders[3].id].staff_notes
