"""The Replies panel in Open backorders (pytest-qt): demo customers' replies fetched over IMAP,
shown per order, confirmed in one click; the IMAP account in Mail settings."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt

from backorder_desktop.cache.shared_choices import partial_orders
from backorder_desktop.demo_store.demo_replies import INBOX_DIR
from backorder_desktop.mail.templates import NoticeRenderer
from backorder_desktop.services.notices.mail_setup import smtp_config
from backorder_desktop.services.notices.notify import NoticeOptions
from backorder_desktop.services.notices.notify_now import notify_now
from backorder_desktop.ui.dialogs.mail_settings import MailSettingsDialog
from backorder_desktop.ui.shell import AppShell
from backorder_desktop.ui.tabs.backorders import BackordersPanel
from tests.support.gui import make_shell, unnamed_controls
from tests.support.imap import PASSWORD, USER, imap_server

TIMEOUT = 30_000
SHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None


@pytest.fixture
def demo_shell(qtbot, tmp_path: Path) -> Iterator[AppShell]:
    app_shell = make_shell(tmp_path / "data")
    qtbot.addWidget(app_shell.window)
    with qtbot.waitSignal(app_shell.controller.sync_finished, timeout=60_000):
        app_shell.start(demo=True)
    yield app_shell
    app_shell.stop()
    qtbot.wait(50)  # deliver the last queued task signals while their receivers still exist


def _send_notices(shell: AppShell) -> int:
    """What the preview's Send does (tested elsewhere), straight through the service."""
    session = shell.controller.session
    assert session is not None and shell.controller.mail_sink is not None
    config = smtp_config(shell.settings, sink=shell.controller.mail_sink)
    done = notify_now(session, config, NoticeRenderer(), NoticeOptions(store_name="Demo"))
    return len(done.result.report.sent)


def _replies_arrive(qtbot, shell: AppShell) -> int:
    """Notices go out, demo customers answer some, Fetch replies reads them in; how many."""
    _send_notices(shell)
    answers = len(list((shell.data_dir / INBOX_DIR).glob("*.eml")))
    _fetch(qtbot, shell.window.backorders_panel, answers)
    return answers


def _fetch(qtbot, panel: BackordersPanel, expected: int) -> None:
    panel.replies.fetch_button.click()
    qtbot.waitUntil(lambda: panel.replies.view.model.rowCount() == expected, timeout=TIMEOUT)


def test_fetched_replies_show_beside_the_order_and_ship_partial_is_one_click(
    qtbot, demo_shell: AppShell, tmp_path: Path
) -> None:
    panel = demo_shell.window.backorders_panel
    assert isinstance(panel, BackordersPanel)
    replies = panel.replies
    assert replies.view.model.rowCount() == 0 and not replies.confirm_button.isEnabled()
    assert _send_notices(demo_shell) > 0
    answers = len(list((tmp_path / "data" / INBOX_DIR).glob("*.eml")))
    assert answers > 0, "demo customers answer some notices"

    _fetch(qtbot, panel, answers)
    assert unnamed_controls(replies) == []
    rows = replies.view.model.rows()
    partial = next(r for r in rows if r.suggestion == "ship_partial")
    assert replies.title.text() == "Replies to answer"

    # Selecting the order in the queue shows its replies only.
    view = panel.view
    for n in range(view.proxy.rowCount()):
        row = view.model.row(view.proxy.mapToSource(view.proxy.index(n, 0)).row())
        if row.line.order_id == partial.order_id:
            view.table.selectRow(n)
            break
    qtbot.waitUntil(
        lambda: [r.order_id for r in replies.view.model.rows()] == [partial.order_id],
        timeout=TIMEOUT,
    )
    assert replies.title.text() == f"Replies about order #{partial.order_id}"
    qtbot.waitUntil(lambda: partial.sender in replies.text.toPlainText(), timeout=TIMEOUT)
    assert "ship what you have" in replies.text.toPlainText()
    assert replies.confirm_button.text() == "Confirm: Ship what is in stock"
    cache = demo_shell.controller.session.cache
    assert partial.order_id not in partial_orders(cache)

    replies.confirm_button.click()

    qtbot.waitUntil(lambda: partial.order_id in partial_orders(cache), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: replies.view.model.rowCount() == 0, timeout=TIMEOUT)
    replies.show_answered.setChecked(True)
    qtbot.waitUntil(lambda: replies.view.model.rowCount() == 1, timeout=TIMEOUT)
    assert replies.view.model.rows()[0].handled_action == "ship_partial"
    qtbot.waitUntil(
        lambda: any(
            r.partial_allowed for r in view.model.rows() if r.line.order_id == partial.order_id
        ),
        timeout=TIMEOUT,
    )


