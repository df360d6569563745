"""Issue 19.5: a draft shipment of the demo store becomes a purchase order (PDF rendered by Qt,
mailed through a real SMTP sink with the PDF attached, or saved), and the supplier's confirmed
date moves the shipment's ETAs with the usual delay notices; a past date is refused."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from backorder_desktop.domain.eta import SHIPMENT
from backorder_desktop.domain.notice_log import DELAY
from backorder_desktop.domain.purchase_orders import (
    PoLine,
    PurchaseOrder,
    po_email_html,
    po_filename,
    po_html,
)
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.domain.shipments import (
    DRAFT,
    ORDERED,
    PO_EMAIL,
    PO_FILE,
    PurchaseOrderSent,
    Shipment,
    ShipmentLine,
    Supplier,
)
from backorder_desktop.mail.smtp import PLAIN, MailConnectionError, SmtpConfig
from backorder_desktop.services.dock.purchase_orders import (
    Merchant,
    confirm_supplier_date,
    draft_purchase_order,
    merchant_of,
    preview_confirm,
    save_purchase_order,
    save_supplier_details,
    send_purchase_order,
    shipment_for_reply,
)
from backorder_desktop.services.dock.shipment_rows import shipment_rows
from backorder_desktop.services.dock.shipments import find_shipment, list_shipments, save_supplier
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.sync_control.syncing import push_outbox
from backorder_desktop.ui.po_print import render_po_pdf
from tests.support.demo_store_http import DemoApi
from tests.support.notices import Rig, notice_rig
from tests.support.pdf import page_count, pdf_text, save_page_png

CONTACT = "+44 20 7946 0000\n12 Harbour Road, Bristol"
HOSTILE = 'Trail mug <img src="file:///etc/passwd"> & <b>bold</b>'


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with notice_rig(tmp_path) as made:
        yield made


def the_draft(rig: Rig) -> Shipment:
    drafts = [s for s in list_shipments(rig.session.cache) if s.status == DRAFT]
    assert drafts, "the demo store seeds a draft shipment (PO-2046)"
    return drafts[0]


def merchant(rig: Rig) -> Merchant:
    return merchant_of(rig.config, CONTACT)


def stored_record(rig: Rig, shipment_id: str) -> dict:
    """The shipment record as BigCommerce holds it (what other laptops read)."""
    key = f"shipment:{shipment_id}"
    found = [m for m in rig.store.state.metafields.values() if m.key == key]
    assert len(found) == 1
    return json.loads(found[0].value)


def test_draft_becomes_a_pdf_po_mailed_to_the_supplier_and_recorded(
    qapp, rig: Rig, tmp_path: Path
) -> None:
    cache = rig.session.cache
    draft = the_draft(rig)
    today = datetime.now(UTC).date()
    skus = [line.sku for line in draft.lines]
    # The supplier's code for the first SKU, typed once, is remembered on the supplier.
    save_supplier_details(cache, draft.supplier_id, codes={skus[0]: "NT-40917"})
    made = draft_purchase_order(cache, draft.id, merchant(rig), today=today)
    po = made.order
    assert po.number == draft.reference == "PO-2046"
    assert po.supplier_email == "orders@nordstrom-textil.example"
    assert po.wanted is not None and po.wanted >= today  # no expected date: today + lead time
    assert [line.sku for line in po.lines] == skus
    assert all(line.name for line in po.lines)  # product names from the synced catalogue
    assert po.lines[0].supplier_code == "NT-40917"
    assert [line.qty for line in po.lines] == [line.qty_expected for line in draft.lines]

    pdf = render_po_pdf(po)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    for expected in [*skus, "NT-40917", "PO-2046", po.wanted.isoformat(), "Nordström Textil AB",
                     "Test Outdoor Shop", "12 Harbour Road, Bristol", po.lines[0].name]:  # fmt: skip
        assert expected in text, expected
    save_page_png(pdf, tmp_path / "po.png")  # looked at by hand while building this

    sent = send_purchase_order(cache, draft.id, po, pdf, rig.config, today=today)
    [mail] = rig.sink.messages()
    assert mail.rcpt_tos == ("orders@nordstrom-textil.example",)
    message = mail.message
    assert "PO-2046" in str(message["Subject"])
    assert message.get_content_type() == "multipart/mixed"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "PO-2046.pdf"
    assert attachment.get_content() == pdf  # the very PDF, intact
    assert f"wanted by {po.wanted.isoformat()}" in mail.body("plain")
    # Recorded on the shipment: Ordered, expected on the date wanted, sent when and to whom.
    assert sent.status == ORDERED and sent.expected_date == po.wanted
    assert sent.purchase_order is not None
    assert sent.purchase_order.via == PO_EMAIL
    assert sent.purchase_order.to == "orders@nordstrom-textil.example"
    assert sent.purchase_order.message_id == str(message["Message-ID"])  # replies refer to it
    row = next(r for r in shipment_rows(cache) if r.id == draft.id)
    assert row.po_label == f"sent {today.isoformat()} to orders@nordstrom-textil.example"
    # ...and shared with the other laptops through the store.
    push_outbox(rig.session)
    record = stored_record(rig, draft.id)
    assert record["status"] == ORDERED and record["po"]["to"] == "orders@nordstrom-textil.example"
    supplier_doc = next(
        json.loads(m.value)
        for m in rig.store.state.metafields.values()
        if m.key == f"supplier:{draft.supplier_id}"
    )
    assert supplier_doc["codes"] == {skus[0]: "NT-40917"}


def test_hostile_store_text_prints_as_text(qapp, rig: Rig) -> None:
    cache = rig.session.cache
    draft = the_draft(rig)
    variant = cache.variants.by_sku(draft.lines[0].sku)[0]
    with DemoApi(rig.store) as api:
        reply = api.put("/v3/catalog/products", [{"id": variant.product_id, "name": HOSTILE}])
        assert reply.status_code == 200, reply.text
    rig.sync()
    po = draft_purchase_order(cache, draft.id, merchant(rig)).order
    assert po.lines[0].name.startswith(HOSTILE)
    html = po_html(po)
    assert "<img" not in html and "<b>bold" not in html  # escaped, not markup
    text = pdf_text(render_po_pdf(po))
    assert HOSTILE in text  # printed as the characters typed


def test_saved_po_is_a_pdf_file_and_recorded(qapp, rig: Rig, tmp_path: Path) -> None:
    cache = rig.session.cache
    draft = the_draft(rig)
    po = draft_purchase_order(cache, draft.id, merchant(rig)).order
    path = tmp_path / "out" / "PO-2046.pdf"
    saved = save_purchase_order(cache, draft.id, po, render_po_pdf(po), path)
    assert path.read_bytes().startswith(b"%PDF-")
    assert draft.lines[0].sku in pdf_text(path.read_bytes())
    assert saved.status == ORDERED
    assert saved.purchase_order is not None and saved.purchase_order.via == PO_FILE
    assert rig.sink.messages() == []  # saving sends nothing


def test_no_mail_server_sends_nothing_and_leaves_the_draft(qapp, rig: Rig) -> None:
    cache = rig.session.cache
    draft = the_draft(rig)
    po = draft_purchase_order(cache, draft.id, merchant(rig)).order
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    down = SmtpConfig("127.0.0.1", dead, PLAIN, sender="orders@shop.example", timeout=5)
    with pytest.raises(MailConnectionError, match="Cannot reach the mail server"):
        send_purchase_order(cache, draft.id, po, render_po_pdf(po), down)
    left = find_shipment(cache, draft.id)
    assert left.status == DRAFT and left.purchase_order is None
    # A past date wanted or a bad address is refused before anything is sent.
    with pytest.raises(InputError, match="has passed"):
        send_purchase_order(
            cache, draft.id, replace(po, wanted=date.today() - timedelta(days=1)), b"", rig.config
        )
    with pytest.raises(InputError, match="not a valid email address"):
        send_purchase_order(cache, draft.id, replace(po, supplier_email="nobody"), b"", rig.config)
    assert rig.sink.messages() == []


def test_editing_a_supplier_keeps_its_codes(rig: Rig) -> None:
    cache = rig.session.cache
    draft = the_draft(rig)
    save_supplier_details(cache, draft.supplier_id, codes={draft.lines[0].sku: "X-1"})
    edited = save_supplier(
        cache, "Nordström Textil AB", email="sales@nordstrom-textil.example",
        lead_time_days=10, supplier_id=draft.supplier_id,
    )  # fmt: skip
    assert edited.code(draft.lines[0].sku) == "X-1"
    with pytest.raises(InputError, match="not a valid email address"):
        save_supplier_details(cache, draft.supplier_id, email="no at sign")


def told_lines(rig: Rig, shipment: Shipment) -> list:
    return [
        line
        for line in load_queue(rig.session.cache)
        if line.eta_source == SHIPMENT and line.eta_ref == shipment.reference
        and line.notified_eta is not None
    ]  # fmt: skip


def test_confirmed_date_moves_etas_and_makes_delay_notices_due(rig: Rig) -> None:
    cache = rig.session.cache
    rig.notify()  # every waiting customer is told their ETA
    today = datetime.now(UTC).date()
    shipment = next(
        s
        for s in list_shipments(cache)
        if s.is_inbound and s.expected_date and s.expected_date >= today and told_lines(rig, s)
    )
    told = told_lines(rig, shipment)
    assert shipment.expected_date is not None
    confirmed = shipment.expected_date + timedelta(days=9)
    outbox_before = cache.outbox.counts()
    # The preview names whose ETA moves and the delay notices that fall due; it writes nothing.
    moves = preview_confirm(cache, shipment.id, confirmed, today=today)
    assert cache.outbox.counts() == outbox_before
    moved = {m.line_id: m for m in moves}
    assert {line.line_id for line in told} <= set(moved)
    assert all(moved[line.line_id].after.date == confirmed for line in told)
    assert all(moved[line.line_id].delay_due for line in told)
    # Saving it moves the shipment, the ETAs, and plans the delay notices.
    saved = confirm_supplier_date(cache, shipment.id, confirmed, today=today)
    assert saved.expected_date == confirmed and saved.supplier_confirmed == confirmed
    after = {line.line_id: line for line in load_queue(cache)}
    assert all(after[line.line_id].eta == confirmed for line in told)
    delays = {n.order_id for n in rig.plan().due if n.kind == DELAY}
    assert {line.order_id for line in told} <= delays
    row = next(r for r in shipment_rows(cache) if r.id == shipment.id)
    assert row.po_label == f"confirmed for {confirmed.isoformat()}"
    # The customers get it: a delay notice naming the confirmed date.
    report = rig.notify()
    told_orders = {line.order_id for line in told}
    assert told_orders <= {item.notice.order_id for item in report.sent}
    customer = told[0].customer_email
    mail = [m for m in rig.sink.messages() if customer in m.rcpt_tos][-1]
    assert f"{confirmed.day} {confirmed:%B} {confirmed.year}" in mail.body("plain")
    assert stored_record(rig, shipment.id)["supplier_confirmed"] == confirmed.isoformat()


def test_a_confirmed_date_in_the_past_is_refused_and_nothing_changes(rig: Rig) -> None:
    cache = rig.session.cache
    today = datetime.now(UTC).date()
    shipment = next(s for s in list_shipments(cache) if s.is_inbound)
    outbox_before = cache.outbox.counts()
    for call in (preview_confirm, confirm_supplier_date):
        with pytest.raises(InputError, match="has passed"):
            call(cache, shipment.id, today - timedelta(days=1), today=today)
    assert find_shipment(cache, shipment.id) == shipment
    assert cache.outbox.counts() == outbox_before
    received = next(s for s in list_shipments(cache) if s.status == "received")
    with pytest.raises(InputError, match="no delivery left to confirm"):
        confirm_supplier_date(cache, received.id, today + timedelta(days=3), today=today)


def test_records_round_trip_and_older_records_still_read() -> None:
    sent = PurchaseOrderSent(datetime(2026, 12, 7, 9, 30, tzinfo=UTC), "a@b.example", PO_EMAIL,
                             "<1@shop.example>")  # fmt: skip
    shipment = Shipment("s-1", "PO-1", "sup", ORDERED, date(2026, 12, 20),
                        (ShipmentLine("A", 2),), purchase_order=sent,
                        supplier_confirmed=date(2026, 12, 22))  # fmt: skip
    assert Shipment.from_json(shipment.to_json()) == shipment
    supplier = Supplier("sup", "Sup", "a@b.example", 5, (("A", "X-1"), ("B", "X-2")))
    assert Supplier.from_json(supplier.to_json()) == supplier
    assert supplier.code("B") == "X-2" and supplier.code("C") == ""
    # Records written before purchase orders existed read as before (no PO, no codes).
    old = json.loads(shipment.to_json())
    del old["po"], old["supplier_confirmed"]
    assert Shipment.from_json(json.dumps(old)).purchase_order is None
    assert Supplier.from_json('{"id": "sup", "name": "Sup"}').codes == ()


def test_file_names_and_email_text_carry_no_markup_or_path() -> None:
    po = PurchaseOrder("../../etc/PO 7<b>", date(2026, 12, 7), date(2026, 12, 20), "Shop <x>",
                       "s@shop.example", "", "Sup & Co", "a@b.example",
                       (PoLine("A", "<script>x</script>", "", 1),))  # fmt: skip
    assert po_filename(po) == "PO-etc-PO-7-b.pdf"
    assert "<script>" not in po_email_html(po) and "Shop &lt;x&gt;" in po_email_html(po)
    assert "<script>" not in po_html(po) and "&lt;script&gt;" in po_html(po)


def test_a_reply_finds_the_shipment_its_po_went_out_with(qapp, rig: Rig) -> None:
    cache = rig.session.cache
    draft = the_draft(rig)
    po = draft_purchase_order(cache, draft.id, merchant(rig)).order
    sent = send_purchase_order(cache, draft.id, po, render_po_pdf(po), rig.config)
    assert sent.purchase_order is not None
    reply_refs = ["<other@x.example>", sent.purchase_order.message_id]
    found = shipment_for_reply(cache, reply_refs)
    assert found is not None and found.id == draft.id
    assert shipment_for_reply(cache, ["<unknown@x.example>"]) is None
