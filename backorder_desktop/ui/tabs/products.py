"""Products tab: one row per variant; bulk backorder settings, ETAs and messages with undo."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from ...domain.bulk import VariantEdit
from ...domain.bulk_input import check_template, parse_eta, parse_limit
from ...domain.models import UNLIMITED_BACKORDER_LIMIT
from ...services.views import ProductRow
from ..formatting import format_date, format_int
from ..records_view import QuickFilter, RecordsView
from ..store_controller import StoreController
from ..table_model import Column, RecordsTableModel
from ..theme import colours
from .panel import TabPanel
from .products_actions import ProductsActions

AnyIndex = QModelIndex | QPersistentModelIndex
EDITABLE = ("limit", "eta", "message")
COUNTS = ("on_hand", "backordered", "waiting")


def tr(text: str) -> str:
    return QCoreApplication.translate("ProductsTab", text)


FLAG_LABELS = {
    "in_stock_wording": "says in stock",
    "preorder_before_eta": "pre-order date before ETA",
}


def _flag_label(row: ProductRow) -> str:
    if not row.flags:
        return ""
    return "⚠ " + ", ".join(FLAG_LABELS.get(f.kind, f.kind) for f in row.flags)


def _row_colour(row: ProductRow) -> QColor | None:
    if row.sync_state.startswith("failed"):
        return colours().failed
    if row.flags or (row.waiting > 0 and row.eta is None):
        return colours().warning
    return None


class ProductsTableModel(RecordsTableModel):
    """The product rows; the limit, ETA and message cells can be edited in place.

    An edit never changes the row here: `edit_requested(row, column key, text)` asks for it to
    be applied, and the rows are re-read once it is in the cache.
    """

    edit_requested = Signal(object, str, str)

    def _key(self, index: AnyIndex) -> str:
        return self.columns[index.column()].key

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid() or self._key(index) not in EDITABLE:
            return base
        row = self.row(index.row())
        if self._key(index) == "limit" and row.native and row.tracking == "none":
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    def cell(self, source_row: int, column_number: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and self.columns[column_number].key in COUNTS:
            # How on hand, backordered and waiting relate, with this row's numbers.
            return self.row(source_row).counts_text or None
        if role == Qt.ItemDataRole.ToolTipRole and self.columns[column_number].key == "check":
            flags = self.row(source_row).flags
            if not flags:
                return None
            fixes = "; ".join(f.fix_label for f in flags)
            return tr("{0}\nFix storefront text: {1}").format(
                " ".join(f.message for f in flags), fixes
            )
        if role == Qt.ItemDataRole.EditRole:
            row: ProductRow = self.row(source_row)
            key = self.columns[column_number].key
            if key == "limit":
                return "" if row.limit_text == "not tracked" else row.limit_text
            if key == "eta":
                return row.eta.isoformat() if row.eta else ""
            if key == "message":
                return row.message
        return super().cell(source_row, column_number, role)

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        key = self._key(index)
        if key not in EDITABLE:
            return False
        text = "" if value is None else str(value)
        if text == self.data(index, Qt.ItemDataRole.EditRole):
            return False
        self.edit_requested.emit(self.row(index.row()), key, text)
        return True


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
            tooltip=tr(
                "Units in stock at BigCommerce. Point at a row's number for how on hand, "
                "backordered and waiting add up"
            ),
        ),
        Column(
            "backordered",
            tr("Backordered"),
            lambda r: r.backordered,
            lambda r: format_int(r.backordered),
            numeric=True,
            tooltip=tr(
                "Units BigCommerce sold past zero stock and still owes. Point at a row's "
                "number for how it relates to Waiting"
            ),
        ),
        Column(
            "limit",
            tr("Backorder limit"),
            lambda r: r.backorder_limit,
            lambda r: r.limit_text,
            numeric=True,
            tooltip=tr("Double-click to edit: a number, 'unlimited' or 'off'"),
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
            tooltip=tr(
                "Units open orders still wait for: those on backordered lines, plus those "
                "on older orders that the stock on hand does not cover"
            ),
        ),
        Column(
            "eta",
            tr("ETA"),
            lambda r: r.eta,
            lambda r: format_date(r.eta),
            tooltip=tr("Double-click to set the manual ETA (YYYY-MM-DD; empty clears it)"),
        ),
        Column("eta_source", tr("ETA from"), lambda r: r.eta_source),
        Column(
            "message",
            tr("Storefront message"),
            lambda r: r.message,
            tooltip=tr("The product's message; {eta} or {eta:%b %d} is replaced by the ETA"),
        ),
        Column(
            "check",
            tr("Storefront check"),
            lambda r: len(r.flags),
            _flag_label,
            tooltip=tr(
                "Storefront texts that contradict the backorder state; select the row "
                "and press 'Fix storefront text'"
            ),
        ),
        Column("state", tr("Sync"), lambda r: r.sync_state),
    ]
    model = ProductsTableModel(
        columns,
        row_key=lambda r: r.variant_id,
        row_colour=_row_colour,
        natural_order=lambda r: (r.product_name.casefold(), r.sku),  # as services.views sorts
    )
    quick = [
        QuickFilter(tr("Out of stock"), lambda r: r.tracking != "none" and r.on_hand <= 0),
        QuickFilter(tr("Backorders on"), lambda r: r.backorders_on),
        QuickFilter(tr("Has waiting orders"), lambda r: r.waiting > 0),
        QuickFilter(tr("No ETA"), lambda r: r.waiting > 0 and r.eta is None),
        QuickFilter(tr("Pending or failed"), lambda r: bool(r.sync_state)),
        QuickFilter(tr("Storefront contradicts"), lambda r: bool(r.flags)),
    ]
    view = RecordsView("Products", model, quick)
    view.fit_columns([200, 120, 115, 70, 90, 105, 75, 65, 80, 85, 160, 150, 120])
    return view


class ProductsPanel(TabPanel):
    def __init__(self, controller: StoreController) -> None:
        super().__init__(controller, build_products_view())
        self.set_legend(
            [
                (lambda: colours().failed, tr("change refused by BigCommerce")),
                (lambda: colours().warning, tr("customers waiting, no ETA")),
            ]
        )
        self.actions = ProductsActions(self)
        model = self.view.model
        assert isinstance(model, ProductsTableModel)
        model.edit_requested.connect(self._on_model_edit_requested)

    def _on_model_edit_requested(self, row: ProductRow, key: str, text: str) -> None:
        """A single cell edited in place: applied at once (no preview), conflicts still asked."""
        try:
            if key == "limit":
                limit = parse_limit(text)
                if not row.native and limit is not None:
                    limit = UNLIMITED_BACKORDER_LIMIT
                edit = VariantEdit(limit=limit)
            elif key == "eta":
                edit = VariantEdit(eta=parse_eta(text))
            else:
                edit = VariantEdit(message=check_template(text.strip()))
        except ValueError as exc:
            self.controller.message_posted.emit(str(exc))
            return
        self.actions.apply_single(row, edit, f"{row.sku}: {key} set to '{text}'")
