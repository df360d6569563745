"""Suppliers with their scorecards (on-time rate, fill rate, average delay), and the edit form."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.scorecard import Scorecard
from ...domain.shipment_rules import InputError, parse_quantity
from ...domain.shipments import Supplier
from ..keyboard import keyboard_friendly
from ..records_view import RecordsView
from ..table_model import Column, RecordsTableModel
from ..widgets import fit_to_screen, problem_label
from .dock_common import button


@dataclass(frozen=True, slots=True)
class SupplierRow:
    supplier: Supplier
    card: Scorecard | None


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def build_suppliers_view() -> RecordsView:
    columns = [
        Column("name", "Supplier", lambda r: r.supplier.name),
        Column("email", "Email", lambda r: r.supplier.email),
        Column(
            "lead",
            "Lead time (days)",
            lambda r: r.supplier.lead_time_days,
            lambda r: "" if r.supplier.lead_time_days is None else str(r.supplier.lead_time_days),
            numeric=True,
        ),
        Column(
            "judged",
            "Shipments judged",
            lambda r: r.card.shipments if r.card else 0,
            numeric=True,
        ),
        Column(
            "on_time",
            "On time",
            lambda r: r.card.on_time_rate if r.card else None,
            lambda r: _percent(r.card.on_time_rate if r.card else None),
            numeric=True,
            tooltip="Shipments that arrived by their expected date (late open ones count as late)",
        ),
        Column(
            "fill",
            "Fill rate",
            lambda r: r.card.fill_rate if r.card else None,
            lambda r: _percent(r.card.fill_rate if r.card else None),
            numeric=True,
            tooltip="Units accepted of units expected, over finished shipments",
        ),
        Column(
            "delay",
            "Avg delay (days)",
            lambda r: r.card.avg_delay_days if r.card else None,
            lambda r: (
                ""
                if r.card is None or r.card.avg_delay_days is None
                else f"{r.card.avg_delay_days:.1f}"
            ),
            numeric=True,
        ),
    ]
    view = RecordsView("Suppliers", RecordsTableModel(columns, row_key=lambda r: r.supplier.id))
    view.fit_columns([220, 220, 110, 120, 80, 80, 110])
    return view


class SupplierDialog(QDialog):
    """Name, email, default lead time. `save_requested(name, email, lead, id)` to the owner."""

    save_requested = Signal(str, str, object, object)

    def __init__(self, supplier: Supplier | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = supplier
        self.setWindowTitle(self.tr("Supplier"))
        self.setAccessibleName(self.tr("Supplier"))
        self.name = QLineEdit(supplier.name if supplier else "", self)
        self.name.setAccessibleName(self.tr("Supplier name"))
        self.email = QLineEdit(supplier.email if supplier else "", self)
        self.email.setAccessibleName(self.tr("Supplier email"))
        lead = supplier.lead_time_days if supplier else None
        self.lead = QLineEdit("" if lead is None else str(lead), self)
        self.lead.setAccessibleName(self.tr("Default lead time in days"))
        self.lead.setPlaceholderText(self.tr("days (optional)"))
        self.error = problem_label(self)
        self.save_button = button(self, self.tr("Save"))
        self.save_button.clicked.connect(self.request_save)
        cancel = button(self, self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Email"), self.email)
        form.addRow(self.tr("Lead time"), self.lead)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        keyboard_friendly(self)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.save_button.setEnabled(True)

    def request_save(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.show_error(self.tr("A supplier needs a name."))
            return
        try:
            text = self.lead.text().strip()
            lead = parse_quantity(text, self.tr("The lead time")) if text else None
        except InputError as exc:
            self.show_error(str(exc))
            return
        self.save_button.setEnabled(False)
        self.save_requested.emit(
            name, self.email.text().strip(), lead, self.original.id if self.original else None
        )


class SuppliersDialog(QDialog):
    """The supplier list with scorecards; new/edit open SupplierDialog through the owner."""

    edit_requested = Signal(object)  # Supplier, or None for a new one

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Suppliers"))
        self.setAccessibleName(self.tr("Suppliers"))
        self.view = build_suppliers_view()
        new = button(self, self.tr("New supplier…"))
        new.clicked.connect(lambda: self.edit_requested.emit(None))
        edit = button(self, self.tr("Edit supplier…"))
        edit.clicked.connect(self._on_edit_clicked)
        close = button(self, self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(new)
        buttons.addWidget(edit)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        keyboard_friendly(self)
        fit_to_screen(self, 1000, 420)
        keyboard_friendly(self)

    def set_rows(self, rows: list[SupplierRow]) -> None:
        self.view.set_rows(rows)

    def _on_edit_clicked(self) -> None:
        rows = self.view.selected_rows()
        if rows:
            self.edit_requested.emit(rows[0].supplier)