def test_cancel_goes_to_the_cancel_dialog_and_nothing_happens_without_it(
    qtbot, demo_shell: AppShell
) -> None:
    panel = demo_shell.window.backorders_panel
    assert isinstance(panel, BackordersPanel)
    replies = panel.replies
    _replies_arrive(qtbot, demo_shell)
    rows = replies.view.model.rows()
    index = next(n for n, r in enumerate(rows) if r.suggestion == "cancel")
    wanted = rows[index]
    for n in range(replies.view.proxy.rowCount()):
        source = replies.view.proxy.mapToSource(replies.view.proxy.index(n, 0)).row()
        if replies.view.model.row(source).id == wanted.id:
            replies.view.table.selectRow(n)
    assert replies.confirm_button.text() == "Confirm: Cancel the order"
    asked: list[tuple[int, int]] = []
    replies.cancel_handler = lambda order_id, reply_id: asked.append((order_id, reply_id))

    replies.confirm_button.click()

    assert asked == [(wanted.order_id, wanted.id)]
    qtbot.wait(200)
    # Still to answer: only the cancel dialog, once done, marks it.
    assert wanted.id in {r.id for r in replies.view.model.rows()}
    assert demo_shell.controller.session.cache.replies.get(wanted.id).state == "new"


def test_the_imap_account_is_checked_and_its_password_kept_in_the_keychain(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shell = make_shell(tmp_path / "data")
    qtbot.addWidget(shell.window)
    with imap_server(tmp_path, monkeypatch) as server:
        dialog = MailSettingsDialog(shell.controller, shell.window)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.pages.setCurrentIndex(1)  # "Customers' replies"
        assert dialog.imap_host.isVisible() and unnamed_controls(dialog) == []
        dialog.imap_host.setText("127.0.0.1")
        dialog.imap_port.setValue(server.port)
        dialog.imap_user.setText(USER)
        dialog.imap_password.setText("wrong")
        dialog.imap_test_button.click()
        qtbot.waitUntil(lambda: "refused the login" in dialog.status.text(), timeout=TIMEOUT)
        # The button comes back once the check has finished (a signal of its own, after the
        # message): a click before that would be lost.
        qtbot.waitUntil(dialog.imap_test_button.isEnabled, timeout=TIMEOUT)
        dialog.imap_password.setText(PASSWORD)
        dialog.imap_test_button.click()
        qtbot.waitUntil(lambda: "The inbox works" in dialog.status.text(), timeout=TIMEOUT)
        assert server.marked_seen == set()
        with qtbot.waitSignal(shell.controller.settings_saved, timeout=5_000):
            dialog.save()
    assert keyring.get_password("backorder-desktop", f"imap:{USER}@127.0.0.1") == PASSWORD
    text = (shell.settings_folder / "settings.json").read_text()
    saved = json.loads(text)
    assert (saved["imap_host"], saved["imap_user"], saved["imap_security"]) == (
        "127.0.0.1", USER, "ssl"
    )  # fmt: skip
    assert PASSWORD not in text
    shell.stop()


def test_a_reply_written_in_the_demo_sent_mail_viewer_comes_back(
    qtbot, demo_shell: AppShell
) -> None:
    panel = demo_shell.window.backorders_panel
    assert isinstance(panel, BackordersPanel)
    sent = _send_notices(demo_shell)
    answers = len(list((demo_shell.data_dir / INBOX_DIR).glob("*.eml")))
    _fetch(qtbot, panel, answers)
    panel.sent_button.click()
    viewer = panel.dialog
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.view.model.rowCount() == sent, timeout=TIMEOUT)
    viewer.view.table.selectRow(0)
    notice = viewer.view.selected_rows()[0]
    assert unnamed_controls(viewer) == []

    viewer.reply_as_customer("Please just ship what you have.")

    assert "demo mailbox" in viewer.headers.text()
    viewer.close()
    _fetch(qtbot, panel, answers + 1)
    mine = [r for r in panel.replies.view.model.rows() if "just ship" in r.excerpt]
    assert [(r.sender, r.suggestion) for r in mine] == [(notice.rcpt_tos[0], "ship_partial")]


def _select_reply(replies, reply_id: int) -> None:
    for n in range(replies.view.proxy.rowCount()):
        source = replies.view.proxy.mapToSource(replies.view.proxy.index(n, 0)).row()
        if replies.view.model.row(source).id == reply_id:
            replies.view.table.selectRow(n)


