"""A shipment's new date, never before today: an overdue one's, or its supplier's confirmed."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QCoreApplication, QDate, QTimer, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QVBoxLayout, QWidget

from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..widgets import DateField, problem_label
from .dock_common import button


def tr(text: str) -> str:
    return QCoreApplication.translate("ShipmentDateDialog", text)


class ShipmentDateDialog(QDialog):
    """`save_requested(date)` asks the owner to save; it answers with `saved()` or
    `show_error()`. With `preview`, each date typed emits `preview_requested(date)` and the
    owner answers with `show_moves(text)`: whose ETA moves, the notices that fall due."""

    preview_requested = Signal(object)
    save_requested = Signal(object)

    def __init__(
        self,
        *,
        title: str,
        name: str,
        intro: str,
        save_text: str,
        start: date,
        today: date,
        preview: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.today = today
        self.setWindowTitle(title)
        self.setAccessibleName(name)
        intro_label = PlainLabel(intro, self)
        intro_label.setWordWrap(True)
        self.date = DateField(self)
        self.date.setAccessibleName(name)
        self.date.setDate(QDate(start.year, start.month, start.day))
        self.moves = PlainLabel("", self)
        self.moves.setAccessibleName(self.tr("ETA changes"))
        self.moves.setWordWrap(True)
        self.error = problem_label(self)
        self.save_button = button(self, save_text)
        self.save_button.clicked.connect(self.request_save)
        cancel = button(self, self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addWidget(self.date)
        if preview:
            layout.addWidget(self.moves, 1)
        else:
            self.moves.hide()
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        if preview:
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.setInterval(150)
            self._timer.timeout.connect(self.refresh)
            self.date.date_changed.connect(lambda _=None: self._timer.start())
        keyboard_friendly(self)
        if preview:
            self.resize(560, 360)

    def chosen(self) -> date:
        return self.date.py_date()

    def _passed(self) -> str:
        """Why the chosen date cannot be saved, or "" (no date before today is a promise)."""
        if self.chosen() < self.today:
            return self.tr("That date has passed: give today or later.")
        return ""

    def refresh(self) -> None:
        self.error.setText(self._passed())
        if self.error.text():
            self.moves.setText("")
            return
        self.preview_requested.emit(self.chosen())

    def show_moves(self, text: str) -> None:
        self.moves.setText(text)

    def request_save(self) -> None:
        if problem := self._passed():
            self.show_error(problem)
            return
        self.error.setText("")
        self.save_button.setEnabled(False)
        self.save_requested.emit(self.chosen())

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.save_button.setEnabled(True)

    def saved(self) -> None:
        self.accept()


class NewDateDialog(ShipmentDateDialog):
    """An overdue shipment's new expected date (issue 14): its customers' delay notices fall
    due with it."""

    def __init__(
        self,
        reference: str,
        expected: date | None,
        today: date,
        outstanding: int,
        parent: QWidget | None = None,
    ) -> None:
        was = expected.isoformat() if expected else tr("no date")
        super().__init__(
            title=tr("New expected date for {0}").format(reference),
            name=tr("New expected date"),
            intro=tr(
                "{0} was expected on {1} and {2} units have not arrived. Until it has a new "
                'date it promises nothing: the lines it covers show "overdue, new date '
                'needed" and their customers are not told. Once saved, their delay notices '
                "are due with the new date."
            ).format(reference, was, outstanding),
            save_text=tr("Save new date"),
            start=today + timedelta(days=7),
            today=today,
            parent=parent,
        )


class SupplierConfirmedDialog(ShipmentDateDialog):
    """The delivery date a supplier confirmed: the shipment's expected date from now on."""

    def __init__(
        self,
        reference: str,
        supplier: str,
        expected: date | None,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        was = expected.isoformat() if expected else tr("no date")
        super().__init__(
            title=tr("Supplier confirmed {0}").format(reference),
            name=tr("Confirmed delivery date"),
            intro=tr(
                "The delivery date {0} confirmed for {1} (expected until now: {2}). It becomes "
                "the shipment's expected date: the ETAs of the customers its units cover move "
                "with it, and those already told an earlier date get a delay notice with the "
                "next notices."
            ).format(supplier, reference, was),
            save_text=tr("Save confirmed date"),
            start=expected if expected is not None and expected >= today else today,
            today=today,
            preview=True,
            parent=parent,
        )
