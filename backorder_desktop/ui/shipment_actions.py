"""What the Supplier shipments tab (and the backorders tab) do: open dialogs, run the writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from ..cache import Cache
from ..domain.eta import SHIPMENT
from ..services.dock.dock import dock_context
from ..services.dock.dock_actions import undo_release
from ..services.dock.eta_choices import choose_supplier, set_expected_date
from ..services.dock.receipts import receipts, reverse_receipt_booking
from ..services.dock.releasing import ready_orders, released_orders
from ..services.dock.shipment_rows import supplier_scorecards
from ..services.dock.shipments import (
    close_shipment,
    find_shipment,
    list_suppliers,
    save_drafts,
    save_shipment,
    save_supplier,
    waiting_by_supplier,
)
from ..services.notices.eta_preview import describe_moves, preview_close
from ..services.sync_control.session import StoreSession
from .dialogs.dock_common import ask, run_read, save_for
from .dialogs.receiving import ReceivingDialog
from .dialogs.release import ReleaseDialog
from .dialogs.shipment_date import NewDateDialog
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
        self.drafts_made: list[Any] = []  # the last "order what is waiting" drafts
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
        dialog = ShipmentDialog(
            suppliers, shipment, lines=lines, names=self._sku_names(), parent=self.parent_widget
        )

        def save(record: Any) -> None:
            choose = dialog.use_for_skus.isChecked()

            def write(s: StoreSession) -> Any:
                with s.cache.transaction():
                    saved = save_shipment(s.cache, record)
                    if choose:  # the merchant's explicit choice, never a side effect (issue 14)
                        choose_supplier(s.cache, [x.sku for x in saved.lines], saved.supplier_id)
                return saved

            save_for(self.controller, dialog, "save shipment", write)

        def supplier_saved(supplier: Any) -> None:
            self._read("suppliers", list_suppliers, lambda s: dialog.set_suppliers(s, supplier.id))

        dialog.save_requested.connect(save)
        dialog.new_supplier_requested.connect(lambda: self.edit_supplier(None, supplier_saved))
        self._show("shipment", dialog)

    def _sku_names(self) -> dict[str, str]:
        """SKU -> "product (options)" from the rows on screen (no read needed)."""
        rows = self.controller.last_rows
        return {
            r.sku: f"{r.product_name} ({r.options})" if r.options else r.product_name
            for r in (rows.products if rows is not None else [])
            if r.sku
        }

    def new_date(self, shipment_id: str, reference: str, expected: Any, outstanding: int) -> None:
        """Ask for an overdue shipment's new expected date (issue 14)."""
        today = datetime.now(UTC).date()
        dialog = NewDateDialog(reference, expected, today, outstanding, self.parent_widget)

        def save(new: Any) -> None:
            save_for(
                self.controller,
                dialog,
                "new expected date",
                lambda s: set_expected_date(s.cache, shipment_id, new, today=today),
            )

        dialog.save_requested.connect(save)
        self._show("new date", dialog)

    def close_shipment(self, shipment_id: str, reference: str, outstanding: int = 0) -> None:
        """Say what closing takes away and preview whose ETA it moves (and the delays it makes
        due), then ask."""

        def decide(moves: Any) -> None:
            question = f"{self.close_question(reference, outstanding)}\n\n{describe_moves(moves)}"
            if self.confirm("Close shipment", question):
                self.controller.run_action(
                    "close shipment", lambda s: close_shipment(s.cache, shipment_id)
                )

        self._read("close preview", lambda c: preview_close(c, shipment_id), decide)

    def close_question(self, reference: str, outstanding: int) -> str:
        """What closing takes away: the units still to come and the customers whose ETA they
        carry (from the rows on screen)."""
        rows = self.controller.last_rows
        lines = [
            r.line
            for r in (rows.backorders if rows is not None else [])
            if r.line.eta_source == SHIPMENT and r.line.eta_ref == reference
        ]
        customers = len({line.customer_email.casefold() for line in lines})
        units = sum(line.qty_waiting for line in lines)
        text = (
            f"Close {reference}? Its {outstanding} unit(s) still to come will not come: they "
            "stop counting towards ETAs."
        )
        if customers:
            text += (
                f" {customers} customer(s) waiting for {units} unit(s) get their ETA from it: "
                "their ETA moves to a later shipment or becomes unknown, and delay notices "
                "become due."
            )
        else:
            text += " No waiting customer's ETA comes from it."
        return text

    def order_waiting(self, line_ids: list[int] | None) -> None:
        """What customers wait for (less what is inbound): one draft shipment per supplier of
        the SKUs; SKUs no supplier has shipped yet open in a new shipment to choose one."""

        def read(cache: Cache) -> tuple[dict[str, Any], dict[str, str]]:
            groups = waiting_by_supplier(cache, line_ids=line_ids)
            return groups, {s.id: s.name for s in list_suppliers(cache)}

        def made(drafts: list[Any], names: dict[str, str]) -> None:
            self.drafts_made = drafts
            self.controller.message_posted.emit(
                f"{len(drafts)} draft shipment(s) made, one per supplier: "
                + "; ".join(
                    f"{names.get(d.supplier_id, d.supplier_id)} ({len(d.lines)} SKU(s), "
                    f"{d.units_expected} units)"
                    for d in drafts
                )
                + ". They are in Supplier shipments (Draft): check them and mark them Ordered."
            )

        def split(got: tuple[dict[str, Any], dict[str, str]]) -> None:
            groups, names = got
            if not groups:
                self.controller.message_posted.emit(
                    "Nothing to order: inbound shipments already cover what is waiting."
                )
                return
            known = {k: v for k, v in groups.items() if k}
            if known:
                self.controller.run_action(
                    "order drafts",
                    lambda s: save_drafts(s.cache, known),
                    on_success=lambda drafts: made(drafts, names),
                )
            if groups.get(""):
                self.new_shipment(tuple(groups[""]))

        self._read("waiting lines", read, split)

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
                f"Order #{order_id} is ready to release again (its units stay reserved).",
                released_orders,
            )

        dialog = UndoDialog(
            "Undo a release",
            "Released orders on this computer. Undoing restores the order's status; its units "
            "stay reserved for it and it is ready to release again.",
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
            "Receipts booked on every laptop of the store. Reversing one booked here sets "
            "BigCommerce's stock back with a compensating adjustment; undo the releases it led "
            "to first.",
            build_receipts_view(),
            "Reverse selected receipt…",
            receipt_question,
            act,
            self.parent_widget,
            refusal=lambda row: row.refusal(),
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
