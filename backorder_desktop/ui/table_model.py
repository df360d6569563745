"""A fast read-only table model over plain Python rows, and its search/quick-filter proxy.

Sorting happens in the source model with one `list.sort` and filtering on precomputed plain
strings: going through `data()` for 100k rows takes tens of seconds (DESIGN.md, pitfalls).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from ..domain.slices import sorted_in_slices
from .plain_text import tooltip

AnyIndex = QModelIndex | QPersistentModelIndex
RAW_ROLE = Qt.ItemDataRole.UserRole + 1
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


# The overload that carries a hint: PySide's plain `emit()` sends no hint.
_LAYOUT_SIGNATURE = ("QList<QPersistentModelIndex>", "QAbstractItemModel::LayoutChangeHint")


def emit_vertical_layout(signal: Any) -> None:
    """Emit layout(AboutToBe)Changed saying only rows moved or went: the column header then has
    nothing to save and restore."""
    signal[_LAYOUT_SIGNATURE].emit([], QAbstractItemModel.LayoutChangeHint.VerticalSortHint)


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


SortState = tuple[int, Qt.SortOrder]


@dataclass(frozen=True)
class PreparedRows:
    """Rows ready for `set_rows`, built off the GUI thread: in the model's sort order, with their
    search text and a key -> row lookup, so the GUI thread only swaps lists."""

    rows: list[Any]
    haystacks: list[str]
    index_of: dict[Hashable, int]
    sort: SortState | None = None


def _sort_order(
    getter: Callable[[Any], Any], rows: Sequence[Any], order: Qt.SortOrder, *, worker: bool = False
) -> list[int]:
    keys = [_sort_key(getter(row)) for row in rows]
    reverse = order == Qt.SortOrder.DescendingOrder
    if worker:  # beside the window: no long C call holding the interpreter lock
        return sorted_in_slices(range(len(rows)), key=keys.__getitem__, reverse=reverse)
    return sorted(range(len(rows)), key=keys.__getitem__, reverse=reverse)


def prepare_rows(
    columns: Sequence[Column],
    rows: Sequence[Any],
    *,
    row_key: Callable[[Any], Hashable],
    sort: SortState | None = None,
) -> PreparedRows:
    """Thread-safe: touches no Qt object, so a worker can do it for 100k rows."""
    ordered = list(rows)
    if sort is not None and 0 <= sort[0] < len(columns):
        getter = columns[sort[0]].value
        ordered = [ordered[i] for i in _sort_order(getter, ordered, sort[1], worker=True)]
    else:
        sort = None
    return PreparedRows(
        ordered,
        # Each cell between separators, so a term can be matched as a whole cell (`needle`).
        [SEP + "".join(c.display(r) + SEP for c in columns).casefold() for r in ordered],
        {row_key(row): n for n, row in enumerate(ordered)},
        sort,
    )


SEP = "\x1f"


def needle(term: str) -> str:
    """What a search word looks for: "#217" is an order number, the whole cell "#217" (not
    "#2170"); any other word is found anywhere in the row."""
    if len(term) > 1 and term[0] == "#" and term[1:].isdigit():
        return SEP + term + SEP
    return term


@dataclass(frozen=True)
class RowsPatchPrepared:
    """Rows to replace or add (matched by key) with their search text, and keys that went;
    built off the GUI thread for `RecordsTableModel.patch_rows`."""

    rows: list[Any]
    haystacks: list[str]
    gone: frozenset[Hashable]


def prepare_patch(
    columns: Sequence[Column], rows: Sequence[Any], gone: Iterable[Hashable]
) -> RowsPatchPrepared:
    """Thread-safe: the search text of the changed rows only."""
    return RowsPatchPrepared(
        list(rows),
        [SEP + "".join(c.display(r) + SEP for c in columns).casefold() for r in rows],
        frozenset(gone),
    )


class RecordsTableModel(QAbstractTableModel):
    """Rows are any Python objects; columns say how to show and sort them.

    The model resets (`set_rows`), re-orders (`sort`) or patches a few rows (`patch_rows`, as a
    layout change); it never emits single-row inserts or removals, so `RecordsProxyModel`
    follows resets and layout changes only.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        row_key: Callable[[Any], Hashable],
        row_colour: Callable[[Any], QColor | None] | None = None,
        natural_order: Callable[[Any], Any] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._row_key = row_key
        self._row_colour = row_colour
        # The order rows come in when no column is sorted (e.g. the queue's), so a patched row
        # goes where a full re-read would put it; None: patched rows stay or go last.
        self._natural_order = natural_order
        self._rows: list[Any] = []
        self._haystacks: list[str] = []
        self._index_of: dict[Hashable, int] | None = None
        self._sort: SortState | None = None
        # What the model was asked to do (tests assert that a change re-reads only its rows).
        self.resets = 0
        self.patched_rows = 0
        # During a patch's layoutChanged: the rows replaced where they were (none moved), so a
        # proxy re-tests only those; None otherwise.
        self.in_place: list[int] | None = None

    # --- Qt API -------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, source_row: int, column_number: int, role: int) -> Any:
        """What `data` answers; the proxy asks here directly, with no index to build."""
        row = self._rows[source_row]
        column = self.columns[column_number]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if column.numeric else LEFT)
        if role == Qt.ItemDataRole.ForegroundRole and self._row_colour is not None:
            colour = self._row_colour(row)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(column.display(row)) or None  # store text: shown literally
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
        emit_vertical_layout(self.layoutAboutToBeChanged)
        old_rows = self._rows
        order_index = _sort_order(self.columns[column].value, old_rows, order)
        self._rows = [old_rows[i] for i in order_index]
        self._haystacks = [self._haystacks[i] for i in order_index]
        self._index_of = None
        new_position = [0] * len(order_index)
        for new, old in enumerate(order_index):
            new_position[old] = new
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent,
            [self.index(new_position[p.row()], p.column()) for p in persistent],
        )
        emit_vertical_layout(self.layoutChanged)

    # --- our API ------------------------------------------------------------------------------
    def prepare(self, rows: Sequence[Any]) -> PreparedRows:
        """Thread-safe: a worker prepares the rows in the sort order the table has right now."""
        return prepare_rows(self.columns, rows, row_key=self._row_key, sort=self._sort)

    def set_rows(self, rows: Sequence[Any] | PreparedRows) -> tuple[list[Any], list[str]]:
        """Swap in `rows`; returns the replaced lists, for the caller to let go of (the window
        frees big ones a slice at a time: `RuntimePolicy.release_later`)."""
        prepared = rows if isinstance(rows, PreparedRows) else self.prepare(rows)
        old_rows, old_haystacks = self._rows, self._haystacks
        self.beginResetModel()
        self._rows = prepared.rows
        self._haystacks = prepared.haystacks
        self._index_of = prepared.index_of
        self.endResetModel()
        self.resets += 1
        if self._sort is not None and prepared.sort != self._sort:
            # The user clicked another column while the worker was preparing.
            self.sort(*self._sort)
        return old_rows, old_haystacks

    def prepare_patch(self, rows: Sequence[Any], gone: Iterable[Hashable]) -> RowsPatchPrepared:
        """Thread-safe: a worker prepares the search text of the changed rows."""
        return prepare_patch(self.columns, rows, gone)

    def patch_rows(self, patch: RowsPatchPrepared) -> None:
        """Replace rows by key (a row whose sort value is unchanged stays in place), add new
        ones at their sorted place and drop the gone ones: one layout change, so selection,
        scroll position and column widths stay, and only the changed rows' text is rebuilt.
        When every row stays where it was, the key index is kept and the proxy re-tests only
        the replaced rows (`in_place`): a patch then costs the changed rows, not the table."""
        if not patch.rows and not patch.gone:
            return
        emit_vertical_layout(self.layoutAboutToBeChanged)
        old_rows = self._rows
        persistent = self.persistentIndexList()
        held = [self._row_key(old_rows[p.row()]) for p in persistent]
        index_of = self._index_of_all()
        order_key = self._order_key()
        drop = {index_of[k] for k in patch.gone if k in index_of}
        placed: list[tuple[Any, str]] = []
        replaced: list[int] = []
        rows, haystacks = list(old_rows), list(self._haystacks)
        for row, haystack in zip(patch.rows, patch.haystacks, strict=True):
            at = index_of.get(self._row_key(row))
            if at is not None and (order_key is None or order_key(row) == order_key(old_rows[at])):
                rows[at], haystacks[at] = row, haystack
                replaced.append(at)
            else:
                if at is not None:
                    drop.add(at)
                placed.append((row, haystack))
        if drop:
            rows = [r for n, r in enumerate(rows) if n not in drop]
            haystacks = [h for n, h in enumerate(haystacks) if n not in drop]
        for row, haystack in placed:
            at = self._insert_at(rows, row, order_key)
            rows.insert(at, row)
            haystacks.insert(at, haystack)
        self._rows, self._haystacks = rows, haystacks
        moved = bool(drop or placed)
        if moved:
            self._index_of = {self._row_key(row): n for n, row in enumerate(rows)}
            index_of = self._index_of
            self.changePersistentIndexList(
                persistent,
                [
                    self.index(index_of[key], p.column()) if key in index_of else QModelIndex()
                    for p, key in zip(persistent, held, strict=True)
                ],
            )
        self.patched_rows += len(patch.rows) + len(patch.gone)
        self.in_place = None if moved else sorted(replaced)
        try:
            emit_vertical_layout(self.layoutChanged)
        finally:
            self.in_place = None

    def _index_of_all(self) -> dict[Hashable, int]:
        if self._index_of is None:
            self._index_of = {self._row_key(row): n for n, row in enumerate(self._rows)}
        return self._index_of

    def _order_key(self) -> Callable[[Any], Any] | None:
        """What orders the rows now: the sorted column's values, else the natural order."""
        if self._sort is not None:
            getter = self.columns[self._sort[0]].value
            return lambda row: _sort_key(getter(row))
        return self._natural_order

    def _insert_at(self, rows: list[Any], row: Any, order_key: Callable[[Any], Any] | None) -> int:
        """Where `row` goes in the current order (after its equals); the end if unordered."""
        if order_key is None:
            return len(rows)
        key = order_key(row)
        descending = self._sort is not None and self._sort[1] == Qt.SortOrder.DescendingOrder
        low, high = 0, len(rows)
        while low < high:
            mid = (low + high) // 2
            other = order_key(rows[mid])
            if (other >= key) if descending else (other <= key):
                low = mid + 1
            else:
                high = mid
        return low

    def row(self, source_row: int) -> Any:
        return self._rows[source_row]

    def rows(self) -> list[Any]:
        return list(self._rows)

    def key_of(self, source_row: int) -> Hashable:
        return self._row_key(self._rows[source_row])

    def find_row(self, key: Hashable) -> int:
        return self._index_of_all().get(key, -1)

    def haystack(self, source_row: int) -> str:
        return self._haystacks[source_row]

    def matching(
        self,
        candidates: Iterable[int],
        terms: Sequence[str],
        tests: Sequence[Callable[[Any], bool]],
    ) -> list[int]:
        """The candidate rows (in their order) whose search text holds every term and that
        pass every test: one list comprehension per condition, cheapest first."""
        haystacks, rows = self._haystacks, self._rows
        terms = [needle(t) for t in terms]
        shown = list(candidates)
        if len(terms) == 1:
            term = terms[0]
            shown = [n for n in shown if term in haystacks[n]]
        elif terms:
            shown = [n for n in shown if all(t in haystacks[n] for t in terms)]
        for test in tests:
            shown = [n for n in shown if test(rows[n])]
        return shown


