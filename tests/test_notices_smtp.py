"""Notices end to end: the real demo store over HTTP, a real SMTP sink on 127.0.0.1, SQLite files."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from backorder_desktop.domain.models import METAFIELD_NAMESPACE
from backorder_desktop.domain.notice_log import NOTICES_KEY, STATUS_KEY
from backorder_desktop.domain.releases import ReleaseLine, ReleaseRecord
from backorder_desktop.mail.templates import friendly_date
from backorder_desktop.services.backorders import list_backorders
from tests.support.demo_store_http import DemoApi
from tests.support.notices import (
    backorder_for,
    by_order_and_kind,
    notice_rig,
    order_metafield,
    put_shipment,
)
from tests.test_cli import expected_queue

D1, D2 = date(2027, 1, 10), date(2027, 2, 20)


def test_one_message_per_due_order_to_its_billing_email_then_never_again(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig:
        state = rig.store.state
        waiting_orders = {order_id for order_id, *_ in expected_queue(rig.store)}
        assert len(waiting_orders) >= 10
        billing = Counter(state.orders[o].billing_address.email for o in waiting_orders)

        report = rig.notify()

        messages = rig.sink.messages()
        assert len(report.sent) == len(waiting_orders) and not report.failed
        assert Counter(r for m in messages for r in m.rcpt_tos) == billing
        grouped = by_order_and_kind(messages)
        assert set(grouped) == {(o, "confirmation") for o in waiting_orders}
        assert all(len(copies) == 1 for copies in grouped.values())
        assert len({m.peer for m in messages}) == 1, "one SMTP connection for the whole batch"

        # Recorded where other laptops and the storefront see it, and in the staff notes.
        some = min(waiting_orders)
        log = order_metafield(rig.store, some, NOTICES_KEY)
        assert [entry["kind"] for entry in log] == ["confirmation"]
        status = order_metafield(rig.store, some, STATUS_KEY)
        assert status["state"] == "waiting" and status["lines_waiting"] >= 1
        status_rec = next(
            r for r in state.metafields.values() if r.key == STATUS_KEY and r.resource_id == some
        )
        assert status_rec.permission_set == "write_and_sf_access"
        eta = log[0]["eta"] or "unknown"
        assert f": ETA {eta}" in state.orders[some].staff_notes
        assert "Backorder notice sent" in state.orders[some].staff_notes

        again = rig.notify()
        assert again.sent == [] and len(rig.sink.messages()) == len(messages)
        rig.sync()  # and after a sync, from the store's own records
        assert rig.plan().due == []
        assert rig.session.cache.outbox.counts()["pending"] == 0


def test_the_eta_in_each_message_is_the_cascades(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig:
        queue = expected_queue(rig.store)
        units: Counter[str] = Counter()
        for _order, sku, waiting, _pos in queue:
            units[sku] += waiting
        sku = units.most_common(1)[0][0]
        lines = [(order, waiting) for order, s, waiting, _pos in queue if s == sku]
        first = lines[0][1]
        put_shipment(rig.store, "s1", D1, {sku: first})
        put_shipment(rig.store, "s2", D2, {sku: units[sku]})
        rig.sync()

        rig.notify()

        texts = {
            (o, k): m[0].body("plain")
            for (o, k), m in by_order_and_kind(rig.sink.messages()).items()
        }
        cumulative = 0
        for order, waiting in lines:
            cumulative += waiting
            expected = D1 if cumulative <= first else D2
            assert f"({sku}): {friendly_date(expected)}" in texts[(order, "confirmation")]
        # Every message's order ETA is the cascade's (the latest line ETA, or "no date yet").
        by_order: dict[int, list] = defaultdict(list)
        for line in list_backorders(rig.session.cache):
            by_order[line.order_id].append(line.eta)
        for (order, _kind), text in texts.items():
            etas = by_order[order]
            if None in etas or max(etas) < date.today():  # a passed date is never a promise
                assert "We do not have a date yet" in text
            else:
                assert f"ship these items by {friendly_date(max(etas))}." in text


def test_moving_a_shipment_later_makes_exactly_the_affected_orders_due_for_a_delay(
    tmp_path: Path,
) -> None:
    with notice_rig(tmp_path) as rig:
        queue = expected_queue(rig.store)
        units: Counter[str] = Counter()
        for _order, sku, waiting, _pos in queue:
            units[sku] += waiting
        sku = units.most_common(1)[0][0]
        lines = [(order, waiting) for order, s, waiting, _pos in queue if s == sku]
        covered = lines[0][1] + lines[1][1]  # s1 covers the first two lines
        put_shipment(rig.store, "s1", D1, {sku: covered})
        put_shipment(rig.store, "s2", D2, {sku: units[sku]})
        rig.sync()
        rig.notify()
        assert rig.plan().due == []

        later = D1 + timedelta(days=12)  # still before s2: only s1's lines move
        put_shipment(rig.store, "s1", later, {sku: covered})
        rig.sync()

        due = rig.plan().due
        affected = {order for order, _ in lines[:2]}
        assert {(n.order_id, n.kind) for n in due} == {(o, "delay") for o in affected}
        before = len(rig.sink.messages())
        report = rig.notify()
        assert len(report.sent) == len(affected)
        delays = rig.sink.messages()[before:]
        for message in delays:
            text = message.body("plain")
            assert f"was {friendly_date(D1)}, now {friendly_date(later)}" in text
        assert rig.notify().sent == []


def test_names_are_escaped_in_html_and_cannot_add_a_header(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig:
        order_id = backorder_for(
            rig.store, "O'Brien & <b>Sons</b>", "Ltd\r\nBcc: evil@example.com", "ob@example.com"
        )
        rig.sync()
        cached = rig.session.cache.orders.get(order_id)
        assert cached is not None and "\r\nBcc:" in cached.customer_name  # as the store has it
        rig.notify()
        [message] = by_order_and_kind(rig.sink.messages())[(order_id, "confirmation")]
        assert message.rcpt_tos == ("ob@example.com",)
        head = message.raw.split(b"\r\n\r\n", 1)[0].decode()
        assert not any(h.lower().startswith("bcc:") for h in head.split("\r\n"))
        assert message.message.get_all("Bcc") is None
        assert "evil@example.com" not in {r for m in rig.sink.messages() for r in m.rcpt_tos}
        html = message.body("html")
        assert "O&#39;Brien &amp; &lt;b&gt;Sons&lt;/b&gt;" in html
        assert "<b>Sons</b>" not in html
        assert "O'Brien & <b>Sons</b>" in message.body("plain")  # plain text stays as typed


CRASH_SCRIPT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from backorder_desktop.demo_store import DemoStore
    from backorder_desktop.mail.smtp import PLAIN, SmtpConfig
    from backorder_desktop.mail.templates import NoticeRenderer
    from backorder_desktop.services.notices.notify import (
        NoticeOptions, plan_notices, prepare_notices, send_notices)
    from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession

    data_dir, api_url, store_hash, token, port = sys.argv[1:6]
    session = StoreSession(Path(data_dir), StoreConnection(store_hash, api_url), token)
    plan = plan_notices(session.cache)
    prepared = prepare_notices(plan.due, NoticeRenderer(), NoticeOptions(store_name="Shop"))
    config = SmtpConfig("127.0.0.1", int(port), PLAIN, sender="orders@shop.example")
    accepted = []

    def crash(item):
        accepted.append(item)
        if len(accepted) == 2:
            os._exit(3)  # the process dies: the mail server has the email, the cache no outcome

    send_notices(session.cache, prepared, config, after_send=crash)
    """
)


