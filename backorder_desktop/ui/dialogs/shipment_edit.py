"""Create or edit an inbound shipment: supplier, reference, status, expected date, lines, CSV."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from ...domain.shipment_rules import InputError, new_record_id, parse_expected_date, parse_quantity
from ...domain.shipments import DRAFT, ORDERED, STATUS_LABELS, Shipment, ShipmentLine, Supplier
from ...services.shipment_csv import lines_from_csv
from ..plain_text import PlainLabel
from ..theme import colours
from .dock_common import button

AnyIndex = QModelIndex | QPersistentModelIndex
HEADERS = ("SKU", "Expected", "Received", "Rejected")


class ShipmentLinesModel(QAbstractTableModel):
    """Editable SKU and expected quantity; what was received stays as booked."""

    edit_refused = Signal(str)

    def __init__(self, lines: tuple[ShipmentLine, ...] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self.lines = list(lines)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        line = self.lines[index.row()]
        if index.column() == 1 or (index.column() == 0 and not line.qty_received):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
        ):
            return None
        line = self.lines[index.row()]
        values = (line.sku, line.qty_expected, line.qty_received, line.qty_rejected)
        value = values[index.column()]
        return value if index.column() == 0 else str(value)

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        line = self.lines[index.row()]
        if index.column() == 0:
            sku = str(value).strip()
            if not sku:
                self.edit_refused.emit("A line needs a SKU.")
                return False
            self.lines[index.row()] = replace(line, sku=sku, variant_id=None)
        elif index.column() == 1:
            try:
                qty = parse_quantity(value, f"Expected quantity of {line.sku or 'the line'}")
            except InputError as exc:
                self.edit_refused.emit(str(exc))
                return False
            self.lines[index.row()] = replace(line, qty_expected=qty)
        else:
            return False
        self.dataChanged.emit(index, index)
        return True

    def append(self, lines: list[ShipmentLine]) -> None:
        self.beginResetModel()
        for new in lines:
            known = next((n for n, x in enumerate(self.lines) if x.sku == new.sku), -1)
            if known >= 0:
                old = self.lines[known]
                self.lines[known] = replace(old, qty_expected=old.qty_expected + new.qty_expected)
            else:
                self.lines.append(new)
        self.endResetModel()

    def remove_rows(self, rows: list[int]) -> list[str]:
        """Remove lines nothing was received on; returns the SKUs kept because something was."""
        kept = [self.lines[r].sku for r in rows if self.lines[r].qty_received]
        self.beginResetModel()
        drop = {r for r in rows if not self.lines[r].qty_received}
        self.lines = [x for n, x in enumerate(self.lines) if n not in drop]
        self.endResetModel()
        return kept


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
        parent: QWidget | None = None,
    ) -> None:
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
        self.set_suppliers(suppliers, shipment.supplier_id if shipment else None)
        self.new_supplier = button(self, self.tr("New supplier…"))
        self.new_supplier.clicked.connect(self.new_supplier_requested.emit)
        self.status = QComboBox(self)
        self.status.setAccessibleName(self.tr("Status"))
        for key, label in STATUS_LABELS.items():
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
        self.model = ShipmentLinesModel(shipment.lines if shipment else lines, self)
        self.model.edit_refused.connect(self.show_error)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Shipment lines"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setAccessibleName(self.tr("Shipment line columns"))
        self.add_line = button(self, self.tr("Add line"))
        self.add_line.clicked.connect(self._on_add_line_clicked)
        self.remove_lines = button(self, self.tr("Remove selected lines"))
        self.remove_lines.clicked.connect(self._on_remove_lines_clicked)
        self.import_csv = button(self, self.tr("Import lines from CSV…"))
        self.import_csv.clicked.connect(self._on_import_csv_clicked)
        self.error = PlainLabel("", self)
        self.error.setAccessibleName(self.tr("Problem"))
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {colours().failed.name()}")
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
        self.resize(720, 560)

    def set_suppliers(self, suppliers: list[Supplier], current: str | None = None) -> None:
        chosen = current or self.supplier.currentData()
        self.supplier.clear()
        for supplier in suppliers:
            self.supplier.addItem(supplier.name, supplier.id)
        if chosen is not None:
            self.supplier.setCurrentIndex(max(0, self.supplier.findData(chosen)))

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
            self, self.tr("Import shipment lines"), "", "CSV (*.csv *.txt)"
        )
        if chosen:
            self.import_lines(Path(chosen))
