"""Issue 14 in a real window: release then undo, and the order is found again (window and
`backorders --json`, before and after a sync) with its stock never sellable; the notify preview
flags an overdue shipment and gives it a new date."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.dock.receiving import commit_receipt
from backorder_desktop.services.dock.shipments import add_shipment, list_shipments
from backorder_desktop.ui.dialogs.notify_preview import NotifyPreviewDialog
from backorder_desktop.ui.dialogs.release import ReleaseDialog
from backorder_desktop.ui.dialogs.shipment_date import NewDateDialog
from backorder_desktop.ui.dialogs.undo import UndoDialog
from backorder_desktop.ui.shell import AppShell
from tests.support.cli import run_cli
from tests.support.gui import rows_shown_after, shipments_dialog
from tests.support.shipments import variant_with_waiting_lines

WAIT_MS = 30_000


pytestmark = [pytest.mark.demo_store(seed=2), pytest.mark.usefixtures("synced")]


def cli_lines(store: DemoStore, data_dir: Path) -> list[dict]:
    """Another laptop's view: sync its own cache from the store, then `backorders --json`."""
    base = ["--data-dir", str(data_dir), "--api-url", store.api_url, "--store-hash"]
    base.append(store.store_hash)
    assert run_cli(*base, "sync", token=store.token).code == 0
    listed = run_cli(*base, "backorders", "--json", token=store.token)
    assert listed.code == 0, listed.err
    return listed.json()


