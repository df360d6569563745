"""Consent to delays in Open backorders (issue 19.1): column, filters, record an answer, and
"Cancel and refund…" for orders whose consent expired or was refused."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from ...domain.consent import ASKED, EXPIRED, GIVEN, REFUSED, STATES
from ...services.backorder_rows import BackorderRow
from ...services.notices.consent import record_consent
from ..formatting import format_date
from ..records_view import QuickFilter
from ..table_model import Column

if TYPE_CHECKING:
    from .panel import TabPanel


def tr(text: str) -> str:
    return QCoreApplication.translate("BackordersTab", text)


_LABELS = {ASKED: "asked", GIVEN: "given", REFUSED: "refused", EXPIRED: "consent expired"}


def consent_text(row: BackorderRow) -> str:
    status = row.consent
    if status is None or status.state is None:
        return ""
    text = tr(_LABELS[status.state])
    if status.state == ASKED and status.reply_by is not None:
        text = tr("asked, reply by {0}").format(format_date(status.reply_by))
    return text


def consent_column() -> Column:
    order = {None: 0, **{state: n + 1 for n, state in enumerate(STATES)}}
    return Column(
        "consent",
        tr("Consent"),
        lambda r: order.get(r.consent_state, 0),
        consent_text,
        tooltip=tr("The customer's consent to a delay (US Mail Order Rule; Mail settings)"),
    )


def consent_filters() -> list[QuickFilter]:
    return [
        QuickFilter(tr("Consent expired"), lambda r: r.consent_state == EXPIRED),
        QuickFilter(tr("Consent asked"), lambda r: r.consent_state == ASKED),
        QuickFilter(tr("Consent refused"), lambda r: r.consent_state == REFUSED),
    ]


class ConsentActions(QObject):
    """The tab's consent buttons. "Cancel without consent…" emits `cancel_refund_requested(order
    ids)`; the tab opens the "Cancel and refund…" dialog (issue 19.2) with it."""

    cancel_refund_requested = Signal(object)

    def __init__(self, panel: TabPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.record_button = panel.add_action_button(
            tr("Record consent"), tr("Record the customer's answer to a delay by hand")
        )
        menu = QMenu(self.record_button)
        self.given_action = QAction(tr("Consent given: keep the order open"), menu)
        self.refused_action = QAction(tr("Consent refused: the order is to be cancelled"), menu)
        menu.addAction(self.given_action)
        menu.addAction(self.refused_action)
        self.record_button.setMenu(menu)
        self.given_action.triggered.connect(lambda: self.record(GIVEN))
        self.refused_action.triggered.connect(lambda: self.record(REFUSED))
        self.cancel_button = panel.add_action_button(
            tr("Cancel without consent…"),
            tr("Orders whose consent expired or was refused: cancel the waiting lines and refund"),
        )
        self.cancel_button.clicked.connect(self.request_cancel_refund)

    def _orders(self, rows: list[Any]) -> list[int]:
        return sorted({r.line.order_id for r in rows})

    def to_cancel(self) -> list[int]:
        """The selected orders whose consent expired or was refused; with no selection, those
        the list shows (the "Consent expired" filter: one click for all of them)."""
        rows = self.panel.view.selected_rows() or self.panel.view.visible_rows()
        return self._orders([r for r in rows if r.consent is not None and r.consent.to_cancel])

    def update(self) -> None:
        selected = self.panel.view.selected_rows()
        connected = self.panel.controller.session is not None
        self.record_button.setEnabled(connected and bool(selected))
        orders = self.to_cancel()
        self.cancel_button.setEnabled(connected and bool(orders))
        text = (
            tr("Cancel {0} orders without consent…").format(len(orders)) if len(orders) > 1 else ""
        )
        self.cancel_button.setText(text or tr("Cancel without consent…"))
        self.cancel_button.setAccessibleName(self.cancel_button.text().rstrip("…"))

    def request_cancel_refund(self) -> None:
        orders = self.to_cancel()
        if orders:
            self.cancel_refund_requested.emit(orders)

    def record(self, state: str) -> None:
        orders = self._orders(self.panel.view.selected_rows())
        if not orders:
            return

        def work(session: Any) -> None:
            for order_id in orders:
                record_consent(session.cache, order_id, state, source="staff")

        self.panel.controller.run_action(f"consent {state}", work)
