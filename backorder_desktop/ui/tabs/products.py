"""Products tab: one row per variant with stock, backorder limit, waiting units and ETA."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from ...services.views import ProductRow
from ..formatting import format_date, format_int
from ..records_view import QuickFilter, RecordsView
from ..store_controller import StoreController
from ..table_model import Column, RecordsTableModel
from ..theme import colours
from .panel import TabPanel


def tr(text: str) -> str:
    return QCoreApplication.translate("ProductsTab", text)


def _row_colour(row: ProductRow) -> QColor | None:
    if row.sync_state.startswith("failed"):
        return colours().failed
    if row.waiting > 0 and row.eta is None:
        return colours().warning
    return None


def build_products_view() -> RecordsView:
    columns = [
        Column("product", tr("Product"), lambda r: r.product_name),
        Column("options", tr("Options"), lambda r: r.options),
        Column("sku", tr("SKU"), lambda r: r.sku),
        Column(
            "on_hand",
            tr("On hand"),
            lambda r: r.on_hand,
            lambda r: format_int(r.on_hand),
            numeric=True,
        ),
        Column(
            "backordered",
            tr("Backordered"),
            lambda r: r.backordered,
            lambda r: format_int(r.backordered),
            numeric=True,
            tooltip=tr("Units sold past zero stock, owed to customers"),
        ),
        Column(
            "limit",
            tr("Backorder limit"),
            lambda r: r.backorder_limit,
            lambda r: r.limit_text,
            numeric=True,
        ),
        Column(
            "available",
            tr("Available"),
            lambda r: r.available,
            lambda r: "unlimited" if r.unlimited else format_int(r.available),
            numeric=True,
            tooltip=tr("Available to sell: on hand plus what is left of the backorder limit"),
        ),
        Column(
            "waiting",
            tr("Waiting"),
            lambda r: r.waiting,
            lambda r: format_int(r.waiting) if r.waiting else "",
            numeric=True,
            tooltip=tr("Units waiting in open orders"),
        ),
        Column("eta", tr("ETA"), lambda r: r.eta, lambda r: format_date(r.eta)),
        Column("eta_source", tr("ETA from"), lambda r: r.eta_source),
        Column("message", tr("Storefront message"), lambda r: r.message, hidden_by_default=True),
        Column("state", tr("Sync"), lambda r: r.sync_state),
    ]
    model = RecordsTableModel(columns, row_key=lambda r: r.variant_id, row_colour=_row_colour)
    quick = [
        QuickFilter(tr("Out of stock"), lambda r: r.tracking != "none" and r.on_hand <= 0),
        QuickFilter(tr("Backorders on"), lambda r: r.backorders_on),
        QuickFilter(tr("Has waiting orders"), lambda r: r.waiting > 0),
        QuickFilter(tr("No ETA"), lambda r: r.waiting > 0 and r.eta is None),
    ]
    view = RecordsView("Products", model, quick)
    view.fit_columns([260, 150, 130, 80, 95, 115, 80, 75, 95, 95, 200, 70])
    return view


class ProductsPanel(TabPanel):
    def __init__(self, controller: StoreController) -> None:
        super().__init__(controller, build_products_view())
        self.finish_actions_bar()
