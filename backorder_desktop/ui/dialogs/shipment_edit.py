"""Create or edit an inbound shipment: supplier, reference, status, expected date, lines, CSV."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import (
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...domain.shipment_rules import InputError, new_record_id, parse_expected_date
from ...domain.shipments import (
    DRAFT,
    IN_TRANSIT,
    ORDERED,
    STATUS_LABELS,
    Shipment,
    ShipmentLine,
    Supplier,
)
from ...services.dock.shipment_csv import lines_from_csv
from ..keyboard import keyboard_friendly
from ..widgets import in_documents, problem_label
from .dock_common import button
from .shipment_lines import RECEIVED, REJECTED, ShipmentLinesModel, SkuDelegate


class ShipmentDialog(QDialog):
    """`save_requested(shipment)` asks the owner to save; it calls `saved()` or `show_error()`."""

    save_requested = Signal(object)
    new_supplier_requested = Signal()

    def __init__(
        self,
        suppliers: list[Supplier],
        shipment: Shipment | None = None,
        *,
        lines: tuple[ShipmentLine, ...] = (),
        names: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`names`: SKU -> product name and options, for completion and the Product column."""
        super().__init__(parent)
        self.original = shipment
        editing = shipment is not None
        self.setWindowTitle(
            self.tr("Edit shipment {0}").format(shipment.reference)
            if shipment
            else self.tr("New supplier shipment")
        )
        self.setAccessibleName(self.tr("Shipment"))
        self.reference = QLineEdit(shipment.reference if shipment else "", self)
        self.reference.setAccessibleName(self.tr("Reference"))
        self.reference.setPlaceholderText(self.tr("e.g. the supplier's PO number"))
        self.supplier = QComboBox(self)
        self.supplier.setAccessibleName(self.tr("Supplier"))
        # A new shipment has no supplier until one is picked (issue 14): a preselected one
        # would be a choice nobody made.
        self.supplier.setPlaceholderText(self.tr("Choose a supplier"))
        self.set_suppliers(suppliers, shipment.supplier_id if shipment else None)
        self.new_supplier = button(self, self.tr("New supplier…"))
        self.new_supplier.clicked.connect(self.new_supplier_requested.emit)
        self.use_for_skus = QCheckBox(
            self.tr("Use this supplier's lead time for these SKUs' ETAs"), self
        )
        self.use_for_skus.setAccessibleName(self.tr("Use this supplier for these SKUs"))
        self.use_for_skus.setToolTip(
            self.tr(
                "Beyond inbound stock, waiting customers get the lead time of the supplier you "
                "choose for a SKU. Leave unticked to keep each SKU's current supplier."
            )
        )
        self.status = QComboBox(self)
        self.status.setAccessibleName(self.tr("Status"))
        # Received and partially received come from booking receipts at the dock, closed from
        # "Close shipment": here staff choose only where the order stands.
        current = shipment.status if shipment else ORDERED
        for key, label in STATUS_LABELS.items():
            if key in (DRAFT, ORDERED, IN_TRANSIT) or key == current:
                self.status.addItem(label, key)
        self.status.setCurrentIndex(self.status.findData(shipment.status if shipment else ORDERED))
        self.expected = QLineEdit(
            shipment.expected_date.isoformat() if shipment and shipment.expected_date else "", self
        )
        self.expected.setAccessibleName(self.tr("Expected date"))
        self.expected.setPlaceholderText(self.tr("YYYY-MM-DD (empty: not known yet)"))
        self.notes = QPlainTextEdit(shipment.notes if shipment else "", self)
        self.notes.setAccessibleName(self.tr("Notes"))
        self.notes.setMaximumHeight(70)
        self.names = dict(names or {})
        self.model = ShipmentLinesModel(shipment.lines if shipment else lines, self, self.names)
        self.model.edit_refused.connect(self.show_error)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Shipment lines"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setAccessibleName(self.tr("Shipment line columns"))
        self.table.setItemDelegateForColumn(0, SkuDelegate(self.names, self.table))
        booked = any(x.qty_received or x.qty_rejected for x in self.model.lines)
        for column in (RECEIVED, REJECTED):
            self.table.setColumnHidden(column, not booked)  # nothing booked on a new one
        self.add_line = button(self, self.tr("Add line"))
        self.add_line.clicked.connect(self._on_add_line_clicked)
        self.remove_lines = button(self, self.tr("Remove selected lines"))
        self.remove_lines.clicked.connect(self._on_remove_lines_clicked)
        self.import_csv = button(self, self.tr("Import lines from CSV…"))
        self.import_csv.clicked.connect(self._on_import_csv_clicked)
        self.error = problem_label(self)
        self.save_button = button(self, self.tr("Save"))
        self.save_button.clicked.connect(self.request_save)
        cancel = button(self, self.tr("Cancel"))
        cancel.clicked.connect(self.reject)

        supplier_row = QHBoxLayout()
        supplier_row.addWidget(self.supplier, 1)
        supplier_row.addWidget(self.new_supplier)
        form = QFormLayout()
        form.addRow(self.tr("Reference"), self.reference)
        form.addRow(self.tr("Supplier"), supplier_row)
        form.addRow("", self.use_for_skus)
        form.addRow(self.tr("Status"), self.status)
        form.addRow(self.tr("Expected"), self.expected)
        form.addRow(self.tr("Notes"), self.notes)
        line_buttons = QHBoxLayout()
        for widget in (self.add_line, self.remove_lines, self.import_csv):
            line_buttons.addWidget(widget)
        line_buttons.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addLayout(line_buttons)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        if not editing and not lines:
            self.status.setCurrentIndex(self.status.findData(ORDERED))
        keyboard_friendly(self)
        self.resize(720, 560)

    def set_suppliers(self, suppliers: list[Supplier], current: str | None = None) -> None:
        chosen = current or self.supplier.currentData()
        self.supplier.clear()
        for supplier in suppliers:
            self.supplier.addItem(supplier.name, supplier.id)
        self.supplier.setCurrentIndex(self.supplier.findData(chosen) if chosen else -1)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.save_button.setEnabled(True)

    def build(self) -> Shipment:
        """The shipment as typed; InputError (shown in the dialog) when something is wrong."""
        text = self.expected.text().strip()
        expected = parse_expected_date(text) if text else None
        supplier_id = self.supplier.currentData()
        if not supplier_id:
            raise InputError(self.tr("Choose a supplier (or add one)."))
        lines = tuple(x for x in self.model.lines if x.sku.strip())
        if not lines:
            raise InputError(self.tr("Add at least one line (SKU and expected quantity)."))
        for line in lines:
            if line.qty_expected < 1 and not line.qty_received:
                raise InputError(self.tr("SKU {0}: expect at least 1 unit.").format(line.sku))
        base = self.original or Shipment(new_record_id("s-"), "", str(supplier_id), DRAFT, None)
        return replace(
            base,
            reference=self.reference.text().strip(),
            supplier_id=str(supplier_id),
            status=str(self.status.currentData()),
            expected_date=expected,
            notes=self.notes.toPlainText().strip(),
            lines=lines,
        )

    def request_save(self) -> None:
        try:
            shipment = self.build()
        except InputError as exc:
            self.show_error(str(exc))
            return
        self.error.setText("")
        self.save_button.setEnabled(False)
        self.save_requested.emit(shipment)

    def saved(self) -> None:
        self.accept()

    def import_lines(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8-sig")
            lines = lines_from_csv(text)
        except (OSError, UnicodeDecodeError) as exc:
            self.show_error(self.tr("Cannot read {0}: {1}").format(path.name, exc))
            return
        except InputError as exc:
            self.show_error(self.tr("{0}: {1} Nothing was imported.").format(path.name, exc))
            return
        self.model.append(list(lines))
        self.error.setText("")

    def _on_add_line_clicked(self) -> None:
        self.model.append([ShipmentLine("", 1)])
        index = self.model.index(len(self.model.lines) - 1, 0)
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    def _on_remove_lines_clicked(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        kept = self.model.remove_rows(rows)
        if kept:
            self.show_error(
                self.tr("Kept {0}: units were already received on them.").format(", ".join(kept))
            )

    def _on_import_csv_clicked(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import shipment lines"), in_documents(), "CSV (*.csv *.txt)"
        )
        if chosen:
            self.import_lines(Path(chosen))
