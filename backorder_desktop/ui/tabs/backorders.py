"""Open backorders tab: every waiting line in queue order, with age and ETA."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from ...services.views import BackorderRow
from ..formatting import format_date, format_datetime, format_int, format_money
from ..records_view import QuickFilter, RecordsView
from ..store_controller import StoreController
from ..table_model import Column, RecordsTableModel
from ..theme import colours
from .panel import TabPanel

AGING_WARNING_DAYS = 14


def tr(text: str) -> str:
    return QCoreApplication.translate("BackordersTab", text)


def _overdue(row: BackorderRow) -> bool:
    return row.line.eta is not None and row.line.eta < date.today()


def _row_colour(row: BackorderRow) -> QColor | None:
    if _overdue(row):
        return colours().failed
    if row.days_waiting > AGING_WARNING_DAYS:
        return colours().warning
    return None


def build_backorders_view(currency: str = "USD") -> RecordsView:
    columns = [
        Column(
            "order",
            tr("Order"),
            lambda r: r.line.order_id,
            lambda r: f"#{r.line.order_id}",
            numeric=True,
        ),
        Column(
            "date",
            tr("Order date"),
            lambda r: r.line.order_date,
            lambda r: format_datetime(r.line.order_date),
        ),
        Column("customer", tr("Customer"), lambda r: r.line.customer_name),
        Column("email", tr("Email"), lambda r: r.line.customer_email),
        Column("sku", tr("SKU"), lambda r: r.line.sku),
        Column("product", tr("Product"), lambda r: r.line.name),
        Column(
            "ordered",
            tr("Ordered"),
            lambda r: r.line.qty_ordered,
            lambda r: format_int(r.line.qty_ordered),
            numeric=True,
        ),
        Column(
            "waiting",
            tr("Waiting"),
            lambda r: r.line.qty_waiting,
            lambda r: format_int(r.line.qty_waiting),
            numeric=True,
        ),
        Column(
            "position",
            tr("Queue #"),
            lambda r: r.line.queue_position,
            lambda r: format_int(r.line.queue_position),
            numeric=True,
            tooltip=tr("Position in this SKU's queue: who gets the next units"),
        ),
        Column(
            "priority",
            tr("Priority"),
            lambda r: r.line.priority,
            lambda r: str(r.line.priority) if r.line.priority else "",
            numeric=True,
        ),
        Column(
            "eta",
            tr("ETA"),
            lambda r: r.line.eta,
            lambda r: format_date(r.line.eta) or tr("unknown"),
        ),
        Column(
            "days",
            tr("Days waiting"),
            lambda r: r.days_waiting,
            lambda r: format_int(r.days_waiting),
            numeric=True,
        ),
        Column(
            "value",
            tr("Value waiting"),
            lambda r: r.line.qty_waiting * r.line.price_inc_tax,
            lambda r: format_money(r.line.qty_waiting * r.line.price_inc_tax, currency),
            numeric=True,
        ),
        Column(
            "notified",
            tr("Last ETA told"),
            lambda r: r.line.notified_eta,
            lambda r: format_date(r.line.notified_eta),
        ),
    ]
    model = RecordsTableModel(columns, row_key=lambda r: r.key, row_colour=_row_colour)
    quick = [
        QuickFilter(tr("No ETA"), lambda r: r.line.eta is None),
        QuickFilter(tr("ETA overdue"), _overdue),
        QuickFilter(
            tr("Waiting over {0} days").format(AGING_WARNING_DAYS),
            lambda r: r.days_waiting > AGING_WARNING_DAYS,
        ),
        QuickFilter(tr("Never notified"), lambda r: r.line.notified_eta is None),
    ]
    view = RecordsView("Open backorders", model, quick)
    view.fit_columns([70, 130, 150, 200, 120, 220, 70, 70, 70, 65, 95, 95, 100, 100])
    return view


class BackordersPanel(TabPanel):
    def __init__(self, controller: StoreController) -> None:
        super().__init__(controller, build_backorders_view())
        self.finish_actions_bar()
