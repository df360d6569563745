"""The history of bulk edits: what was applied when, how its push went, and undo."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QVBoxLayout, QWidget

from ...services.bulk.bulk_edit import HistoryEntry
from ..formatting import format_datetime, format_int
from ..keyboard import keyboard_friendly, layout_order
from ..plain_text import PlainLabel
from ..records_view import QuickFilter, RecordsView
from ..table_model import Column, RecordsTableModel
from ..theme import colours


def _status(entry: HistoryEntry) -> str:
    if entry.undone_by:
        return "undone"
    return entry.state


def build_history_view() -> RecordsView:
    columns = [
        Column(
            "when",
            "When",
            lambda e: e.created_at,
            lambda e: (
                format_datetime(e.created_at) + " " + e.created_at.astimezone().strftime("%H:%M")
            ),
        ),
        Column("summary", "Change", lambda e: e.summary),
        Column(
            "variants",
            "Variants",
            lambda e: e.variants,
            lambda e: format_int(e.variants),
            numeric=True,
        ),
        Column(
            "products",
            "Products",
            lambda e: e.products,
            lambda e: format_int(e.products),
            numeric=True,
        ),
        Column("requests", "Requests", lambda e: e.requests, numeric=True),
        Column("state", "State", _status),
    ]
    model = RecordsTableModel(
        columns,
        row_key=lambda e: e.batch_id,
        row_colour=lambda e: (
            colours().failed if e.state == "failed" else colours().muted if e.undone_by else None
        ),
    )
    quick = [QuickFilter("Not undone", lambda e: e.undone_by is None)]
    view = RecordsView("Bulk change history", model, quick)
    view.fit_columns([130, 420, 70, 70, 70, 90])
    return view


class HistoryDialog(QDialog):
    """`undo_requested(batch_id)` for the selected entry; the caller previews and applies it."""

    undo_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Bulk change history"))
        intro = PlainLabel(
            self.tr(
                "Every bulk change, newest first. Undo puts back the exact values it replaced "
                "(after a preview), through a new change."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.view = build_history_view()
        self.undo_button = QPushButton(self.tr("Undo selected…"), self)
        self.undo_button.setAccessibleName(self.tr("Undo selected change"))
        self.undo_button.setAutoDefault(False)  # Enter in the list must not start an undo
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        keyboard_friendly(self)
        # It opened on "Undo selected…" (first made, so first in the chain): start at the top.
        layout_order(self)[0].setFocus()
        self.resize(900, 420)

    def set_entries(self, entries: list[HistoryEntry]) -> None:
        self.view.set_rows(entries)

    def _on_undo_button_clicked(self) -> None:
        keys = self.view.selected_keys()
        if keys:
            self.undo_requested.emit(str(keys[0]))
