"""The status bar that tells the truth: connection, last sync, sync progress and the outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow, QProgressBar, QPushButton

from ..services.views import ViewRows
from .formatting import format_ago
from .plain_text import PlainLabel
from .store_controller import StoreController
from .theme import colours
from .widgets import ElidedLabel


class StatusLine(QObject):
    """Fills `window`'s status bar and follows the controller's syncs; the toolbar's Sync now
    and Cancel buttons are enabled by the same sync state."""

    def __init__(
        self,
        window: QMainWindow,
        controller: StoreController,
        sync_button: QPushButton,
        cancel_button: QPushButton,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.sync_button = sync_button
        self.cancel_button = cancel_button
        self.last_sync: datetime | None = None
        bar = window.statusBar()
        self.connection_label = ElidedLabel(self.tr("Not connected"), window)
        self.connection_label.setAccessibleName(self.tr("Connection state"))
        self.sync_label = PlainLabel(format_ago(None), window)
        self.sync_label.setAccessibleName(self.tr("Last sync"))
        self.progress = QProgressBar(window)
        self.progress.setAccessibleName(self.tr("Sync progress"))
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        self.outbox_button = QPushButton(self.tr("Outbox: nothing pending"), window)
        self.outbox_button.setAccessibleName(self.tr("Outbox"))
        self.outbox_button.setFlat(True)
        bar.addWidget(self.connection_label, 1)
        bar.addWidget(self.sync_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.outbox_button)

        controller.sync_started.connect(self._on_controller_sync_started)
        controller.sync_progressed.connect(self._on_controller_sync_progressed)
        controller.sync_finished.connect(self._on_controller_sync_finished)
        controller.sync_failed.connect(self._on_controller_sync_failed)
        controller.store_reachable.connect(self._on_controller_store_reachable)
        self._ago_timer = QTimer(self)
        self._ago_timer.timeout.connect(self._update_sync_label)
        self._ago_timer.start(30_000)  # "synced 3 minutes ago" ages on its own

    def show_message(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 20_000)

    def clear_message(self) -> None:
        self.window.statusBar().clearMessage()

    def set_outbox_counts(self, pending: int, failed: int) -> None:
        if failed:
            text = self.tr("Outbox: {0} pending, {1} failed").format(pending, failed)
            self.outbox_button.setStyleSheet(f"color: {colours().failed.name()}")
        elif pending:
            text = self.tr("Outbox: {0} pending").format(pending)
            self.outbox_button.setStyleSheet("")
        else:
            text = self.tr("Outbox: nothing pending")
            self.outbox_button.setStyleSheet("")
        self.outbox_button.setText(text)

    def store_opened(self, label: str) -> None:
        # "Connected" only once the store has answered: opening reads the cache first.
        self.connection_label.setText(self.tr("{0}: from the cache").format(label))
        self.last_sync = None
        self._update_sync_label()

    def show_rows_status(self, rows: ViewRows) -> None:
        """The outbox counts and the last sync, as the cache has them."""
        outbox = rows.status.get("outbox") or {}
        if isinstance(outbox, dict):
            self.set_outbox_counts(int(outbox.get("pending", 0)), int(outbox.get("failed", 0)))
        last = rows.status.get("last_sync")
        if isinstance(last, str) and last:
            try:
                self.last_sync = datetime.fromisoformat(last)
            except ValueError:
                self.last_sync = None
        elif isinstance(last, datetime):
            self.last_sync = last
        self._update_sync_label()

    def _store_label(self) -> str:
        entry = self.controller.entry
        return (entry.label or entry.store_hash) if entry else ""

    def _on_controller_sync_started(self) -> None:
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.sync_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.sync_label.setText(self.tr("syncing…"))

    def _on_controller_sync_progressed(self, stage: str, done: Any, total: Any) -> None:
        if total:
            self.progress.setRange(0, int(total))
            self.progress.setValue(int(done))
        self.progress.setFormat(f"{stage} %v/%m")
        self.sync_label.setText(self.tr("syncing {0}…").format(stage))

    def _end_sync(self) -> None:
        self.progress.setVisible(False)
        self.sync_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _on_controller_sync_finished(self, _result: Any) -> None:
        self._end_sync()
        self.last_sync = datetime.now(UTC)
        # The task is still running its success callback here: no "syncing…" check.
        self._update_sync_label(ended=True)

    def _on_controller_sync_failed(self, message: str, _expected: bool) -> None:
        self._end_sync()
        self._update_sync_label(ended=True)
        self.show_message(message)

    def _on_controller_store_reachable(self, reachable: bool) -> None:
        entry = self.controller.entry
        label = self._store_label()
        if reachable:
            text = self.tr("Connected to {0} (demo)") if entry and entry.demo else None
            self.connection_label.setText((text or self.tr("Connected to {0}")).format(label))
        else:
            self.connection_label.setText(
                self.tr("Offline: {0} did not answer, working from the cache").format(label)
            )

    def _update_sync_label(self, *, ended: bool = False) -> None:
        if ended or not self.controller.syncing:
            self.sync_label.setText(format_ago(self.last_sync))
