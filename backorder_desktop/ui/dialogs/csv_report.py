"""The validation report of a backorder CSV: bad rows with reasons; nothing applied yet."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.models import Location
from ...services.bulk.bulk_csv import CsvCheck
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..records_view import RecordsView
from ..table_model import Column, RecordsTableModel


class CsvReportDialog(QDialog):
    """`preview_requested` to preview the valid rows; the bad ones are left out."""

    preview_requested = Signal()

    def __init__(
        self,
        name: str,
        check: CsvCheck,
        locations: list[Location],
        location_id: int | None,
        native: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.check = check
        self.setWindowTitle(self.tr("Import {0}").format(name))
        good, bad = len(check.edits), len(check.problems)
        if bad:
            text = self.tr(
                "{0} row(s) can be applied. {1} row(s) have problems and will be left out; "
                "fix them in the file and import again, or go on without them. Nothing has been "
                "changed yet."
            ).format(good, bad)
        else:
            text = self.tr("All {0} row(s) can be applied. Nothing has been changed yet.").format(
                good
            )
        self.summary = PlainLabel(text, self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Import summary"))
        columns = [
            Column("line", "Line", lambda p: p.line, numeric=True),
            Column("sku", "SKU", lambda p: p.sku),
            Column("reason", "Problem", lambda p: p.reason),
        ]
        model = RecordsTableModel(columns, row_key=lambda p: (p.line, p.sku))
        self.view = RecordsView("Import problems", model)
        self.view.set_rows(list(check.problems))
        self.view.fit_columns([60, 160, 520])
        self.location = QComboBox(self)
        self.location.setAccessibleName(self.tr("Inventory location"))
        for loc in locations:
            self.location.addItem(f"{loc.label} ({loc.code})", loc.id)
        self.location.setCurrentIndex(max(0, self.location.findData(location_id)))
        form = QFormLayout()
        if native and check.sets_limits and locations:
            form.addRow(self.tr("Limits apply at"), self.location)
        else:
            self.location.setVisible(False)
        self.preview_button = QPushButton(self.tr("Preview {0} row(s)…").format(good), self)
        self.preview_button.setAccessibleName(self.tr("Preview valid rows"))
        self.preview_button.setEnabled(good > 0)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        keyboard_friendly(self)
        self.resize(800, 420)

    def location_id(self) -> int | None:
        data = self.location.currentData()
        return int(data) if data is not None else None

    def _on_buttons_accepted(self) -> None:
        self.accept()
        self.preview_requested.emit()
