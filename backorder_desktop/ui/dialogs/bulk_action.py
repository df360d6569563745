"""The settings of one bulk action: limit, ETA or message template, location and which rows."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from ...domain.bulk import VariantEdit
from ...domain.bulk_input import BulkInputError, check_template, render_message
from ...domain.models import UNLIMITED_BACKORDER_LIMIT, Location
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..widgets import DateField, named_buttons

ENABLE, DISABLE, SET_ETA, CLEAR_ETA, MESSAGE = (
    "enable",
    "disable",
    "set_eta",
    "clear_eta",
    "message",
)
TITLES = {
    ENABLE: "Enable backorders",
    DISABLE: "Disable backorders",
    SET_ETA: "Set ETA",
    CLEAR_ETA: "Clear ETA",
    MESSAGE: "Storefront message",
}
DEFAULT_TEMPLATE = "Ships by {eta:%b %d}"


class BulkActionDialog(QDialog):
    """Asks what to apply; `edit()` and `location_id()` read the answer, `use_filter()` the scope."""

    def __init__(
        self,
        action: str,
        *,
        selected: int,
        in_filter: int,
        locations: list[Location],
        location_id: int | None,
        native: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.action = action
        self.setWindowTitle(self.tr(TITLES[action]))
        self.setAccessibleName(self.tr(TITLES[action]))
        form = QFormLayout(self)
        buttons = named_buttons(
            self, QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.preview_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.preview_button.setText(self.tr("Preview…"))
        self.preview_button.setAccessibleName(self.tr("Preview"))
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)

        self.unlimited = QRadioButton(self.tr("Unlimited"), self)
        self.unlimited.setAccessibleName(self.tr("Unlimited backorders"))
        self.limited = QRadioButton(self.tr("Up to"), self)
        self.limited.setAccessibleName(self.tr("Limited backorders"))
        self.limit = QSpinBox(self)
        self.limit.setRange(0, UNLIMITED_BACKORDER_LIMIT - 1)
        self.limit.setValue(10)
        self.limit.setSuffix(self.tr(" units past zero stock"))
        self.limit.setAccessibleName(self.tr("Backorder limit"))
        self.limit.valueChanged.connect(lambda _v: self.limited.setChecked(True))
        self.unlimited.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.unlimited)
        kinds.addButton(self.limited)
        if action == ENABLE:
            row = QHBoxLayout()
            row.addWidget(self.unlimited)
            row.addWidget(self.limited)
            row.addWidget(self.limit, 1)
            form.addRow(self.tr("Backorders"), row)
            if not native:
                form.addRow(
                    PlainLabel(
                        self.tr(
                            "This store has no native backorders: the product goes on pre-order "
                            "(the limit is not used)."
                        ),
                        self,
                    )
                )
        for widget in (self.unlimited, self.limited, self.limit):
            widget.setVisible(action == ENABLE)

        self.eta = DateField(self)
        today = date.today()
        self.eta.setDate(QDate(today.year, today.month, today.day).addDays(14))
        self.eta.setAccessibleName(self.tr("ETA"))
        self.eta.setVisible(action == SET_ETA)
        if action == SET_ETA:
            form.addRow(self.tr("Expected ship date"), self.eta)

        self.template = QLineEdit(DEFAULT_TEMPLATE, self)
        self.template.setAccessibleName(self.tr("Message template"))
        self.template.setToolTip(
            self.tr(
                "{eta} or {eta:%b %d} is replaced by the latest ETA among the product's "
                "backordered variants; leave empty to remove the message."
            )
        )
        self.example = PlainLabel(self)
        self.example.setAccessibleName(self.tr("Message example"))
        self.template.textChanged.connect(self._on_template_changed)
        self.template.setVisible(action == MESSAGE)
        self.example.setVisible(action == MESSAGE)
        if action == MESSAGE:
            form.addRow(self.tr("Message"), self.template)
            form.addRow(self.tr("Reads like"), self.example)
            hint = PlainLabel(
                self.tr(
                    "{eta} becomes the latest ETA of the product's backordered variants; "
                    "an empty message removes it."
                ),
                self,
            )
            hint.setWordWrap(True)
            form.addRow(hint)
            self._on_template_changed(self.template.text())

        self.location = QComboBox(self)
        self.location.setAccessibleName(self.tr("Inventory location"))
        for loc in locations:
            self.location.addItem(f"{loc.label} ({loc.code})", loc.id)
        index = self.location.findData(location_id)
        self.location.setCurrentIndex(max(0, index))
        self.location.setVisible(action in (ENABLE, DISABLE) and native and bool(locations))
        if self.location.isVisibleTo(self):
            form.addRow(self.tr("Location"), self.location)

        self.scope_selected = QRadioButton(self.tr("Selected rows ({0})").format(selected), self)
        self.scope_selected.setAccessibleName(self.tr("Selected rows"))
        self.scope_filter = QRadioButton(
            self.tr("All rows in this filter ({0})").format(in_filter), self
        )
        self.scope_filter.setAccessibleName(self.tr("All rows in this filter"))
        self.scope_selected.setEnabled(selected > 0)
        (self.scope_selected if selected > 0 else self.scope_filter).setChecked(True)
        scope = QHBoxLayout()
        scope.addWidget(self.scope_selected)
        scope.addWidget(self.scope_filter)
        form.addRow(self.tr("Apply to"), scope)

        self.error = PlainLabel(self)
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        form.addRow(self.error)
        form.addRow(buttons)
        keyboard_friendly(self)

    def _on_template_changed(self, text: str) -> None:
        try:
            check_template(text)
            sample = render_message(text, date.today())
            self.example.setText(sample or self.tr("(no message)"))
            self.preview_button.setEnabled(True)
        except BulkInputError as exc:
            self.example.setText(str(exc))
            self.preview_button.setEnabled(False)

    def _on_buttons_accepted(self) -> None:
        try:
            self.edit()
        except BulkInputError as exc:
            self.error.setText(str(exc))
            self.error.setVisible(True)
            return
        self.accept()

    # --- the answer -----------------------------------------------------------------------
    def edit(self) -> VariantEdit:
        if self.action == ENABLE:
            limit = UNLIMITED_BACKORDER_LIMIT if self.unlimited.isChecked() else self.limit.value()
            return VariantEdit(limit=limit)
        if self.action == DISABLE:
            return VariantEdit(limit=None)
        if self.action == SET_ETA:
            d = self.eta.date()
            return VariantEdit(eta=date(d.year(), d.month(), d.day()))
        if self.action == CLEAR_ETA:
            return VariantEdit(eta=None)
        return VariantEdit(message=check_template(self.template.text().strip()))

    def location_id(self) -> int | None:
        data = self.location.currentData()
        return int(data) if data is not None else None

    def use_filter(self) -> bool:
        return self.scope_filter.isChecked()
