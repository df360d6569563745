"""Issue 14, a partial shipment to the end, on the demo store with a real mail sink: what ships
now and what waits is told, the rest is offered for release when it comes, the pick list names
what is missing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from backorder_desktop.domain.notice_log import NOTICES_KEY, STATUS_KEY
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.mail.templates import NoticeRenderer, friendly_date
from backorder_desktop.services.backorders import set_partial_shipment
from backorder_desktop.services.dock.picklist import pick_list, pick_list_html
from backorder_desktop.services.dock.receiving import commit_receipt
from backorder_desktop.services.dock.releasing import (
    plan_release,
    ready_orders,
    release_orders,
    undo_release,
)
from backorder_desktop.services.dock.shipments import add_shipment, close_shipment
from backorder_desktop.services.notices.notify import (
    NoticeOptions,
    plan_notices,
    prepare_notices,
    send_notices,
)
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.sync_control.syncing import push_outbox
from tests.support.demo_store_http import DemoApi, order_body, stock_identity
from tests.support.notices import (
    Rig,
    backorder_for,
    by_order_and_kind,
    notice_rig,
    order_metafield,
    put_shipment,
)

EMAIL = "pat.partial@example.com"


def two_line_backorder(rig: Rig) -> tuple[int, list[int]]:
    """A new order waiting in full on two fresh variants (no stock, room to backorder)."""
    state = rig.store.state
    busy = {ln.variant_id for o in state.open_orders() for ln in o.lines}
    variants = [
        v.id
        for v in state.variants.values()
        if state.tracked(v.id)
        and state.products[v.product_id].availability == "available"
        and v.id not in busy
    ][:2]
    with DemoApi(rig.store) as api:
        for vid in variants:
            ident = stock_identity(rig.store, vid)
            zero = [{"location_id": 1, **ident, "quantity": 0, "qty_backordered": 0}]
            assert api.put("/v3/inventory/adjustments/absolute", {"items": zero}).status_code == 200
            limit = {"settings": [{"identity": ident, "backorder_limit": 50}]}
            assert api.put("/v3/inventory/locations/1/items", limit).status_code == 200
        body = order_body(0, 0, 1)
        body["products"] = [
            {"product_id": state.variants[vid].product_id, "variant_id": vid, "quantity": qty}
            for vid, qty in zip(variants, (2, 1), strict=True)
        ]
        body["billing_address"].update(first_name="Pat", last_name="Partial", email=EMAIL)
        placed = api.post("/v2/orders", body)
        assert placed.status_code == 200, placed.text
        order_id = int(placed.json()["id"])
        assert api.put(f"/v2/orders/{order_id}", {"status_id": 11}).status_code == 200
    rig.sync()
    return order_id, variants


def test_a_partial_shipment_is_told_and_released_to_the_end(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig:
        cache = rig.session.cache
        order_id, (v_first, v_rest) = two_line_backorder(rig)
        sku = {v: rig.store.state.variants[v].sku for v in (v_first, v_rest)}
        lines = {ln.variant_id: ln for ln in load_queue(cache) if ln.order_id == order_id}
        assert sorted(lines) == sorted((v_first, v_rest))
        expected = date.today() + timedelta(days=12)
        shipment, _ = add_shipment(
            cache, supplier="Acme", expected=expected, lines=[(sku[v_first], 2), (sku[v_rest], 1)]
        )
        set_partial_shipment(cache, [order_id], True)
        push_outbox(rig.session)
        rig.notify()  # the confirmations go first: what follows is about the release
        rig.sink.clear()

        # Part arrives: the order ships what came, in part.
        commit_receipt(cache, shipment.id, [ReceiptLine(sku[v_first], 2)], receipt_id="r-part")
        push_outbox(rig.session)
        assert order_id in {r.order_id for r in ready_orders(cache)}
        assert release_orders(cache, [order_id]).released == [order_id]
        push_outbox(rig.session)
        [pick] = pick_list(cache, [order_id])
        assert [(x.sku, x.qty) for x in pick.lines] == [(sku[v_first], 2)]
        html = pick_list_html([pick])
        assert f"Still waiting: 1 unit of {sku[v_rest]}" in html
        assert "units still waiting" not in html
        # The rest still waits in the queue (never "already released" and lost).
        assert [ln.variant_id for ln in load_queue(cache) if ln.order_id == order_id] == [v_rest]

        rig.notify()
        [message] = by_order_and_kind(rig.sink.messages())[(order_id, "released")]
        text = message.body("plain")
        assert message.subject == f"Part of your order #{order_id} is on its way"
        assert f"2 x {lines[v_first].name}" in text
        assert "Still to come" in text
        assert f"1 x {lines[v_rest].name}: expected {friendly_date(expected)}" in text
        assert "complete" not in text
        rig.sink.clear()

        # The rest arrives: offered for release, released, and told in its own notice.
        commit_receipt(cache, shipment.id, [ReceiptLine(sku[v_rest], 1)], receipt_id="r-rest")
        push_outbox(rig.session)
        assert order_id in {r.order_id for r in ready_orders(cache)}
        assert plan_release(cache, [order_id]).skipped == []
        assert release_orders(cache, [order_id]).released == [order_id]
        push_outbox(rig.session)
        assert order_id not in {r.order_id for r in ready_orders(cache)}
        assert [p.waiting for p in pick_list(cache, [order_id])] == [0]
        rig.notify()
        [last] = by_order_and_kind(rig.sink.messages())[(order_id, "released")]
        assert last.subject == f"Your order #{order_id} is on its way"
        rest = last.body("plain")
        assert f"1 x {lines[v_rest].name}" in rest and f"2 x {lines[v_first].name}" not in rest
        assert "Still to come" not in rest
        assert rig.notify().sent == []  # nothing is told twice
        print(text)  # the customer's first "on its way" email, for the report (-s)


def test_the_storefront_status_follows_every_change_not_only_notices(tmp_path: Path) -> None:
    """Order metafield backorder_status, as a theme reads it, after each action (no notify)."""
    with notice_rig(tmp_path) as rig:
        cache = rig.session.cache
        order_id = backorder_for(rig.store, "Sol", "Status", "sol@example.com", qty=2)
        rig.sync()
        rig.notify()  # the first status goes out with the first notice
        sku = next(ln.sku for ln in load_queue(cache) if ln.order_id == order_id)
        d1, d2, d3 = (date.today() + timedelta(days=n) for n in (9, 20, 30))

        def status() -> dict:
            push_outbox(rig.session)
            doc = order_metafield(rig.store, order_id, STATUS_KEY)
            assert doc is not None
            return doc

        assert (status()["state"], status()["eta"]) == ("waiting", None)
        first, _ = add_shipment(cache, supplier="Acme", expected=d1, lines=[(sku, 2)])
        assert status()["eta"] == d1.isoformat()  # a new shipment
        close_shipment(cache, first.id)
        assert status()["eta"] is None  # closed: its date is gone
        second, _ = add_shipment(cache, supplier="Acme", expected=d2, lines=[(sku, 2)])
        assert status()["eta"] == d2.isoformat()
        commit_receipt(cache, second.id, [ReceiptLine(sku, 2)], receipt_id="r-status")
        assert (status()["state"], status()["units_waiting"]) == ("ready", 0)  # all arrived
        release_orders(cache, [order_id])
        assert status()["state"] == "released"
        undo_release(cache, order_id)
        assert status()["state"] in ("ready", "waiting")  # wherever the undo put it
        assert status()["state"] != "released"
        # Another laptop's shipment arrives with a sync.
        put_shipment(rig.store, "other", d3, {sku: 2})
        before = status()
        rig.sync()
        after = status()
        if before["state"] == "waiting":
            assert after["eta"] == d3.isoformat()
        assert all(
            line["eta"] is None or line["eta"] >= date.today().isoformat()
            for line in after["lines"]
        )


def test_check_ins_go_one_per_customer_through_the_mail_server_and_log_each_order(
    tmp_path: Path,
) -> None:
    with notice_rig(tmp_path) as rig:
        cache = rig.session.cache
        email = "cleo.checkin@example.com"
        orders = [backorder_for(rig.store, "Cleo", "Checkin", email, qty=1) for _ in range(3)]
        rig.sync()
        # The confirmations, told eight days ago.
        week_ago = datetime.now(UTC) - timedelta(days=8)
        told = [n for n in plan_notices(cache).due if n.email == email]
        options = NoticeOptions(store_name="Shop")
        confirmations = prepare_notices(told, NoticeRenderer(), options, now=week_ago)
        assert len(send_notices(cache, confirmations, rig.config).sent) == 3
        rig.sink.clear()

        def send_check_ins() -> list:
            plan = plan_notices(cache, checkin_days=7, checkin_max=2)
            mine = [n for n in plan.due if n.email == email]
            prepared = prepare_notices(mine, NoticeRenderer(), NoticeOptions(store_name="Shop"))
            report = send_notices(cache, prepared, rig.config)
            push_outbox(rig.session)
            return report.sent

        [sent] = send_check_ins()
        assert sent.notice.order_ids == tuple(sorted(orders))
        [message] = rig.sink.messages()
        assert message.rcpt_tos == (email,)
        assert message.subject == "Still on its way: your orders " + ", ".join(
            f"#{o}" for o in sorted(orders)
        )
        text = message.body("plain")
        assert text.count("order #") == 3 and "any day now" not in text
        for order_id in orders:  # each order's own log says it was checked in on
            log = order_metafield(rig.store, order_id, NOTICES_KEY)
            assert [entry["kind"] for entry in log] == ["confirmation", "check_in"]
        assert send_check_ins() == []  # the same day: never twice
        print(text)  # the customer's check-in email, for the report (-s)
