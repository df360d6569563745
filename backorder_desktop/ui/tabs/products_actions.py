"""The Products tab's action bar: bulk actions, CSV import/export, undo and history."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ...domain.bulk import VariantEdit
from ...domain.models import Location
from ...services.bulk.bulk_csv import CsvCheck, check_csv, export_csv, export_rows
from ...services.bulk.bulk_edit import BulkRequest, history, last_undoable, undo_request
from ...services.bulk.bulk_snapshot import location_id_for
from ...services.sync_control.session import StoreSession
from ...services.views import ProductRow
from ..dialogs.bulk_action import (
    CLEAR_ETA,
    DISABLE,
    ENABLE,
    MESSAGE,
    SET_ETA,
    TITLES,
    BulkActionDialog,
)
from ..dialogs.bulk_history import HistoryDialog
from ..dialogs.csv_report import CsvReportDialog
from ..plain_text import PlainLabel, message_box
from ..rows_reader import LoadedRows
from ..widgets import in_documents
from .products_flow import BulkFlow

if TYPE_CHECKING:
    from .products import ProductsPanel

NATIVE_TEXT = "Native backorders"
PREORDER_TEXT = "Pre-order mode: this store has no native backorders"


class ProductsActions(QObject):
    """Owns the buttons and dialogs of the tab; the dialogs stay reachable for tests."""

    def __init__(self, panel: ProductsPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.controller = panel.controller
        self.flow = BulkFlow(self.controller, panel)
        self.flow.finished.connect(lambda _result: self._refresh_history())
        self.locations: list[Location] = []
        self.native = True
        self.action_dialog: BulkActionDialog | None = None
        self.history_dialog: HistoryDialog | None = None
        self.csv_dialog: CsvReportDialog | None = None
        self.message_box: QMessageBox | None = None

        add = panel.add_action_button
        self.buttons = {
            ENABLE: add(panel.tr("Enable backorders…"), panel.tr("Allow selling past zero stock")),
            DISABLE: add(panel.tr("Disable backorders…"), panel.tr("Stop selling past zero")),
            SET_ETA: add(panel.tr("Set ETA…"), panel.tr("Set the expected ship date")),
            CLEAR_ETA: add(panel.tr("Clear ETA…"), panel.tr("Remove the manual ETA")),
            MESSAGE: add(panel.tr("Message…"), panel.tr("Storefront message from a template")),
        }
        for action, button in self.buttons.items():
            button.clicked.connect(lambda _=False, a=action: self.open_action(a))
        self.undo_button = add(panel.tr("Undo"), panel.tr("Undo the last bulk change"))
        self.undo_button.setAccessibleName(panel.tr("Undo last bulk change"))
        self.undo_button.clicked.connect(self.undo_last)
        self.history_button = add(panel.tr("History…"), panel.tr("Earlier bulk changes; undo"))
        self.history_button.clicked.connect(self.show_history)
        self.import_button = add(panel.tr("Import CSV…"), panel.tr("sku, limit, eta, message"))
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.export_button = add(panel.tr("Export CSV…"), panel.tr("Rows in this filter"))
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.fix_button = add(
            panel.tr("Fix storefront text"),
            panel.tr("Make the selected products' storefront texts agree with their backorders"),
        )
        self.fix_button.clicked.connect(self.fix_storefront)
        self.fix_button.setEnabled(False)
        panel.view.selection_changed.connect(self._update_fix_button)
        panel.finish_actions_bar()
        self.mode_label = PlainLabel(panel.tr(NATIVE_TEXT), panel)
        self.mode_label.setAccessibleName(panel.tr("Backorder mode"))
        panel.actions_bar.addWidget(self.mode_label)
        self.controller.rows_loaded.connect(self._on_controller_rows_loaded)

    # --- state from the controller --------------------------------------------------------
    def _on_controller_rows_loaded(self, loaded: LoadedRows) -> None:
        self.native = bool(getattr(loaded.data, "native_backorders", True))
        self.mode_label.setText(self.panel.tr(NATIVE_TEXT if self.native else PREORDER_TEXT))
        self.mode_label.setToolTip(
            self.panel.tr(
                "Limits are set per inventory location (BigCommerce native backorders)."
                if self.native
                else "Enabling backorders puts the product on pre-order; the release date and "
                "message go to the product's pre-order fields."
            )
        )
        session = self.controller.session
        if session is not None:
            self.controller.runner.run(
                "locations",
                lambda **_: session.cache.locations.all(),
                on_success=self._set_locations,
            )

    def _set_locations(self, locations: list[Location]) -> None:
        self.locations = list(locations)

    def default_location_id(self) -> int | None:
        preferred = self.controller.settings.default_location_id
        if preferred is not None and any(loc.id == preferred for loc in self.locations):
            return preferred
        default = next((loc for loc in self.locations if loc.is_default), None)
        return default.id if default else (self.locations[0].id if self.locations else None)

    def _location_label(self, location_id: int | None) -> str:
        loc = next((x for x in self.locations if x.id == location_id), None)
        return loc.label if loc else ""

    # --- storefront flags (issue 14) ----------------------------------------------------------
    def _flagged_selection(self) -> list[ProductRow]:
        return [r for r in self.panel.view.selected_rows() if r.flags]

    def _update_fix_button(self) -> None:
        self.fix_button.setEnabled(bool(self._flagged_selection()) and not self.flow.busy)

    def fix_storefront(self) -> None:
        """One click: each selected product's flagged texts get the fix shown in its tooltip."""
        rows = self._flagged_selection()
        if not rows:
            self.controller.message_posted.emit("Select a row whose storefront text is flagged.")
            return
        edits: dict[int, VariantEdit] = {}
        fixes: dict[int, dict[str, Any]] = {}
        for row in rows:
            if row.product_id in fixes:
                continue
            edits[row.variant_id] = VariantEdit()  # nothing on the variant: its product's texts
            fixes[row.product_id] = {k: v for f in row.flags for k, v in f.fix.items()}
        count = len(fixes)
        self.flow.apply(
            BulkRequest(
                edits,
                location_id=self.default_location_id(),
                product_edits=fixes,
                summary=f"Storefront text fixed for {count} product{'s' if count != 1 else ''}",
            )
        )

    # --- bulk actions -----------------------------------------------------------------------
    def open_action(self, action: str) -> None:
        view = self.panel.view
        selected, in_filter = view.selected_rows(), view.visible_rows()
        if not selected and not in_filter:
            self.controller.message_posted.emit("There are no rows to change.")
            return
        dialog = BulkActionDialog(
            action,
            selected=len(selected),
            in_filter=len(in_filter),
            locations=self.locations,
            location_id=self.default_location_id(),
            native=self.native,
            parent=self.panel,
        )
        self.action_dialog = dialog

        def accepted() -> None:
            rows = view.visible_rows() if dialog.use_filter() else view.selected_rows()
            edit = dialog.edit()
            location = dialog.location_id() if self.native else None
            self.preview_rows(TITLES[action], rows, edit, location)

        dialog.accepted.connect(accepted)
        dialog.open()

    def preview_rows(
        self, title: str, rows: list[ProductRow], edit: VariantEdit, location: int | None
    ) -> None:
        edits = {row.variant_id: edit for row in rows}
        self.flow.preview(
            title,
            lambda _session: BulkRequest(edits, location_id=location),
            self._location_label(location),
        )

    def apply_single(self, row: ProductRow, edit: VariantEdit, summary: str) -> None:
        request = BulkRequest(
            {row.variant_id: edit}, location_id=self.default_location_id(), summary=summary
        )
        self.flow.apply(request)

    # --- undo and history -------------------------------------------------------------------
    def undo_last(self) -> None:
        session = self.controller.session
        if session is None:
            return

        def build(s: StoreSession) -> BulkRequest:
            entry = last_undoable(s.cache)
            if entry is None:
                raise ValueError("There is no bulk change to undo.")
            return undo_request(s.cache, entry.batch_id)

        self.flow.preview("Undo last bulk change", build)

    def undo(self, batch_id: str) -> None:
        self.flow.preview("Undo", lambda s: undo_request(s.cache, batch_id))

    def show_history(self) -> None:
        dialog = HistoryDialog(self.panel)
        dialog.undo_requested.connect(self.undo)
        self.history_dialog = dialog
        self._refresh_history()
        dialog.open()

    def _refresh_history(self) -> None:
        session, dialog = self.controller.session, self.history_dialog
        if session is None or dialog is None:
            return
        self.controller.runner.run(
            "history", lambda **_: history(session.cache), on_success=dialog.set_entries
        )

    # --- CSV ----------------------------------------------------------------------------------
    def _on_import_button_clicked(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self.panel,
            self.panel.tr("Import backorder CSV"),
            in_documents(),
            "CSV (*.csv);;All files (*)",
        )
        if chosen:
            self.import_csv_file(Path(chosen))

    def import_csv_file(self, path: Path) -> None:
        """Check the file off the GUI thread and show the report; nothing is applied yet."""
        session = self.controller.session
        if session is None:
            return

        def work(**_: Any) -> CsvCheck:
            return check_csv(session.cache, path.read_bytes())

        self.controller.runner.run(
            "check CSV",
            work,
            on_success=lambda check: self._show_csv_report(path.name, check),
            on_error=self._on_csv_failed,
        )

    def _on_csv_failed(self, _exc: BaseException, message: str) -> None:
        text = f"Nothing was imported. {message}"
        self.controller.message_posted.emit(text)
        # The reason quotes the file (its header, cells): plain text, never links or images.
        box = message_box(self.panel, QMessageBox.Icon.Warning, self.panel.tr("Import CSV"), text)
        box.setAccessibleName(self.panel.tr("Import problem"))
        self.message_box = box
        box.open()

    def _show_csv_report(self, name: str, check: CsvCheck) -> None:
        dialog = CsvReportDialog(
            name, check, self.locations, self.default_location_id(), self.native, self.panel
        )
        self.csv_dialog = dialog

        def go() -> None:
            location = dialog.location_id() if self.native else None
            edits = dict(check.edits)
            self.flow.preview(
                f"Import {name}",
                lambda _s: BulkRequest(edits, location_id=location, summary=f"CSV import {name}"),
                self._location_label(location),
            )

        dialog.preview_requested.connect(go)
        dialog.open()

    def _on_export_button_clicked(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self.panel,
            self.panel.tr("Export backorder CSV"),
            in_documents("backorders.csv"),
            "CSV (*.csv)",
        )
        if chosen:
            self.export_csv_file(Path(chosen))

    def export_csv_file(self, path: Path) -> None:
        """The rows in the current filter, re-importable (limits at the default location)."""
        session = self.controller.session
        if session is None:
            return
        ids = [row.variant_id for row in self.panel.view.visible_rows()]
        preferred = self.default_location_id()

        def work(**_: Any) -> int:
            location = location_id_for(session.cache, preferred)
            return export_csv(path, export_rows(session.cache, ids, location))

        self.controller.runner.run(
            "export CSV",
            work,
            on_success=lambda n: self.controller.message_posted.emit(
                f"Exported {n:,} rows to {path}"
            ),
            on_error=lambda _exc, message: self.controller.message_posted.emit(
                f"Export failed: {message}"
            ),
        )
