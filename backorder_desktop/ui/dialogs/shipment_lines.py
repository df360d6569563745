"""The lines of a supplier shipment being edited: SKU (completed from the catalogue), product,
expected quantity; what was received stays as booked."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    Qt,
    Signal,
)
from PySide6.QtWidgets import QCompleter, QLineEdit, QStyledItemDelegate, QWidget

from ...domain.shipment_rules import InputError, parse_quantity
from ...domain.shipments import ShipmentLine
from .lines_model import AnyIndex, LinesModel

HEADERS = ("SKU", "Product", "Expected", "Received", "Rejected")
SKU, PRODUCT, EXPECTED, RECEIVED, REJECTED = range(5)
SEPARATOR = " — "  # between SKU and product name in the completion list


class ShipmentLinesModel(LinesModel):
    """Editable SKU and expected quantity; what was received stays as booked."""

    edit_refused = Signal(str)

    def __init__(
        self,
        lines: tuple[ShipmentLine, ...] = (),
        parent: Any = None,
        names: dict[str, str] | None = None,
    ) -> None:
        super().__init__(HEADERS, lines, parent)
        self.names = names if names is not None else {}

    def cell_flags(self, row: int, column: int) -> Qt.ItemFlag:
        if column == EXPECTED or (column == SKU and not self.lines[row].qty_received):
            return Qt.ItemFlag.ItemIsEditable
        return Qt.ItemFlag.NoItemFlags

    def text(self, line: ShipmentLine, column: int) -> str:
        if column == SKU:
            return line.sku
        if column == PRODUCT:
            return self.names.get(line.sku, "")
        quantities = {
            EXPECTED: line.qty_expected,
            RECEIVED: line.qty_received,
            REJECTED: line.qty_rejected,
        }
        return str(quantities[column])

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        line = self.lines[index.row()]
        if index.column() == SKU:
            sku = str(value).split(SEPARATOR)[0].strip()
            if not sku:
                self.edit_refused.emit("A line needs a SKU.")
                return False
            self.lines[index.row()] = replace(line, sku=sku, variant_id=None)
            index = self.index(index.row(), PRODUCT)  # the product name changes with it
            self.dataChanged.emit(self.index(index.row(), SKU), index)
            return True
        elif index.column() == EXPECTED:
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


class SkuDelegate(QStyledItemDelegate):
    """The SKU cell completes from the catalogue, by SKU or by product name."""

    def __init__(self, names: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries = [f"{sku}{SEPARATOR}{name}" if name else sku for sku, name in names.items()]

    def createEditor(self, parent: QWidget, option: Any, index: Any) -> QWidget:
        editor = QLineEdit(parent)
        editor.setAccessibleName(self.tr("SKU"))
        completer = QCompleter(self.entries, editor)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        editor.setCompleter(completer)
        return editor
