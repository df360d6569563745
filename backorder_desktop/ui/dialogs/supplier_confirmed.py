"""The delivery date a supplier confirmed: it becomes the shipment's expected date, with a
preview of whose ETA moves and the delay notices that fall due."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QVBoxLayout, QWidget

from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..widgets import DateField, problem_label
from .dock_common import button


class SupplierConfirmedDialog(QDialog):
    """`preview_requested(date)` asks the owner for the moves (`show_moves`);
    `save_requested(date)` to save, answered by `saved()` or `show_error()`."""

    preview_requested = Signal(object)
    save_requested = Signal(object)

    def __init__(
        self,
        reference: str,
        supplier: str,
        expected: date | None,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.today = today
        self.setWindowTitle(self.tr("Supplier confirmed {0}").format(reference))
        self.setAccessibleName(self.tr("Supplier confirmed date"))
        was = expected.isoformat() if expected else self.tr("no date")
        intro = PlainLabel(
            self.tr(
                "The delivery date {0} confirmed for {1} (expected until now: {2}). It becomes "
                "the shipment's expected date: the ETAs of the customers its units cover move "
                "with it, and those already told an earlier date get a delay notice with the "
                "next notices."
            ).format(supplier, reference, was),
            self,
        )
        intro.setWordWrap(True)
        self.date = DateField(self)
        self.date.setAccessibleName(self.tr("Confirmed delivery date"))
        start = expected if expected is not None and expected >= today else today
        self.date.setDate(QDate(start.year, start.month, start.day))
        self.moves = PlainLabel("", self)
        self.moves.setAccessibleName(self.tr("ETA changes"))
        self.moves.setWordWrap(True)
        self.error = problem_label(self)
        self.save_button = button(self, self.tr("Save confirmed date"))
        self.save_button.clicked.connect(self.request_save)
        cancel = button(self, self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.date)
        layout.addWidget(self.moves, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        self.date.date_changed.connect(lambda _=None: self._timer.start())
        keyboard_friendly(self)
        self.resize(560, 360)

    def chosen(self) -> date:
        return self.date.py_date()

    def refresh(self) -> None:
        self.error.setText("")
        if self.chosen() < self.today:
            self.moves.setText("")
            self.error.setText(self.tr("That date has passed: give today or later."))
            return
        self.preview_requested.emit(self.chosen())

    def show_moves(self, text: str) -> None:
        self.moves.setText(text)

    def request_save(self) -> None:
        if self.chosen() < self.today:
            self.show_error(self.tr("That date has passed: give today or later."))
            return
        self.error.setText("")
        self.save_button.setEnabled(False)
        self.save_requested.emit(self.chosen())

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.save_button.setEnabled(True)

    def saved(self) -> None:
        self.accept()
