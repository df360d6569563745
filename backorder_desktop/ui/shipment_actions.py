"""What the Supplier shipments tab (and the backorders tab) do: open dialogs, run the writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from ..cache import Cache
from ..services.dock import dock_context
from ..services.dock_actions import undo_release
from ..services.receipts import receipts, reverse_receipt_booking
from ..services.releasing import ready_orders, released_orders
from ..services.session import StoreSession
from ..services.shipment_rows import supplier_scorecards
from ..services.shipments import (
    close_shipment,
    find_shipment,
    list_suppliers,
    save_shipment,
    save_supplier,
    waiting_lines,
)
from .dialogs.dock_common import ask, run_read
from .dialogs.receiving import ReceivingDialog
from .dialogs.release import ReleaseDialog
from .dialogs.shipment_edit import ShipmentDialog
from .dialogs.suppliers import SupplierDialog, SupplierRow, SuppliersDialog
from .dialogs.undo import (
    UndoDialog,
    build_receipts_view,
    build_released_view,
    receipt_question,
    release_question,
)
from .store_controller import StoreController, describe_error


class ShipmentActions(QObject):
    """Every dialog it opens stays reachable in `dialogs` (by name) while it is open."""

    def __init__(self, controller: StoreController, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.parent_widget = parent
        self.dialogs: dict[str, QDialog] = {}
        self.confirm = ask(parent)

    def _show(self, name: str, dialog: QDialog) -> QDialog:
        old = self.dialogs.get(name)
        if old is not None and old is not dialog:
            old.close()
        self.dialogs[name] = dialog
        dialog.finished.connect(lambda _=0, n=name, d=dialog: self._forget(n, d))
        dialog.show()
        return dialog

    def _forget(self, name: str, dialog: QDialog) -> None:
        if self.dialogs.get(name) is dialog:
            del self.dialogs[name]
        dialog.deleteLater()

    def _read(self, name: str, read: Callable[[Cache], Any], done: Callable[[Any], None]) -> None:
        run_read(self.controller, name, read, done, self.controller.message_posted.emit)

    # --- shipments ---------------------------------------------------------------------------
    def new_shipment(self, lines: tuple[Any, ...] = ()) -> None:
        self._read("suppliers", list_suppliers, lambda s: self._open_shipment(s, None, lines))

    def edit_shipment(self, shipment_id: str) -> None:
        def read(cache: Cache) -> tuple[Any, Any]:
            return list_suppliers(cache), find_shipment(cache, shipment_id)

        self._read("shipment", read, lambda got: self._open_shipment(got[0], got[1], ()))

    def _open_shipment(self, suppliers: Any, shipment: Any, lines: tuple[Any, ...]) -> None:
        dialog = ShipmentDialog(suppliers, shipment, lines=lines, parent=self.parent_widget)

        def save(record: Any) -> None:
            self.controller.run_action(
                "save shipment",
                lambda s: save_shipment(s.cache, record),
                on_success=lambda _: dialog.saved(),
                on_error=lambda exc: dialog.show_error(describe_error(exc)),
            )

        def supplier_saved(supplier: Any) -> None:
            self._read("suppliers", list_suppliers, lambda s: dialog.set_suppliers(s, supplier.id))

        dialog.save_requested.connect(save)
        dialog.new_supplier_requested.connect(lambda: self.edit_supplier(None, supplier_saved))
        self._show("shipment", dialog)

    def close_shipment(self, shipment_id: str, reference: str) -> None:
        if self.confirm(
            "Close shipment",
            f"Close {reference}? What is still expected will not come: it stops counting "
            "towards ETAs.",
        ):
            self.controller.run_action(
                "close shipment", lambda s: close_shipment(s.cache, shipment_id)
            )

    def order_waiting(self, line_ids: list[int] | None) -> None:
        """A new shipment prefilled with what customers wait for (less what is inbound)."""

        def read(cache: Cache) -> tuple[Any, ...]:
            return tuple(waiting_lines(cache, line_ids=line_ids))

        def open_prefilled(lines: tuple[Any, ...]) -> None:
            if not lines:
                self.controller.message_posted.emit(
                    "Nothing to order: inbound shipments already cover what is waiting."
                )
                return
            self.new_shipment(lines)

        self._read("waiting lines", read, open_prefilled)

    # --- suppliers ---------------------------------------------------------------------------
    def suppliers(self) -> None:
        def read(cache: Cache) -> list[SupplierRow]:
            cards = {c.supplier_id: c for c in supplier_scorecards(cache)}
            return [SupplierRow(s, cards.get(s.id)) for s in list_suppliers(cache)]

        def shown(rows: list[SupplierRow]) -> None:
            dialog = SuppliersDialog(self.parent_widget)
            dialog.set_rows(rows)
            dialog.edit_requested.connect(
                lambda supplier: self.edit_supplier(
                    supplier, lambda _: self._read("suppliers", read, dialog.set_rows)
                )
            )
            self._show("suppliers", dialog)

        self._read("suppliers", read, shown)

    def edit_supplier(self, supplier: Any, on_saved: Callable[[Any], None] | None = None) -> None:
        dialog = SupplierDialog(supplier, self.parent_widget)

        def save(name: str, email: str, lead: Any, supplier_id: Any) -> None:
            def done(saved: Any) -> None:
                dialog.accept()
                if on_saved is not None:
                    on_saved(saved)

            self.controller.run_action(
                "save supplier",
                lambda s: save_supplier(
                    s.cache, name, email=email, lead_time_days=lead, supplier_id=supplier_id
                ),
                on_success=done,
                on_error=lambda exc: dialog.show_error(describe_error(exc)),
            )

        dialog.save_requested.connect(save)
        self._show("supplier", dialog)

    # --- receiving and releasing -------------------------------------------------------------
    def receive(self, shipment_id: str) -> None:
        def shown(context: Any) -> None:
            dialog = ReceivingDialog(self.controller, context, self.parent_widget)
            dialog.release_requested.connect(self.release)
            self._show("receive", dialog)

        self._read("receiving", lambda cache: dock_context(cache, shipment_id), shown)

    def release(self, order_ids: list[int] | None = None) -> None:
        wanted = set(order_ids) if order_ids is not None else None

        def shown(ready: Any) -> None:
            rows = [r for r in ready if wanted is None or r.order_id in wanted]
            self._show("release", ReleaseDialog(self.controller, rows, self.parent_widget))

        self._read("ready orders", ready_orders, shown)

    def undo_release(self) -> None:
        def act(row: Any) -> None:
            order_id = row[0].id
            self._act_then_reload(
                "undo release",
                lambda s: undo_release(s, order_id),
                f"Order #{order_id} waits in the queue again.",
                released_orders,
            )

        dialog = UndoDialog(
            "Undo a release",
            "Released orders on this computer. Undoing restores the order's status and puts its "
            "units back in the queue (and in sellable stock).",
            build_released_view(),
            "Undo selected release…",
            release_question,
            act,
            self.parent_widget,
        )
        self._show("undo", dialog)
        self._read("released orders", released_orders, dialog.set_rows)  # type: ignore[attr-defined]

    def receipts(self, shipment_id: str | None = None) -> None:
        def read(cache: Cache) -> Any:
            return receipts(cache, shipment_id)

        def act(row: Any) -> None:
            self._act_then_reload(
                "reverse receipt",
                lambda s: reverse_receipt_booking(s.cache, row.receipt_id),
                f"Receipt on {row.reference} reversed.",
                read,
            )

        dialog = UndoDialog(
            "Reverse a receipt",
            "Receipts booked on this computer. Reversing one sets BigCommerce's stock back with a "
            "compensating adjustment; undo the releases it led to first.",
            build_receipts_view(),
            "Reverse selected receipt…",
            receipt_question,
            act,
            self.parent_widget,
        )
        self._show("receipts", dialog)
        self._read("receipts", read, dialog.set_rows)

    def _act_then_reload(
        self,
        name: str,
        work: Callable[[StoreSession], Any],
        success: str,
        reread: Callable[[Cache], Any],
    ) -> None:
        dialog = self.dialogs.get("undo" if name == "undo release" else "receipts")
        assert isinstance(dialog, UndoDialog)

        def done(_: Any) -> None:
            self._read(name, reread, lambda rows: dialog.done_with(success, rows))

        self.controller.run_action(
            name, work, on_success=done, on_error=lambda exc: dialog.done_with(describe_error(exc))
        )
