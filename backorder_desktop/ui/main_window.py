"""The main window: four tabs over the cache, a toolbar, menus, and the status line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QToolBar,
    QWidget,
)

from .. import __version__
from ..services.settings import StoreEntry
from ..services.views import ViewRows
from .plain_text import PlainLabel
from .records_view import RecordsView
from .rows_reader import LoadedRows, PatchedRows
from .status_line import StatusLine
from .store_controller import StoreController
from .tabs.backorders import BackordersPanel
from .tabs.insights import InsightsPanel
from .tabs.panel import TabPanel
from .tabs.products import ProductsPanel
from .tabs.shipments import ShipmentsPanel

TAB_NAMES = ("products", "backorders", "shipments", "insights")


class MainWindow(QMainWindow):
    connect_requested = Signal()
    store_switch_requested = Signal(str)
    settings_requested = Signal()
    outbox_requested = Signal()
    conflicts_requested = Signal()  # changes another laptop overtook (issue 7)
    store_check_requested = Signal()  # Help > Check store connection… (issue 17)
    forget_requested = Signal()  # File > Forget this store: token, mail password, cache

    def __init__(
        self, controller: StoreController, log_folder: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.log_folder = log_folder
        self.setWindowTitle("Backorder Desktop")
        self.setAccessibleName(self.tr("Backorder Desktop main window"))

        self.products_panel = ProductsPanel(controller)
        self.backorders_panel = BackordersPanel(controller)
        self.shipments_panel = ShipmentsPanel(controller)
        self.insights_panel = InsightsPanel()
        self.insights_panel.filter_requested.connect(self.show_filtered)
        self.products = self.products_panel.view
        self.backorders = self.backorders_panel.view
        self.shipments = self.shipments_panel.view
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Tabs"))
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.products_panel, self.tr("Products"))
        self.tabs.addTab(self.backorders_panel, self.tr("Open backorders"))
        self.tabs.addTab(self.shipments_panel, self.tr("Supplier shipments"))
        self.tabs.addTab(self.insights_panel, self.tr("Insights"))
        self.setCentralWidget(self.tabs)

        self._build_toolbar()
        self._build_menus()
        self.status_line = StatusLine(self, controller, self.sync_button, self.cancel_button)
        self.status_line.outbox_button.clicked.connect(self.outbox_requested.emit)
        # The status bar's parts, as tests and the shell know them.
        self.connection_label = self.status_line.connection_label
        self.sync_label = self.status_line.sync_label
        self.progress = self.status_line.progress
        self.outbox_button = self.status_line.outbox_button

        controller.store_opened.connect(self._on_controller_store_opened)
        controller.rows_loaded.connect(self._on_controller_rows_loaded)
        controller.rows_patched.connect(self._on_controller_rows_patched)
        controller.insights_updated.connect(self.insights_panel.set_report)
        for name, view in self.views().items():
            controller.preparers[name] = view.model.prepare
            controller.patch_preparers[name] = view.model.prepare_patch
        controller.message_posted.connect(self.show_error)
        controller.action_succeeded.connect(lambda _name: self.clear_error())
        self.resize(1280, 780)

    # --- building -----------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Main"), self)
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        self.store_box = QComboBox(self)
        self.store_box.setAccessibleName(self.tr("Store"))
        self.store_box.setMinimumWidth(180)
        self.store_box.activated.connect(self._on_store_box_activated)
        bar.addWidget(PlainLabel(self.tr(" Store: "), self))
        bar.addWidget(self.store_box)
        bar.addSeparator()
        self.sync_button = QPushButton(self.tr("Sync now"), self)
        self.sync_button.setAccessibleName(self.tr("Sync now"))
        self.sync_button.setToolTip(self.tr("Fetch the latest from BigCommerce (F5)"))
        self.sync_button.clicked.connect(lambda: self.controller.refresh())
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setAccessibleName(self.tr("Cancel sync"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.controller.cancel_sync)
        bar.addWidget(self.sync_button)
        bar.addWidget(self.cancel_button)
        self.addToolBar(bar)

    def _action(self, text: str, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.addAction(self._action(self.tr("Connect a store…"), self.connect_requested.emit))
        self.switch_menu = file_menu.addMenu(self.tr("Switch store"))
        file_menu.addAction(
            self._action(
                self.tr("Settings…"),
                self.settings_requested.emit,
                QKeySequence.StandardKey.Preferences,
            )
        )
        file_menu.addAction(
            self._action(self.tr("Mail settings…"), self.backorders_panel.open_mail_settings)
        )
        file_menu.addAction(
            self._action(self.tr("Notice templates…"), self.backorders_panel.open_templates)
        )
        file_menu.addSeparator()
        file_menu.addAction(
            self._action(self.tr("Export view as CSV…"), self.export_current, "Ctrl+E")
        )
        file_menu.addSeparator()
        file_menu.addAction(self._action(self.tr("Forget this store…"), self.forget_requested.emit))
        file_menu.addSeparator()
        file_menu.addAction(
            self._action(self.tr("Quit"), self.close, QKeySequence.StandardKey.Quit)
        )

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        view_menu.addAction(
            self._action(self.tr("Sync now"), lambda: self.controller.refresh(), "F5")
        )
        view_menu.addAction(
            self._action(
                self.tr("Full sync"), lambda: self.controller.refresh(full=True), "Shift+F5"
            )
        )
        view_menu.addAction(
            self._action(self.tr("Cancel sync"), self.controller.cancel_sync, "Esc")
        )
        view_menu.addAction(
            self._action(self.tr("Find"), self.focus_search, QKeySequence.StandardKey.Find)
        )
        view_menu.addAction(self._action(self.tr("Outbox…"), self.outbox_requested.emit))
        view_menu.addAction(self._action(self.tr("Conflicts…"), self.conflicts_requested.emit))
        view_menu.addSeparator()
        for n, name in enumerate(
            (
                self.tr("Products"),
                self.tr("Open backorders"),
                self.tr("Supplier shipments"),
                self.tr("Insights"),
            )
        ):
            view_menu.addAction(
                self._action(
                    name, lambda _=False, n=n: self.tabs.setCurrentIndex(n), f"Ctrl+{n + 1}"
                )
            )

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(
            self._action(self.tr("Check store connection…"), self.store_check_requested.emit)
        )
        help_menu.addAction(self._action(self.tr("Open log folder"), self.open_log_folder))
        help_menu.addAction(self._action(self.tr("About Backorder Desktop"), self.show_about))

    # --- public -------------------------------------------------------------------------------
    def views(self) -> dict[str, RecordsView]:
        return {
            "products": self.products,
            "backorders": self.backorders,
            "shipments": self.shipments,
        }

    def current_view(self) -> RecordsView | None:
        widget = self.tabs.currentWidget()
        return widget.view if isinstance(widget, TabPanel) else None  # Insights has no table

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(TAB_NAMES.index(name))

    def show_filtered(self, tab: str, label: str, predicate: Any) -> None:
        """Open `tab` showing only the rows `predicate` accepts (a click in Insights)."""
        self.views()[tab].show_filtered(label, predicate)
        self.show_tab(tab)

    def set_stores(self, stores: list[StoreEntry], current: str | None) -> None:
        self.store_box.clear()
        self.switch_menu.clear()
        for entry in stores:
            label = entry.label or entry.store_hash
            self.store_box.addItem(label, entry.store_hash)
            action = self.switch_menu.addAction(label)
            action.triggered.connect(
                lambda _=False, h=entry.store_hash: self.store_switch_requested.emit(h)
            )
        index = self.store_box.findData(current)
        if index >= 0:
            self.store_box.setCurrentIndex(index)

    def focus_search(self) -> None:
        view = self.current_view()
        if view is None:
            return
        view.search.setFocus()
        view.search.selectAll()

    def export_current(self) -> None:
        view = self.current_view()
        path = view.export_csv() if view else self.insights_panel.export_csv()
        if path:
            self.statusBar().showMessage(self.tr("Exported to {0}").format(path), 8000)

    def open_log_folder(self) -> None:
        self.log_folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_folder)))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Backorder Desktop"),
            self.tr("Backorder Desktop {0}\nThe backorder back office for BigCommerce.").format(
                __version__
            ),
        )

    def show_error(self, message: str) -> None:
        self.status_line.show_message(message)

    def clear_error(self) -> None:
        """A write went through: an error shown before it no longer holds."""
        self.status_line.clear_message()

    def set_outbox_counts(self, pending: int, failed: int) -> None:
        self.status_line.set_outbox_counts(pending, failed)

    # --- controller slots ---------------------------------------------------------------------
    def _on_store_box_activated(self, index: int) -> None:
        store_hash = self.store_box.itemData(index)
        if store_hash and (
            self.controller.entry is None or store_hash != self.controller.entry.store_hash
        ):
            self.store_switch_requested.emit(store_hash)

    def _on_controller_store_opened(self, entry: StoreEntry) -> None:
        label = entry.label or entry.store_hash
        self.setWindowTitle(f"{label} — Backorder Desktop")
        self.status_line.store_opened(label)
        for view in self.views().values():
            self.controller.runner.policy.release_later(*view.set_rows([]))

    def _on_controller_rows_loaded(self, loaded: LoadedRows) -> None:
        rows = loaded.data
        release = self.controller.runner.policy.release_later
        for name, view in self.views().items():
            release(*view.set_rows(loaded.prepared.get(name, getattr(rows, name))))
        self._show_status(rows)

    def _on_controller_rows_patched(self, patched: PatchedRows) -> None:
        """A change re-read only its rows: patch them in."""
        for name, view in self.views().items():
            prepared = patched.prepared.get(name)
            if prepared is not None:
                view.patch_rows(prepared)
        self._show_status(patched.data)

    def _show_status(self, rows: ViewRows) -> None:
        self.insights_panel.set_report(rows.insights)
        self.show_due_badge(len(rows.notices.due) if rows.notices is not None else 0)
        self.status_line.show_rows_status(rows)

    def show_due_badge(self, due: int) -> None:
        """ "Open backorders · 3 due": notices wait for a click on Notify (the window never
        sends by itself); the nightly job, when on, sends them unattended."""
        index = self.tabs.indexOf(self.backorders_panel)
        title = self.tr("Open backorders")
        if due:
            title += " · " + self.tr("{0} due").format(due)
        self.tabs.setTabText(index, title)
        at = self.controller.settings.nightly_at
        if not due:
            tip = ""
        elif at:
            tip = self.tr(
                "{0} customer notices are due: Notify customers… sends them now, or the "
                "nightly job at {1}."
            ).format(due, at)
        else:
            tip = self.tr(
                "{0} customer notices are due: Notify customers… previews and sends them."
            ).format(due)
        self.tabs.setTabToolTip(index, tip)

    # --- window state -------------------------------------------------------------------------
    def restore_state(self, settings: QSettings) -> None:
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        for view in self.views().values():
            view.restore_state(settings)
        index = settings.value("window/tab")
        if index is not None:
            self.tabs.setCurrentIndex(int(index))

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/tab", self.tabs.currentIndex())
        for view in self.views().values():
            view.save_state(settings)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.close_store()
        super().closeEvent(event)
