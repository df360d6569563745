"""The window as a laptop front (tests/support/fronts.py): a real `AppShell`, driven as the
merchant drives it, through the tabs' buttons and the dialogs they open, waiting for the task
runner, and reading back what the tables and dialogs show (never the cache)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from backorder_desktop.domain.bulk import VariantEdit
from backorder_desktop.domain.models import UNLIMITED_BACKORDER_LIMIT
from backorder_desktop.ui.dialogs.bulk_preview import BulkPreviewDialog, StaleValuesDialog
from backorder_desktop.ui.dialogs.notify_preview import NotifyPreviewDialog
from backorder_desktop.ui.dialogs.receiving import ReceivingDialog
from backorder_desktop.ui.dialogs.release import ReleaseDialog
from backorder_desktop.ui.dialogs.undo import UndoDialog
from backorder_desktop.ui.records_view import RecordsView
from backorder_desktop.ui.tabs.backorders import BackordersPanel
from tests.support.fronts import Held, Line, Notified, Received, Told
from tests.support.gui import SYNC_TIMEOUT_MS, make_shell, open_and_sync

TIMEOUT = 60_000


def select(view: RecordsView, wanted: Callable[[Any], bool]) -> int:
    """Select the rows `wanted` picks among those shown (as clicks would); how many."""
    view.table.clearSelection()
    proxy, rows = view.proxy, view.model.rows()
    count = 0
    for i in range(proxy.rowCount()):
        if wanted(rows[proxy.mapToSource(proxy.index(i, 0)).row()]):
            view.table.selectionModel().select(
                proxy.index(i, 0),
                view.table.selectionModel().SelectionFlag.Select
                | view.table.selectionModel().SelectionFlag.Rows,
            )
            count += 1
    return count


class WindowFront:
    name = "window"

    def __init__(
        self, qtbot: Any, store: DemoStore, data_dir: Path, sink: MailSink | None = None
    ) -> None:
        self.qtbot, self.store = qtbot, store
        self.shell = make_shell(data_dir)
        if sink is not None:
            self.shell.controller.apply_settings(
                replace(
                    self.shell.settings,
                    smtp_host="127.0.0.1",
                    smtp_port=sink.port,
                    smtp_security="none",
                    mail_from="orders@shop.example",
                )
            )
        # Not handed to qtbot: its teardown closes widgets before the finalizer stops the shell.
        self.told: list[str] = []  # the status bar's messages, in order
        self.shell.controller.message_posted.connect(self.told.append)
        self.opened = False

    @property
    def controller(self) -> Any:
        return self.shell.controller

    def idle(self) -> None:
        """Wait until no task runs (the action, its re-read of the rows, their patch)."""
        shell = self.shell
        self.qtbot.waitUntil(
            lambda: not shell.runner.running and not shell.controller.syncing, timeout=TIMEOUT
        )
        self.qtbot.wait(1)  # queued signals of the last task (rows patched) are delivered

    def _told_since(self, mark: int) -> str:
        return "\n".join(self.told[mark:])

    # --- reading what the window shows ------------------------------------------------------
    def sync(self) -> str:
        mark = len(self.told)
        if not self.opened:
            open_and_sync(self.qtbot, self.shell, self.store)
            self.opened = True
        else:
            with self.qtbot.waitSignal(self.controller.sync_finished, timeout=SYNC_TIMEOUT_MS):
                self.shell.window.sync_button.click()
        self.idle()
        return self._told_since(mark)

    def queue(self) -> list[Line]:
        return [
            Line(
                r.line.order_id,
                r.line.sku,
                r.line.qty_waiting,
                r.line.priority,
                r.line.queue_position,
            )  # fmt: skip
            for r in self.shell.window.backorders.model.rows()
        ]

    def partial_allowed(self, order_id: int) -> bool:
        rows = self.shell.window.backorders.model.rows()
        return any(r.partial_allowed for r in rows if r.line.order_id == order_id)

    def shipments(self) -> dict[str, str]:
        return {r.reference: r.status for r in self.shell.window.shipments.model.rows()}

    def ready(self) -> list[int]:
        dialog = self._release_dialog(None)
        ids = [r.order_id for r in dialog.view.model.rows()]
        dialog.close()
        return ids

    def held(self) -> list[Held]:
        dialog = self._conflicts_dialog()
        rows = dialog.view.model.rows()
        dialog.close()
        return [Held(r.item.base, r.item.theirs, r.item.mine) for r in rows]

    def outbox_failed(self) -> int:
        """From the status bar's "Outbox: n pending, m failed"."""
        text = self.shell.window.outbox_button.text()
        return int(text.split(",")[1].split()[0]) if "failed" in text else 0

    # --- acting -----------------------------------------------------------------------------
    def notify(self) -> Notified:
        panel = self.shell.window.backorders_panel
        assert isinstance(panel, BackordersPanel)
        panel.view.table.clearSelection()
        panel.open_notify_preview()
        dialog = panel.dialog
        assert isinstance(dialog, NotifyPreviewDialog), "no notice was due"
        self.qtbot.addWidget(dialog)
        dialog.send_button.click()
        self.qtbot.waitUntil(lambda: dialog.report is not None, timeout=TIMEOUT)
        self.idle()
        report = dialog.report
        dialog.close()
        return Notified(len(report.sent), report.skipped_duplicates)

    def receive(self, reference: str, lines: dict[str, int], *, release: bool) -> Received:
        (shipment_id,) = [
            r.id for r in self.shell.window.shipments.model.rows() if r.reference == reference
        ]
        actions = self.shell.window.shipments_panel.actions
        actions.receive(shipment_id)
        self.qtbot.waitUntil(lambda: "receive" in actions.dialogs, timeout=TIMEOUT)
        dialog = actions.dialogs["receive"]
        assert isinstance(dialog, ReceivingDialog)
        for sku, qty in lines.items():  # typed at the scan field, as at the dock
            dialog.quantity.setText(str(qty))
            dialog.scan.setText(sku)
            self.qtbot.keyClick(dialog.scan, Qt.Key.Key_Return)
        dialog.confirm = lambda *_: True  # "more than expected: book anyway?"
        dialog.commit_button.click()
        self.qtbot.waitUntil(lambda: dialog.result is not None, timeout=TIMEOUT)
        self.idle()
        result = dialog.result
        assert result is not None and result.preview is not None, self.told[-3:]
        out = Received(list(result.preview.ready_orders))
        if release and out.ready_orders:
            self.shell.window.shipments_panel.actions.dialogs.pop("release", None)
            dialog.release_button.click()  # "Release ready orders…": this receipt's
            out.released = self._release_in(self._release_dialog(None, opened=True))
        dialog.close()
        return out

    def release(self, orders: list[int] | None) -> list[int]:
        """Shipments tab > "Release ready orders…" (or a receipt's release button), Release."""
        dialog = self._release_dialog(orders)
        if not dialog.view.model.rows():
            dialog.close()
            return []
        return self._release_in(dialog)

    def _release_dialog(self, orders: list[int] | None, *, opened: bool = False) -> ReleaseDialog:
        actions = self.shell.window.shipments_panel.actions
        if not opened:
            actions.dialogs.pop("release", None)
            actions.release(orders)
        self.qtbot.waitUntil(lambda: "release" in actions.dialogs, timeout=TIMEOUT)
        dialog = actions.dialogs["release"]
        assert isinstance(dialog, ReleaseDialog)
        return dialog

    def _release_in(self, dialog: ReleaseDialog) -> list[int]:
        dialog.release_button.click()  # every listed order is selected when it opens
        self.qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=TIMEOUT)
        self.idle()
        assert dialog.outcome is not None
        released = list(dialog.outcome.released)
        dialog.close()
        return released

    def undo_release(self, order_id: int) -> Told:
        actions = self.shell.window.shipments_panel.actions
        actions.undo_release()
        dialog = actions.dialogs["undo"]
        assert isinstance(dialog, UndoDialog)
        self.qtbot.waitUntil(lambda: dialog.view.model.rowCount() > 0, timeout=TIMEOUT)
        assert select(dialog.view, lambda r: r[0].id == order_id) == 1
        dialog.confirm = lambda *_: True
        mark = len(self.told)
        dialog.action_button.click()
        self.qtbot.waitUntil(lambda: bool(dialog.message.text()), timeout=TIMEOUT)
        self.idle()
        text = dialog.message.text()
        dialog.close()
        return Told("ready to release again" in text, "\n".join([text, self._told_since(mark)]))

    def set_eta(self, sku: str, eta: date) -> Told:
        """The Products tab: select the SKU's row, the bulk preview, Apply."""
        actions = self.shell.window.products_panel.actions
        view = self.shell.window.products
        rows = [r for r in view.model.rows() if r.sku == sku]
        assert len(rows) == 1
        flow = actions.flow
        flow.preview_dialog = flow.conflicts_dialog = None
        mark = len(self.told)
        edit = VariantEdit(limit=UNLIMITED_BACKORDER_LIMIT, eta=eta)
        actions.preview_rows("Set ETA", rows, edit, actions.default_location_id())
        self.qtbot.waitUntil(lambda: flow.preview_dialog is not None, timeout=TIMEOUT)
        preview = flow.preview_dialog
        assert isinstance(preview, BulkPreviewDialog)
        with _either(self.qtbot, flow):
            preview.apply_button.click()
        self.idle()
        stale = flow.conflicts_dialog
        if isinstance(stale, StaleValuesDialog):
            # Nothing written: the merchant sees both values and cancels (takes theirs in).
            shown = [label.text() for label in stale.findChildren(QLabel)]
            shown += [f"{r.cached} {r.store} {r.planned}" for r in stale.view.model.rows()]
            stale.reject()
            return Told(False, "\n".join([*shown, self._told_since(mark)]))
        text = self._told_since(mark)
        sent = not any(word in text for word in ("Queued", "held back", "refused", "Not sent"))
        return Told("Applied" in text and sent, text)

    def priority(self, order_id: int, delta: int) -> None:
        panel = self.shell.window.backorders_panel
        assert isinstance(panel, BackordersPanel)
        assert select(panel.view, lambda r: r.line.order_id == order_id) >= 1
        panel.confirm = lambda *_: True  # "this changes these customers' ETAs: go on?"
        mark = len(self.told)
        for _ in range(abs(delta)):  # one step a click
            (panel.raise_button if delta > 0 else panel.lower_button).click()
            self.idle()
        panel.view.table.clearSelection()
        self.push()
        assert "held back" not in self._told_since(mark)

    def partial(self, order_id: int, allow: bool) -> None:
        panel = self.shell.window.backorders_panel
        assert isinstance(panel, BackordersPanel)
        assert select(panel.view, lambda r: r.line.order_id == order_id) >= 1
        assert panel.partial_button.text().startswith("Allow" if allow else "No")
        panel.partial_button.click()
        self.idle()
        panel.view.table.clearSelection()
        self.push()

    def push(self) -> Told:
        """What pushing from the window does: the action runner with nothing to add (a token
        refused earlier is entered again first, as the shell asks for it)."""
        controller = self.controller
        mark = len(self.told)
        if controller.token_paused and controller.entry is not None:
            with self.qtbot.waitSignal(controller.sync_finished, timeout=SYNC_TIMEOUT_MS):
                controller.open_store(controller.entry, self.store.token)
            self.idle()
        controller.run_action("push", lambda _s: None)
        self.idle()
        text = self._told_since(mark)
        return Told("held back" not in text and "refused" not in text, text)

    def choose(self, mine: bool) -> None:
        dialog = self._conflicts_dialog()
        dialog.view.table.selectAll()
        (dialog.mine_button if mine else dialog.theirs_button).click()
        self.qtbot.waitUntil(lambda: dialog.view.model.rowCount() == 0, timeout=TIMEOUT)
        self.idle()
        dialog.close()

    def _conflicts_dialog(self) -> Any:
        shell = self.shell
        shell.records.conflicts_dialog = None
        shell.window.conflicts_requested.emit()
        dialog = shell.records.conflicts_dialog
        assert dialog is not None
        self.idle()
        return dialog

    def close(self) -> None:
        self.shell.stop()
        self.shell.window.close()
        self.shell.window.deleteLater()
        self.qtbot.wait(20)


class _either:
    """Wait for the bulk flow to end either way (applied, or held for a choice/cancelled)."""

    def __init__(self, qtbot: Any, flow: Any) -> None:
        self.qtbot, self.flow = qtbot, flow
        self.done = False

    def __enter__(self) -> None:
        self.done = False
        self.flow.finished.connect(self._mark)
        self.flow.cancelled.connect(self._mark)

    def _mark(self, *_: Any) -> None:
        self.done = True

    def __exit__(self, *exc: object) -> None:
        try:
            self.qtbot.waitUntil(
                lambda: self.done or self.flow.conflicts_dialog is not None, timeout=TIMEOUT
            )
        finally:
            self.flow.finished.disconnect(self._mark)
            self.flow.cancelled.disconnect(self._mark)
