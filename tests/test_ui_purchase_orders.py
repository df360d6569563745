"""Issue 19.5 in a real window: Supplier shipments → Purchase order… on the demo store's draft
(preview, a supplier code typed in, sent to a real SMTP sink with the PDF, or saved), the tab
showing it sent, then Supplier confirmed… with its ETA preview, a past date refused."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from backorder_desktop.demo_store.mail_sink import MailSink
from backorder_desktop.domain.shipments import DRAFT, ORDERED, Shipment
from backorder_desktop.services.dock.shipments import find_shipment, list_shipments
from backorder_desktop.ui.dialogs.purchase_order import CODE, PoLinesTableModel, PurchaseOrderDialog
from backorder_desktop.ui.dialogs.shipment_date import SupplierConfirmedDialog
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import use_mail_sink
from tests.support.pdf import pdf_text, save_page_png

WAIT_MS = 30_000


pytestmark = [pytest.mark.demo_store(seed=2), pytest.mark.usefixtures("synced")]


@pytest.fixture
def shell(sink: MailSink, shell: AppShell) -> AppShell:
    """Purchase orders are mailed to `sink`."""
    use_mail_sink(shell, sink, mail_from_name="Test Outdoor Shop", shop_contact="+44 20 7946 0000")
    return shell


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def select(qtbot, shell: AppShell, shipment_id: str) -> None:
    view = shell.window.shipments_panel.view
    qtbot.waitUntil(lambda: view.model.find_row(shipment_id) >= 0, timeout=WAIT_MS)
    source = view.model.index(view.model.find_row(shipment_id), 0)
    view.table.selectRow(view.proxy.mapFromSource(source).row())
    assert [r.id for r in view.selected_rows()] == [shipment_id]


def open_draft_po(qtbot, shell: AppShell) -> tuple[Any, Shipment, PurchaseOrderDialog]:
    """Select a draft shipment and open Purchase order… on it: (the tab, the draft, the dialog)."""
    draft = next(s for s in list_shipments(shell.controller.session.cache) if s.status == DRAFT)
    panel = shell.window.shipments_panel
    select(qtbot, shell, draft.id)
    panel.po_button.click()
    qtbot.waitUntil(lambda: "purchase order" in panel.po_actions.dialogs, timeout=WAIT_MS)
    dialog = panel.po_actions.dialogs["purchase order"]
    assert isinstance(dialog, PurchaseOrderDialog)
    return panel, draft, dialog


def test_purchase_order_sent_from_the_window_and_shown_in_the_tab(
    qtbot, qtmodeltester, shell: AppShell, sink: MailSink, tmp_path: Path
) -> None:
    session = shell.controller.session
    assert session is not None
    panel, draft, dialog = open_draft_po(qtbot, shell)
    actions = panel.po_actions
    assert isinstance(dialog.model, PoLinesTableModel)
    qtmodeltester.check(dialog.model)
    # The preview is the document itself; the ETA preview says what Ordered does.
    preview = dialog.preview.toPlainText()
    assert all(line.sku in preview for line in draft.lines)
    assert "Test Outdoor Shop" in preview and "+44 20 7946 0000" in preview
    qtbot.waitUntil(lambda: dialog.moves.text() != "", timeout=WAIT_MS)
    # A supplier code typed in the table is printed and remembered.
    assert dialog.model.setData(dialog.model.index(0, CODE), "NT-777")
    qtbot.waitUntil(lambda: "NT-777" in dialog.preview.toPlainText(), timeout=WAIT_MS)
    dialog.resize(1100, 640)
    qtbot.wait(200)
    dialog.grab().save(str(shots(tmp_path) / "purchase-order.png"))
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.result.text().startswith("Sent"), timeout=WAIT_MS)
    assert not dialog.send_button.isEnabled()  # sent once: not twice by a second click
    [mail] = sink.messages()
    assert mail.rcpt_tos == ("orders@nordstrom-textil.example",)
    [attachment] = list(mail.message.iter_attachments())
    pdf = attachment.get_content()
    text = pdf_text(pdf)
    assert "NT-777" in text and all(line.sku in text for line in draft.lines)
    save_page_png(pdf, shots(tmp_path) / "purchase-order-pdf.png")
    # The tab shows it sent (after the rows reload), and the shipment is Ordered.
    today = datetime.now(UTC).date()
    row_label = f"sent {today.isoformat()} to orders@nordstrom-textil.example"
    qtbot.waitUntil(
        lambda: any(r.id == draft.id and r.po_label == row_label for r in panel.view.model.rows()),
        timeout=WAIT_MS,
    )
    assert find_shipment(session.cache, draft.id).status == ORDERED
    dialog.close()
    shell.window.tabs.setCurrentWidget(panel)
    shell.window.resize(1280, 800)
    qtbot.wait(200)
    shell.window.grab().save(str(shots(tmp_path) / "shipments-po-sent.png"))

    # The supplier confirms a later date: a past one is refused, the preview names the moves.
    select(qtbot, shell, draft.id)
    panel.confirmed_button.click()
    qtbot.waitUntil(lambda: "supplier confirmed" in actions.dialogs, timeout=WAIT_MS)
    ask = actions.dialogs["supplier confirmed"]
    assert isinstance(ask, SupplierConfirmedDialog)
    ask.date.edit.setText((today - timedelta(days=2)).isoformat())
    ask.date.edit.textEdited.emit(ask.date.edit.text())
    ask.request_save()
    assert "passed" in ask.error.text()
    assert ask.save_button.isEnabled()
    later = today + timedelta(days=40)
    ask.date.edit.setText(later.isoformat())
    ask.date.edit.textEdited.emit(later.isoformat())
    qtbot.waitUntil(lambda: "notice" in ask.moves.text(), timeout=WAIT_MS)
    ask.grab().save(str(shots(tmp_path) / "supplier-confirmed.png"))
    ask.request_save()
    qtbot.waitUntil(lambda: "supplier confirmed" not in actions.dialogs, timeout=WAIT_MS)
    saved = find_shipment(session.cache, draft.id)
    assert saved.expected_date == later and saved.supplier_confirmed == later
    qtbot.waitUntil(
        lambda: any(
            r.id == draft.id and r.po_label.endswith(f"confirmed for {later.isoformat()}")
            for r in panel.view.model.rows()
        ),
        timeout=WAIT_MS,
    )


def test_purchase_order_saved_as_pdf_without_a_mail_server(
    qtbot, shell: AppShell, sink: MailSink, tmp_path: Path
) -> None:
    shell.controller.settings.smtp_host = ""  # no mail server set up: saving still works
    session = shell.controller.session
    assert session is not None
    panel, draft, dialog = open_draft_po(qtbot, shell)
    actions = panel.po_actions
    dialog.send_button.click()  # refused at once, in words, with the way out
    assert "mail server" in dialog.result.text().lower() and "save the PDF" in dialog.result.text()
    target = tmp_path / "orders" / "po.pdf"
    actions.choose_file = lambda suggested: str(target)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.result.text().startswith("Saved"), timeout=WAIT_MS)
    assert draft.lines[0].sku in pdf_text(target.read_bytes())
    assert sink.messages() == []
    saved = find_shipment(session.cache, draft.id)
    assert saved.purchase_order is not None and saved.purchase_order.to == str(target)
    dialog.close()
