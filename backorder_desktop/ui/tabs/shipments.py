"""Supplier shipments tab: inbound deliveries and what they bring."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..formatting import format_date, format_int
from ..records_view import QuickFilter, RecordsView
from ..store_controller import StoreController
from ..table_model import Column, RecordsTableModel
from .panel import TabPanel


def tr(text: str) -> str:
    return QCoreApplication.translate("ShipmentsTab", text)


def build_shipments_view() -> RecordsView:
    columns = [
        Column("reference", tr("Reference"), lambda r: r.reference),
        Column("supplier", tr("Supplier"), lambda r: r.supplier),
        Column("status", tr("Status"), lambda r: r.status),
        Column("expected", tr("Expected"), lambda r: r.expected, lambda r: format_date(r.expected)),
        Column(
            "units_expected",
            tr("Units expected"),
            lambda r: r.units_expected,
            lambda r: format_int(r.units_expected),
            numeric=True,
        ),
        Column(
            "units_received",
            tr("Units received"),
            lambda r: r.units_received,
            lambda r: format_int(r.units_received),
            numeric=True,
        ),
    ]
    model = RecordsTableModel(columns, row_key=lambda r: r.id)
    quick = [
        QuickFilter(tr("Open"), lambda r: r.status not in ("received", "closed")),
        QuickFilter(tr("Received"), lambda r: r.status in ("received", "closed")),
    ]
    view = RecordsView("Supplier shipments", model, quick)
    view.fit_columns([140, 220, 130, 110, 120, 120])
    return view


class ShipmentsPanel(TabPanel):
    def __init__(self, controller: StoreController) -> None:
        super().__init__(controller, build_shipments_view())
        self.finish_actions_bar()
