"""The Open backorders table: its columns, row colours, quick filters and one-line summary."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from ...domain.eta import UNKNOWN
from ...domain.notice_log import KIND_LABELS
from ...services.backorder_rows import BackorderRow
from ..formatting import format_date, format_datetime, format_int, format_money
from ..records_view import QuickFilter, RecordsView
from ..table_model import Column, RecordsTableModel
from ..theme import colours
from .backorder_consent import consent_column, consent_filters

AGING_WARNING_DAYS = 14


def tr(text: str) -> str:
    return QCoreApplication.translate("BackordersTab", text)


def _overdue(row: BackorderRow) -> bool:
    """No date to promise until staff give one (an overdue shipment, a passed date)."""
    return row.overdue


def _row_colour(row: BackorderRow) -> QColor | None:
    if _overdue(row):
        return colours().failed
    if row.days_waiting > AGING_WARNING_DAYS:
        return colours().warning
    return None


def _last_notice(row: BackorderRow) -> str:
    notice = row.last_notice
    if notice is None:
        return ""
    return f"{notice.label}, {format_datetime(notice.sent_at)}"


def _columns(currency: Callable[[], str]) -> list[Column]:
    return [
        Column("order", tr("Order"), lambda r: r.line.order_id, lambda r: f"#{r.line.order_id}",
               numeric=True),
        Column("date", tr("Order date"), lambda r: r.line.order_date,
               lambda r: format_datetime(r.line.order_date)),
        Column("customer", tr("Customer"), lambda r: r.line.customer_name),
        Column("email", tr("Email"), lambda r: r.line.customer_email),
        Column("sku", tr("SKU"), lambda r: r.line.sku),
        Column("product", tr("Product"), lambda r: r.line.name),
        Column("ordered", tr("Ordered"), lambda r: r.line.qty_ordered,
               lambda r: format_int(r.line.qty_ordered), numeric=True),
        Column("waiting", tr("Waiting"), lambda r: r.line.qty_waiting,
               lambda r: format_int(r.line.qty_waiting), numeric=True),
        Column("position", tr("Queue #"), lambda r: r.line.queue_position,
               lambda r: format_int(r.line.queue_position), numeric=True,
               tooltip=tr("Position in this SKU's queue: who gets the next units")),
        Column("priority", tr("Priority"), lambda r: r.line.priority,
               lambda r: f"{r.line.priority:+d}" if r.line.priority else "", numeric=True,
               tooltip=tr("Higher goes first in every queue (Raise / Lower priority)")),
        Column("eta", tr("ETA"), lambda r: r.line.eta,
               lambda r: format_date(r.line.eta)
               or (r.eta_source_label if r.overdue else tr("unknown"))),
        Column("eta_source", tr("ETA from"),
               lambda r: "" if r.line.eta_source == UNKNOWN else r.eta_source_label,
               tooltip=tr("The inbound shipment, the manual ETA, the supplier's lead time, "
                          "or unknown")),
        Column("days", tr("Days waiting"), lambda r: r.days_waiting,
               lambda r: format_int(r.days_waiting), numeric=True),
        Column("notice", tr("Last notice"),
               lambda r: r.last_notice.sent_at if r.last_notice else None, _last_notice),
        Column("notified", tr("ETA told"), lambda r: r.line.notified_eta,
               lambda r: format_date(r.line.notified_eta)),
        Column("due", tr("Notice due"), lambda r: r.due,
               lambda r: KIND_LABELS.get(r.due, r.due)),
        consent_column(),
        Column("partial", tr("Partial shipment"), lambda r: r.partial_allowed,
               lambda r: tr("allowed") if r.partial_allowed else "",
               tooltip=tr("Ship the lines that are ready before the rest arrives")),
        Column("value", tr("Value waiting"), lambda r: r.value_waiting,
               lambda r: format_money(r.value_waiting, currency()), numeric=True),
    ]  # fmt: skip


def build_backorders_view(currency: Callable[[], str] = lambda: "USD") -> RecordsView:
    """`currency` is asked at display time: the store's currency is known after the first read."""
    model = RecordsTableModel(
        _columns(currency),
        row_key=lambda r: r.key,
        row_colour=_row_colour,
        # Queue order (per SKU), as services build it: a line whose place changes moves.
        natural_order=lambda r: (r.line.sku, r.line.queue_position),
    )
    quick = [
        QuickFilter(tr("Notice due"), lambda r: bool(r.due)),
        QuickFilter(tr("No ETA"), lambda r: r.line.eta is None),
        QuickFilter(tr("New date needed"), _overdue),
        QuickFilter(
            tr("Waiting over {0} days").format(AGING_WARNING_DAYS),
            lambda r: r.days_waiting > AGING_WARNING_DAYS,
        ),
        QuickFilter(tr("Never notified"), lambda r: r.last_notice is None),
        QuickFilter(tr("Priority raised"), lambda r: r.line.priority > 0),
        *consent_filters(),
    ]
    view = RecordsView("Open backorders", model, quick)
    view.fit_columns(
        [70, 95, 150, 190, 120, 200, 65, 65, 65, 60, 95, 120, 75, 190, 90, 110, 200, 95, 100]
    )
    return view


def summarise(rows: list[BackorderRow], currency: str) -> str:
    """'12 lines · 30 units · 9 customers · $1,234.00 waiting · oldest 21 days'."""
    if not rows:
        return tr("No open backorders here.")
    units = sum(r.line.qty_waiting for r in rows)
    customers = len({r.line.customer_email.casefold() for r in rows})
    value = sum(r.value_waiting for r in rows)
    oldest = max(r.days_waiting for r in rows)
    return tr("{0} lines · {1} units · {2} customers · {3} waiting · oldest wait {4} days").format(
        format_int(len(rows)), format_int(units), format_int(customers),
        format_money(value, currency), format_int(oldest),
    )  # fmt: skip
