"""The Supplier shipments tab's purchase order actions: make and send (or save) a PO, and
enter the date the supplier confirmed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from ..cache import Cache
from ..domain.purchase_orders import PurchaseOrder, po_filename
from ..mail.errors import MailError
from ..services.dock.purchase_orders import (
    PoDraft,
    confirm_supplier_date,
    draft_purchase_order,
    merchant_of,
    preview_confirm,
    preview_purchase_order,
    save_purchase_order,
    save_supplier_details,
    send_purchase_order,
)
from ..services.notices.eta_preview import describe_moves
from ..services.notices.mail_setup import smtp_config
from ..services.sync_control.session import StoreSession
from .dialogs.dock_common import run_read, save_for
from .dialogs.purchase_order import PurchaseOrderDialog
from .dialogs.shipment_date import SupplierConfirmedDialog
from .po_print import render_po_pdf
from .store_controller import StoreController, describe_error
from .widgets import in_documents

ChooseFile = Callable[[str], str]  # suggested path -> chosen path ("" when cancelled)


class PurchaseOrderActions(QObject):
    """The dialog it has open stays reachable in `dialogs` (tests drive it from there)."""

    def __init__(self, controller: StoreController, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.parent_widget = parent
        self.dialogs: dict[str, QDialog] = {}
        self.choose_file: ChooseFile = self._ask_file  # tests swap the file dialog out

    def _ask_file(self, suggested: str) -> str:
        chosen, _ = QFileDialog.getSaveFileName(
            self.parent_widget, "Save purchase order", suggested, "PDF (*.pdf)"
        )
        return chosen

    def _show(self, name: str, dialog: QDialog) -> None:
        old = self.dialogs.get(name)
        if old is not None:
            old.close()
        self.dialogs[name] = dialog
        dialog.finished.connect(lambda _=0, n=name, d=dialog: self._forget(n, d))
        dialog.show()

    def _forget(self, name: str, dialog: QDialog) -> None:
        if self.dialogs.get(name) is dialog:
            del self.dialogs[name]
        dialog.deleteLater()

    def _sink(self) -> tuple[str, int] | None:
        entry = self.controller.entry
        return self.controller.mail_sink if entry is not None and entry.demo else None

    # --- the purchase order ----------------------------------------------------------------------
    def purchase_order(self, shipment_id: str) -> None:
        today = datetime.now(UTC).date()
        settings = self.controller.settings
        config = smtp_config(settings, sink=self._sink(), with_password=False)
        merchant = merchant_of(config, settings.shop_contact)
        run_read(
            self.controller,
            "purchase order",
            lambda cache: draft_purchase_order(cache, shipment_id, merchant, today=today),
            lambda draft: self._open(draft, today),
            self.controller.message_posted.emit,
        )

    def _open(self, draft: PoDraft, today: Any) -> None:
        dialog = PurchaseOrderDialog(draft, today, self.parent_widget)
        shipment_id, supplier_id = draft.shipment.id, draft.supplier.id

        def preview(order: PurchaseOrder) -> None:
            def read(cache: Cache) -> str:
                return describe_moves(
                    preview_purchase_order(cache, shipment_id, order, today=today)
                )

            run_read(
                self.controller, "po preview", read, dialog.show_moves, dialog.show_moves,
                owner=dialog,
            )  # fmt: skip

        def details(s: StoreSession, codes: dict[str, str], email: str | None) -> None:
            with s.cache.transaction():
                save_supplier_details(s.cache, supplier_id, email=email, codes=codes)

        def issue(name: str, work: Callable[[StoreSession], Any], *, busy: str, done: str) -> None:
            """Send or save the order: the dialog says `busy`, then `done` or what went wrong."""
            dialog.busy(busy)
            self.controller.run_action(
                name,
                work,
                on_success=lambda _: dialog.finished_with(done),
                on_error=lambda exc: dialog.show_error(describe_error(exc)),
            )

        def send(order: PurchaseOrder, codes: dict[str, str], email: str) -> None:
            settings, sink = self.controller.settings, self._sink()
            try:
                smtp_config(settings, sink=sink, with_password=False).check()
            except MailError as exc:
                dialog.show_error(f"{exc.message} (Mail settings), or save the PDF instead.")
                return

            def work(s: StoreSession) -> Any:
                config = smtp_config(settings, sink=sink)  # the keychain: not on the GUI thread
                details(s, codes, email)
                pdf = render_po_pdf(order)
                return send_purchase_order(s.cache, shipment_id, order, pdf, config, today=today)

            issue(
                "send purchase order",
                work,
                busy=f"Sending {order.number} to {email}…",
                done=f"Sent {order.number} to {email} with {po_filename(order)} attached. The "
                "shipment is Ordered; enter the supplier's confirmed date when it comes.",
            )

        def save(order: PurchaseOrder, codes: dict[str, str], email: str) -> None:
            chosen = self.choose_file(in_documents(po_filename(order)))
            if not chosen:
                return
            path = Path(chosen)

            def work(s: StoreSession) -> Any:
                details(s, codes, email or None)
                pdf = render_po_pdf(order)
                return save_purchase_order(s.cache, shipment_id, order, pdf, path, today=today)

            issue(
                "save purchase order",
                work,
                busy=f"Saving {path.name}…",
                done=f"Saved to {path}. The shipment is Ordered; send the file to the supplier "
                "and enter their confirmed date when it comes.",
            )

        dialog.preview_requested.connect(preview)
        dialog.send_requested.connect(send)
        dialog.save_requested.connect(save)
        self._show("purchase order", dialog)
        preview(dialog.order())

    # --- the supplier's confirmed date -----------------------------------------------------------
    def supplier_confirmed(
        self, shipment_id: str, reference: str, supplier: str, expected: Any
    ) -> None:
        today = datetime.now(UTC).date()
        dialog = SupplierConfirmedDialog(reference, supplier, expected, today, self.parent_widget)

        def preview(confirmed: Any) -> None:
            def read(cache: Cache) -> str:
                return describe_moves(preview_confirm(cache, shipment_id, confirmed, today=today))

            run_read(
                self.controller, "confirm preview", read, dialog.show_moves, dialog.show_error,
                owner=dialog,
            )  # fmt: skip

        def save(confirmed: Any) -> None:
            save_for(
                self.controller,
                dialog,
                "supplier confirmed date",
                lambda s: confirm_supplier_date(s.cache, shipment_id, confirmed, today=today),
            )

        dialog.preview_requested.connect(preview)
        dialog.save_requested.connect(save)
        self._show("supplier confirmed", dialog)
        dialog.refresh()
