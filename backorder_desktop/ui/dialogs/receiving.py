"""Receiving at the dock: scan or type what arrived, see what it fills, book it once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.receiving import ReceiptError
from ...domain.shipment_rules import InputError, parse_quantity
from ...services.dock.dock import DockContext
from ...services.dock.dock_actions import receive
from ...services.dock.receiving import (
    ReceiptPreview,
    ReceiptResult,
    new_receipt_id,
    preview_receipt,
)
from ...services.dock.shipments import find_shipment
from ...services.sync_control.session import StoreSession
from ..formatting import format_date
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..store_controller import StoreController
from ..theme import colours
from ..widgets import fit_to_screen
from .dock_common import ask, button, large_type, run_read
from .lines_model import lines_table
from .receiving_model import ACCEPTED, PRODUCT, ReceivingLinesModel

PREVIEW_DEBOUNCE_MS = 200
FEEDBACK_PT = 17  # read from an arm's length, over a box


def _orders(ids: list[int], limit: int = 12) -> str:
    shown = ", ".join(f"#{i}" for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


class ReceivingDialog(QDialog):
    """Each Enter in the scan field adds one unit (or the typed quantity) to the scanned line.

    The receipt id is made when the dialog opens: booking it twice changes nothing.
    """

    committed = Signal(object)  # ReceiptResult
    release_requested = Signal(list)  # ready order ids

    def __init__(
        self, controller: StoreController, context: DockContext, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.context = context
        self.shipment = context.shipment
        self.receipt_id = new_receipt_id()
        self.confirm = ask(self)
        self.result: ReceiptResult | None = None
        self.last_preview: ReceiptPreview | None = None
        self._generation = 0
        self._closed = False
        self.finished.connect(self._on_finished)
        self.setWindowTitle(self.tr("Receive {0}").format(self.shipment.reference))
        self.setAccessibleName(self.tr("Receive a shipment"))
        large_type(self)

        expected = format_date(self.shipment.expected_date) or self.tr("no date")
        self._expected_text = expected
        self.heading = PlainLabel(self)
        self.heading.setAccessibleName(self.tr("Shipment"))
        self._show_heading(self.shipment.units_outstanding)
        self.scan = QLineEdit(self)
        self.scan.setPlaceholderText(self.tr("Scan or type a SKU, UPC or GTIN, then Enter"))
        self.scan.setAccessibleName(self.tr("Scan field"))
        self.scan.returnPressed.connect(self._on_scan_return_pressed)
        self.quantity = QLineEdit("1", self)
        self.quantity.setAccessibleName(self.tr("Units per scan"))
        self.quantity.setMaximumWidth(90)
        self.quantity.returnPressed.connect(self.scan.setFocus)
        self.location = QComboBox(self)
        self.location.setAccessibleName(self.tr("Receiving location"))
        for loc in context.locations:
            self.location.addItem(loc.label, loc.id)
        index = self.location.findData(context.default_location_id)
        self.location.setCurrentIndex(max(0, index))
        self.location.currentIndexChanged.connect(self.schedule_preview)

        self.feedback = PlainLabel(self.tr("Ready to scan."), self)
        self.feedback.setAccessibleName(self.tr("Scan feedback"))
        self.feedback.setWordWrap(True)

        self.model = ReceivingLinesModel(self.shipment, context.names, self)
        self.model.counts_changed.connect(self.schedule_preview)
        self.model.edit_refused.connect(self.show_problem)
        self.table = lines_table(self.model, self.tr("Shipment lines"), self)
        self.table.setWordWrap(False)  # a long name ends in "…" (full text in the tooltip)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PRODUCT, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setAccessibleName(self.tr("Shipment line columns"))

        self.preview_label = PlainLabel(self.tr("Scan or type what arrived."), self)
        self.preview_label.setAccessibleName(self.tr("Receipt preview"))
        self.preview_label.setWordWrap(True)
        self.preview_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.commit_button = button(
            self, self.tr("Book receipt (Ctrl+Enter)"), self.tr("Book receipt")
        )
        self.commit_button.clicked.connect(self.commit)
        self.release_button = button(self, self.tr("Release ready orders…"))
        self.release_button.setEnabled(False)
        self.release_button.clicked.connect(self._on_release_button_clicked)
        self.close_button = button(self, self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.commit)
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.commit)

        scan_row = QHBoxLayout()
        scan_row.addWidget(PlainLabel(self.tr("Code:"), self))
        scan_row.addWidget(self.scan, 3)
        scan_row.addWidget(PlainLabel(self.tr("Units:"), self))
        scan_row.addWidget(self.quantity)
        scan_row.addWidget(PlainLabel(self.tr("Into:"), self))
        scan_row.addWidget(self.location, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.commit_button)
        buttons.addWidget(self.release_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(scan_row)
        layout.addWidget(self.feedback)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.preview_label)
        layout.addLayout(buttons)
        self.setTabOrder(self.scan, self.quantity)
        self.setTabOrder(self.quantity, self.location)
        self.setTabOrder(self.location, self.table)
        self.setTabOrder(self.table, self.commit_button)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DEBOUNCE_MS)
        self._preview_timer.timeout.connect(self.refresh_preview)
        keyboard_friendly(self)
        fit_to_screen(self, 1240, 680)
        self.scan.setFocus()

    # --- scanning -----------------------------------------------------------------------------
    def _on_scan_return_pressed(self) -> None:
        code = self.scan.text().strip()
        self.scan.clear()
        if not code:
            return
        sku = self.context.resolve(code)
        other = self.context.belongs_elsewhere(code) if sku is None else None
        if other is not None:
            self.show_problem(
                self.tr(
                    "{0} is not on shipment {1}: it belongs to shipment {2}. Receive it there. "
                    "Nothing was changed."
                ).format(other[0], self.shipment.reference, other[1])
            )
            return
        if sku is None:
            self.show_problem(
                self.tr("Unknown code '{0}': not on shipment {1}. Nothing was changed.").format(
                    code, self.shipment.reference
                )
            )
            return
        try:
            qty = parse_quantity(self.quantity.text() or "1", self.tr("Units per scan"))
            if qty < 1:
                raise InputError(self.tr("Units per scan must be at least 1."))
        except InputError as exc:
            self.show_problem(str(exc))
            return
        row = self.model.add(sku, qty)
        self.quantity.setText("1")
        line = self.model.lines[row]
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, ACCEPTED))
        self.show_ok(
            self.tr("{0}: +{1}, {2} accepted of {3} expected.").format(
                sku, qty, line.accepted, line.outstanding
            )
        )

    def _on_finished(self, _result: int) -> None:
        self._closed = True

    def _show_heading(self, outstanding: int) -> None:
        self.heading.setText(
            self.tr("Shipment {0}, expected {1}: {2} units still to come").format(
                self.shipment.reference, self._expected_text, outstanding
            )
        )

    def show_problem(self, message: str) -> None:
        """Loud and plain: red text and a beep, for someone looking at boxes, not the screen."""
        self.feedback.setText(message)
        self.feedback.setStyleSheet(
            f"color: white; background: {colours().failed.name()}; padding: 8px; "
            f"font-size: {FEEDBACK_PT}pt; font-weight: bold"
        )
        QApplication.beep()

    def show_ok(self, message: str) -> None:
        self.feedback.setText(message)
        self.feedback.setStyleSheet(
            f"color: {colours().ok.name()}; padding: 8px; font-size: {FEEDBACK_PT}pt"
        )

    # --- preview ------------------------------------------------------------------------------
    def schedule_preview(self, *_: Any) -> None:
        self._preview_timer.start()

    @property
    def location_id(self) -> int | None:
        value = self.location.currentData()
        return int(value) if value is not None else None

    def refresh_preview(self) -> None:
        lines = self.model.receipt_lines()
        if not lines:
            self.preview_label.setText(self.tr("Scan or type what arrived."))
            return
        self._generation += 1
        generation = self._generation
        shipment_id, receipt_id, location = self.shipment.id, self.receipt_id, self.location_id

        def read(cache: Any) -> ReceiptPreview:
            return preview_receipt(
                cache, shipment_id, lines, receipt_id=receipt_id, location_id=location
            )

        def done(preview: ReceiptPreview) -> None:
            if generation == self._generation:
                self.show_preview(preview)

        def failed(message: str) -> None:
            if generation == self._generation:
                self.preview_label.setText(message)

        self.preview_label.setText(self.tr("Working out which orders this fills…"))
        run_read(self.controller, "receipt preview", read, done, failed, owner=self)

    def show_preview(self, preview: ReceiptPreview) -> None:
        self.last_preview = preview
        plan = preview.plan
        parts = [
            self.tr("Fills {0} waiting orders ({1} units): {2}.").format(
                len(preview.filled_orders), plan.units_allocated, _orders(preview.filled_orders)
            )
            if preview.filled_orders
            else self.tr("Nobody is waiting for these units.")
        ]
        if preview.ready_orders:
            parts.append(
                self.tr("Ready to release after booking: {0} orders ({1}).").format(
                    len(preview.ready_orders), _orders(preview.ready_orders)
                )
            )
        parts.append(self.tr("{0} units go to sellable stock.").format(plan.units_to_stock))
        if preview.over:
            parts.append(
                self.tr("More than expected on {0}: booking asks you to confirm.").format(
                    ", ".join(o.sku for o in preview.over)
                )
            )
        self.preview_label.setText(" ".join(parts))

    # --- commit -------------------------------------------------------------------------------
    def commit(self) -> None:
        if not self.commit_button.isEnabled():
            return  # booking (or booked): a second press changes nothing
        lines = self.model.receipt_lines()
        if not lines:
            self.show_problem(self.tr("Nothing to book yet: scan or type what arrived."))
            return
        missing = self.model.missing_reasons()
        if missing:
            self.show_problem(
                self.tr("Give a reason for the rejected units of {0}.").format(", ".join(missing))
            )
            return
        over = self.model.over_lines()
        allow_over = False
        if over:
            detail = ", ".join(f"{x.sku} ({x.counted} of {x.outstanding})" for x in over)
            if not self.confirm(
                self.tr("More than expected"),
                self.tr("More arrived than the shipment expects: {0}. Book it anyway?").format(
                    detail
                ),
            ):
                return
            allow_over = True
        shipment_id, receipt_id, location = self.shipment.id, self.receipt_id, self.location_id

        def work(session: StoreSession) -> ReceiptResult:
            # The same use case as the CLI's `shipments receive` (services/dock/dock_actions.py).
            return receive(
                session,
                shipment_id,
                lines,
                receipt_id=receipt_id,
                location_id=location,
                allow_over=allow_over,
            ).result

        self.commit_button.setEnabled(False)
        self.show_ok(self.tr("Booking…"))
        task = self.controller.run_action(
            "receive", work, on_success=self._on_committed, on_error=self._on_commit_failed
        )
        if task is None:
            self.commit_button.setEnabled(True)

    def _on_committed(self, result: ReceiptResult) -> None:
        self.result = result
        if not result.booked:
            self.show_ok(self.tr("This receipt was already booked: nothing changed."))
            return
        assert result.preview is not None
        self.show_preview(result.preview)
        ready = result.preview.ready_orders
        self.show_ok(
            self.tr("Booked {0} units. {1} orders are ready to release.").format(
                result.preview.units_accepted, len(ready)
            )
        )
        self.release_button.setEnabled(bool(ready))
        self.scan.setEnabled(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.committed.emit(result)
        if ready:
            self.release_button.setFocus()
        shipment_id = self.shipment.id
        run_read(
            self.controller,
            "shipment after receipt",
            lambda cache: find_shipment(cache, shipment_id),
            self._on_shipment_reread,
            owner=self,
        )

    def _on_shipment_reread(self, shipment: Any) -> None:
        if not self._closed:  # the dialog may be gone by the time the read comes back
            self._show_heading(shipment.units_outstanding)

    def _on_commit_failed(self, exc: BaseException) -> None:
        self.commit_button.setEnabled(True)
        message = str(exc)
        if isinstance(exc, ReceiptError | InputError):
            message = str(exc)
        self.show_problem(message)

    def _on_release_button_clicked(self) -> None:
        if self.result is not None and self.result.preview is not None:
            self.release_requested.emit(list(self.result.preview.ready_orders))
