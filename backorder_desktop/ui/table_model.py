"""A fast read-only table model over plain Python rows, and its search/quick-filter proxy.

Sorting happens in the source model with one `list.sort` and filtering on precomputed plain
strings: going through `data()` for 100k rows takes tens of seconds (DESIGN.md, pitfalls).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

AnyIndex = QModelIndex | QPersistentModelIndex
RAW_ROLE = Qt.ItemDataRole.UserRole + 1
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def _sort_key(value: Any) -> tuple[int, Any]:
    # None sorts last; numbers and strings never compare with each other.
    if value is None:
        return (2, 0)
    if isinstance(value, str):
        return (1, value.casefold())
    return (0, value)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    value: Callable[[Any], Any]
    text: Callable[[Any], str] | None = None
    numeric: bool = False
    tooltip: str = ""
    hidden_by_default: bool = False

    def display(self, row: Any) -> str:
        if self.text is not None:
            return self.text(row)
        value = self.value(row)
        return "" if value is None else str(value)


@dataclass(frozen=True)
class PreparedRows:
    """Rows with their search text computed, ready for `set_rows` (built off the GUI thread)."""

    rows: list[Any]
    haystacks: list[str]


def prepare_rows(columns: Sequence[Column], rows: Sequence[Any]) -> PreparedRows:
    """Thread-safe: touches no Qt object, so a worker can do it for 100k rows."""
    return PreparedRows(
        list(rows),
        ["\x1f".join(c.display(r) for c in columns).casefold() for r in rows],
    )


class RecordsTableModel(QAbstractTableModel):
    """Rows are any Python objects; columns say how to show and sort them."""

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        row_key: Callable[[Any], Hashable],
        row_colour: Callable[[Any], QColor | None] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._row_key = row_key
        self._row_colour = row_colour
        self._rows: list[Any] = []
        self._haystacks: list[str] = []
        self._index_of: dict[Hashable, int] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # --- Qt API -------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if column.numeric else LEFT)
        if role == Qt.ItemDataRole.ForegroundRole and self._row_colour is not None:
            colour = self._row_colour(row)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.display(row) or None
        if role == RAW_ROLE:
            return column.value(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip or column.title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if column.numeric else LEFT)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old_rows = self._rows
        getter = self.columns[column].value
        order_index = sorted(
            range(len(old_rows)),
            key=lambda i: _sort_key(getter(old_rows[i])),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self._rows = [old_rows[i] for i in order_index]
        self._haystacks = [self._haystacks[i] for i in order_index]
        self._index_of = None
        new_position = {old: new for new, old in enumerate(order_index)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent,
            [self.index(new_position[p.row()], p.column()) for p in persistent],
        )
        self.layoutChanged.emit()

    # --- our API ------------------------------------------------------------------------------
    def prepare(self, rows: Sequence[Any]) -> PreparedRows:
        return prepare_rows(self.columns, rows)

    def set_rows(self, rows: Sequence[Any] | PreparedRows) -> None:
        prepared = rows if isinstance(rows, PreparedRows) else self.prepare(rows)
        self.beginResetModel()
        self._rows = prepared.rows
        self._haystacks = prepared.haystacks
        self._index_of = None
        self.endResetModel()
        if self._sort is not None:
            self.sort(*self._sort)

    def row(self, source_row: int) -> Any:
        return self._rows[source_row]

    def rows(self) -> list[Any]:
        return list(self._rows)

    def key_of(self, source_row: int) -> Hashable:
        return self._row_key(self._rows[source_row])

    def find_row(self, key: Hashable) -> int:
        if self._index_of is None:
            self._index_of = {self._row_key(row): n for n, row in enumerate(self._rows)}
        return self._index_of.get(key, -1)

    def haystack(self, source_row: int) -> str:
        return self._haystacks[source_row]


class RecordsProxyModel(QSortFilterProxyModel):
    """Filters by search words (all must match) and an optional quick-filter predicate."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []
        self._predicate: Callable[[Any], bool] | None = None
        self._scope: Callable[[Any], bool] | None = None

    def set_search(self, text: str) -> None:
        terms = text.casefold().split()
        if terms == self._terms:
            return
        self.beginFilterChange()
        self._terms = terms
        self.endFilterChange()

    def set_quick_filter(self, predicate: Callable[[Any], bool] | None) -> None:
        self.beginFilterChange()
        self._predicate = predicate
        self.endFilterChange()

    def set_scope(self, predicate: Callable[[Any], bool] | None) -> None:
        """A second predicate beside the quick filter (e.g. one group of rows picked in a list)."""
        self.beginFilterChange()
        self._scope = predicate
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, RecordsTableModel):
            return True
        if self._scope is not None and not self._scope(model.row(source_row)):
            return False
        if self._terms:
            haystack = model.haystack(source_row)
            if not all(term in haystack for term in self._terms):
                return False
        if self._predicate is not None:
            return bool(self._predicate(model.row(source_row)))
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # Sort in the source with one list.sort; this proxy keeps source order (see module doc).
        model = self.sourceModel()
        if isinstance(model, RecordsTableModel):
            model.sort(column, order)
