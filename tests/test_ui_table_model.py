"""The records table model and its proxy: Qt's model contract, sorting, search and quick filters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from backorder_desktop.ui.records_proxy import RecordsProxyModel
from backorder_desktop.ui.records_view import QuickFilter, RecordsView
from backorder_desktop.ui.table_model import RAW_ROLE, Column, RecordsTableModel


@dataclass(frozen=True)
class Item:
    id: int
    name: str
    qty: int | None


ITEMS = [
    Item(1, "Café crème <small>", 5),
    Item(2, "apple mug", None),
    Item(3, "Blue mug", 12),
    Item(4, "O'Brien & Sons tee", 0),
]


def make_model() -> RecordsTableModel:
    columns = [
        Column("name", "Name", lambda r: r.name),
        Column("qty", "Qty", lambda r: r.qty, numeric=True),
    ]
    model = RecordsTableModel(columns, row_key=lambda r: r.id)
    model.set_rows(ITEMS)
    return model


def names(proxy: RecordsProxyModel) -> list[str]:
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def test_models_pass_qt_model_tester(qtmodeltester) -> None:
    model = make_model()
    qtmodeltester.check(model)
    proxy = RecordsProxyModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)


def test_numbers_right_aligned_and_raw_values_kept() -> None:
    model = make_model()
    qty = model.index(2, 1)
    assert qty.data() == "12"
    assert qty.data(RAW_ROLE) == 12
    assert (
        Qt.AlignmentFlag(qty.data(Qt.ItemDataRole.TextAlignmentRole)) & Qt.AlignmentFlag.AlignRight
    )
    assert model.index(1, 1).data() == ""  # None shows as an empty cell, never "None"


def test_sort_in_source_is_case_insensitive_and_puts_empty_last() -> None:
    model = make_model()
    proxy = RecordsProxyModel()
    proxy.setSourceModel(model)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert names(proxy) == ["apple mug", "Blue mug", "Café crème <small>", "O'Brien & Sons tee"]
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 1).data() for r in range(4)] == ["0", "5", "12", ""]


def test_search_matches_every_word_case_insensitively() -> None:
    model = make_model()
    proxy = RecordsProxyModel()
    proxy.setSourceModel(model)
    proxy.set_search("MUG blue")
    assert names(proxy) == ["Blue mug"]
    proxy.set_search("crème")
    assert names(proxy) == ["Café crème <small>"]
    proxy.set_search("")
    assert proxy.rowCount() == 4


def test_quick_filter_combines_with_search() -> None:
    model = make_model()
    proxy = RecordsProxyModel()
    proxy.setSourceModel(model)
    proxy.set_quick_filter(lambda r: (r.qty or 0) > 0)
    assert names(proxy) == ["Café crème <small>", "Blue mug"]
    proxy.set_search("mug")
    assert names(proxy) == ["Blue mug"]


def test_view_keeps_selection_across_refresh_and_exports_what_is_shown(
    qtbot, tmp_path: Path
) -> None:
    view = RecordsView("Items", make_model(), [QuickFilter("In stock", lambda r: (r.qty or 0) > 0)])
    qtbot.addWidget(view)
    view.table.selectRow(2)
    assert view.selected_keys() == [3]
    view.set_rows(list(reversed(ITEMS)))  # a sync re-read: same rows, new order
    assert view.selected_keys() == [3]
    view.set_quick_filter("In stock")
    path = view.export_csv(tmp_path / "items.csv")
    assert path is not None
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Name,Qty"
    assert "Café crème <small>" in text and "apple mug" not in text


@pytest.mark.parametrize("typed", ["bl", "blue", "BLUE M"])
def test_search_box_is_debounced(qtbot, typed: str) -> None:
    view = RecordsView("Items", make_model())
    qtbot.addWidget(view)
    view.search.setText(typed)
    assert view.proxy.rowCount() == 4  # not applied on the keystroke itself
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 1, timeout=2000)


def test_proxy_keeps_qt_model_contract_while_filtering_sorting_and_reloading(
    qtmodeltester,
) -> None:
    model = make_model()
    proxy = RecordsProxyModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)  # stays attached: checks every signal below
    proxy.set_search("mug")
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    assert names(proxy) == ["Blue mug", "apple mug"]
    proxy.set_quick_filter(lambda r: r.qty is None)
    assert names(proxy) == ["apple mug"]
    model.set_rows([*ITEMS, Item(5, "Green mug", None)])
    assert names(proxy) == ["Green mug", "apple mug"]  # new rows sorted and filtered at once
    proxy.set_search("nothing like this")
    assert proxy.rowCount() == 0
    proxy.set_search("")
    proxy.set_quick_filter(None)
    assert proxy.rowCount() == 5


def test_typing_on_narrows_and_deleting_widens_again() -> None:
    model = make_model()
    proxy = RecordsProxyModel()
    proxy.setSourceModel(model)
    for typed, expected in [
        ("m", 2 + 1),  # "mug" twice, "crème"
        ("mu", 2),
        ("mug", 2),
        ("mug b", 1),
        ("mug", 2),  # a word removed
        ("", 4),
        ("o'brien &", 1),  # HTML special characters are plain text to the search
    ]:
        proxy.set_search(typed)
        assert proxy.rowCount() == expected, typed


def test_rows_prepared_by_a_worker_arrive_in_the_tables_sort_order() -> None:
    model = make_model()
    proxy = RecordsProxyModel()
    proxy.setSourceModel(model)
    proxy.sort(1, Qt.SortOrder.DescendingOrder)  # by quantity, largest first
    prepared = model.prepare(list(reversed(ITEMS)))
    model.set_rows(prepared)
    assert [proxy.index(r, 1).data() for r in range(4)] == ["", "12", "5", "0"]
    # The user clicked another column while the worker was preparing: the table re-sorts.
    stale = model.prepare(ITEMS)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    model.set_rows(stale)
    assert names(proxy) == ["apple mug", "Blue mug", "Café crème <small>", "O'Brien & Sons tee"]
    assert model.find_row(3) == 1


def test_search_keeps_selected_rows_still_shown_and_column_widths(qtbot) -> None:
    view = RecordsView("Items", make_model())
    qtbot.addWidget(view)
    view.table.setColumnWidth(0, 237)
    view.table.selectRow(2)  # Blue mug
    view.search.setText("mug")
    view.apply_search_now()
    assert view.selected_keys() == [3]
    view.search.setText("no such thing")
    view.apply_search_now()
    assert view.proxy.rowCount() == 0 and view.selected_keys() == []
    assert view.table.columnWidth(0) == 237  # a search that matches nothing keeps the widths
    view.search.clear()
    view.apply_search_now()
    assert view.proxy.rowCount() == 4


def test_a_patch_replaces_adds_and_drops_rows_in_sort_order_keeping_the_selection(
    qtmodeltester,
) -> None:
    model = make_model()
    proxy = RecordsProxyModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    model.sort(1, Qt.SortOrder.AscendingOrder)  # qty: 0, 5, 12, None
    assert names(proxy) == ["O'Brien & Sons tee", "Café crème <small>", "Blue mug", "apple mug"]
    held = QPersistentModelIndex(model.index(1, 0))  # the café row, as a selection holds it
    proxy.set_search("mug")
    assert names(proxy) == ["Blue mug", "apple mug"]
    shown = QPersistentModelIndex(proxy.index(0, 0))  # Blue mug, which the patch moves
    patch = model.prepare_patch(
        [Item(3, "Blue mug", 1), Item(5, "Green mug", 7), Item(4, "O'Brien & Sons tee", 3)],
        gone={2},
    )
    resets = model.resets
    model.patch_rows(patch)
    assert model.resets == resets and model.patched_rows == 4
    # Blue mug moved to the top (1), Green mug (7) came after Café (5); apple mug went; the
    # search still holds.
    assert names(proxy) == ["Blue mug", "Green mug"]
    assert shown.isValid() and shown.data() == "Blue mug"
    proxy.set_search("")
    assert names(proxy) == [
        "Blue mug",
        "O'Brien & Sons tee",
        "Café crème <small>",
        "Green mug",
    ]
    assert held.isValid() and held.data() == "Café crème <small>"  # still on its row
    assert model.find_row(2) == -1 and model.row(model.find_row(5)).qty == 7
    qtmodeltester.check(proxy)


def test_a_patch_in_place_retests_only_its_rows_against_the_filter() -> None:
    model = make_model()
    proxy = RecordsProxyModel()
    proxy.setSourceModel(model)
    proxy.set_quick_filter(lambda r: (r.qty or 0) > 1)
    assert names(proxy) == ["Café crème <small>", "Blue mug"]
    held = QPersistentModelIndex(proxy.index(1, 0))  # Blue mug
    # Café drops below the filter, O'Brien rises above it: no row moves in the source.
    patch = model.prepare_patch(
        [Item(1, "Café crème <small>", 0), Item(4, "O'Brien & Sons tee", 9)], gone=()
    )
    model.patch_rows(patch)
    assert names(proxy) == ["Blue mug", "O'Brien & Sons tee"]
    assert held.isValid() and held.data() == "Blue mug"
    proxy.set_quick_filter(None)  # the full filter agrees with the incremental one
    proxy.set_quick_filter(lambda r: (r.qty or 0) > 1)
    assert names(proxy) == ["Blue mug", "O'Brien & Sons tee"]