class RecordsProxyModel(QAbstractProxyModel):
    """Shows the source rows that hold every search word and pass the quick filter and scope,
    in the source's (sorted) order. Sorting is passed to the source.

    Not a QSortFilterProxyModel: that one calls a Python `filterAcceptsRow` once per source row
    on every keystroke, sort and reload (60 ms for 40,000 rows even when the answer is cached).
    Here the rows shown are a plain list of source rows, decided by `RecordsTableModel.matching`
    in one pass (8 ms for 40,000 rows), and a search that only adds letters re-tests only the rows
    still shown.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []
        self._predicate: Callable[[Any], bool] | None = None
        self._scope: Callable[[Any], bool] | None = None
        self._shown: list[int] = []  # source rows shown, ascending
        self._model: RecordsTableModel | None = None
        # Across a layout change: each persistent index of this proxy, and where it points in the
        # source (a source persistent index, which the source's own sort moves along).
        self._saved: list[tuple[QModelIndex, QPersistentModelIndex]] = []

    def source(self) -> RecordsTableModel:
        model = self.sourceModel()
        assert isinstance(model, RecordsTableModel), "RecordsProxyModel needs a RecordsTableModel"
        return model

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        if not isinstance(model, RecordsTableModel):
            raise TypeError("RecordsProxyModel needs a RecordsTableModel")
        old = self.sourceModel()
        if old is not None:
            old.modelAboutToBeReset.disconnect(self.beginResetModel)
            old.modelReset.disconnect(self._on_source_reset)
            old.layoutAboutToBeChanged.disconnect(self._on_source_layout_about_to_change)
            old.layoutChanged.disconnect(self._on_source_layout_changed)
        self.beginResetModel()
        super().setSourceModel(model)
        self._model = model
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._on_source_reset)
        model.layoutAboutToBeChanged.connect(self._on_source_layout_about_to_change)
        model.layoutChanged.connect(self._on_source_layout_changed)
        self._shown = self._filter_all()
        self.endResetModel()

    # --- filters ------------------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        terms = text.casefold().split()
        if terms == self._terms:
            return
        # Every row matching the new words matched the old ones when each old word is part of
        # a new one (typing on): re-test only the rows shown.
        narrowing = all(any(old in new for new in terms) for old in self._terms)
        self._terms = terms
        self._refilter(self._shown if narrowing else None)

    def set_quick_filter(self, predicate: Callable[[Any], bool] | None) -> None:
        self._predicate = predicate
        self._refilter(None)

    def set_scope(self, predicate: Callable[[Any], bool] | None) -> None:
        """A second predicate beside the quick filter (e.g. one group of rows picked in a list)."""
        self._scope = predicate
        self._refilter(None)

    def _tests(self) -> list[Callable[[Any], bool]]:
        return [t for t in (self._scope, self._predicate) if t is not None]

    def _filter_all(self) -> list[int]:
        model = self.sourceModel()
        if not isinstance(model, RecordsTableModel):
            return []
        return model.matching(range(model.rowCount()), self._terms, self._tests())

    def _refilter(self, candidates: list[int] | None) -> None:
        """Re-decide the rows shown, as a layout change so the selection of rows still shown
        and the column widths survive (a reset would drop both)."""
        if self.sourceModel() is None:
            return
        self._begin_layout_change()
        if candidates is None:
            self._shown = self._filter_all()
        else:
            self._shown = self.source().matching(candidates, self._terms, self._tests())
        self._end_layout_change()

    # --- following the source -----------------------------------------------------------------
    def _begin_layout_change(self) -> None:
        emit_vertical_layout(self.layoutAboutToBeChanged)
        self._saved = [
            (p, QPersistentModelIndex(self.mapToSource(p))) for p in self.persistentIndexList()
        ]

    def _end_layout_change(self) -> None:
        old = [p for p, _ in self._saved]
        new = [self.mapFromSource(s) for _, s in self._saved]
        self._saved = []
        self.changePersistentIndexList(old, new)
        emit_vertical_layout(self.layoutChanged)

    def _on_source_reset(self) -> None:
        self._shown = self._filter_all()
        self.endResetModel()

    def _on_source_layout_about_to_change(self, *_args: object) -> None:
        self._begin_layout_change()

    def _on_source_layout_changed(self, *_args: object) -> None:
        model = self._model
        replaced = model.in_place if model is not None else None
        if replaced is not None and model is not None:
            # A patch that moved no row: only the replaced rows may change whether they show.
            passing = set(model.matching(replaced, self._terms, self._tests()))
            shown = self._shown
            for n in replaced:
                at = bisect_left(shown, n)
                present = at < len(shown) and shown[at] == n
                if present and n not in passing:
                    del shown[at]
                elif not present and n in passing:
                    shown.insert(at, n)
        else:
            self._shown = self._filter_all()
        self._end_layout_change()

    # --- Qt API -------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        model = self.sourceModel()
        return 0 if parent.isValid() or model is None else model.columnCount()

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and bool(self._shown) and self.columnCount() > 0

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < len(self._shown)):
            return QModelIndex()
        if not 0 <= column < self.columnCount():
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, *args: Any) -> Any:  # type: ignore[override]
        # Qt overloads parent(): QObject.parent() and the model's parent(index); rows are flat.
        if not args:
            return super().parent()
        return QModelIndex()

    def sibling(self, row: int, column: int, index: AnyIndex) -> QModelIndex:
        return self.index(row, column)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Straight to the source's cell: Qt's default maps the index through Python
        # (`mapToSource`) and builds a source index for each of the ~10 roles a cell paints.
        if not index.isValid() or self._model is None:
            return None
        return self._model.cell(self._shown[index.row()], index.column(), role)

    def mapToSource(self, proxy_index: AnyIndex) -> QModelIndex:
        model = self.sourceModel()
        if model is None or not proxy_index.isValid() or proxy_index.row() >= len(self._shown):
            return QModelIndex()
        return model.index(self._shown[proxy_index.row()], proxy_index.column())

    def mapFromSource(self, source_index: AnyIndex) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        source_row = source_index.row()
        row = bisect_left(self._shown, source_row)
        if row == len(self._shown) or self._shown[row] != source_row:
            return QModelIndex()
        return self.createIndex(row, source_index.column())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        model = self.sourceModel()
        return None if model is None else model.headerData(section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # Sort in the source with one list.sort; this proxy keeps source order (see module doc).
        model = self.sourceModel()
        if isinstance(model, RecordsTableModel):
            model.sort(column, order)
