"""Undo a release, or reverse a receipt: pick one from a list, confirm, and it is queued."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QHBoxLayout, QVBoxLayout, QWidget

from ...domain.models import Order
from ...domain.releases import ReleaseRecord
from ...services.dock.receipts import ReceiptInfo
from ...services.settings import RELEASE_STATUSES
from ..formatting import format_datetime, format_int
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..records_view import RecordsView
from ..table_model import Column, RecordsTableModel
from .dock_common import ask, button

STATUS_NAMES = {
    **RELEASE_STATUSES,
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    7: "Awaiting Payment",
    10: "Completed",
}


def build_released_view() -> RecordsView:
    columns = [
        Column("order", "Order", lambda r: r[0].id, lambda r: f"#{r[0].id}", numeric=True),
        Column("customer", "Customer", lambda r: r[0].customer_name),
        Column(
            "released",
            "Released",
            lambda r: r[1].released_at,
            lambda r: format_datetime(r[1].released_at),
        ),
        Column(
            "before",
            "Status before",
            lambda r: r[1].status_before,
            lambda r: STATUS_NAMES.get(r[1].status_before, str(r[1].status_before)),
        ),
        Column(
            "units",
            "Units",
            lambda r: sum(x.qty for x in r[1].lines),
            lambda r: format_int(sum(x.qty for x in r[1].lines)),
            numeric=True,
        ),
    ]
    view = RecordsView("Released orders", RecordsTableModel(columns, row_key=lambda r: r[0].id))
    view.fit_columns([80, 200, 110, 150, 60])
    return view


def build_receipts_view() -> RecordsView:
    columns = [
        Column("reference", "Shipment", lambda r: r.reference),
        Column("at", "Received", lambda r: r.received_at, lambda r: format_datetime(r.received_at)),
        Column("accepted", "Accepted", lambda r: r.accepted, numeric=True),
        Column("rejected", "Rejected", lambda r: r.rejected, numeric=True),
        Column("orders", "Orders filled", lambda r: ", ".join(f"#{o}" for o in r.orders)),
        Column(
            "reversed", "Reversed", lambda r: r.reversed, lambda r: "reversed" if r.reversed else ""
        ),
        Column(
            "where",
            "Booked on",
            lambda r: r.here,
            lambda r: "this laptop" if r.here else "another laptop",
        ),
        Column("id", "Receipt", lambda r: r.receipt_id, hidden_by_default=True),
    ]
    view = RecordsView("Receipts", RecordsTableModel(columns, row_key=lambda r: r.receipt_id))
    view.fit_columns([120, 110, 80, 80, 200, 80, 110, 140])
    return view


class UndoDialog(QDialog):
    """A list of things that can be undone; the action asks first, then runs `act(key)`."""

    def __init__(
        self,
        title: str,
        intro: str,
        view: RecordsView,
        action_label: str,
        question: Callable[[Any], str],
        act: Callable[[Any], None],
        parent: QWidget | None = None,
        *,
        refusal: Callable[[Any], str | None] = lambda _row: None,
    ) -> None:
        """`refusal(row)`: why the action cannot run for that row, said before any question."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.view = view
        self.confirm = ask(self)
        self._question = question
        self._act = act
        self._refusal = refusal
        label = PlainLabel(intro, self)
        label.setWordWrap(True)
        self.message = PlainLabel("", self)
        self.message.setAccessibleName(self.tr("Result"))
        self.message.setWordWrap(True)
        self.action_button = button(self, action_label)
        self.action_button.clicked.connect(self.act_on_selection)
        close = button(self, self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.action_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(view, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        keyboard_friendly(self)
        self.view.table.setFocus()  # the list first: never a button that acts at once
        self.resize(820, 420)

    def set_rows(self, rows: list[Any]) -> None:
        self.view.set_rows(rows)
        self.action_button.setEnabled(bool(rows))

    def act_on_selection(self) -> None:
        rows = self.view.selected_rows()
        if len(rows) != 1:
            self.message.setText(self.tr("Select one row first."))
            return
        row = rows[0]
        refused = self._refusal(row)
        if refused:
            self.message.setText(refused)
            return
        if not self.confirm(self.windowTitle(), self._question(row)):
            return
        self.action_button.setEnabled(False)
        self._act(row)

    def done_with(self, text: str, rows: list[Any] | None = None) -> None:
        self.message.setText(text)
        if rows is not None:
            self.set_rows(rows)
        else:
            self.action_button.setEnabled(True)


def release_question(row: tuple[Order, ReleaseRecord]) -> str:
    order, record = row
    before = STATUS_NAMES.get(record.status_before, str(record.status_before))
    return (
        f"Undo the release of order #{order.id}? Its status goes back to {before}; its "
        f"{sum(x.qty for x in record.lines)} units stay reserved for it and it is listed "
        'under "Release ready orders" again.'
    )


def receipt_question(row: ReceiptInfo) -> str:
    return (
        f"Reverse the receipt of {row.accepted} units on {row.reference}? BigCommerce's stock is "
        "set back and the orders it filled wait again."
    )