def test_a_crash_between_sending_and_recording_never_sends_twice(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig:
        due = rig.plan().due
        assert len(due) >= 3
        rig.session.close_cache()
        crashed = subprocess.run(
            [sys.executable, "-c", CRASH_SCRIPT, str(rig.data_dir), rig.store.api_url,
             rig.store.store_hash, rig.store.token, str(rig.sink.port)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert crashed.returncode == 3, crashed.stderr
        assert len(rig.sink.messages()) == 2

        rig.reopen()  # the app starts again
        plan = rig.plan()
        [flagged] = plan.unconfirmed
        assert len(plan.due) == len(due) - 2  # both emails count as sent
        report = rig.notify()

        grouped = by_order_and_kind(rig.sink.messages())
        assert len(grouped) == len(due) and all(len(m) == 1 for m in grouped.values())
        assert report.skipped_duplicates == 0 and len(report.sent) == len(due) - 2
        notes = rig.store.state.orders[flagged.record.order_id].staff_notes
        assert "probably sent" in notes
        log = order_metafield(rig.store, flagged.record.order_id, NOTICES_KEY)
        assert log[0]["unconfirmed"] is True
        assert rig.notify().sent == []


def test_a_released_order_is_told_once_that_it_is_on_its_way_unless_the_release_was_undone(
    tmp_path: Path,
) -> None:
    with notice_rig(tmp_path) as rig:
        waiting = {order_id for order_id, *_ in expected_queue(rig.store)}
        released, undone = [o for o in rig.store.state.open_orders() if o.id not in waiting][:2]
        now = datetime.now(UTC)
        items = []
        for order, was_undone in ((released, False), (undone, True)):
            record = ReleaseRecord(
                released_at=now,
                status_before=11,
                status_after=9,
                undone=was_undone,
                lines=tuple(ReleaseLine(ln.id, ln.sku, ln.quantity) for ln in order.lines),
            )  # as the release (issue 6) writes it
            items.append({"resource_id": order.id, "namespace": METAFIELD_NAMESPACE,
                          "key": "release", "value": record.to_json(), "permission_set": "write"})  # fmt: skip
        with DemoApi(rig.store) as api:
            assert api.post("/v3/orders/metafields", items).status_code == 200
        rig.sync()

        assert [n.order_id for n in rig.plan().due if n.kind == "released"] == [released.id]
        rig.notify()
        grouped = by_order_and_kind(rig.sink.messages())
        [message] = grouped[(released.id, "released")]
        assert message.subject == f"Your order #{released.id} is on its way"
        assert released.lines[0].name in message.body("plain")
        assert (undone.id, "released") not in grouped
        assert rig.notify().sent == []
