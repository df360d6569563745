"""One bulk edit from the window: preview off the GUI thread, apply, resolve conflicts, push."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ...bigcommerce.errors import OfflineError
from ...domain.bulk import Plan
from ...domain.changes import Changes
from ...services.bulk.bulk_apply import bulk_apply
from ...services.bulk.bulk_edit import ApplyOutcome, BulkRequest, preview
from ...services.sync_control.session import StoreSession
from ..dialogs.bulk_preview import BulkPreviewDialog, StaleValuesDialog
from ..store_controller import StoreController

RequestBuilder = Callable[[StoreSession], BulkRequest]


@dataclass
class FlowResult:
    """After apply and push: the outcome and the items BigCommerce refused."""

    outcome: ApplyOutcome
    failed: list[dict[str, Any]] = field(default_factory=list)
    # What the push said (queued, held back, token refused): the action runner's own sentences,
    # the ones the CLI prints, so the window never says less than `set-backorder`.
    notes: list[str] = field(default_factory=list)
    token_refused: bool = False
    changes: Changes = field(default_factory=Changes.all)  # what the tables re-read


class BulkFlow(QObject):
    """Signals: `finished(FlowResult)` once an edit went out, `cancelled()` when dropped.

    The dialogs it opens are kept in `preview_dialog` and `conflicts_dialog` (tests use them).
    """

    finished = Signal(object)
    cancelled = Signal()

    def __init__(self, controller: StoreController, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.parent_widget = parent
        self.preview_dialog: BulkPreviewDialog | None = None
        self.conflicts_dialog: StaleValuesDialog | None = None
        self.busy = False

    def _post(self, message: str) -> None:
        self.controller.message_posted.emit(message)

    # --- preview ------------------------------------------------------------------------------
    def preview(self, title: str, build: RequestBuilder, location_label: str = "") -> None:
        """Build the request and its plan on a worker, then show the preview dialog."""
        session = self.controller.session
        if session is None:
            self._post("Connect a store first.")
            return

        def work(**_: Any) -> tuple[BulkRequest, Plan]:
            request = build(session)
            return request, preview(session.cache, request)

        def shown(result: tuple[BulkRequest, Plan]) -> None:
            request, plan = result
            dialog = BulkPreviewDialog(title, plan, location_label, self.parent_widget)
            dialog.apply_requested.connect(lambda: self.apply(request))
            dialog.rejected.connect(self.cancelled.emit)
            self.preview_dialog = dialog
            dialog.open()

        self.controller.runner.run(
            "preview", work, on_success=shown, on_error=self._on_preview_failed
        )

    def _on_preview_failed(self, _exc: BaseException, message: str) -> None:
        self._post(message)
        self.cancelled.emit()

    # --- apply ------------------------------------------------------------------------------
    def apply(
        self, request: BulkRequest, resolutions: dict[tuple[str, int, str], str] | None = None
    ) -> None:
        """Conflict check, one cache transaction, push; conflicts open their dialog first."""

        def work(session: StoreSession) -> FlowResult:
            # The same use case as the CLI's `set-backorder` (services/bulk/bulk_apply.py).
            report = bulk_apply(session, request, resolutions=resolutions)
            return FlowResult(
                report.result.outcome,
                report.result.failed,
                [] if report.result.failed else report.messages(),
                report.token_refused is not None,
                report.changes,
            )

        self.busy = True
        task = self.controller.run_action(
            "bulk edit",
            work,
            on_success=lambda result: self._on_applied(request, result),
            on_error=self._on_apply_failed,
            push=False,
        )
        if task is None:
            self.busy = False

    def _on_apply_failed(self, exc: BaseException) -> None:
        self.busy = False
        if isinstance(exc, OfflineError):
            self._post(
                "BigCommerce could not be reached to check for changes made there, so nothing "
                "was changed. Try again when the store is reachable."
            )
        self.cancelled.emit()

    def _on_applied(self, request: BulkRequest, result: FlowResult) -> None:
        outcome = result.outcome
        if not outcome.applied:
            self.busy = False
            if outcome.conflicts:
                self._ask(request, outcome)
            else:
                self.cancelled.emit()
            return
        self.busy = False
        plan = outcome.plan
        if plan.empty:
            self._post("Nothing to change: BigCommerce already holds these values.")
            self.finished.emit(result)
            return
        text = (
            f"Applied: {len(plan.changed_variants):,} variant(s) and "
            f"{len(plan.changed_products):,} product(s) changed in {plan.requests.total} "
            "request(s)."
        )
        if result.failed:
            text += f" BigCommerce refused {len(result.failed)}: see the Sync column."
        elif outcome.offline:
            text += (
                " BigCommerce could not be reached: the change is queued and goes out when "
                "the store is reachable again."
            )
        elif result.notes:
            text += " " + " ".join(result.notes)
        self._post(text)
        if result.token_refused:
            self.controller.pause_for_token()  # as after any other action the store refused
        self.finished.emit(result)

    def _ask(self, request: BulkRequest, outcome: ApplyOutcome) -> None:
        dialog = StaleValuesDialog(outcome.conflicts, self.parent_widget)
        self.conflicts_dialog = dialog

        def resolved(side: str) -> None:
            self.apply(request, {c.key: side for c in outcome.conflicts})

        dialog.resolved.connect(resolved)
        dialog.rejected.connect(self.cancelled.emit)
        dialog.open()
