"""The crash dialog: a bug gets copyable details and the log tail, with secrets redacted."""

from __future__ import annotations

import platform
import sys

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ... import __version__
from ...services.logs import redact
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..widgets import named_buttons


def crash_report(details: str, log_tail: str) -> str:
    return redact(
        f"Backorder Desktop {__version__} on {platform.platform()}, Python {sys.version.split()[0]}\n\n"
        f"{details.strip()}\n\n--- log (last lines) ---\n{log_tail.strip()}\n"
    )


class CrashDialog(QDialog):
    def __init__(self, details: str, log_tail: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Something went wrong"))
        self.setAccessibleName(self.tr("Crash report"))
        self.report = crash_report(details, log_tail)
        intro = PlainLabel(
            self.tr(
                "Backorder Desktop hit a bug. Your data is safe: unsent changes stay in the "
                "outbox. Please copy the report below and send it to support."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.text = QPlainTextEdit(self.report, self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("Crash details"))
        self.text.setMinimumSize(640, 320)
        buttons = named_buttons(self, QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(self.tr("Copy report"), self)
        copy.setAccessibleName(self.tr("Copy report"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.report))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        keyboard_friendly(self)