def test_keep_is_the_customers_consent_and_cancel_opens_cancel_and_refund(
    qtbot, demo_shell: AppShell
) -> None:
    """As the window wires them (ui/tabs/reply_actions.py): a confirmed "keep" records the
    customer's consent, shared like an answer typed by staff; a confirmed "cancel" opens
    "Cancel and refund…" for that order."""
    from backorder_desktop.cache.shared_consent import consent_answers
    from backorder_desktop.ui.dialogs.cancel import CancelDialog

    panel = demo_shell.window.backorders_panel
    assert isinstance(panel, BackordersPanel)
    replies = panel.replies
    _replies_arrive(qtbot, demo_shell)
    rows = replies.view.model.rows()
    keep = next(r for r in rows if r.suggestion == "keep")
    cancel = next(r for r in rows if r.suggestion == "cancel")
    cache = demo_shell.controller.session.cache
    assert not any(a.source == "reply" for a in consent_answers(cache).get(keep.order_id, []))

    _select_reply(replies, keep.id)
    replies.confirm_button.click()
    qtbot.waitUntil(
        lambda: any(
            a.state == "given" and a.source == "reply"
            for a in consent_answers(cache).get(keep.order_id, [])
        ),
        timeout=TIMEOUT,
    )

    _select_reply(replies, cancel.id)
    replies.confirm_button.click()
    qtbot.waitUntil(lambda: isinstance(panel.dialog, CancelDialog), timeout=TIMEOUT)
    assert list(panel.dialog.selection) == [cancel.order_id]
    panel.dialog.close()


def _queue_and_replies(panel: BackordersPanel) -> tuple[int, int]:
    """Heights in the tab's splitter: the queue (with its grouping) and the Replies panel."""
    return panel.split.widget(0).height(), panel.replies.height()


def test_the_replies_panel_is_one_line_until_a_reply_waits(qtbot, demo_shell: AppShell) -> None:
    window = demo_shell.window
    window.resize(1280, 800)
    window.show()
    window.show_tab("backorders")
    panel = window.backorders_panel
    assert isinstance(panel, BackordersPanel)
    replies = panel.replies
    qtbot.waitExposed(window)
    header = replies.header.sizeHint().height()

    # Nothing to confirm: a header line, and the queue takes the rest of the room.
    qtbot.waitUntil(lambda: replies.title.text() == "Replies · none to confirm", timeout=TIMEOUT)
    queue, folded = _queue_and_replies(panel)
    assert not replies.expanded and not replies.view.isVisible()
    assert folded <= header + 12
    assert queue >= panel.split.height() - folded - panel.split.handleWidth() - 2
    assert unnamed_controls(replies) == []

    # Replies arrive: the panel unfolds with its rows, a share of the room, the queue the most.
    answers = _replies_arrive(qtbot, demo_shell)
    qtbot.waitUntil(lambda: replies.view.table.isVisible(), timeout=TIMEOUT)
    assert replies.expanded and replies.title.text() == "Replies to answer"
    assert replies.view.proxy.rowCount() == answers
    if SHOTS is not None:  # SCREENSHOT_DIR=docs/screenshots: the picture the README shows
        window.grab().save(str(SHOTS / "backorders-replies.png"))
    queue, unfolded = _queue_and_replies(panel)
    assert unfolded >= min(200, panel.split.height() // 2) - 2 and unfolded > 4 * header
    assert queue > unfolded

    # An order with no reply selected in the queue: the panel stays where it is (no jumping).
    without = {r.order_id for r in replies.view.model.rows()}
    row = next(
        n for n in range(panel.view.proxy.rowCount())
        if panel.view.model.row(panel.view.proxy.mapToSource(panel.view.proxy.index(n, 0)).row())
        .line.order_id not in without
    )  # fmt: skip
    panel.view.table.selectRow(row)
    qtbot.waitUntil(lambda: replies.title.text().endswith("· none"), timeout=TIMEOUT)
    assert replies.expanded and _queue_and_replies(panel) == (queue, unfolded)

    # A click on the header folds it by hand, and another unfolds it.
    qtbot.mouseClick(replies.title, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: replies.height() <= header + 12, timeout=TIMEOUT)
    assert not replies.view.isVisible() and panel.split.widget(0).height() > queue
    qtbot.mouseClick(replies.title, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: replies.view.table.isVisible(), timeout=TIMEOUT)
    assert replies.height() > 4 * header
