"""Grouping the Open backorders table by SKU, customer or order: a list of groups beside it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...services.backorder_rows import BackorderRow
from ..formatting import format_int

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
ALL = "__all__"


def tr(text: str) -> str:
    return QCoreApplication.translate("BackorderGroups", text)


def _sku(row: BackorderRow) -> Hashable:
    return row.line.sku


def _customer(row: BackorderRow) -> Hashable:
    return row.line.customer_email.casefold()


def _order(row: BackorderRow) -> Hashable:
    return row.line.order_id


# Labels are translated when the panel is built (no QApplication exists at import time).
GROUPINGS: list[tuple[str, Callable[[BackorderRow], Hashable] | None]] = [
    ("No grouping", None),
    ("Group by SKU", _sku),
    ("Group by customer", _customer),
    ("Group by order", _order),
]


def _label(grouping: int, rows: Sequence[BackorderRow]) -> str:
    first = rows[0].line
    lines = format_int(len(rows))
    units = format_int(sum(r.line.qty_waiting for r in rows))
    if GROUPINGS[grouping][1] is _sku:
        return tr("{0} — {1} lines, {2} units").format(first.sku, lines, units)
    if GROUPINGS[grouping][1] is _customer:
        orders = format_int(len({r.line.order_id for r in rows}))
        name = first.customer_name or first.customer_email
        return tr("{0} — {1} orders, {2} units").format(name, orders, units)
    return tr("#{0} {1} — {2} lines, {3} units").format(
        first.order_id, first.customer_name, lines, units
    )


class GroupsPanel(QWidget):
    """Emits `scope_changed(predicate or None)` when the merchant picks a group.

    `by` (the grouping combo box) is placed by the tab; the panel itself is the list of groups.
    """

    scope_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.by = QComboBox(self)
        self.by.setAccessibleName(tr("Group backorders by"))
        for label, _key in GROUPINGS:
            self.by.addItem(tr(label))
        self.list = QListWidget(self)
        self.list.setAccessibleName(tr("Backorder groups"))
        self.list.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.list, 1)
        self.setVisible(False)  # shown while grouping; `by` lives in the tab's summary row
        self._rows: list[BackorderRow] = []
        self.by.currentIndexChanged.connect(self._on_by_changed)
        self.list.currentItemChanged.connect(self._on_list_current_changed)

    def wrap(self, view: QWidget) -> QSplitter:
        splitter = QSplitter(Qt.Orientation.Horizontal, self.parentWidget())
        splitter.addWidget(self)
        splitter.addWidget(view)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 1000])
        splitter.setChildrenCollapsible(False)
        return splitter

    @property
    def key_function(self) -> Callable[[BackorderRow], Hashable] | None:
        return GROUPINGS[self.by.currentIndex()][1]

    def set_rows(self, rows: Sequence[Any]) -> None:
        self._rows = list(rows)
        self._rebuild()

    def select_group(self, key: Hashable) -> bool:
        for n in range(self.list.count()):
            if self.list.item(n).data(KEY_ROLE) == key:
                self.list.setCurrentRow(n)
                return True
        return False

    def group_keys(self) -> list[Hashable]:
        return [self.list.item(n).data(KEY_ROLE) for n in range(1, self.list.count())]

    def _on_by_changed(self, _index: int) -> None:
        self.setVisible(self.key_function is not None)
        self._rebuild()

    def _rebuild(self) -> None:
        key_of = self.key_function
        current = self.list.currentItem()
        keep = current.data(KEY_ROLE) if current is not None else ALL
        self.list.blockSignals(True)
        self.list.clear()
        if key_of is None:
            self.list.blockSignals(False)
            self.scope_changed.emit(None)
            return
        groups: dict[Hashable, list[BackorderRow]] = defaultdict(list)
        for row in self._rows:
            groups[key_of(row)].append(row)
        all_item = QListWidgetItem(
            tr("All ({0} groups, {1} lines)").format(
                format_int(len(groups)), format_int(len(self._rows))
            )
        )
        all_item.setData(KEY_ROLE, ALL)
        self.list.addItem(all_item)
        ordered = sorted(
            groups.items(),
            key=lambda kv: (-sum(r.line.qty_waiting for r in kv[1]), str(kv[0])),
        )
        index = 0
        for n, (key, members) in enumerate(ordered, start=1):
            item = QListWidgetItem(_label(self.by.currentIndex(), members))
            item.setData(KEY_ROLE, key)
            self.list.addItem(item)
            if key == keep:
                index = n
        self.list.setCurrentRow(index)
        self.list.blockSignals(False)
        self._emit_scope()

    def _on_list_current_changed(self, *_: object) -> None:
        self._emit_scope()

    def _emit_scope(self) -> None:
        key_of = self.key_function
        item = self.list.currentItem()
        key = item.data(KEY_ROLE) if item is not None else ALL
        if key_of is None or key == ALL:
            self.scope_changed.emit(None)
            return
        self.scope_changed.emit(lambda row, key_of=key_of, key=key: key_of(row) == key)
