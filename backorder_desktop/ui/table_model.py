"""A fast read-only table model over plain Python rows (its search/quick-filter proxy is in
records_proxy.py).

Sorting happens in the source model with one `list.sort` and filtering on precomputed plain
strings: going through `data()` for 100k rows takes tens of seconds (DESIGN.md, pitfalls).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
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
