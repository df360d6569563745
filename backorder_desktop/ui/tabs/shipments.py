"""Supplier shipments tab: inbound deliveries, receiving at the dock, releases and their undo."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from ...domain.shipments import INBOUND_STATUSES
from ...services.dock.shipment_rows import ShipmentRow
from ..formatting import format_date, format_int
from ..po_actions import PurchaseOrderActions
from ..records_view import QuickFilter, RecordsView
from ..shipment_actions import ShipmentActions
from ..store_controller import StoreController
from ..table_model import Column, RecordsTableModel
from ..theme import colours
from .panel import TabPanel


def tr(text: str) -> str:
    return QCoreApplication.translate("ShipmentsTab", text)


def _row_colour(row: ShipmentRow) -> QColor | None:
    if row.overdue:
        return colours().failed
    if row.status in ("received", "closed"):
        return colours().muted
    return None


def _units(value: int) -> str:
    return format_int(value) if value else ""


def build_shipments_view() -> RecordsView:
    columns = [
        Column("reference", tr("Reference"), lambda r: r.reference),
        Column("supplier", tr("Supplier"), lambda r: r.supplier),
        Column("status", tr("Status"), lambda r: r.status_label),
        Column(
            "expected",
            tr("Expected"),
            lambda r: r.expected,
            lambda r: (
                format_date(r.expected) + (tr(" · overdue, new date needed") if r.overdue else "")
            ),
            tooltip=tr(
                "An overdue shipment promises no date: give it a new one (New date…) before "
                "its customers are told"
            ),
        ),
        Column("lines", tr("Lines"), lambda r: len(r.lines), numeric=True),
        Column(
            "units_expected",
            tr("Units expected"),
            lambda r: r.units_expected,
            lambda r: format_int(r.units_expected),
            numeric=True,
        ),
        Column(
            "units_received",
            tr("Received"),
            lambda r: r.units_received,
            lambda r: _units(r.units_received),
            numeric=True,
        ),
        Column(
            "units_rejected",
            tr("Rejected"),
            lambda r: r.units_rejected,
            lambda r: _units(r.units_rejected),
            numeric=True,
        ),
        Column(
            "outstanding",
            tr("Still to come"),
            lambda r: r.units_outstanding,
            lambda r: _units(r.units_outstanding),
            numeric=True,
            tooltip=tr("Units still expected: these feed the ETAs of waiting orders"),
        ),
        Column(
            "po",
            tr("Purchase order"),
            lambda r: r.po_label,
            tooltip=tr(
                "When the purchase order went to the supplier (or was saved), and the "
                "delivery date the supplier confirmed"
            ),
        ),
        Column("skus", tr("SKUs"), lambda r: ", ".join(x.sku for x in r.lines[:6])),
        Column("notes", tr("Notes"), lambda r: r.notes),
    ]
    model = RecordsTableModel(columns, row_key=lambda r: r.id, row_colour=_row_colour)
    quick = [
        QuickFilter(tr("Open"), lambda r: r.is_open),
        QuickFilter(tr("Overdue: new date needed"), lambda r: r.overdue),
        QuickFilter(tr("Received or closed"), lambda r: r.status in ("received", "closed")),
    ]
    view = RecordsView("Supplier shipments", model, quick)
    view.fit_columns([120, 200, 130, 120, 55, 110, 80, 80, 100, 300, 260, 200])
    return view


class ShipmentsPanel(TabPanel):
    def __init__(self, controller: StoreController) -> None:
        super().__init__(controller, build_shipments_view())
        self.set_legend(
            [
                (lambda: colours().failed, tr("late: past its expected date")),
                (lambda: colours().muted, tr("received or closed")),
            ]
        )
        self.actions = ShipmentActions(controller, self)
        self.new_button = self.add_action_button(
            tr("New shipment…"), tr("Record an inbound shipment from a supplier")
        )
        self.new_button.clicked.connect(lambda: self.actions.new_shipment())
        self.edit_button = self.add_action_button(tr("Edit…"), tr("Edit the selected shipment"))
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.po_actions = PurchaseOrderActions(controller, self)
        self.po_button = self.add_action_button(
            tr("Purchase order…"),
            tr("Send the selected draft to its supplier as a PDF purchase order, or save it"),
        )
        self.po_button.clicked.connect(self._on_po_button_clicked)
        self.confirmed_button = self.add_action_button(
            tr("Supplier confirmed…"),
            tr("The delivery date the supplier confirmed: moves the shipment and its ETAs"),
        )
        self.confirmed_button.clicked.connect(self._on_confirmed_button_clicked)
        self.new_date_button = self.add_action_button(
            tr("New date…"), tr("Give the selected overdue shipment a new expected date")
        )
        self.new_date_button.clicked.connect(self._on_new_date_button_clicked)
        self.receive_button = self.add_action_button(
            tr("Receive…"), tr("Receive the selected shipment at the dock (scan or type)")
        )
        self.receive_button.clicked.connect(self._on_receive_button_clicked)
        self.release_button = self.add_action_button(
            tr("Release ready orders…"), tr("Orders whose waiting units have all arrived")
        )
        self.release_button.clicked.connect(lambda: self.actions.release())
        self.undo_button = self.add_action_button(tr("Undo a release…"))
        self.undo_button.clicked.connect(self.actions.undo_release)
        self.receipts_button = self.add_action_button(
            tr("Receipts…"), tr("Receipts booked here; reverse one booked by mistake")
        )
        self.receipts_button.clicked.connect(self._on_receipts_button_clicked)
        self.close_button = self.add_action_button(
            tr("Close shipment"), tr("Nothing more will come from the selected shipment")
        )
        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.suppliers_button = self.add_action_button(
            tr("Suppliers…"), tr("Suppliers and their scorecards")
        )
        self.suppliers_button.clicked.connect(self.actions.suppliers)
        self.finish_actions_bar()
        self.view.table.doubleClicked.connect(lambda _: self._on_receive_button_clicked())

    def _selected(self) -> ShipmentRow | None:
        rows = self.view.selected_rows()
        if not rows:
            self.controller.message_posted.emit(tr("Select a shipment first."))
            return None
        row: ShipmentRow = rows[0]
        return row

    def _on_edit_button_clicked(self) -> None:
        row = self._selected()
        if row is not None:
            self.actions.edit_shipment(row.id)

    def _on_receive_button_clicked(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.status == "closed":
            self.controller.message_posted.emit(
                tr("Shipment {0} is closed: nothing can be received against it.").format(
                    row.reference
                )
            )
            return
        self.actions.receive(row.id)

    def _on_new_date_button_clicked(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.status not in INBOUND_STATUSES:
            self.controller.message_posted.emit(
                tr("Shipment {0} is not on its way: it needs no date.").format(row.reference)
            )
            return
        self.actions.new_date(row.id, row.reference, row.expected, row.units_outstanding)

    def _on_po_button_clicked(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.status not in ("draft", "ordered"):
            self.controller.message_posted.emit(
                tr("Shipment {0} is {1}: a purchase order is made from a draft.").format(
                    row.reference, row.status_label.lower()
                )
            )
            return
        self.po_actions.purchase_order(row.id)

    def _on_confirmed_button_clicked(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.status not in ("draft", *INBOUND_STATUSES):
            self.controller.message_posted.emit(
                tr("Shipment {0} is {1}: there is no delivery left to confirm.").format(
                    row.reference, row.status_label.lower()
                )
            )
            return
        self.po_actions.supplier_confirmed(row.id, row.reference, row.supplier, row.expected)

    def _on_receipts_button_clicked(self) -> None:
        rows = self.view.selected_rows()
        self.actions.receipts(rows[0].id if rows else None)

    def _on_close_button_clicked(self) -> None:
        row = self._selected()
        if row is not None:
            self.actions.close_shipment(row.id, row.reference, row.units_outstanding)


def add_order_waiting_button(panel: TabPanel) -> ShipmentActions:
    """The Open backorders tab's "order what is waiting" button (selected lines, or all)."""
    actions = ShipmentActions(panel.controller, panel)
    order_button = panel.add_action_button(
        tr("Order what is waiting…"),
        tr("A new supplier shipment for the units the selected lines (or all) wait for"),
    )
    order_button.clicked.connect(
        lambda: actions.order_waiting([int(k) for k in panel.view.selected_keys()] or None)
    )
    return actions
