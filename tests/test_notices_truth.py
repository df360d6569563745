"""Issue 14, what customers are told: partial releases, check-ins per customer, passed dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from backorder_desktop.domain.models import BackorderLine, Order, OrderLine
from backorder_desktop.domain.notice_log import (
    CHECK_IN,
    CONFIRMATION,
    RELEASED,
    NoticeRecord,
    ToldLine,
)
from backorder_desktop.domain.notices import Release, select_due
from backorder_desktop.mail.default_templates import DEFAULTS
from backorder_desktop.mail.templates import NoticeRenderer, notice_context, validate_template

TODAY = date(2026, 12, 7)
LATER = date(2026, 12, 19)


def waiting(
    order_id: int, line_id: int, eta: date | None, *, email: str = "", qty: int = 1
) -> BackorderLine:
    return BackorderLine(
        order_id=order_id,
        line_id=line_id,
        order_date=datetime(2026, 11, 20, tzinfo=UTC),
        customer_email=email or f"buyer{order_id}@example.com",
        customer_name=f"Buyer {order_id}",
        sku=f"SKU-{line_id}",
        product_id=1,
        variant_id=line_id,
        name=f"Item {line_id}",
        qty_ordered=qty,
        qty_waiting=qty,
        queue_position=1,
        priority=0,
        eta=eta,
    )


def record(order_id: int, kind: str, lines: list[tuple[int, int, date | None]], days_ago: int):
    return NoticeRecord(
        id=f"{order_id}-{kind}-{days_ago}-{len(lines)}",
        order_id=order_id,
        kind=kind,
        sent_at=datetime(2026, 12, 7, 9, tzinfo=UTC) - timedelta(days=days_ago),
        eta=None,
        lines=tuple(ToldLine(line_id, f"SKU-{line_id}", qty, eta) for line_id, qty, eta in lines),
    )


def render(notice, today: date = TODAY):
    renderer = NoticeRenderer()
    context = notice_context(
        notice, store_name="Shop", intro=renderer.default_intro(notice.kind), today=today
    )
    return renderer.render(notice, context)


ORDER = Order(
    id=8,
    status_id=9,
    date_created=datetime(2026, 11, 1, tzinfo=UTC),
    date_modified=datetime(2026, 11, 1, tzinfo=UTC),
    customer_id=0,
    customer_email="eight@example.com",
    customer_name="Eight",
    total_inc_tax=10.0,
    currency_code="USD",
    lines=(
        OrderLine(80, 8, 1, 1, "TENT", "Tent", 2, 0, 5.0),
        OrderLine(81, 8, 2, 2, "MUG", "Mug", 1, 0, 5.0),
    ),
)


def test_a_partial_release_says_what_ships_now_and_what_still_waits_with_its_eta() -> None:
    first = Release(8, datetime(2026, 12, 6, tzinfo=UTC), lines=((80, "TENT", 2),))
    mug = replace(waiting(8, 81, LATER, email="eight@example.com"), sku="MUG", name="Mug")
    due = select_due([mug], {}, orders={8: ORDER}, releases=[first], today=TODAY)
    assert [n.kind for n in due] == [CONFIRMATION, RELEASED]  # the mug was never told
    notice = due[1]
    assert [(x.sku, x.qty) for x in notice.lines] == [("TENT", 2)]
    assert [(x.sku, x.qty, x.eta) for x in notice.waiting] == [("MUG", 1, LATER)]
    mail = render(notice)
    assert mail.subject == "Part of your order #8 is on its way"
    assert "complete" not in mail.text
    assert "On its way now (part of your order):\n- 2 x Tent" in mail.text
    assert mail.text.count("Still to come") == 1 and mail.html.count("Still to come") == 1
    assert "- 1 x Mug: expected 19 December 2026" in mail.text
    assert "Still to come" in mail.html and "expected 19 December 2026" in mail.html

    # Once told, the same release is not due again; the rest, released later, is.
    told = [record(8, RELEASED, [(80, 2, None)], 0), record(8, CONFIRMATION, [(81, 1, LATER)], 0)]
    assert select_due([mug], {8: told}, orders={8: ORDER}, releases=[first], today=TODAY) == []
    rest = Release(8, datetime(2026, 12, 9, tzinfo=UTC), lines=((80, "TENT", 2), (81, "MUG", 1)))
    [second] = select_due([], {8: told}, orders={8: ORDER}, releases=[rest], today=TODAY)
    assert [(x.sku, x.qty) for x in second.lines] == [("MUG", 1)] and second.waiting == ()
    whole = render(second)
    assert whole.subject == "Your order #8 is on its way"
    assert "complete and on its way" in whole.text and "Still to come" not in whole.text
    both = [*told, record(8, RELEASED, [(81, 1, None)], 0)]
    assert select_due([], {8: both}, orders={8: ORDER}, releases=[rest], today=TODAY) == []


def test_check_ins_go_one_per_customer_and_stop_at_the_cap() -> None:
    sam = "sam@example.com"
    queue = [
        waiting(1, 10, LATER, email=sam),
        waiting(2, 20, LATER, email="SAM@example.com"),
        waiting(3, 30, LATER, email=sam),
        waiting(4, 40, LATER),
    ]
    logs = {oid: [record(oid, CONFIRMATION, [(oid * 10, 1, LATER)], 10)] for oid in (1, 2, 3, 4)}
    due = select_due(queue, logs, today=TODAY, checkin_days=7)
    assert [(n.order_id, n.kind, n.order_ids) for n in due] == [
        (1, CHECK_IN, (1, 2, 3)),
        (4, CHECK_IN, (4,)),
    ]
    mail = render(due[0])
    assert mail.subject == "Still on its way: your orders #1, #2, #3"
    assert mail.text.count("- 1 x Item") == 3 and "order #3" in mail.text
    # At most `checkin_max` check-ins per order, then they stop.
    for oid in (1, 2, 3, 4):
        logs[oid] += [record(oid, CHECK_IN, [(oid * 10, 1, LATER)], d) for d in (9, 8)]
    assert [n.order_ids for n in select_due(queue, logs, today=TODAY, checkin_days=7)] == [
        (1, 2, 3),
        (4,),
    ]
    assert select_due(queue, logs, today=TODAY, checkin_days=7, checkin_max=2) == []


def test_a_check_in_past_its_date_says_to_be_confirmed_never_any_day_now() -> None:
    passed = date(2026, 12, 5)
    logs = {1: [record(1, CONFIRMATION, [(10, 1, passed)], 10)]}
    [notice] = select_due([waiting(1, 10, passed)], logs, today=TODAY, checkin_days=7)
    mail = render(notice)
    for text in (mail.text, mail.html):
        assert "any day now" not in text
        assert "Expected 5 December" not in text and ": 5 December 2026" not in text
        assert "The date we expected, 5 December 2026, has passed" in text
        assert "to be confirmed" in text
    # The day it is due, it is "any day now"; before, the days to go.
    assert "any day now" in render(notice, today=passed).text
    assert "Only 2 days to go until 5 December 2026" in render(notice, date(2026, 12, 3)).text


def test_the_shipped_templates_validate_with_every_new_placeholder() -> None:
    for kind, template in DEFAULTS.items():
        validate_template(kind, template)


def test_a_template_edited_before_partial_releases_still_says_what_waits() -> None:
    first = Release(8, datetime(2026, 12, 6, tzinfo=UTC), lines=((80, "TENT", 2),))
    mug = replace(waiting(8, 81, LATER, email="eight@example.com"), sku="MUG", name="Mug")
    due = select_due([mug], {}, orders={8: ORDER}, releases=[first], today=TODAY)
    notice = next(n for n in due if n.kind == RELEASED)
    old = replace(
        DEFAULTS["released"],
        html="<html><body><p>Hi {{ customer_name }}</p><ul>{% for line in lines %}<li>"
        "{{ line.name }}</li>{% endfor %}</ul></body></html>",
        text="Hi {{ customer_name }}, your order is on its way.\n",
    )
    renderer = NoticeRenderer({"released": old})
    context = notice_context(notice, store_name="Shop", intro="", today=TODAY)
    mail = renderer.render(notice, context)
    assert "Still to come" in mail.text and "1 x Mug: expected 19 December 2026" in mail.text
    assert (
        "Still to come" in mail.html and "<li>1 x Mug: expected 19 December 2026</li>" in mail.html
    )
    assert mail.html.rstrip().endswith("</body></html>")
    # A complete release adds nothing.
    whole = replace(notice, waiting=())
    plain = renderer.render(whole, notice_context(whole, store_name="Shop", intro="", today=TODAY))
    assert "Still to come" not in plain.text + plain.html