def test_release_then_undo_keeps_the_order_in_sight_and_its_stock_reserved(
    qtbot, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    session = shell.controller.session
    assert session is not None
    vid, lines = variant_with_waiting_lines(session.cache)
    target = lines[0].order_id
    units = sum(x.qty_waiting for x in lines if x.order_id == target)
    shipment, _ = add_shipment(
        session.cache, supplier="Acme Supply Co.", expected=None, lines=[(lines[0].sku, units)]
    )
    commit_receipt(session.cache, shipment.id, [ReceiptLine(lines[0].sku, units)], receipt_id="r1")
    rows_shown_after(qtbot, shell, shell.controller.refresh, WAIT_MS)
    qtbot.waitUntil(lambda: session.cache.outbox.counts()["pending"] == 0, timeout=WAIT_MS)
    after_receipt = store.state.inventory[(vid, 1)].on_hand
    status_before = store.state.orders[target].status_id

    # Release it from the Supplier shipments tab.
    actions = shell.window.shipments_panel.actions
    actions.release([target])
    release = shipments_dialog(qtbot, shell, "release")
    assert isinstance(release, ReleaseDialog) and release.selected_ids() == [target]
    release.release_selected()
    qtbot.waitUntil(lambda: release.outcome is not None, timeout=WAIT_MS)
    assert release.outcome is not None and release.outcome.released == [target]
    qtbot.waitUntil(lambda: store.state.orders[target].status_id == 9, timeout=WAIT_MS)
    release.close()
    adjustments = len([r for r in store.requests if "/adjustments/" in r.path])

    # Undo it.
    actions.undo_release()
    undo = shipments_dialog(qtbot, shell, "undo")
    assert isinstance(undo, UndoDialog)
    qtbot.waitUntil(lambda: undo.view.model.find_row(target) >= 0, timeout=WAIT_MS)
    row = undo.view.model.find_row(target)
    undo.view.table.selectRow(undo.view.proxy.mapFromSource(undo.view.model.index(row, 0)).row())
    undo.confirm = lambda title, text: True
    undo.action_button.click()
    qtbot.waitUntil(lambda: "ready to release again" in undo.message.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: session.cache.outbox.counts()["pending"] == 0, timeout=WAIT_MS)
    undo.close()
    assert store.state.orders[target].status_id == status_before
    # Never sellable in between: no stock write, on hand as the receipt left it.
    assert len([r for r in store.requests if "/adjustments/" in r.path]) == adjustments
    assert store.state.inventory[(vid, 1)].on_hand == after_receipt

    def found_in_window() -> list[int]:
        actions.release()
        ready = shipments_dialog(qtbot, shell, "release")
        assert isinstance(ready, ReleaseDialog)
        ids = [r.order_id for r in ready.view.model.rows()]
        ready.close()
        return ids

    def found_in_cli(folder: str) -> set[str]:
        return {x["state"] for x in cli_lines(store, tmp_path / folder) if x["order_id"] == target}

    # Found again: ready to release, in the window and on another laptop's CLI.
    assert target in found_in_window()
    assert found_in_cli("cli-before") == {"ready"}
    assert target not in {r.line.order_id for r in shell.window.backorders_panel.view.model.rows()}
    # And after the next sync, the same.
    with qtbot.waitSignal(shell.controller.sync_finished, timeout=WAIT_MS):
        shell.controller.refresh()
    qtbot.waitUntil(lambda: not shell.controller.syncing, timeout=WAIT_MS)
    assert target in found_in_window()
    assert found_in_cli("cli-before") == {"ready"}
    assert found_in_cli("cli-after") == {"ready"}
    assert store.state.inventory[(vid, 1)].on_hand == after_receipt


def test_notify_preview_flags_the_overdue_shipment_and_dates_it(
    qtbot, shell: AppShell, store: DemoStore
) -> None:
    session = shell.controller.session
    assert session is not None
    today = datetime.now(UTC).date()
    late = next(
        s
        for s in list_shipments(session.cache)
        if s.is_inbound and s.expected_date and s.expected_date < today and s.units_outstanding
    )
    # The Supplier shipments tab flags it and asks for a date.
    shipments = shell.window.shipments_panel
    row = next(r for r in shipments.view.model.rows() if r.id == late.id)
    assert row.overdue
    shown = shipments.view.model.data(
        shipments.view.model.index(shipments.view.model.find_row(late.id), 3)
    )
    assert "overdue, new date needed" in shown
    # The notify preview says so, names what needs a date, and offers the action.
    panel = shell.window.backorders_panel
    panel.notify_button.click()
    dialog = panel.dialog
    assert isinstance(dialog, NotifyPreviewDialog)
    qtbot.addWidget(dialog)
    bar = dialog.dates_needed
    assert bar.isVisible()
    assert f"overdue: {late.reference}, new date needed" in bar.flag.text()
    assert late.reference in bar.buttons
    # No notice in the plan names a date before today.
    assert all(line.eta is None or line.eta >= today for n in dialog.plan.due for line in n.lines)
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:  # docs/screenshots/notify-overdue.png is made this way
        dialog.resize(1180, 720)
        qtbot.wait(300)
        dialog.grab().save(str(Path(folder) / "notify-overdue.png"))
    # Give it a new date from the preview: the flag's action opens the shipment's date dialog.
    bar.buttons[late.reference].click()
    actions = bar.actions
    qtbot.waitUntil(lambda: "new date" in actions.dialogs, timeout=WAIT_MS)
    ask = actions.dialogs["new date"]
    assert isinstance(ask, NewDateDialog)
    # Nothing before today is a promise: a past date typed is refused, and nothing is saved.
    ask.date.edit.setText((today - timedelta(days=1)).isoformat())
    ask.date.edit.textEdited.emit(ask.date.edit.text())
    ask.request_save()
    assert "passed" in ask.error.text() and ask.save_button.isEnabled()
    assert "new date" in actions.dialogs
    assert next(s for s in list_shipments(session.cache) if s.id == late.id).expected_date < today
    ask.date.edit.setText((today + timedelta(days=12)).isoformat())
    ask.date.edit.textEdited.emit(ask.date.edit.text())
    ask.request_save()
    qtbot.waitUntil(lambda: "new date" not in actions.dialogs, timeout=WAIT_MS)
    new = today + timedelta(days=12)
    assert next(s for s in list_shipments(session.cache) if s.id == late.id).expected_date == new
    dialog.close()
