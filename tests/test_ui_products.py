"""The Products tab against the real demo store: bulk actions through preview, apply and undo;
history; CSV import with bad rows; inline edits; conflicts; accessible names."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QItemSelectionModel, Qt

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.models import METAFIELD_NAMESPACE
from backorder_desktop.ui.dialogs.bulk_action import CLEAR_ETA, DISABLE, ENABLE, MESSAGE, SET_ETA
from backorder_desktop.ui.shell import AppShell
from backorder_desktop.ui.tabs.products import ProductsPanel
from tests.support.gui import open_and_sync, unnamed_controls

WAIT_MS = 60_000


pytestmark = pytest.mark.demo_store(seed=7)


def panel_of(shell: AppShell) -> ProductsPanel:
    panel = shell.window.products_panel
    assert isinstance(panel, ProductsPanel)
    return panel


def plain_variants(store: DemoStore, n: int) -> list[int]:
    """Tracked variants with backorders off and no ETA, from different products."""
    state = store.state
    with_eta = {m.resource_id for m in state.metafields.values() if m.key == "eta"}
    seen: set[int] = set()
    out = []
    for v in sorted(state.variants.values(), key=lambda v: v.id):
        product = state.products[v.product_id]
        if (
            product.inventory_tracking == "variant"
            and product.id not in seen
            and state.inventory[(v.id, 1)].backorder_limit is None
            and v.id not in with_eta
        ):
            seen.add(product.id)
            out.append(v.id)
        if len(out) == n:
            break
    return out


def select(panel: ProductsPanel, variant_ids: list[int]) -> None:
    view = panel.view
    view.search.clear()
    view.apply_search_now()
    view.set_quick_filter("All rows")
    selection = view.table.selectionModel()
    selection.clearSelection()
    for vid in variant_ids:
        row = view.model.find_row(vid)
        assert row >= 0, vid
        index = view.proxy.mapFromSource(view.model.index(row, 0))
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        selection.select(index, flags)
    assert sorted(view.selected_keys()) == sorted(variant_ids)


def eta_value(store: DemoStore, vid: int) -> str | None:
    for m in store.state.metafields.values():
        if m.resource_id == vid and m.key == "eta" and m.namespace == METAFIELD_NAMESPACE:
            return m.value
    return None


def limit_of(store: DemoStore, vid: int) -> int | None:
    return store.state.inventory[(vid, 1)].backorder_limit


def preview_and_apply(qtbot: Any, panel: ProductsPanel, start: Any) -> Any:
    """Run `start()`, wait for the preview, click Apply, wait until the change is pushed."""
    flow = panel.actions.flow
    old = flow.preview_dialog
    start()
    qtbot.waitUntil(
        lambda: flow.preview_dialog is not old and flow.preview_dialog.isVisible(), timeout=WAIT_MS
    )
    dialog = flow.preview_dialog
    assert dialog.apply_button.isEnabled()
    with qtbot.waitSignal(flow.finished, timeout=WAIT_MS) as done:
        dialog.apply_button.click()
    qtbot.waitUntil(lambda: not panel.controller.runner.running, timeout=WAIT_MS)
    return dialog, done.args[0]


def run_action(qtbot: Any, panel: ProductsPanel, action: str, setup: Any = None) -> Any:
    def start() -> None:
        panel.actions.buttons[action].click()
        dialog = panel.actions.action_dialog
        assert dialog is not None and dialog.isVisible()
        if setup is not None:
            setup(dialog)
        dialog.preview_button.click()

    return preview_and_apply(qtbot, panel, start)


def test_each_bulk_action_goes_through_its_preview_then_undo_restores(
    qtbot: Any, shell: AppShell, store: DemoStore
) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    vids = plain_variants(store, 3)
    select(panel, vids)

    def limited(dialog: Any) -> None:
        dialog.limited.setChecked(True)
        dialog.limit.setValue(4)

    preview, result = run_action(qtbot, panel, ENABLE, limited)
    assert "3 variant(s) change" in preview.summary.text()
    assert "1 API request(s)" in preview.summary.text()
    assert [line.after for line in preview.view.model.rows()] == ["4", "4", "4"]
    assert all(limit_of(store, v) == 4 for v in vids)
    assert result.failed == []

    eta = date.today().replace(year=date.today().year + 1)
    preview, _ = run_action(
        qtbot, panel, SET_ETA, lambda d: d.eta.setDate(QDate(eta.year, eta.month, eta.day))
    )
    assert all(eta_value(store, v) == eta.isoformat() for v in vids)

    preview, _ = run_action(qtbot, panel, MESSAGE, lambda d: d.template.setText("Due {eta}"))
    state = store.state
    for vid in vids:
        product = state.products[state.variants[vid].product_id]
        if product.availability == "preorder":  # BigCommerce fills in the release date
            assert product.availability_description == "Due %%DATE%%"
            assert product.preorder_release_date.date() == eta
        else:
            assert product.availability_description == f"Due {eta.isoformat()}"

    # The rows show the new values once BigCommerce has them, with nothing pending.
    rows = {r.variant_id: r for r in panel.view.model.rows()}
    assert all(rows[v].limit_text == "4" and rows[v].sync_state == "" for v in vids)

    run_action(qtbot, panel, CLEAR_ETA)
    assert all(eta_value(store, v) is None for v in vids)
    run_action(qtbot, panel, DISABLE)
    assert all(limit_of(store, v) is None for v in vids)

    # Undo the last change (disable): the limits of 4 come back.
    preview, _ = preview_and_apply(qtbot, panel, panel.actions.undo_button.click)
    assert "Undo" in preview.windowTitle()
    assert all(limit_of(store, v) == 4 for v in vids)

    # Undo an earlier change from the history: the ETA cleared two steps ago comes back.
    panel.actions.history_button.click()
    history = panel.actions.history_dialog
    assert history is not None
    qtbot.waitUntil(lambda: history.view.model.rowCount() == 6, timeout=WAIT_MS)
    entries = history.view.model.rows()
    cleared = next(e for e in entries if "ETA cleared" in e.summary)
    source = history.view.model.find_row(cleared.batch_id)
    history.view.table.selectRow(
        history.view.proxy.mapFromSource(history.view.model.index(source, 0)).row()
    )
    preview_and_apply(qtbot, panel, history.undo_button.click)
    assert all(eta_value(store, v) == eta.isoformat() for v in vids)
    qtbot.waitUntil(lambda: history.view.model.rowCount() == 7, timeout=WAIT_MS)
    assert any(e.undone_by for e in history.view.model.rows() if e.batch_id == cleared.batch_id)


def test_all_rows_in_the_filter_can_be_changed_at_once(
    qtbot: Any, shell: AppShell, store: DemoStore
) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    sku_prefix = store.state.variants[plain_variants(store, 1)[0]].sku.split("-")[0]
    panel.view.search.setText(sku_prefix + "-")
    panel.view.apply_search_now()
    shown = [r.variant_id for r in panel.view.visible_rows() if r.tracking != "none"]
    assert 1 < len(shown) < panel.view.model.rowCount()

    def whole_filter(dialog: Any) -> None:
        assert not dialog.scope_selected.isEnabled()  # nothing selected: the filter it is
        assert dialog.scope_filter.isChecked()

    run_action(qtbot, panel, ENABLE, whole_filter)
    assert all(limit_of(store, v) == 2_147_483_647 for v in shown)


def test_csv_import_lists_bad_rows_and_applies_only_after_confirming(
    qtbot: Any, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    a, b = plain_variants(store, 2)
    sku_a, sku_b = store.state.variants[a].sku, store.state.variants[b].sku
    path = tmp_path / "backorders.csv"
    path.write_text(
        "sku,limit,eta,message\n"
        f"{sku_a},6,2031-03-04,\n"
        f"{sku_b},unlimited,,\n"
        "NO-SUCH-SKU,4,,\n"
        f"{sku_a[:-1]}Z,-1,,\n"
        f"{sku_b},5,2031-02-30,\n",
        encoding="utf-8",
    )
    store.clear_requests()
    panel.actions.import_csv_file(path)
    qtbot.waitUntil(lambda: panel.actions.csv_dialog is not None, timeout=WAIT_MS)
    report = panel.actions.csv_dialog
    assert report is not None
    problems = {p.line: p.reason for p in report.view.model.rows()}
    assert set(problems) == {4, 5, 6}
    assert "unknown SKU" in problems[4]
    assert "negative" in problems[5] or "unknown SKU" in problems[5]
    assert "already given" in problems[6]
    assert "2 row(s) can be applied" in report.summary.text()
    assert [r for r in store.requests if r.method != "GET"] == [], "nothing applied yet"

    preview_and_apply(qtbot, panel, report.preview_button.click)
    assert limit_of(store, a) == 6 and eta_value(store, a) == "2031-03-04"
    assert limit_of(store, b) == 2_147_483_647


def test_a_csv_that_cannot_be_read_says_why_and_changes_nothing(
    qtbot: Any, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    store.clear_requests()
    for name, data, says in (
        ("header.csv", b"code,limit\nA,1\n", "header"),
        ("latin1.csv", "sku,message\nA,Prévu\n".encode("cp1252"), "UTF-8"),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        panel.actions.message_box = None
        panel.actions.import_csv_file(path)
        qtbot.waitUntil(lambda: panel.actions.message_box is not None, timeout=WAIT_MS)
        assert says in panel.actions.message_box.text()
        assert "Nothing was imported" in shell.window.statusBar().currentMessage()
        panel.actions.message_box.close()
    assert [r for r in store.requests if r.method != "GET"] == []


def test_export_writes_the_rows_in_the_filter(
    qtbot: Any, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    panel.view.set_quick_filter("Backorders on")
    expected = {r.sku for r in panel.view.visible_rows()}
    path = tmp_path / "out.csv"
    panel.actions.export_csv_file(path)
    qtbot.waitUntil(path.exists, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not panel.controller.runner.running, timeout=WAIT_MS)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("sku,limit,eta,message")
    assert {line.split(",")[0] for line in lines[1:]} == expected


def test_a_cell_edited_in_place_is_applied_and_bad_text_is_refused(
    qtbot: Any, shell: AppShell, store: DemoStore
) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    (vid,) = plain_variants(store, 1)
    model = panel.view.model
    column = next(n for n, c in enumerate(model.columns) if c.key == "limit")
    index = model.index(model.find_row(vid), column)
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable

    store.clear_requests()
    assert model.setData(index, "-3")
    assert "cannot be negative" in shell.window.statusBar().currentMessage()
    assert [r for r in store.requests if r.method != "GET"] == []

    with qtbot.waitSignal(panel.actions.flow.finished, timeout=WAIT_MS):
        model.setData(index, "7")
    assert limit_of(store, vid) == 7


def test_a_value_changed_in_bigcommerce_asks_before_overwriting(
    qtbot: Any, shell: AppShell, store: DemoStore
) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    a, b = plain_variants(store, 2)
    store.state.inventory[(a, 1)].backorder_limit = 2  # someone, in the control panel
    select(panel, [a, b])
    flow = panel.actions.flow
    panel.actions.buttons[ENABLE].click()
    panel.actions.action_dialog.preview_button.click()
    qtbot.waitUntil(lambda: flow.preview_dialog is not None, timeout=WAIT_MS)
    flow.preview_dialog.apply_button.click()
    qtbot.waitUntil(lambda: flow.conflicts_dialog is not None, timeout=WAIT_MS)
    conflicts = flow.conflicts_dialog
    assert [(line.label, line.store) for line in conflicts.view.model.rows()] == [
        (store.state.variants[a].sku, "2")
    ]
    assert limit_of(store, b) is None, "nothing written while the merchant decides"
    with qtbot.waitSignal(flow.finished, timeout=WAIT_MS):
        conflicts.theirs_button.click()
    assert limit_of(store, a) == 2 and limit_of(store, b) == 2_147_483_647


def test_the_tab_and_its_dialogs_name_every_control(
    qtbot: Any, shell: AppShell, store: DemoStore
) -> None:
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    assert unnamed_controls(panel) == []
    assert panel.actions.mode_label.text() == "Native backorders"
    select(panel, plain_variants(store, 1))
    flow = panel.actions.flow
    for action in (ENABLE, DISABLE, SET_ETA, CLEAR_ETA, MESSAGE):
        panel.actions.buttons[action].click()
        dialog = panel.actions.action_dialog
        assert unnamed_controls(dialog) == [], action
        dialog.preview_button.click()
        qtbot.waitUntil(lambda: flow.preview_dialog is not None and flow.preview_dialog.isVisible())
        assert unnamed_controls(flow.preview_dialog) == [], action
        flow.preview_dialog.reject()
        flow.preview_dialog = None
    panel.actions.history_button.click()
    assert unnamed_controls(panel.actions.history_dialog) == []


def test_a_store_without_native_backorders_is_shown_in_pre_order_mode(
    qtbot: Any, shell: AppShell
) -> None:
    with DemoStore(seed=7, native_backorders=False).start() as store:
        open_and_sync(qtbot, shell, store)
        panel = panel_of(shell)
        assert panel.actions.mode_label.text().startswith("Pre-order mode")
        rows = panel.view.model.rows()
        preorder = {r.limit_text for r in rows if r.availability == "preorder"}
        assert preorder == {"pre-order"}


def test_a_storefront_text_contradicting_the_backorders_is_flagged_and_fixed_in_one_click(
    qtbot: Any, shell: AppShell, store: DemoStore
) -> None:
    """Issue 14: variants with customers waiting still said "Usually ships in 24 hours"."""
    open_and_sync(qtbot, shell, store)
    panel = panel_of(shell)
    view = panel.view
    view.set_quick_filter("Storefront contradicts")
    flagged = view.visible_rows()
    assert flagged and all(r.flags for r in flagged)
    row = next(r for r in flagged if r.waiting > 0)
    product = store.state.products[row.product_id]
    assert "ships in 24 hours" in product.availability_description.casefold()
    # Every product the store says is in stock while customers wait is flagged, no other.
    waiting = {r.product_id for r in view.model.rows() if r.waiting > 0}
    says_in_stock = {
        pid
        for pid in waiting
        if "usually ships in 24 hours" in store.state.products[pid].availability_description.lower()
    }
    assert says_in_stock <= {r.product_id for r in flagged}
    model = view.model
    check = next(n for n, c in enumerate(model.columns) if c.key == "check")
    index = model.index(model.find_row(row.variant_id), check)
    assert model.data(index).startswith("⚠ says in stock")
    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert "while" in tip and "waiting" in tip and "Fix storefront text" in tip
    assert all(r.waiting > 0 for r in flagged)  # flagged where customers wait

    assert not panel.actions.fix_button.isEnabled()
    select(panel, [row.variant_id])
    assert panel.actions.fix_button.isEnabled()
    with qtbot.waitSignal(panel.actions.flow.finished, timeout=WAIT_MS):
        panel.actions.fix_button.click()
    fixed = store.state.products[row.product_id].availability_description
    assert fixed.startswith("On backorder") and "24 hours" not in fixed
    qtbot.waitUntil(
        lambda: not any(r.flags for r in view.model.rows() if r.product_id == row.product_id),
        timeout=WAIT_MS,
    )
