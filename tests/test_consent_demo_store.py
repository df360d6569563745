"""Consent to delays against the demo store (issue 19.1): a real HTTP store, a real SMTP sink, a
real SQLite cache and a clock the test sets. Two orders wait on one SKU whose date slips twice:
the first delay tells the new date and the choices, the second asks for consent; one customer
consents, the other does not answer by the reply-by day. A second laptop and the CLI agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.bulk import VariantEdit
from backorder_desktop.domain.consent import ASKED, EXPIRED, GIVEN, NONE
from backorder_desktop.domain.notice_log import CONFIRMATION, CONSENT, DELAY
from backorder_desktop.mail.templates import friendly_date
from backorder_desktop.services.backorder_rows import backorder_rows
from backorder_desktop.services.notices.consent import (
    consent_by_order,
    consent_states,
    record_consent,
    set_delay_policy,
)
from backorder_desktop.services.notices.notify import plan_notices
from backorder_desktop.services.sync_control.syncing import sync_store
from tests.support.cli import run_cli
from tests.support.demo_store_http import DemoApi, order_body
from tests.support.notices import open_session
from tests.support.queue_world import World, open_world


def _two_orders_on_one_sku(world: World) -> tuple[int, list[int]]:
    """Two new orders of one unit each on a SKU customers already wait for, with no stock and
    no supplier shipment dating it: the manual ETA the test sets is what they wait for."""
    queue = world.state().queue
    inbound = {line.variant_id for line in queue if line.eta_source == "shipment"}
    vid = next(
        vid
        for (vid, _loc), rec in sorted(world.store.state.inventory.items())
        if vid in {line.variant_id for line in queue} - inbound
        and rec.on_hand == 0
        and (rec.backorder_limit or 0) - rec.qty_backordered >= 2
    )
    variant = world.store.state.variants[vid]
    before = set(world.store.state.orders)
    for n in (1, 2):
        body = order_body(variant.product_id, vid, 1)
        body["billing_address"]["email"] = f"consent{n}@example.com"
        world.session.client.request("POST", "/v2/orders", json=body)
    world.sync()
    return vid, sorted(set(world.store.state.orders) - before)


def _delay_to(world: World, vid: int, days: int) -> date:
    eta = world.today + timedelta(days=days)
    world._bulk({vid: VariantEdit(eta=eta)})
    etas = {line.eta for line in world.state().queue if line.variant_id == vid}
    assert etas == {eta}, f"the manual ETA must be what these lines wait for: {etas}"
    return eta


def _kinds(world: World, order_id: int) -> list[str]:
    return [r.kind for r in world.state().logs.get(order_id, [])]


def _mail(world: World, order_id: int) -> tuple[str, str, str]:
    """The latest notice about the order in the sink: subject, text part, HTML part."""
    mails = [m for m in world.sink.messages() if f"#{order_id}" in m.subject]
    assert mails, f"no e-mail about order #{order_id}"
    last = mails[-1]
    return last.subject, last.body("plain"), last.body("html")


def _consent(world: World) -> dict[int, str | None]:
    by_order = consent_by_order(world.state(), today=world.today)
    return {o: s.state for o, s in by_order.items()}


def test_consent_through_two_delays_given_and_expired(tmp_path: Path) -> None:
    worlds = open_world(1, tmp_path / "laptop-a")
    world = next(worlds)
    try:
        assert world.state().policy == "us", "the demo store is a US store (its locale)"
        vid, (kept, silent) = _two_orders_on_one_sku(world)

        _delay_to(world, vid, 10)
        world.notify()
        assert _kinds(world, kept) == [CONFIRMATION]

        # First delay: told the new date and the choices; nothing to consent to yet.
        world.advance(1)
        first = _delay_to(world, vid, 20)
        world.notify()
        assert _kinds(world, kept) == [CONFIRMATION, DELAY]
        subject, text, html = _mail(world, kept)
        assert f"now expected {friendly_date(first)}" in subject
        for choice in ("Wait for the whole order", "Ship what is in stock", "full refund"):
            assert choice in text
        assert "reply to this email" in text
        assert _consent(world).get(kept) is None
        assert consent_by_order(world.state(), today=world.today)[kept].delays[0].revised == first

        # Second delay: a consent request with the revised date, the right to cancel, and the
        # day without an answer by which the order is cancelled and refunded.
        world.advance(1)
        second = _delay_to(world, vid, 30)
        world.notify()
        assert _kinds(world, kept) == [CONFIRMATION, DELAY, CONSENT]
        subject, text, html = _mail(world, silent)
        deadline = friendly_date(first)  # the end of the delay already accepted
        assert f"please reply by {deadline}" in subject
        assert f"Our new expected date is {friendly_date(second)}" in text
        assert "cancel for a full refund" in text
        assert f"If we do not hear from you by {deadline}, we will cancel" in text
        assert f"<strong>{deadline}</strong>" in html
        states = _consent(world)
        assert (states[kept], states[silent]) == (ASKED, ASKED)

        # Staff record the first customer's consent; it is queued for the store.
        status = record_consent(world.cache, kept, GIVEN, source="staff", now=_noon(world.today))
        assert status.state == GIVEN
        world.push()
        assert _consent(world)[kept] == GIVEN
        # Consent given: nothing more to ask for that delay.
        due = plan_notices(world.cache, today=world.today).due
        assert not [n for n in due if n.order_id in (kept, silent)]

        # The CLI (on the real clock: still before the reply-by day) says the same; orders
        # never delayed say null.
        store = world.store
        base = ["--data-dir", str(tmp_path / "laptop-a"), "--api-url", store.api_url,
                "--store-hash", store.store_hash]  # fmt: skip
        listed = run_cli(*base, "backorders", "--json", token=store.token)
        assert listed.code == 0, listed.err
        lines = listed.json()
        assert all("consent" in line for line in lines)
        consent = {line["order_id"]: line["consent"] for line in lines}
        assert (consent[kept], consent[silent]) == ("given", "asked")
        assert None in consent.values()
        # No answer by the reply-by day: consent expired; no more notices about delays.
        world.advance((first - world.today).days + 1)
        assert _consent(world)[kept] == GIVEN
        assert _consent(world)[silent] == EXPIRED
        rows = backorder_rows(world.state(), [], now=_noon(world.today))
        shown = {r.line.order_id: r.consent_state for r in rows}
        assert (shown[kept], shown[silent]) == (GIVEN, EXPIRED)
        _delay_to(world, vid, 45)
        due = plan_notices(world.cache, today=world.today).due
        assert [n.kind for n in due if n.order_id == kept] == [CONSENT]  # a new delay: asked
        assert not [n for n in due if n.order_id == silent], "expired: cancel, do not re-ask"

        # Another laptop sees the same states after its sync (order metafields).
        other = open_session(world.store, tmp_path / "laptop-b")
        try:
            sync_store(other)
            states = consent_states(other.cache, today=world.today)
            assert (states[kept], states[silent]) == (GIVEN, EXPIRED)
        finally:
            other.close()

    finally:
        worlds.close()


def test_policy_none_asks_nothing_and_is_shared(tmp_path: Path) -> None:
    worlds = open_world(2, tmp_path / "laptop-a")
    world = next(worlds)
    try:
        assert set_delay_policy(world.cache, NONE) == NONE
        world.push()
        other = open_session(world.store, tmp_path / "laptop-b")
        try:
            sync_store(other)
            assert plan_notices(other.cache).state.policy == NONE  # type: ignore[union-attr]
        finally:
            other.close()
        vid, (order, _other) = _two_orders_on_one_sku(world)
        for days in (10, 20, 30):  # a confirmation, then two delays with a date
            _delay_to(world, vid, days)
            world.notify()
            world.advance(1)
        world._bulk({vid: VariantEdit(eta=None)})  # and a third without one
        world.notify()
        assert _kinds(world, order) == [CONFIRMATION, DELAY, DELAY, DELAY]
        assert all(r.kind != CONSENT for rs in world.state().logs.values() for r in rs)
        assert not any("please reply by" in m.subject for m in world.sink.messages())
        assert _consent(world).get(order) is None
    finally:
        worlds.close()


def test_a_store_outside_the_us_follows_no_rule_unless_chosen(tmp_path: Path) -> None:
    with DemoStore(seed=3, products=12, orders=25) as store:
        with DemoApi(store) as api:  # the merchant's store is in Germany
            reply = api.put("/v3/settings/store/locale", {"store_country": "Germany"})
            assert reply.status_code == 200, reply.text
        session = open_session(store, tmp_path / "data")
        try:
            sync_store(session)
            assert plan_notices(session.cache).state.policy == NONE  # type: ignore[union-attr]
        finally:
            session.close()


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
