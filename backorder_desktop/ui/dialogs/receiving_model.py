"""The receiving dialog's lines: what the shipment still expects, and what was counted at the dock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush

from ...domain.receiving import ReceiptLine
from ...domain.shipment_rules import InputError, parse_quantity
from ...domain.shipments import Shipment
from ..theme import colours
from .lines_model import AnyIndex, LinesModel

SKU, PRODUCT, EXPECTED, ACCEPTED, REJECTED, REASON, SHORT = range(7)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def tr(text: str) -> str:
    return QCoreApplication.translate("ReceivingLines", text)


@dataclass
class DockLine:
    sku: str
    name: str
    outstanding: int
    accepted: int = 0
    rejected: int = 0
    reason: str = ""
    close_short: bool = False

    @property
    def counted(self) -> int:
        return self.accepted + self.rejected

    @property
    def over(self) -> bool:
        return self.counted > self.outstanding

    @property
    def short(self) -> bool:
        return self.counted < self.outstanding


class ReceivingLinesModel(LinesModel):
    """One row per shipment line; Accepted, Rejected, Reason and "If short" are editable."""

    edit_refused = Signal(str)  # a typed value that was not taken, and why
    counts_changed = Signal()

    def __init__(self, shipment: Shipment, names: dict[str, str], parent: Any = None) -> None:
        headers = [
            tr("SKU"),
            tr("Product"),
            tr("Still expected"),
            tr("Accepted"),
            tr("Rejected"),
            tr("Reject reason"),
            tr("If short"),
        ]
        lines = [
            DockLine(line.sku, names.get(line.sku, ""), line.qty_outstanding)
            for line in shipment.lines
        ]
        super().__init__(headers, lines, parent)
        self.lines: list[DockLine]

    def cell_flags(self, row: int, column: int) -> Qt.ItemFlag:
        if column in (ACCEPTED, REJECTED, REASON):
            return Qt.ItemFlag.ItemIsEditable
        if column == SHORT:
            return Qt.ItemFlag.ItemIsUserCheckable
        return Qt.ItemFlag.NoItemFlags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line, column = self.lines[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.text(line, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == SHORT:
            return Qt.CheckState.Checked if line.close_short else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if column in (EXPECTED, ACCEPTED, REJECTED) else LEFT)
        if role == Qt.ItemDataRole.ForegroundRole and column in (ACCEPTED, EXPECTED):
            if line.over:
                return QBrush(colours().failed)
            if line.counted and not line.short:
                return QBrush(colours().ok)
        if role == Qt.ItemDataRole.ToolTipRole and column in (SKU, PRODUCT, REASON):
            return self.text(line, column) or None
        if role == Qt.ItemDataRole.ToolTipRole and column == SHORT:
            return tr(
                "Checked: close the rest short (it will not come). Unchecked: keep expecting it."
            )
        return None

    def text(self, line: DockLine, column: int) -> str:
        if column == SKU:
            return line.sku
        if column == PRODUCT:
            return line.name
        if column == EXPECTED:
            return str(line.outstanding)
        if column == ACCEPTED:
            return str(line.accepted)
        if column == REJECTED:
            return str(line.rejected)
        if column == REASON:
            return line.reason
        if line.short and line.counted:
            return tr("close short") if line.close_short else tr("keep expecting")
        return tr("close short") if line.close_short else ""

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        line, column = self.lines[index.row()], index.column()
        if column == SHORT and role == Qt.ItemDataRole.CheckStateRole:
            line.close_short = Qt.CheckState(value) == Qt.CheckState.Checked
        elif column in (ACCEPTED, REJECTED) and role == Qt.ItemDataRole.EditRole:
            try:
                qty = parse_quantity(value, tr("{0} of {1}").format(self.headers[column], line.sku))
            except InputError as exc:
                self.edit_refused.emit(str(exc))
                return False
            if column == ACCEPTED:
                line.accepted = qty
            else:
                line.rejected = qty
        elif column == REASON and role == Qt.ItemDataRole.EditRole:
            line.reason = str(value).strip()[:200]
        else:
            return False
        self._changed(index.row())
        return True

    def _changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.headers) - 1))
        self.counts_changed.emit()

    # --- our API ------------------------------------------------------------------------------
    def row_of(self, sku: str) -> int:
        return next((n for n, line in enumerate(self.lines) if line.sku == sku), -1)

    def add(self, sku: str, qty: int = 1) -> int:
        """A scan (or a typed quantity) of `sku`: `qty` more accepted units; returns the row."""
        row = self.row_of(sku)
        if row >= 0:
            self.lines[row].accepted += qty
            self._changed(row)
        return row

    def receipt_lines(self) -> list[ReceiptLine]:
        return [
            ReceiptLine(line.sku, line.accepted, line.rejected, line.reason, line.close_short)
            for line in self.lines
            if line.counted or line.close_short
        ]

    def over_lines(self) -> list[DockLine]:
        return [line for line in self.lines if line.over]

    def missing_reasons(self) -> list[str]:
        return [line.sku for line in self.lines if line.rejected and not line.reason]

    @property
    def units_counted(self) -> int:
        return sum(line.counted for line in self.lines)
