"""The Open backorders tab against the real demo store and a real SMTP sink (pytest-qt)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt

from backorder_desktop.cache.shared_choices import partial_orders, priorities
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from backorder_desktop.mail.default_templates import DEFAULTS
from backorder_desktop.services.notices.mail_setup import TEMPLATES_FILE, load_templates
from backorder_desktop.services.notices.notify import count_text
from backorder_desktop.ui.dialogs.mail_settings import MailSettingsDialog
from backorder_desktop.ui.dialogs.notify_preview import NotifyPreviewDialog
from backorder_desktop.ui.dialogs.templates import TemplatesDialog
from backorder_desktop.ui.shell import AppShell
from backorder_desktop.ui.tabs.backorders import BackordersPanel
from tests.support.gui import (
    make_shell,
    open_and_sync,
    rows_shown_after,
    unnamed_controls,
    use_mail_sink,
)
from tests.support.notices import put_shipment

D1, D2 = date(2027, 1, 10), date(2027, 2, 20)
TIMEOUT = 30_000


pytestmark = pytest.mark.demo_store(seed=11)


@pytest.fixture
def shell(sink: MailSink, shell: AppShell) -> AppShell:
    """Open backorders, not connected yet; notices go to `sink`."""
    use_mail_sink(shell, sink, mail_from_name="Test Outdoor Shop")
    shell.window.show_tab("backorders")
    return shell


def panel_of(shell: AppShell) -> BackordersPanel:
    panel = shell.window.backorders_panel
    assert isinstance(panel, BackordersPanel)
    return panel


def select_rows(panel: BackordersPanel, predicate) -> None:
    view = panel.view
    view.table.clearSelection()
    for n in range(view.proxy.rowCount()):
        row = view.model.row(view.proxy.mapToSource(view.proxy.index(n, 0)).row())
        if predicate(row):
            view.table.selectRow(n)


def reloaded(qtbot, shell: AppShell, action) -> None:
    """Run an action; only the rows it touched are re-read and patched in (issue 15)."""
    models = [view.model for view in shell.window.views().values()]
    resets = [model.resets for model in models]
    patched = [model.patched_rows for model in models]
    with qtbot.waitSignal(shell.controller.rows_patched, timeout=TIMEOUT):
        action()
    assert [model.resets for model in models] == resets  # no table was reset
    products = shell.window.products.model
    grown = products.patched_rows - patched[0]
    assert grown < products.rowCount() / 10  # a few variants, not the catalogue


def test_raising_and_lowering_a_priority_reorders_the_queue_and_its_etas(
    qtbot, shell: AppShell, store: DemoStore
) -> None:
    # SKU with two or more waiting lines: the first line's units come on D1, the rest on D2.
    waiting = Counter(
        line.sku
        for order in store.state.open_orders()
        for line in order.lines
        if line.quantity_backordered
    )
    sku = next(s for s, n in waiting.most_common() if n >= 2)
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    rows = [r for r in panel.view.model.rows() if r.line.sku == sku]
    first, last = rows[0], rows[-1]
    put_shipment(store, "s1", D1, {sku: first.line.qty_waiting})
    put_shipment(store, "s2", D2, {sku: sum(r.line.qty_waiting for r in rows)})
    # The sync brings two shipment records: only the rows of their SKU are re-read.
    assert rows_shown_after(qtbot, shell, shell.controller.refresh, TIMEOUT) == "patched"

    def line_of(order_id: int):
        return next(
            r.line
            for r in panel.view.model.rows()
            if r.line.sku == sku and r.line.order_id == order_id
        )

    assert line_of(first.line.order_id).eta == D1
    assert line_of(last.line.order_id).eta == D2
    select_rows(panel, lambda r: r.line.order_id == last.line.order_id)
    assert panel.raise_button.isEnabled()
    asked: list[str] = []
    panel.confirm = lambda title, text: asked.append(text) or True
    reloaded(qtbot, shell, panel.raise_button.click)
    # Previewed before it was applied: both orders' dates move, one earlier, one later.
    assert (
        f"#{last.line.order_id} {sku}: {D2.isoformat()} -> {D1.isoformat()} (earlier)" in (asked[0])
    )
    assert (
        f"#{first.line.order_id} {sku}: {D1.isoformat()} -> {D2.isoformat()} (later)" in (asked[0])
    )

    moved = line_of(last.line.order_id)
    assert (moved.queue_position, moved.priority, moved.eta) == (1, 1, D1)
    # Only that SKU's rows were re-read, and the table shows them in the queue's new order.
    in_table = [r.line.order_id for r in panel.view.model.rows() if r.line.sku == sku]
    assert in_table[0] == last.line.order_id
    assert line_of(first.line.order_id).queue_position == 2
    # Shared with the other laptops: the order metafield `queue` (issue 7).
    assert priorities(shell.controller.session.cache) == {last.line.order_id: 1}

    select_rows(panel, lambda r: r.line.order_id == last.line.order_id)
    reloaded(qtbot, shell, panel.lower_button.click)
    assert line_of(last.line.order_id).priority == 0
    assert line_of(first.line.order_id).queue_position == 1


def test_group_by_sku_summary_and_partial_shipment(
    qtbot, shell: AppShell, store: DemoStore
) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    all_rows = panel.view.model.rows()
    panel.groups.by.setCurrentIndex(1)  # by SKU
    assert panel.groups.isVisible()
    sku = panel.groups.group_keys()[0]  # the SKU with the most units waiting
    assert panel.groups.select_group(sku)
    shown = panel.view.visible_rows()
    assert shown and {r.line.sku for r in shown} == {sku}
    qtbot.waitUntil(lambda: panel.summary.text().startswith(f"{len(shown)} lines"))
    units = sum(r.line.qty_waiting for r in shown)
    assert f"{units} units" in panel.summary.text()

    order_id = shown[0].line.order_id
    select_rows(panel, lambda r: r.line.order_id == order_id)
    assert panel.partial_button.text() == "Allow partial shipment"
    reloaded(qtbot, shell, panel.partial_button.click)
    cache = shell.controller.session.cache
    assert order_id in partial_orders(cache)  # order metafield `queue`, shared (issue 7)
    assert all(r.partial_allowed for r in panel.view.model.rows() if r.line.order_id == order_id)
    panel.groups.by.setCurrentIndex(0)
    assert panel.view.proxy.rowCount() == len(all_rows)


def test_preview_exclude_edit_intro_and_send_in_the_background(
    qtbot, shell: AppShell, store: DemoStore, sink: MailSink
) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    plan = panel.due_plan()
    assert plan is not None and len(plan.due) >= 5
    assert panel.notify_button.text() == f"Notify {count_text(plan.due)}…"
    panel.notify_button.click()
    dialog = panel.dialog
    assert isinstance(dialog, NotifyPreviewDialog)
    qtbot.addWidget(dialog)
    assert unnamed_controls(dialog) == []
    assert dialog.view.model.rowCount() == len(plan.due)

    first = dialog.view.model.row(0).notice
    dialog.view.table.selectRow(0)
    assert first.customer_name.split()[0] in dialog.html.toPlainText()
    assert f"#{first.order_id}" in dialog.subject.text()
    dialog.intro.setPlainText("Thank you for waiting with us, truly.")
    dialog.render_current()
    assert "Thank you for waiting with us, truly." in dialog.text.toPlainText()
    assert "Thank you for waiting with us, truly." in dialog.html.toPlainText()

    dialog.view.table.selectRow(1)
    excluded = dialog.view.selected_rows()[0].notice
    dialog.exclude_button.click()
    kept = [n for n in plan.due if n.key != excluded.key]
    assert dialog.send_button.text() == f"Send {count_text(kept)}"

    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=TIMEOUT)
    assert not dialog.progress.isVisible()
    assert f"Sent {len(plan.due) - 1} notices." in dialog.result.text()
    messages = sink.messages()
    assert len(messages) == len(plan.due) - 1
    assert len({m.peer for m in messages}) == 1
    recipients = Counter(r for m in messages for r in m.rcpt_tos)
    expected = Counter(n.email for n in plan.due if n.key != excluded.key)
    assert recipients == expected
    intro_kind = dialog.intro_kind.currentData()
    for message in messages:
        if message.subject and f"#{excluded.order_id}" in message.subject:
            pytest.fail("the excluded recipient got an email")
        if intro_kind == "confirmation" and "delayed" not in message.subject:
            assert "Thank you for waiting with us, truly." in message.body("plain")

    # The excluded notice is still due; the rest are done.
    qtbot.waitUntil(
        lambda: (p := panel.due_plan()) is not None and [n.key for n in p.due] == [excluded.key],
        timeout=TIMEOUT,
    )
    assert panel.notify_button.text() == "Notify 1 e-mail to 1 customer…"
    dialog.close()


def test_the_notify_counts_name_emails_and_customers_and_send_only_what_the_list_shows(
    qtbot, shell: AppShell, store: DemoStore, sink: MailSink
) -> None:
    """Issue 14: "Notify 65 customers…" sent 86 emails; filtered to one row, all 87 went."""
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    plan = panel.due_plan()
    assert plan is not None and len(plan.due) > len(plan.recipients)  # some have 2 notices
    emails, customers = len(plan.due), len(plan.recipients)
    assert panel.notify_button.text() == f"Notify {emails} e-mails to {customers} customers…"

    # A selection in Open backorders: the button and the dialog are about those orders only.
    order_id = next(n.order_id for n in plan.due if n.kind == "confirmation")
    select_rows(panel, lambda r: r.line.order_id == order_id)
    mine = [n for n in plan.due if order_id in n.order_ids]
    assert panel.notify_button.text() == f"Notify selected: {count_text(mine)}…"
    panel.notify_button.click()
    scoped = panel.dialog
    qtbot.addWidget(scoped)
    assert [r.notice.key for r in scoped.view.model.rows()] == [n.key for n in mine]
    assert scoped.send_button.text() == f"Send {count_text(mine)}"
    scoped.close()
    panel.view.table.clearSelection()
    qtbot.waitUntil(lambda: panel.notify_button.text().startswith(f"Notify {emails} e-mails"))

    # Filtered in the dialog: Send sends the rows shown, and says so.
    panel.notify_button.click()
    dialog = panel.dialog
    qtbot.addWidget(dialog)
    email = plan.due[0].email
    dialog.view.search.setText(email)
    dialog.view.apply_search_now()
    shown = [r.notice for r in dialog.view.visible_rows()]
    assert 0 < len(shown) < len(plan.due) and {n.email for n in shown} == {email}
    assert dialog.send_button.text() == f"Send {count_text(shown)} (only the rows shown)"
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=TIMEOUT)
    messages = sink.messages()
    assert len(messages) == len(shown) == len(dialog.report.sent)
    assert {r for m in messages for r in m.rcpt_tos} == {email}
    dialog.close()


def test_a_template_with_a_bad_placeholder_shows_the_error_and_is_not_saved(
    qtbot, tmp_path: Path
) -> None:
    dialog = TemplatesDialog(tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed_controls(dialog) == []
    dialog.kind.setCurrentIndex(dialog.kind.findData("delay"))
    good_preview = dialog.preview_text.toPlainText()
    assert "was 1 December 2026" in good_preview
    dialog.html.setPlainText(dialog.html.toPlainText() + "<p>{{ custmer_name }}</p>")
    qtbot.waitUntil(lambda: "custmer_name" in dialog.error.text(), timeout=5_000)
    assert "unknown placeholder 'custmer_name'" in dialog.error.text()
    assert "HTML part of the Delay template" in dialog.error.text()
    assert dialog.preview_text.toPlainText() == good_preview  # the last good preview stays

    dialog.save_button.click()
    assert "not saved" in dialog.error.text()
    assert not (tmp_path / TEMPLATES_FILE).exists()
    assert load_templates(tmp_path)["delay"] == DEFAULTS["delay"]

    dialog.html.setPlainText(dialog.html.toPlainText().replace("custmer_name", "customer_name"))
    dialog.subject.setText("Update on order #{{ order_id }}")
    dialog.save_button.click()
    assert dialog.error.text() == "Saved."
    saved = load_templates(tmp_path)["delay"]
    assert saved.subject == "Update on order #{{ order_id }}"
    assert json.loads((tmp_path / TEMPLATES_FILE).read_text())["delay"]["subject"] == saved.subject
    dialog.reset_button.click()
    assert load_templates(tmp_path)["delay"] == DEFAULTS["delay"]


def test_mail_settings_send_a_test_email_and_keep_the_password_in_the_keychain(
    qtbot, shell: AppShell, store: DemoStore, sink: MailSink
) -> None:
    open_and_sync(qtbot, shell, store)
    dialog = MailSettingsDialog(shell.controller, shell.window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed_controls(dialog) == []
    dialog.test_to.setText("owner@shop.example")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "Test email sent" in dialog.status.text(), timeout=TIMEOUT)
    [message] = sink.messages()
    assert message.rcpt_tos == ("owner@shop.example",)

    dialog.user.setText("shop")
    dialog.password.setText("hunter2-secret")
    dialog.checkin.setValue(7)
    with qtbot.waitSignal(shell.controller.settings_saved, timeout=5_000):
        dialog.save()
    assert keyring.get_password("backorder-desktop", "smtp:shop@127.0.0.1") == "hunter2-secret"
    saved = json.loads((shell.settings_folder / "settings.json").read_text())
    assert saved["checkin_days"] == 7 and saved["smtp_user"] == "shop"
    assert "hunter2-secret" not in (shell.settings_folder / "settings.json").read_text()
    assert shell.controller.settings.checkin_days == 7


@pytest.fixture
def demo_shell(qtbot, tmp_path: Path) -> Iterator[AppShell]:
    app_shell = make_shell(tmp_path / "data")
    qtbot.addWidget(app_shell.window)
    yield app_shell
    app_shell.stop()
    qtbot.wait(50)  # deliver the last queued task signals while their receivers still exist


def test_sent_mail_viewer_in_demo_mode(qtbot, demo_shell: AppShell, tmp_path: Path) -> None:
    with qtbot.waitSignal(demo_shell.controller.sync_finished, timeout=60_000):
        demo_shell.start(demo=True)
    panel = panel_of(demo_shell)
    qtbot.waitUntil(lambda: panel.notify_button.isEnabled(), timeout=TIMEOUT)
    assert panel.actions_bar.offers(panel.sent_button)  # demo mode only (maybe under More)
    panel.notify_button.click()
    preview = panel.dialog
    qtbot.addWidget(preview)
    preview.send_button.click()
    qtbot.waitUntil(lambda: preview.report is not None, timeout=TIMEOUT)
    sent = len(preview.report.sent)
    assert sent > 0
    preview.close()
    panel.sent_button.click()
    viewer = panel.dialog
    qtbot.addWidget(viewer)
    assert unnamed_controls(viewer) == []
    qtbot.waitUntil(lambda: viewer.view.model.rowCount() == sent, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "Hello" in viewer.text.toPlainText(), timeout=TIMEOUT)
    assert "Subject: Your order #" in viewer.headers.text()
    assert (tmp_path / "data" / "demo-mail").is_dir()
    viewer.close()


def test_keyboard_focus_reaches_the_group_list(qtbot, shell: AppShell, store: DemoStore) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    panel.groups.by.setCurrentIndex(3)  # by order
    panel.groups.list.setFocus()
    qtbot.keyClick(panel.groups.list, Qt.Key.Key_Down)
    item = panel.groups.list.currentItem()
    assert item is not None and item.text().startswith("#")
    order_id = int(item.text()[1:].split()[0])
    assert {r.line.order_id for r in panel.view.visible_rows()} == {order_id}
