"""Small widgets the dialogs share: a date field that takes typing as typed; where files go."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QRegularExpression,
    QSize,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QRegularExpressionValidator, QResizeEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from .plain_text import PlainLabel
from .theme import colours

ISO_FORMAT = "yyyy-MM-dd"


class ElidedLabel(PlainLabel):
    """One line of plain text that ends in "…" when the window is narrow; the whole text is in
    the tooltip (and `full_text()`)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        self._full = ""
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(80)
        self._full = ""
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 8, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, max(0, self.width() - 2)
        )
        super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


def problem_label(parent: QWidget) -> PlainLabel:
    """The line under a form that says what is wrong with the input, in the failure colour."""
    label = PlainLabel("", parent)
    label.setAccessibleName(QCoreApplication.translate("problem_label", "Problem"))
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {colours().failed.name()}")
    return label


SAVE_CANCEL = QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel


def named_buttons(parent: QWidget, buttons: QDialogButtonBox.StandardButton) -> QDialogButtonBox:
    """A dialog's standard buttons (Save, Cancel, Close…), each named for screen readers by the
    words it shows."""
    box = QDialogButtonBox(buttons, parent)
    for button in box.buttons():
        button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
    return box


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Open at `width` x `height`, or smaller on a small screen (1024x640 must fit whole)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, room.width() - 16), min(height, room.height() - 48)
    widget.resize(width, height)


def in_documents(name: str = "") -> str:
    """The user's Documents folder (or `name` in it): where save and open dialogs start,
    instead of whatever the working directory happened to be."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = folder or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.HomeLocation)
    return f"{folder}/{name}" if name else folder


class DateField(QWidget):
    """A YYYY-MM-DD text field with a calendar button.

    QDateEdit types into one section at a time: after Ctrl+A, typing "2027-01-15" gave
    2026-01-15 (issue 18). A plain line edit takes the text as typed; the date counts once it
    parses, and `date()` keeps the last valid one.
    """

    date_changed = Signal(QDate)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._date = QDate.currentDate()
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("YYYY-MM-DD")
        self.edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,4}(-[0-9]{0,2}){0,2}"), self)
        )
        self.edit.textEdited.connect(self._on_edit_text_edited)
        self.edit.editingFinished.connect(self._show_date)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setText("…")
        self.calendar_button.setToolTip(self.tr("Pick the date on a calendar"))
        self.calendar_button.setAccessibleName(self.tr("Calendar"))
        # The calendar is a mouse aid; the keyboard types the date, so Tab skips the button.
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.calendar = QCalendarWidget()
        menu = QMenu(self)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        self.calendar.clicked.connect(lambda picked: (self.setDate(picked), menu.close()))
        self.calendar_button.setMenu(menu)
        self.calendar_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.calendar_button)
        self.setFocusProxy(self.edit)
        self._show_date()

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)

    def date(self) -> QDate:
        return QDate(self._date)

    def setDate(self, value: QDate) -> None:
        if value.isValid():
            self._date = QDate(value)
            self.calendar.setSelectedDate(value)
            self._show_date()
            self.date_changed.emit(QDate(value))

    def py_date(self) -> date:
        return date(self._date.year(), self._date.month(), self._date.day())

    def _on_edit_text_edited(self, text: str) -> None:
        parsed = QDate.fromString(text, ISO_FORMAT)
        if len(text) == 10 and parsed.isValid():
            self._date = parsed
            self.calendar.setSelectedDate(parsed)
            self.date_changed.emit(QDate(parsed))

    def _show_date(self) -> None:
        self.edit.setText(self._date.toString(ISO_FORMAT))
