"""The store's own records in dialogs: the outbox, the conflicts another laptop caused, and the
store check; each read and each action runs off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from ..bigcommerce.errors import BigCommerceError
from ..services.sync_control.conflicts import conflict_rows, resolve
from ..services.sync_control.doctor import check_store
from ..services.sync_control.outbox_view import (
    apply_again,
    confirm_applied,
    discard_entries,
    outbox_entries,
    retry_entries,
)
from .dialogs.conflicts import OvertakenWritesDialog
from .dialogs.outbox import OutboxDialog
from .dialogs.store_check import StoreCheckDialog
from .store_controller import StoreController
from .tasks import TaskRunner


class StoreRecordsDialogs(QObject):
    """Opens and feeds the Outbox, Conflicts and Check store connection dialogs."""

    def __init__(
        self,
        controller: StoreController,
        runner: TaskRunner,
        window: QWidget,
        report_bug: Callable[[str], None],
    ) -> None:
        super().__init__()
        self.controller = controller
        self.runner = runner
        self.window = window
        self.report_bug = report_bug
        self.outbox_dialog: OutboxDialog | None = None
        self.conflicts_dialog: OvertakenWritesDialog | None = None
        self.store_check_dialog: StoreCheckDialog | None = None

    def show_outbox(self) -> None:
        session = self.controller.session
        if session is None:
            return
        dialog = OutboxDialog(
            retry=lambda ids: self._outbox_action(retry_entries, ids),
            discard=lambda ids: self._outbox_action(discard_entries, ids),
            applied=lambda ids: self._outbox_action(confirm_applied, ids),
            apply_again=lambda ids: self._outbox_action(apply_again, ids),
            parent=self.window,
        )
        self.outbox_dialog = dialog
        self._reload_outbox()
        dialog.show()

    def _reload_outbox(self) -> None:
        session = self.controller.session
        if session is None or self.outbox_dialog is None:
            return
        dialog = self.outbox_dialog
        self.runner.run(
            "outbox",
            lambda **_: outbox_entries(session.cache),
            on_success=dialog.set_entries,
        )

    def _outbox_action(self, action: Any, ids: list[int]) -> None:
        session = self.controller.session
        if session is None or not ids:
            return

        def done(_count: Any) -> None:
            self._reload_outbox()
            self.controller.reload_rows()

        self.runner.run(
            "outbox action",
            lambda **_: action(session.cache, ids),
            on_success=done,
        )

    def show_store_check(self) -> None:
        """The doctor's read-only checks, run on a worker thread (they take a few requests)."""
        session = self.controller.session
        dialog = StoreCheckDialog(self.window)
        self.store_check_dialog = dialog
        dialog.show()
        if session is None:
            dialog.set_error(self.tr("No store is connected: File > Connect a store… first."))
            return

        def failed(exc: BaseException, details: str) -> None:
            if isinstance(exc, BigCommerceError):
                dialog.set_error(exc.message)
            else:
                self.report_bug(details)

        self.runner.run(
            "store check",
            lambda **_: check_store(session),
            on_success=dialog.set_report,
            on_error=failed,
        )

    def show_conflicts(self) -> None:
        """Both versions of each change another laptop overtook; the merchant chooses."""
        if self.controller.session is None:
            return
        dialog = OvertakenWritesDialog(
            keep_mine=lambda ids: self._resolve_conflicts(ids, mine=True),
            take_theirs=lambda ids: self._resolve_conflicts(ids, mine=False),
            parent=self.window,
        )
        self.conflicts_dialog = dialog
        self._reload_conflicts()
        dialog.show()

    def _reload_conflicts(self) -> None:
        session, dialog = self.controller.session, self.conflicts_dialog
        if session is None or dialog is None:
            return
        self.runner.run(
            "conflicts",
            lambda **_: conflict_rows(session.cache),
            on_success=dialog.set_rows,
        )

    def _resolve_conflicts(self, ids: list[int], *, mine: bool) -> None:
        if not ids:
            return
        self.controller.run_action(
            "resolve conflicts",
            lambda session: resolve(session.cache, ids, mine=mine),
            on_success=lambda _n: self._reload_conflicts(),
        )
