"""Cancel and refund waiting lines: the refund quote per order, a reason, then the one action."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ...domain.cancellations import CONTROL_PANEL, NOT_PAID, money_text
from ...services.dock.cancel_plan import CancelPlan, LineToCancel, OrderToCancel
from ...services.dock.cancelling import CancelOutcome, execute_cancel, prepare_cancel
from ..formatting import format_int
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..records_view import RecordsView
from ..store_controller import StoreController
from ..table_model import Column, RecordsTableModel
from ..theme import colours
from ..widgets import fit_to_screen
from .dock_common import button

Selection = Mapping[int, Sequence[tuple[str, int | None]]]


@dataclass(frozen=True, slots=True)
class CancelRow:
    order: OrderToCancel
    line: LineToCancel
    first: bool  # the order's first line: it shows the order's refund


def _refund_text(order: OrderToCancel) -> str:
    if order.problem:
        return "cannot cancel: " + order.problem
    amount = money_text(order.amount, order.currency)
    if order.refund == NOT_PAID:
        return "nothing paid yet"
    if order.refund == CONTROL_PANEL:
        return f"{amount}: refund in the control panel"
    provider = f" to {order.quote.provider}" if order.quote is not None else ""
    return f"{amount}{provider}"


def build_cancel_view() -> RecordsView:
    # What decides the click first (units, refund, what becomes of the order), then the rest.
    columns = [
        Column("order", "Order", lambda r: r.order.order_id, lambda r: f"#{r.order.order_id}",
               numeric=True),
        Column("customer", "Customer", lambda r: r.order.customer_name),
        Column("sku", "SKU", lambda r: r.line.sku),
        Column("units", "Cancel", lambda r: r.line.qty, lambda r: format_int(r.line.qty),
               numeric=True),
        Column("refund", "Refund (order)", lambda r: r.order.amount or 0.0,
               lambda r: _refund_text(r.order) if r.first else ""),
        Column("after", "Order after", lambda r: r.order.fully,
               lambda r: ("Cancelled" if r.order.fully else "rest still waits") if r.first else ""),
        Column("item", "Item", lambda r: r.line.name),
        Column("waiting", "Waiting", lambda r: r.line.qty_waiting,
               lambda r: format_int(r.line.qty_waiting), numeric=True),
    ]  # fmt: skip
    model = RecordsTableModel(columns, row_key=lambda r: f"{r.order.order_id}:{r.line.line_id}")
    view = RecordsView("Lines to cancel", model, [])
    view.fit_columns([60, 130, 140, 55, 220, 110, 180, 60])
    return view


class CancelDialog(QDialog):
    """Asks BigCommerce for the refund of each order (off the GUI thread), shows it, and on
    "Cancel and refund" runs the same use case as the CLI's `cancel` through the action runner."""

    cancelled_lines = Signal(object)  # CancelOutcome

    def __init__(
        self, controller: StoreController, selection: Selection, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.selection = {int(k): list(v) for k, v in selection.items()}
        self.plan: CancelPlan | None = None
        self.outcome: CancelOutcome | None = None
        self.setWindowTitle(self.tr("Cancel and refund"))
        self.setAccessibleName(self.tr("Cancel and refund"))
        intro = PlainLabel(
            self.tr(
                "These waiting items are cancelled: BigCommerce refunds them to the customer, "
                "they leave the queue (the customers behind move up), and the customer gets "
                "the cancellation notice with the next 'Notify'. An order with nothing left "
                "moves to Cancelled."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.view = build_cancel_view()
        self.total_label = PlainLabel(self.tr("Asking BigCommerce for the refund amounts…"), self)
        self.total_label.setAccessibleName(self.tr("Refund total"))
        self.total_label.setWordWrap(True)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(self.tr("e.g. The supplier has stopped making it"))
        self.reason.setAccessibleName(self.tr("Reason"))
        self.reason.setMaxLength(500)
        reason_label = PlainLabel(
            self.tr("&Reason (told to the customer, noted on the order):"), self
        )
        reason_label.setBuddy(self.reason)
        self.warning = PlainLabel(
            self.tr(
                "Undo is not possible after a refund: the money goes back to the customer at "
                "once. Check the lines and amounts before you go on."
            ),
            self,
        )
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName(self.tr("Warning"))
        self.warning.setStyleSheet(f"color: {colours().failed.name()}; font-weight: bold")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(self.tr("Cancel progress"))
        self.progress.setRange(0, 0)
        self.result_label = PlainLabel("", self)
        self.result_label.setAccessibleName(self.tr("Cancel result"))
        self.result_label.setWordWrap(True)
        self.go_button = button(self, self.tr("Cancel and refund"))
        self.go_button.setEnabled(False)
        self.go_button.clicked.connect(self.cancel_and_refund)
        self.close_button = button(self, self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.go_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.total_label)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.warning)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)
        keyboard_friendly(self)
        fit_to_screen(self, 1000, 560)
        self._ask_quotes()

    # --- the quote --------------------------------------------------------------------------
    def _ask_quotes(self) -> None:
        session = self.controller.session
        if session is None:
            self._on_quote_failed(None, self.tr("Connect a store first."))
            return
        selection = self.selection
        self.controller.runner.run(
            "refund quote",
            lambda progress, cancelled: prepare_cancel(session, selection),
            on_success=self._on_quoted,
            on_error=self._on_quote_failed,
        )

    def _on_quoted(self, plan: CancelPlan) -> None:
        self.plan = plan
        self.progress.setVisible(False)
        rows = [
            CancelRow(order, line, index == 0)
            for order in plan.orders
            for index, line in enumerate(order.lines)
        ]
        self.view.set_rows(rows)
        ready = plan.ready
        by_currency: dict[str, float] = {}
        for order in ready:
            if order.amount is not None and order.refund not in (NOT_PAID, CONTROL_PANEL):
                by_currency[order.currency] = by_currency.get(order.currency, 0.0) + order.amount
        money = ", ".join(money_text(v, k) for k, v in sorted(by_currency.items()))
        units = sum(x.qty for o in ready for x in o.lines)
        text = self.tr("{0} unit(s) of {1} order(s); BigCommerce refunds {2}.").format(
            format_int(units), format_int(len(ready)), money or self.tr("nothing")
        )
        notes = plan.messages()
        if notes:
            text += "\n" + "\n".join(notes)
        self.total_label.setText(text)
        self.go_button.setEnabled(bool(ready))
        self.view.table.setFocus()

    def _on_quote_failed(self, _exc: BaseException | None, message: str) -> None:
        self.progress.setVisible(False)
        self.total_label.setText(message)
        self.go_button.setEnabled(False)

    # --- the action -------------------------------------------------------------------------
    def cancel_and_refund(self) -> None:
        plan = self.plan
        if plan is None or not plan.ready:
            return
        reason = self.reason.text()
        self.go_button.setEnabled(False)
        self.reason.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.result_label.setText(self.tr("Refunding and cancelling…"))
        self.controller.run_action(
            "cancel and refund",
            lambda session: execute_cancel(session, plan, reason=reason),
            on_success=self._on_done,
            on_error=self._on_failed,
        )

    def _on_done(self, outcome: CancelOutcome) -> None:
        self.outcome = outcome
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        done = sorted(outcome.order_status)
        parts = []
        if done:
            parts.append(
                self.tr("Cancelled the lines of {0}; {1} cancellation notice(s) to send.").format(
                    ", ".join(f"#{o}" for o in done), outcome.notices_queued
                )
            )
        parts.extend(outcome.messages)
        self.result_label.setText("\n".join(parts))
        self.close_button.setText(self.tr("Close"))
        self.cancelled_lines.emit(outcome)

    def _on_failed(self, exc: BaseException) -> None:
        self.progress.setVisible(False)
        self.result_label.setText(str(exc))
        self.reason.setEnabled(True)
        self.go_button.setEnabled(True)
