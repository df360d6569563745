"""Give an overdue shipment a new expected date (its customers get their delay notice with it)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QDateEdit, QDialog, QHBoxLayout, QVBoxLayout, QWidget

from ..plain_text import PlainLabel
from ..widgets import problem_label
from .dock_common import button


class NewDateDialog(QDialog):
    """`save_requested(date)` asks the owner to save; it calls `saved()` or `show_error()`."""

    save_requested = Signal(object)

    def __init__(
        self,
        reference: str,
        expected: date | None,
        today: date,
        outstanding: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New expected date for {0}").format(reference))
        self.setAccessibleName(self.tr("New expected date"))
        was = expected.isoformat() if expected else self.tr("no date")
        intro = PlainLabel(
            self.tr(
                "{0} was expected on {1} and {2} units have not arrived. Until it has a new "
                'date it promises nothing: the lines it covers show "overdue, new date '
                'needed" and their customers are not told. Once saved, their delay notices '
                "are due with the new date."
            ).format(reference, was, outstanding),
            self,
        )
        intro.setWordWrap(True)
        self.date = QDateEdit(self)
        self.date.setAccessibleName(self.tr("New expected date"))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        first = QDate(today.year, today.month, today.day)
        self.date.setMinimumDate(first)  # no date before today is a promise (DESIGN.md)
        self.date.setDate(first.addDays(7))
        self.error = problem_label(self)
        self.save_button = button(self, self.tr("Save new date"))
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
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def chosen(self) -> date:
        picked = self.date.date()
        return date(picked.year(), picked.month(), picked.day())

    def request_save(self) -> None:
        self.error.setText("")
        self.save_button.setEnabled(False)
        self.save_requested.emit(self.chosen())

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.save_button.setEnabled(True)

    def saved(self) -> None:
        self.accept()
