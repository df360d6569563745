"""Every dialog with the keyboard alone: Tab reaches each control in reading order and leaves
tables and text boxes, and no irreversible action is what Enter presses (issue 18)."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QPushButton,
    QRadioButton,
    QWidget,
)

from backorder_desktop.demo_store.mail_sink import MailSink
from backorder_desktop.ui.dialogs.bulk_action import (
    ENABLE,
    MESSAGE,
    SET_ETA,
    BulkActionDialog,
)
from backorder_desktop.ui.dialogs.connect import ConnectDialog
from backorder_desktop.ui.dialogs.crash import CrashDialog
from backorder_desktop.ui.dialogs.settings import SettingsDialog
from backorder_desktop.ui.dialogs.suppliers import SupplierDialog
from backorder_desktop.ui.dialogs.welcome import WelcomeDialog
from backorder_desktop.ui.keyboard import layout_order
from backorder_desktop.ui.shell import AppShell

WAIT_MS = 30_000
# Buttons whose action cannot be taken back (or sends mail, or books stock): never default.
IRREVERSIBLE = re.compile(
    r"^(Send \d|Release|Book|Keep this|Take the other|Discard|Reverse|Undo selected|Close shipment"
    r"|Apply$)"
)


pytestmark = [
    pytest.mark.demo_store(seed=2, products=60, orders=90),
    pytest.mark.usefixtures("synced"),
]


def _reachable(widget: QWidget) -> bool:
    if isinstance(widget, QRadioButton) and not widget.isChecked():
        return False  # Qt: Tab stops at a group's checked radio; arrows choose within it
    return (
        bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and widget.isVisible()
        and widget.isEnabled()
    )


def _focus_target(widget: QWidget) -> QWidget:
    while widget.focusProxy() is not None:
        widget = widget.focusProxy()
    return widget


def _walk(qtbot, dialog: QDialog) -> tuple[list[QWidget], list[QWidget]]:
    """(what the layout shows, in reading order; where Tab alone takes the focus)."""
    expected = [_focus_target(w) for w in layout_order(dialog)]
    expected = [w for w in expected if _reachable(w)]
    assert expected, f"{dialog.windowTitle()}: nothing to focus"
    expected[0].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is expected[0], timeout=2000)
    visited = [expected[0]]
    for _ in range(len(expected) + 3):
        current = QApplication.focusWidget()
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is expected[0]:
            break
        visited.append(now)
        if isinstance(now, QAbstractItemView) and now.model() is not None:
            if now.model().rowCount():  # the focus frame has a cell to show on
                assert now.currentIndex().isValid(), now.accessibleName()
    return expected, visited


def _names(widgets: list[QWidget]) -> list[str]:
    return [w.accessibleName() or type(w).__name__ for w in widgets]


def check(qtbot, dialog: QDialog) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    for button in dialog.findChildren(QPushButton):
        if IRREVERSIBLE.match(button.text().replace("&", "")):
            assert not button.isDefault(), f"{dialog.windowTitle()}: {button.text()} is default"
            assert not button.autoDefault(), f"{dialog.windowTitle()}: Enter on {button.text()}"
            assert not button.hasFocus(), f"{dialog.windowTitle()}: opens on {button.text()}"
    expected, visited = _walk(qtbot, dialog)
    assert " > ".join(_names(visited)) == " > ".join(_names(expected)), dialog.windowTitle()
    dialog.close()


def _opened(qtbot, actions: Any, name: str, start: Callable[[], None]) -> QDialog:
    start()
    qtbot.waitUntil(lambda: name in actions.dialogs, timeout=WAIT_MS)
    dialog = actions.dialogs[name]
    assert isinstance(dialog, QDialog)
    return dialog


def _walk_products_dialogs(qtbot, shell: AppShell, tmp_path: Path) -> None:
    """Bulk preview, bulk history (with an entry to land on), the CSV import report."""
    actions = shell.window.products_panel.actions
    flow = actions.flow

    def preview_enable() -> QDialog:
        old = flow.preview_dialog
        actions.buttons[ENABLE].click()
        assert actions.action_dialog is not None
        actions.action_dialog.preview_button.click()
        qtbot.waitUntil(
            lambda: flow.preview_dialog is not old and flow.preview_dialog.isVisible(),
            timeout=WAIT_MS,
        )
        assert flow.preview_dialog.view.model.rowCount() > 0  # Tab lands on real lines
        return flow.preview_dialog

    check(qtbot, preview_enable())
    applied = preview_enable()
    with qtbot.waitSignal(flow.finished, timeout=WAIT_MS):
        applied.apply_button.click()
    qtbot.waitUntil(lambda: not shell.controller.runner.running, timeout=WAIT_MS)

    actions.show_history()
    history = actions.history_dialog
    assert history is not None
    qtbot.waitUntil(lambda: history.view.model.rowCount() == 1, timeout=WAIT_MS)
    check(qtbot, history)

    sku = shell.window.products_panel.view.visible_rows()[0].sku
    path = tmp_path / "backorders.csv"
    path.write_text(f"sku,limit,eta,message\n{sku},6,,\nNO-SUCH-SKU,4,,\n", encoding="utf-8")
    actions.import_csv_file(path)
    qtbot.waitUntil(lambda: actions.csv_dialog is not None, timeout=WAIT_MS)
    report = actions.csv_dialog
    assert report.view.model.rowCount() == 1  # the unknown SKU, a row Tab lands on
    check(qtbot, report)


def _walk_sent_mail(qtbot, shell: AppShell, tmp_path: Path) -> None:
    """The demo mail viewer, over a real SMTP sink holding one message."""
    with MailSink(tmp_path / "sink") as sink:
        with smtplib.SMTP(sink.host, sink.port) as smtp:
            smtp.sendmail(
                "shop@example.com",
                ["ann@example.com"],
                "Subject: Your order\r\nContent-Type: text/plain\r\n\r\nHello Ann\r\n",
            )
        shell.controller.mail_sink_folder = sink.folder
        backorders = shell.window.backorders_panel
        backorders.open_sent_mail()
        viewer = backorders.dialog
        qtbot.waitUntil(lambda: "Hello Ann" in viewer.text.toPlainText(), timeout=WAIT_MS)
        check(qtbot, viewer)


def test_tab_walks_every_dialog_in_reading_order(qtbot, shell: AppShell, tmp_path: Path) -> None:
    window = shell.window
    simple: list[QDialog] = [
        ConnectDialog(shell.runner, window),
        SettingsDialog(shell.settings, [], window),
        WelcomeDialog(window),
        SupplierDialog(None, window),
        CrashDialog("Traceback: a bug", "log tail", window),
    ]
    for action in (ENABLE, SET_ETA, MESSAGE):
        simple.append(
            BulkActionDialog(
                action, selected=2, in_filter=9, locations=[], location_id=None, native=True,
                parent=window,
            )
        )  # fmt: skip
    for dialog in simple:
        qtbot.addWidget(dialog)
        check(qtbot, dialog)

    backorders = window.backorders_panel
    backorders.open_mail_settings()
    check(qtbot, backorders.dialog)
    backorders.open_templates()
    check(qtbot, backorders.dialog)
    backorders.open_notify_preview()
    check(qtbot, backorders.dialog)

    shell.records.show_outbox()
    check(qtbot, shell.records.outbox_dialog)
    shell.records.show_conflicts()
    check(qtbot, shell.records.conflicts_dialog)

    actions = window.shipments_panel.actions
    check(qtbot, _opened(qtbot, actions, "shipment", actions.new_shipment))
    check(qtbot, _opened(qtbot, actions, "suppliers", actions.suppliers))
    check(qtbot, _opened(qtbot, actions, "release", actions.release))
    check(qtbot, _opened(qtbot, actions, "undo", actions.undo_release))
    check(qtbot, _opened(qtbot, actions, "receipts", actions.receipts))
    shipment = next(r for r in window.shipments.model.rows() if r.is_open and r.lines)
    check(qtbot, _opened(qtbot, actions, "receive", lambda: actions.receive(shipment.id)))

    _walk_products_dialogs(qtbot, shell, tmp_path)
    _walk_sent_mail(qtbot, shell, tmp_path)
