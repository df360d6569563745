"""The table model every line editor shares (purchase order, shipment, receiving lines)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

AnyIndex = QModelIndex | QPersistentModelIndex
TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole)


class LinesModel(QAbstractTableModel):
    """Subclasses keep their rows in `self.lines` and say per cell what it shows (`text`) and
    which flags it adds to enabled-and-selectable (`cell_flags`: editable, checkable)."""

    def __init__(self, headers: Sequence[str], lines: Sequence[Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.lines = list(lines)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | self.cell_flags(index.row(), index.column())

    def cell_flags(self, row: int, column: int) -> Qt.ItemFlag:
        return Qt.ItemFlag.NoItemFlags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in TEXT_ROLES:
            return None
        return self.text(self.lines[index.row()], index.column())

    def text(self, line: Any, column: int) -> str:
        raise NotImplementedError


def lines_table(model: LinesModel, name: str, parent: QWidget) -> QTableView:
    """A table of whole-row selection over `model` where typing into a cell edits it (as in a
    spreadsheet: no double-click needed)."""
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.AnyKeyPressed
    )
    return table
