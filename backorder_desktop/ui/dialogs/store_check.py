"""Help > Check store connection…: the doctor's read-only checks, as text to read or send."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.sync_control.doctor import DoctorReport
from ..plain_text import PlainLabel
from ..widgets import named_buttons


class StoreCheckDialog(QDialog):
    """Shows "Checking…" until `set_report` (the checks run on a worker thread)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Check store connection"))
        # Plain text: a BigCommerce message shown here must never be read as markup.
        self.summary = PlainLabel(self.tr("Checking the store… (read-only)"), self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Store check result"))
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("Store check report"))
        self.copy_button = QPushButton(self.tr("Copy report"), self)
        self.copy_button.setAccessibleName(self.tr("Copy report"))
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        buttons = named_buttons(self, QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.details)
        layout.addWidget(buttons)
        self.resize(640, 420)
        self.report: DoctorReport | None = None

    def set_report(self, report: DoctorReport) -> None:
        self.report = report
        failing = [c for c in report.checks if not c.ok]
        if report.ok:
            self.summary.setText(self.tr("All checks passed."))
        else:
            self.summary.setText(
                self.tr("%n check(s) need attention: see what to do below.", "", len(failing))
            )
        self.details.setPlainText(report.text())
        self.copy_button.setEnabled(True)

    def set_error(self, message: str) -> None:
        self.summary.setText(message)
        self.details.setPlainText(message)
        self.copy_button.setEnabled(True)

    def _on_copy_button_clicked(self) -> None:
        # The report holds no token and no customer data (services/sync_control/doctor.py).
        QGuiApplication.clipboard().setText(self.details.toPlainText())
