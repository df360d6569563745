"""Cancelling waiting lines against the demo store: refunds made once, nothing half done,
the queue, qty_backordered, staff notes, statuses and the cancellation e-mail in the sink."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.demo_store.accounts import ALL_SCOPES
from backorder_desktop.domain.models import BackorderLine
from backorder_desktop.services.dock import cancelling
from backorder_desktop.services.dock.cancel_plan import CancelPlan, plan_cancel
from backorder_desktop.services.dock.cancelling import CancelOutcome, execute_cancel, prepare_cancel
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.sync_control.actions import run_action
from backorder_desktop.services.sync_control.syncing import push_outbox
from tests.support.demo_store_http import DemoApi, order_body, stock_identity
from tests.support.notices import Rig, by_order_and_kind, notice_rig

QUOTES = "/payment_actions/refund_quotes"
REFUNDS = "/payment_actions/refunds"


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with notice_rig(tmp_path) as r:
        yield r


def waiting_by_order(rig: Rig) -> dict[int, list[BackorderLine]]:
    out: dict[int, list[BackorderLine]] = defaultdict(list)
    for line in load_queue(rig.session.cache):
        out[line.order_id].append(line)
    return out


def two_line_order(rig: Rig) -> tuple[int, list[BackorderLine]]:
    """A web order of two fresh out-of-stock variants (2 and 3 units), sold past zero with
    native backorders, then synced: both lines wait in full."""
    store = rig.store
    state = store.state
    waiting = {ln.variant_id for o in state.open_orders() for ln in o.lines}
    vids = [
        v.id
        for v in state.variants.values()
        if state.tracked(v.id)
        and state.products[v.product_id].availability == "available"
        and state.products[v.product_id].inventory_tracking == "variant"
        and v.id not in waiting
    ][:2]
    with DemoApi(store) as api:
        for vid in vids:
            ident = stock_identity(store, vid)
            adjust = [{"location_id": 1, **ident, "quantity": 0, "qty_backordered": 0}]
            assert (
                api.put("/v3/inventory/adjustments/absolute", {"items": adjust}).status_code == 200
            )
            settings = {"settings": [{"identity": ident, "backorder_limit": 50}]}
            assert api.put("/v3/inventory/locations/1/items", settings).status_code == 200
        body = order_body(0, 0, 1)
        body["products"] = [
            {"product_id": state.variants[vid].product_id, "variant_id": vid, "quantity": qty}
            for vid, qty in zip(vids, (2, 3), strict=True)
        ]
        placed = api.post("/v2/orders", body)
        assert placed.status_code == 200, placed.text
        order_id = int(placed.json()["id"])
    rig.sync()
    lines = sorted(waiting_by_order(rig)[order_id], key=lambda x: x.line_id)
    assert [x.qty_waiting for x in lines] == [2, 3]
    return order_id, lines


def cancel(rig: Rig, selection: dict[int, list[tuple[str, int | None]]]) -> CancelOutcome:
    plan = plan_cancel(rig.session, selection)
    return run_action(rig.session, lambda s: execute_cancel(s, plan, reason="Discontinued")).result


def backordered(rig: Rig, variant_id: int) -> int:
    state = rig.store.state
    return state.inventory[
        (state.stock_variant(variant_id), state.default_location_id)
    ].qty_backordered


def posts(rig: Rig, suffix: str) -> int:
    return sum(1 for r in rig.store.requests if r.method == "POST" and r.path.endswith(suffix))


def test_cancel_and_refund_one_line_of_a_two_line_order(rig: Rig) -> None:
    order_id, (first, second) = two_line_order(rig)
    order = rig.store.state.orders[order_id]
    status_before = order.status_id
    line = next(x for x in order.lines if x.id == first.line_id)
    owed_before = backordered(rig, first.variant_id)
    rig.store.clear_requests()

    outcome = cancel(rig, {order_id: [(first.sku, None)]})

    # One quote and one refund, of exactly the cancelled units at their price with tax.
    assert posts(rig, QUOTES) == 1 and posts(rig, REFUNDS) == 1
    refunds = rig.store.state.orders[order_id].refunds
    assert [(i.item_id, i.quantity) for r in refunds for i in r.items] == [
        (first.line_id, first.qty_waiting)
    ]
    expected = round(line.price_inc_tax * first.qty_waiting, 2)
    assert refunds[0].total_amount == expected
    assert outcome.refunds == [
        {"order_id": order_id, "amount": expected, "currency": "USD", "status": "refunded"}
    ]
    # BigCommerce moved the order to Partially Refunded; the app put back its open status.
    assert rig.store.state.orders[order_id].status_id == status_before
    assert outcome.order_status == {order_id: status_before}
    assert backordered(rig, first.variant_id) == owed_before - first.qty_waiting
    note = rig.store.state.orders[order_id].staff_notes
    assert f"{first.qty_waiting} x {first.sku}" in note and f"refunded USD {expected:,.2f}" in note
    # The line left the queue (after a fresh sync too); the other still waits.
    rig.sync()
    left = waiting_by_order(rig)[order_id]
    assert [x.line_id for x in left] == [second.line_id]
    # The customer is told once, with the amount and what still waits.
    assert outcome.notices_queued == 1
    rig.notify()
    mails = by_order_and_kind(rig.sink.messages())[(order_id, "cancelled")]
    assert len(mails) == 1
    text = mails[0].body("plain")
    assert f"Items cancelled from your order #{order_id}" == mails[0].subject
    assert f"{first.qty_waiting} x {first.name}" in text and f"USD {expected:,.2f}" in text
    assert "Still to come" in text and second.name in text
    rig.notify()
    assert len(by_order_and_kind(rig.sink.messages())[(order_id, "cancelled")]) == 1


def test_cancelling_a_whole_order_moves_it_to_cancelled(rig: Rig) -> None:
    order_id, lines = two_line_order(rig)
    outcome = cancel(rig, {order_id: []})
    assert rig.store.state.orders[order_id].status_id == 5
    assert outcome.order_status == {order_id: 5}
    units = sorted((x.sku, x.qty_waiting) for x in lines)
    assert sorted((c["sku"], c["qty"]) for c in outcome.cancelled) == units
    rig.sync()
    assert order_id not in waiting_by_order(rig)
    rig.notify()
    (mail,) = by_order_and_kind(rig.sink.messages())[(order_id, "cancelled")]
    assert mail.subject == f"Your order #{order_id} is cancelled"
    assert "Still to come" not in mail.body("plain")


def test_without_the_refunds_scope_lines_are_cancelled_and_the_note_says_refund_by_hand(
    rig: Rig,
) -> None:
    order_id, (first, _second) = two_line_order(rig)
    # Written in the control panel after the last sync: the app's note must not erase it.
    rig.store.state.orders[order_id].staff_notes = "Customer called 3 Dec: gift wrap."
    rig.store.set_scopes(ALL_SCOPES - {"store_v2_transactions"})
    try:
        plan: CancelPlan = plan_cancel(rig.session, {order_id: [(first.sku, None)]})
        assert plan.scope_missing
        outcome = run_action(rig.session, lambda s: execute_cancel(s, plan)).result
    finally:
        rig.store.set_scopes(ALL_SCOPES)
    assert rig.store.state.orders[order_id].refunds == []
    assert posts(rig, REFUNDS) == 0
    assert any("control panel" in m for m in outcome.messages)
    assert outcome.refunds[0]["status"] == "control_panel"
    note = rig.store.state.orders[order_id].staff_notes
    assert note.startswith("Customer called 3 Dec: gift wrap.\n")
    assert "REFUND" in note and "CONTROL PANEL" in note
    assert first.line_id not in {x.line_id for x in waiting_by_order(rig)[order_id]}
    rig.notify()
    (mail,) = by_order_and_kind(rig.sink.messages())[(order_id, "cancelled")]
    assert "follows separately" in mail.body("plain")


def test_a_refused_refund_leaves_nothing_half_done(rig: Rig) -> None:
    order_id, (first, _second) = two_line_order(rig)
    rig.store.refuse_refunds(order_id)
    status_before = rig.store.state.orders[order_id].status_id
    owed_before = backordered(rig, first.variant_id)
    outbox_before = len(rig.session.cache.outbox.rows("pending"))
    due_before = {n.key for n in rig.plan().due}

    outcome = cancel(rig, {order_id: [(first.sku, None)]})

    assert outcome.refused and order_id in outcome.refused
    assert "declined" in outcome.refused[order_id]
    assert outcome.cancelled == [] and outcome.order_status == {}
    assert any("Nothing of order" in m for m in outcome.messages)
    state = rig.store.state.orders[order_id]
    assert state.refunds == [] and state.status_id == status_before and state.staff_notes == ""
    assert backordered(rig, first.variant_id) == owed_before
    assert len(rig.session.cache.outbox.rows("pending")) == outbox_before
    assert first.line_id in {x.line_id for x in waiting_by_order(rig)[order_id]}
    assert {n.key for n in rig.plan().due} == due_before
    assert not any(m.key == "cancellation" for m in rig.store.state.metafields.values())


def test_a_lost_refund_answer_is_settled_by_reading_back_never_by_sending_again(rig: Rig) -> None:
    order_id, (first, _second) = two_line_order(rig)
    rig.store.faults.script("POST", r"/payment_actions/refunds$", "drop", when="after")
    rig.store.clear_requests()
    outcome = cancel(rig, {order_id: [(first.sku, None)]})
    # The refund was made once: the dropped answer was not retried, the refunds were re-read.
    assert posts(rig, REFUNDS) == 1
    assert len(rig.store.state.orders[order_id].refunds) == 1
    assert outcome.refunds[0]["status"] == "refunded"
    assert [c["sku"] for c in outcome.cancelled] == [first.sku]


def same_sku_orders(rig: Rig) -> tuple[int, int, str]:
    """Two web orders of 2 units each of one fresh out-of-stock variant, in that queue order."""
    store = rig.store
    state = store.state
    waiting = {ln.variant_id for o in state.open_orders() for ln in o.lines}
    vid = next(
        v.id
        for v in state.variants.values()
        if state.tracked(v.id)
        and state.products[v.product_id].availability == "available"
        and state.products[v.product_id].inventory_tracking == "variant"
        and v.id not in waiting
    )
    ids = []
    with DemoApi(store) as api:
        ident = stock_identity(store, vid)
        adjust = [{"location_id": 1, **ident, "quantity": 0, "qty_backordered": 0}]
        assert api.put("/v3/inventory/adjustments/absolute", {"items": adjust}).status_code == 200
        settings = {"settings": [{"identity": ident, "backorder_limit": 50}]}
        assert api.put("/v3/inventory/locations/1/items", settings).status_code == 200
        for email in ("first@example.com", "second@example.com"):
            body = order_body(state.variants[vid].product_id, vid, 2)
            body["billing_address"]["email"] = email
            placed = api.post("/v2/orders", body)
            assert placed.status_code == 200, placed.text
            ids.append(int(placed.json()["id"]))
    return ids[0], ids[1], state.variants[vid].sku


def test_customers_behind_a_cancelled_line_get_good_news_only_when_it_is_switched_on(
    rig: Rig,
) -> None:
    from datetime import UTC, datetime, timedelta

    from backorder_desktop.cache.cancellations import set_good_news
    from tests.support.notices import put_shipment

    first, second, sku = same_sku_orders(rig)
    today = datetime.now(UTC).date()
    soon, later = today + timedelta(days=10), today + timedelta(days=40)
    put_shipment(rig.store, "s1", soon, {sku: 2})
    put_shipment(rig.store, "s2", later, {sku: 2})
    rig.sync()
    etas = {x.order_id: x.eta for x in load_queue(rig.session.cache) if x.sku == sku}
    assert etas == {first: soon, second: later}
    rig.notify()  # both told their dates
    cancel(rig, {first: []})
    etas = {x.order_id: x.eta for x in load_queue(rig.session.cache) if x.sku == sku}
    assert etas == {second: soon}  # moved up: the first shipment now covers it
    assert not [n for n in rig.plan().due if n.kind == "earlier"]  # off by default
    set_good_news(rig.session.cache, True)
    (news,) = [n for n in rig.plan().due if n.kind == "earlier"]
    assert news.order_id == second and news.lines[0].told_eta == later
    rig.notify()
    (mail,) = by_order_and_kind(rig.sink.messages())[(second, "earlier")]
    assert "coming sooner" in mail.subject
    assert not [n for n in rig.plan().due if n.kind == "earlier"]  # told once


def test_a_refund_made_before_the_app_stopped_is_recorded_not_made_again(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id, (first, second) = two_line_order(rig)
    real_commit = cancelling._commit

    def stop(*args: object, **kwargs: object) -> None:
        raise SystemExit("the app stopped")  # after the refund, before the cancellation

    monkeypatch.setattr(cancelling, "_commit", stop)
    plan = prepare_cancel(rig.session, {order_id: [(first.sku, 1)]})
    with pytest.raises(SystemExit):
        execute_cancel(rig.session, plan)
    assert len(rig.store.state.orders[order_id].refunds) == 1
    assert {x.line_id: x.qty_waiting for x in waiting_by_order(rig)[order_id]}[first.line_id] == 2

    monkeypatch.setattr(cancelling, "_commit", real_commit)
    rig.reopen()
    rig.store.clear_requests()
    again = prepare_cancel(rig.session, {order_id: [(second.sku, None)]})
    assert any("nothing was refunded again" in m for m in again.messages())
    assert posts(rig, REFUNDS) == 0
    assert len(rig.store.state.orders[order_id].refunds) == 1
    left = {x.line_id: x.qty_waiting for x in waiting_by_order(rig)[order_id]}
    assert left == {first.line_id: 1, second.line_id: 3}
    push_outbox(rig.session)  # the recorded cancellation goes out like any other change
    assert f"1 x {first.sku}" in rig.store.state.orders[order_id].staff_notes
