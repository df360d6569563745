"""Every table model the window uses keeps Qt's model contract, also while it is edited."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from backorder_desktop.domain.shipments import Shipment, ShipmentLine
from backorder_desktop.services.views import ProductRow
from backorder_desktop.ui.dialogs.receiving_model import ReceivingLinesModel
from backorder_desktop.ui.dialogs.shipment_edit import ShipmentLinesModel
from backorder_desktop.ui.tabs.products import build_products_view

LINES = (
    ShipmentLine("MUG-BLUE", 10, qty_received=4),
    ShipmentLine("TEE-RED-M", 3),
)


def test_shipment_lines_model_keeps_the_contract_while_edited(qtmodeltester) -> None:
    model = ShipmentLinesModel(LINES)
    qtmodeltester.check(model)
    assert model.setData(model.index(1, 2), "7")  # expected quantity of a line not received
    assert model.index(1, 2).data() == "7"
    model.append([ShipmentLine("CAP-GREEN", 2)])
    assert model.rowCount() == 3
    model.remove_rows([2])
    assert model.rowCount() == 2


def test_a_new_shipments_empty_lines_model_keeps_the_contract(qtmodeltester) -> None:
    empty = ShipmentLinesModel(())
    qtmodeltester.check(empty)
    empty.append([ShipmentLine("CAP-GREEN", 2)])
    assert empty.rowCount() == 1


def test_receiving_model_keeps_the_contract_while_counted(qtmodeltester) -> None:
    shipment = Shipment("s1", "PO-1", "acme", "in_transit", date(2026, 12, 1), LINES)
    model = ReceivingLinesModel(shipment, {"MUG-BLUE": "Blue mug"})
    qtmodeltester.check(model)
    row = model.add("TEE-RED-M", 2)  # two scans of the same SKU
    model.add("TEE-RED-M", 1)
    assert model.lines[row].accepted == 3
    short = model.index(0, model.columnCount() - 1)
    assert model.setData(short, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)


def test_products_model_keeps_the_contract_with_its_editable_cells(qtbot, qtmodeltester) -> None:
    view = build_products_view()
    qtbot.addWidget(view)
    row = ProductRow(
        variant_id=1,
        product_id=1,
        product_name="Café crème <small>",
        options="Size M",
        sku="CAFE-M",
        tracking="variant",
        availability="available",
        on_hand=0,
        backordered=2,
        backorder_limit=10,
        available=8,
        waiting=2,
        eta=date(2026, 12, 8),
        eta_source="manual",
        message="Ships in a week",
    )
    view.model.set_rows([row])
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)
    eta = next(n for n, c in enumerate(view.model.columns) if c.key == "eta")
    # Through the proxy, as the table's editor asks: the ISO date, not the displayed text.
    assert view.proxy.index(0, eta).data(Qt.ItemDataRole.EditRole) == "2026-12-08"
