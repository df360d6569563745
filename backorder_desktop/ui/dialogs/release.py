"""Release ready orders with progress, then print or save their pick list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ...domain.changes import Changes
from ...services.dock.dock_actions import release
from ...services.dock.picklist import pick_list, pick_list_html
from ...services.dock.releasing import ReadyOrder, ReleaseOutcome
from ...services.settings import RELEASE_STATUSES
from ...services.sync_control.actions import run_action
from ..formatting import format_datetime, format_int
from ..keyboard import keyboard_friendly
from ..picklist_print import print_html, save_pdf
from ..plain_text import PlainLabel
from ..records_view import QuickFilter, RecordsView
from ..store_controller import StoreController
from ..table_model import Column, RecordsTableModel
from ..widgets import fit_to_screen, in_documents
from .dock_common import button


def build_ready_view() -> RecordsView:
    columns = [
        Column("order", "Order", lambda r: r.order_id, lambda r: f"#{r.order_id}", numeric=True),
        Column("customer", "Customer", lambda r: r.customer_name),
        Column("email", "Email", lambda r: r.customer_email),
        Column("date", "Ordered", lambda r: r.order_date, lambda r: format_datetime(r.order_date)),
        Column("units", "Units", lambda r: r.units, lambda r: format_int(r.units), numeric=True),
        Column("skus", "SKUs", lambda r: ", ".join(x.sku for x in r.lines)),
        Column("partial", "Partial", lambda r: r.partial, lambda r: "partial" if r.partial else ""),
    ]
    model = RecordsTableModel(columns, row_key=lambda r: r.order_id)
    view = RecordsView(
        "Ready orders", model, [QuickFilter("Partial shipment", lambda r: r.partial)]
    )
    view.fit_columns([80, 180, 220, 100, 60, 220, 70])
    return view


class ReleaseDialog(QDialog):
    """Releases the selected orders (all, by default), one status update each, with progress."""

    released = Signal(object)  # ReleaseOutcome

    def __init__(
        self,
        controller: StoreController,
        ready: list[ReadyOrder],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.outcome: ReleaseOutcome | None = None
        self.pick_html = ""
        self.status_id = controller.settings.release_status_id
        status = RELEASE_STATUSES.get(self.status_id, str(self.status_id))
        self.setWindowTitle(self.tr("Release ready orders"))
        self.setAccessibleName(self.tr("Release ready orders"))
        intro = PlainLabel(
            self.tr(
                "These orders have every waiting unit covered (or, with partial shipment, a line). "
                "Releasing moves them to {0} with a staff note and makes their 'on its way' "
                "notice due."
            ).format(status),
            self,
        )
        intro.setWordWrap(True)
        self.view = build_ready_view()
        self.view.set_rows(ready)
        self.view.table.selectAll()
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(self.tr("Release progress"))
        self.progress.setVisible(False)
        self.result_label = PlainLabel(
            "" if ready else self.tr("No order is ready to release: receive a shipment first."),
            self,
        )
        self.result_label.setAccessibleName(self.tr("Release result"))
        self.result_label.setWordWrap(True)
        self.release_button = button(self, self.tr("Release selected"))
        self.release_button.setEnabled(bool(ready))
        self.release_button.clicked.connect(self.release_selected)
        self.print_button = button(self, self.tr("Print pick list…"))
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.pdf_button = button(self, self.tr("Save pick list as PDF…"))
        self.pdf_button.clicked.connect(self._on_pdf_button_clicked)
        for widget in (self.print_button, self.pdf_button):
            widget.setEnabled(False)
        close = button(self, self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for widget in (self.release_button, self.print_button, self.pdf_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)
        keyboard_friendly(self)
        self.view.table.setFocus()  # the list first: never a button that acts at once
        fit_to_screen(self, 960, 520)

    def selected_ids(self) -> list[int]:
        return [int(k) for k in self.view.selected_keys()]

    def release_selected(self) -> None:
        ids = self.selected_ids()
        session = self.controller.session
        if not ids or session is None:
            self.result_label.setText(self.tr("Select the orders to release."))
            return
        status_id = self.status_id

        def work(progress: Any, cancelled: Any) -> tuple[ReleaseOutcome, str, str]:
            # The same use case and action runner as the CLI's `release` (services/).
            report = run_action(
                session,
                lambda s: release(s, ids, status_id=status_id),
                cancelled=cancelled,
                progress=lambda done, total: progress("release", done, total),
            )
            html = pick_list_html(pick_list(session.cache, report.result.released))
            return report.result, html, " ".join(report.messages())

        self.release_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.controller.runner.run(
            "release",
            work,
            on_success=self._on_released,
            on_error=self._on_release_failed,
            on_progress=self._on_release_progressed,
        )

    def _on_release_progressed(self, _stage: str, done: Any, total: Any) -> None:
        self.progress.setRange(0, int(total) or 1)
        self.progress.setValue(int(done))
        self.progress.setFormat(self.tr("Sending %v of %m changes"))

    def _on_released(self, result: tuple[ReleaseOutcome, str, str]) -> None:
        outcome, html, note = result
        self.outcome, self.pick_html = outcome, html
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        text = self.tr("Released {0} orders.").format(len(outcome.released))
        if outcome.skipped:
            text += " " + self.tr("Skipped {0}: {1}.").format(
                len(outcome.skipped),
                "; ".join(f"#{s['order_id']} {s['reason']}" for s in outcome.skipped[:5]),
            )
        if note:
            text += " " + note
        self.result_label.setText(text)
        self.print_button.setEnabled(bool(outcome.released))
        self.pdf_button.setEnabled(bool(outcome.released))
        self.released.emit(outcome)
        # The released orders (and the skipped ones, re-read as they are): their rows only.
        orders = [*outcome.released, *(int(s["order_id"]) for s in outcome.skipped)]
        self.controller.apply_changes(Changes.of(orders=orders, outbox=True))

    def _on_release_failed(self, _exc: BaseException, message: str) -> None:
        self.progress.setVisible(False)
        self.release_button.setEnabled(True)
        self.result_label.setText(message)

    def save_pick_list(self, path: Path) -> Path:
        return save_pdf(self.pick_html, path)

    def _on_pdf_button_clicked(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save pick list"), in_documents("pick-list.pdf"), "PDF (*.pdf)"
        )
        if chosen:
            path = self.save_pick_list(Path(chosen))
            self.result_label.setText(self.tr("Pick list saved to {0}.").format(path))

    def _on_print_button_clicked(self) -> None:
        print_html(self.pick_html, self)
