"""Store, CSV, mail-server and supplier text is shown as text, never as rich text (issue 18)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QTextBrowser

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.ui.dialogs.connect import ConnectDialog
from backorder_desktop.ui.dialogs.mail_settings import MailSettingsDialog
from backorder_desktop.ui.dialogs.message_parts import MessageParts
from backorder_desktop.ui.plain_text import ask_text, message_box
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import open_and_sync
from tests.support.notices import backorder_for

HOSTILE = '<img src="//attacker.example/share/p.png">Sam'
HOSTILE_HEADER = '<a href="http://attacker.example/x">sku</a>'
WAIT_MS = 60_000


def shown_as(text: str) -> str:
    """What Qt displays for a tooltip or AutoText string: rich text if it looks like it."""
    document = QTextDocument()
    if GuiQt.mightBeRichText(text):
        document.setHtml(text)
    else:
        document.setPlainText(text)
    return document.toPlainText()


def hostile_labels() -> list[QLabel]:
    found = []
    for widget in QApplication.allWidgets():
        try:
            if isinstance(widget, QLabel) and "attacker.example" in widget.text():
                found.append(widget)
        except RuntimeError:  # a widget Qt has deleted since
            continue
    return found


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=3, products=30, orders=10) as demo:
        order_id = backorder_for(demo, HOSTILE, "Doe", "sam@example.com", qty=30)
        [line] = demo.state.orders[order_id].lines
        demo.state.variants[line.variant_id].sku = HOSTILE
        line.sku = HOSTILE
        yield demo


def test_store_text_in_tables_charts_and_messages_is_shown_literally(
    qtbot: Any, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    open_and_sync(qtbot, shell, store)
    window = shell.window

    # Table tooltips (every table model): what Qt would show is the text as the store has it.
    checked = 0
    for view in (window.products, window.backorders):
        model = view.model
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                index = model.index(row, column)
                shown = model.data(index, Qt.ItemDataRole.DisplayRole)
                if isinstance(shown, str) and "attacker.example" in shown:
                    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
                    assert shown_as(tip) == shown
                    assert "<img" not in tip
                    checked += 1
    assert checked >= 3  # the SKU in both tables and the customer's name

    # The Insights chart of the top SKUs: Qt Charts renders axis labels as HTML.
    window.show_tab("insights")
    qtbot.waitUntil(lambda: window.insights_panel.report is not None, timeout=WAIT_MS)
    chart = window.insights_panel.sku_chart.chart()
    categories = [c for axis in chart.axes() for c in getattr(axis, "categories", list)()]
    hostile = [c for c in categories if "attacker.example" in c]
    assert hostile and all(shown_as("<p>" + c + "</p>") == HOSTILE for c in hostile)

    # A CSV whose header is a link: the refusal quotes it as text in a plain message box.
    panel = window.products_panel
    path = tmp_path / "links.csv"
    path.write_text(f"{HOSTILE_HEADER},limit\nA,3\n", encoding="utf-8")
    panel.actions.message_box = None
    panel.actions.import_csv_file(path)
    qtbot.waitUntil(lambda: panel.actions.message_box is not None, timeout=WAIT_MS)
    box = panel.actions.message_box
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert HOSTILE_HEADER in box.text()
    box.close()

    # Every label that holds such text anywhere in the app shows it as plain text.
    labels = hostile_labels()
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


def test_dialog_labels_message_boxes_and_prompts_are_plain(qtbot: Any, shell: AppShell) -> None:
    # A mail server's or BigCommerce's message, shown in the connect dialog.
    connect = ConnectDialog(shell.runner, shell.window)
    qtbot.addWidget(connect)
    connect._show(f"BigCommerce said: {HOSTILE}", error=True)
    assert connect.result.textFormat() == Qt.TextFormat.PlainText
    assert connect.result.text() == f"BigCommerce said: {HOSTILE}"

    # A From address typed with markup: refused, quoted literally.
    mail = MailSettingsDialog(shell.controller, shell.window)
    qtbot.addWidget(mail)
    mail.sender.setText(HOSTILE)
    mail.save()
    assert "attacker.example" in mail.status.text()
    assert mail.status.textFormat() == Qt.TextFormat.PlainText
    assert mail.result() != mail.DialogCode.Accepted
    # The ordinary From form is accepted there: its name becomes the From name.
    mail.sender.setText("Zoë Café <cafe@example.com>")
    mail.save()
    assert mail.result() == mail.DialogCode.Accepted
    saved = shell.controller.settings
    assert (saved.mail_from, saved.mail_from_name) == ("cafe@example.com", "Zoë Café")

    box = message_box(None, QMessageBox.Icon.Warning, "t", HOSTILE, informative=HOSTILE_HEADER)
    qtbot.addWidget(box)
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert {lbl.textFormat() for lbl in box.findChildren(QLabel)} == {Qt.TextFormat.PlainText}

    seen: list[Qt.TextFormat] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        seen.extend(
            lbl.textFormat() for lbl in dialog.findChildren(QLabel) if "attacker" in lbl.text()
        )
        dialog.reject()

    QTimer.singleShot(0, answer)
    ask_text(shell.window, "Token", f"Paste the token for {HOSTILE}:")
    assert seen == [Qt.TextFormat.PlainText]

    for label in hostile_labels():
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()


def test_mail_html_previews_load_nothing(qtbot: Any, tmp_path: Path) -> None:
    image = tmp_path / "p.png"
    picture = QImage(4, 4, QImage.Format.Format_RGB32)
    picture.fill(0)
    assert picture.save(str(image))
    html = f'<p>Hi</p><img src="{QUrl.fromLocalFile(str(image)).toString()}">'
    url = QUrl.fromLocalFile(str(image))

    ordinary = QTextBrowser()
    qtbot.addWidget(ordinary)
    ordinary.setHtml(html)
    ordinary.grab()
    assert ordinary.loadResource(QTextDocument.ResourceType.ImageResource.value, url) is not None

    parts = MessageParts()
    qtbot.addWidget(parts)
    parts.html.setHtml(html)
    parts.html.grab()
    assert parts.html.loadResource(QTextDocument.ResourceType.ImageResource.value, url) is None
    assert parts.html.openLinks() is False


def test_the_ui_creates_labels_and_message_boxes_only_through_the_plain_text_helpers() -> None:
    """A new `QLabel(...)` or `QMessageBox.warning(...)` would be AutoText again: use
    PlainLabel and plain_text's message_box/inform/warn/ask/ask_text instead."""
    ui = Path(__file__).resolve().parent.parent / "backorder_desktop" / "ui"
    pattern = re.compile(
        r"\bQLabel\(|QMessageBox\.(?:information|warning|critical|question)\(|"
        r"QInputDialog\.get\w+\(|\bQMessageBox\("
    )
    offenders = [
        f"{path.relative_to(ui)}:{n}: {line.strip()}"
        for path in sorted(ui.rglob("*.py"))
        if path.name != "plain_text.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
