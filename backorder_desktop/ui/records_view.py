"""A table panel: debounced search, quick filters, remembered columns, copy and CSV export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain.csv_safety import safe_cell
from ..services.exports import write_csv_file
from .keyboard import tab_leaves_table
from .plain_text import PlainLabel
from .records_proxy import RecordsProxyModel
from .table_model import PreparedRows, RecordsTableModel, RowsPatchPrepared
from .widgets import in_documents

SEARCH_DEBOUNCE_MS = 150


@dataclass(frozen=True)
class QuickFilter:
    label: str
    predicate: Callable[[Any], bool] | None


class RecordsView(QWidget):
    """One tab's table with its search box and quick filters."""

    selection_changed = Signal()

    def __init__(
        self,
        name: str,
        model: RecordsTableModel,
        quick_filters: Sequence[QuickFilter] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.model = model
        self.proxy = RecordsProxyModel(self)
        self.proxy.setSourceModel(model)
        self._quick_filters = [QuickFilter(self.tr("All rows"), None), *quick_filters]

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search {0}").format(name))
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._debounce.start())

        self.filter_box = QComboBox(self)
        self.filter_box.setAccessibleName(self.tr("Quick filter for {0}").format(name))
        for quick in self._quick_filters:
            self.filter_box.addItem(quick.label)
        self.filter_box.currentIndexChanged.connect(self._on_filter_box_changed)

        self.count_label = PlainLabel(self)
        self.count_label.setAccessibleName(self.tr("{0} row count").format(name))

        self.table = QTableView(self)
        self.table.setAccessibleName(self.tr("{0} table").format(name))
        tab_leaves_table(self.table)
        self.table.setModel(self.proxy)
        # No sort indicator at first: rows keep the order services/ gives them (queue order,
        # product name). Enabling sorting would otherwise sort column 0 descending at once.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setAccessibleName(self.tr("{0} columns").format(name))
        self.table.verticalHeader().setAccessibleName(self.tr("{0} rows").format(name))
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_menu_requested)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit()
        )

        copy = QAction(self.tr("Copy"), self.table)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_selection)
        self.table.addAction(copy)

        self.model.modelReset.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(self.filter_box, 1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        for n, column in enumerate(model.columns):
            self.table.setColumnHidden(n, column.hidden_by_default)
        self._update_count()

    # --- filtering ------------------------------------------------------------------------
    def _apply_search(self) -> None:
        self.proxy.set_search(self.search.text())
        self._update_count()

    def apply_search_now(self) -> None:
        self._debounce.stop()
        self._apply_search()

    def _on_filter_box_changed(self, index: int) -> None:
        self.proxy.set_quick_filter(self._quick_filters[index].predicate)
        self._update_count()

    def set_quick_filter(self, label: str) -> None:
        index = self.filter_box.findText(label)
        if index >= 0:
            self.filter_box.setCurrentIndex(index)

    def show_filtered(self, label: str, predicate: Callable[[Any], bool]) -> None:
        """Pick an ad-hoc quick filter (e.g. a bar clicked in the Insights tab), replacing one
        of the same label; the search is cleared so every matching row shows."""
        index = self.filter_box.findText(label)
        if index < 0:
            self._quick_filters.append(QuickFilter(label, predicate))
            self.filter_box.addItem(label)
            index = self.filter_box.count() - 1
        else:
            self._quick_filters[index] = QuickFilter(label, predicate)
        self.search.clear()
        self.apply_search_now()
        if self.filter_box.currentIndex() == index:
            self._on_filter_box_changed(index)
        else:
            self.filter_box.setCurrentIndex(index)

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = f"{shown:,} rows" if shown == total else f"{shown:,} of {total:,} rows"
        self.count_label.setText(text)

    # --- rows -------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any] | PreparedRows) -> tuple[list[Any], list[str]]:
        """Replace the rows, keeping the selection and scroll position (re-read after a sync);
        returns the replaced lists (`RecordsTableModel.set_rows`)."""
        selected = self.selected_keys()
        current = self.table.currentIndex()
        current_key = (
            self.model.key_of(self.proxy.mapToSource(current).row()) if current.isValid() else None
        )
        scroll = self.table.verticalScrollBar().value()
        replaced = self.model.set_rows(rows)
        selection = self.table.selectionModel()
        for key in selected:
            source_row = self.model.find_row(key)
            if source_row >= 0:
                index = self.proxy.mapFromSource(self.model.index(source_row, 0))
                if index.isValid():
                    selection.select(
                        index,
                        selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                    )
        if current_key is not None:
            source_row = self.model.find_row(current_key)
            if source_row >= 0:
                index = self.proxy.mapFromSource(self.model.index(source_row, 0))
                selection.setCurrentIndex(index, selection.SelectionFlag.NoUpdate)
        self.table.verticalScrollBar().setValue(scroll)
        self._update_count()
        return replaced

    def patch_rows(self, patch: RowsPatchPrepared) -> None:
        """Replace, add and drop a few rows (a change's targeted re-read); the selection and
        scroll position stay with their rows."""
        self.model.patch_rows(patch)
        self._update_count()

    def selected_keys(self) -> list[Any]:
        rows = self.table.selectionModel().selectedRows()
        return [self.model.key_of(self.proxy.mapToSource(index).row()) for index in rows]

    def selected_rows(self) -> list[Any]:
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [self.model.row(self.proxy.mapToSource(index).row()) for index in rows]

    def visible_rows(self) -> list[Any]:
        return [
            self.model.row(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
            for r in range(self.proxy.rowCount())
        ]

    # --- copy and export ------------------------------------------------------------------
    def _visible_columns(self) -> list[int]:
        header = self.table.horizontalHeader()
        logical = [header.logicalIndex(v) for v in range(header.count())]
        return [c for c in logical if not self.table.isColumnHidden(c)]

    def _as_table(self, rows: Sequence[Any]) -> list[list[str]]:
        columns = [self.model.columns[c] for c in self._visible_columns()]
        return [[c.title for c in columns]] + [[c.display(r) for c in columns] for r in rows]

    def copy_selection(self) -> None:
        rows = self.selected_rows()
        if rows:
            # Pasted into a spreadsheet the cells are parsed like a CSV's: neutralise formulas.
            table = [[str(safe_cell(c)) for c in cells] for cells in self._as_table(rows)]
            text = "\n".join("\t".join(cells) for cells in table)
            QGuiApplication.clipboard().setText(text)

    def export_csv(self, path: Path | None = None) -> Path | None:
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Export view as CSV"),
                in_documents(f"{self.name.lower()}.csv"),
                "CSV (*.csv)",
            )
            if not chosen:
                return None
            path = Path(chosen)
        return write_csv_file(path, self._as_table(self.visible_rows()))

    # --- columns ------------------------------------------------------------------------------
    def _on_header_menu_requested(self, pos: Any) -> None:
        menu = QMenu(self)
        for n, column in enumerate(self.model.columns):
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(n))
            action.toggled.connect(lambda on, n=n: self.table.setColumnHidden(n, not on))
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def save_state(self, settings: QSettings) -> None:
        settings.setValue(f"tables/{self.name}/header", self.table.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value(f"tables/{self.name}/header")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.table.horizontalHeader().restoreState(state)

    def fit_columns(self, widths: Sequence[int]) -> None:
        for n, width in enumerate(widths):
            self.table.setColumnWidth(n, width)
