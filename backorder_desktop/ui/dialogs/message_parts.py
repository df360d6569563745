"""An email's parts side by side in tabs: HTML, plain text and, optionally, the raw source."""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit, QTabWidget, QWidget

from ..plain_text import OfflineTextBrowser


class MessageParts(QTabWidget):
    def __init__(self, parent: QWidget | None = None, *, source: bool = False) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Message parts"))
        # Links and images in a customer's mail are not for the merchant's computer to follow.
        self.html = OfflineTextBrowser(self)
        self.html.setAccessibleName(self.tr("Message HTML"))
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("Message text"))
        self.addTab(self.html, self.tr("HTML"))
        self.addTab(self.text, self.tr("Plain text"))
        self.raw: QPlainTextEdit | None = None
        if source:
            self.raw = QPlainTextEdit(self)
            self.raw.setReadOnly(True)
            self.raw.setAccessibleName(self.tr("Message source"))
            self.addTab(self.raw, self.tr("Source"))
