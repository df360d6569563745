"""The "Cancel and refund…" dialog against the demo store (pytest-qt): the quote it shows,
the warning, and the lines it cancels off the GUI thread."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.ui.dialogs.cancel import CancelDialog
from backorder_desktop.ui.shell import AppShell
from backorder_desktop.ui.tabs.backorders import BackordersPanel
from tests.support.gui import open_and_sync, unnamed_controls

TIMEOUT = 30_000


pytestmark = pytest.mark.demo_store(seed=11)


@pytest.fixture
def shell(store: DemoStore, qtbot, shell: AppShell) -> AppShell:
    """Open backorders, synced with `store`."""
    shell.window.show_tab("backorders")
    open_and_sync(qtbot, shell, store)
    return shell


def test_cancel_dialog_shows_the_quote_and_cancels_the_selected_line(
    qtbot, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    panel = shell.window.backorders_panel
    assert isinstance(panel, BackordersPanel)
    view = panel.view
    rows = [view.model.row(n) for n in range(view.model.rowCount())]
    per_order = Counter(r.line.order_id for r in rows)
    order_id = next(
        o for o, n in sorted(per_order.items()) if n >= 2 and store.state.orders[o].status_id != 7
    )
    target = next(r.line for r in rows if r.line.order_id == order_id)
    for n in range(view.proxy.rowCount()):
        row = view.model.row(view.proxy.mapToSource(view.proxy.index(n, 0)).row())
        if row.line.line_id == target.line_id:
            view.table.selectRow(n)
    assert panel.cancel_button.isEnabled()
    panel.cancel_button.click()
    dialog = panel.dialog
    assert isinstance(dialog, CancelDialog)
    qtbot.waitUntil(lambda: dialog.go_button.isEnabled(), timeout=TIMEOUT)
    line = next(x for x in store.state.orders[order_id].lines if x.id == target.line_id)
    expected = f"USD {line.price_inc_tax * target.qty_waiting:,.2f}"
    assert dialog.view.model.rowCount() == 1
    assert expected in dialog.total_label.text()
    assert "Undo is not possible after a refund" in dialog.warning.text()
    assert unnamed_controls(dialog) == []
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    dialog.grab().save(str(folder / "cancel-and-refund.png"))

    dialog.reason.setText("The maker stopped this colour")
    with qtbot.waitSignal(dialog.cancelled_lines, timeout=TIMEOUT):
        dialog.go_button.click()
    assert dialog.outcome is not None and dialog.outcome.order_status
    assert [
        (i.item_id, i.quantity) for r in store.state.orders[order_id].refunds for i in r.items
    ] == [(target.line_id, target.qty_waiting)]
    assert "#" + str(order_id) in dialog.result_label.text()
    # The tab re-reads its rows: the cancelled line is gone, the order's other line stays.
    qtbot.waitUntil(
        lambda: all(
            view.model.row(n).line.line_id != target.line_id for n in range(view.model.rowCount())
        ),
        timeout=TIMEOUT,
    )
    assert any(view.model.row(n).line.order_id == order_id for n in range(view.model.rowCount()))


def test_open_cancel_dialog_takes_whole_orders(qtbot, shell: AppShell, store: DemoStore) -> None:
    panel = shell.window.backorders_panel
    assert isinstance(panel, BackordersPanel)
    view = panel.view
    rows = [view.model.row(n) for n in range(view.model.rowCount())]
    order_id = next(
        r.line.order_id for r in rows if store.state.orders[r.line.order_id].status_id != 7
    )
    dialog = panel.open_cancel_dialog([order_id])
    qtbot.waitUntil(lambda: dialog.go_button.isEnabled(), timeout=TIMEOUT)
    waiting = [r.line.line_id for r in rows if r.line.order_id == order_id]
    assert dialog.view.model.rowCount() == len(waiting)
