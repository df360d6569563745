"""Changes another laptop overtook: both versions side by side; keep mine or take theirs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.conflicts import ConflictRow
from ..formatting import format_datetime
from ..records_view import RecordsView
from ..table_model import Column, RecordsTableModel
from ..theme import colours


def build_conflicts_view() -> RecordsView:
    columns = [
        Column("change", "Change", lambda r: r.row_id, numeric=True),
        Column("record", "Record", lambda r: r.record),
        Column("was", "Read here", lambda r: r.item.base),
        Column("theirs", "Other laptop (in BigCommerce)", lambda r: r.item.theirs),
        Column("mine", "This laptop", lambda r: r.item.mine),
        Column("when", "Changed", lambda r: r.item.theirs_modified or "", lambda r: _when(r)),
    ]
    model = RecordsTableModel(
        columns, row_key=lambda r: r.key, row_colour=lambda r: colours().failed
    )
    view = RecordsView("Conflicts", model, [])
    view.fit_columns([60, 260, 160, 220, 160, 140])
    return view


def _when(row: ConflictRow) -> str:
    return format_datetime(row.changed_at) if row.changed_at is not None else ""


class ConflictsDialog(QDialog):
    """Keep mine / take theirs act on the changes of the selected rows (off the GUI thread)."""

    def __init__(
        self,
        keep_mine: Callable[[list[int]], None],
        take_theirs: Callable[[list[int]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Conflicts"))
        self.view = build_conflicts_view()
        intro = QLabel(
            self.tr(
                "Another laptop changed these records in BigCommerce after this laptop read "
                "them, so this laptop's changes were held back rather than written over theirs. "
                "Choose which version to keep."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.mine_button = QPushButton(self.tr("Keep this laptop's"), self)
        self.mine_button.setAccessibleName(self.tr("Keep this laptop's version"))
        self.theirs_button = QPushButton(self.tr("Take the other laptop's"), self)
        self.theirs_button.setAccessibleName(self.tr("Take the other laptop's version"))
        self.mine_button.clicked.connect(lambda: keep_mine(self._selected_changes()))
        self.theirs_button.clicked.connect(lambda: take_theirs(self._selected_changes()))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(self.tr("Close"))
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.mine_button)
        buttons.addWidget(self.theirs_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.resize(1000, 380)

    def _selected_changes(self) -> list[int]:
        return sorted({int(str(k).split(":")[0]) for k in self.view.selected_keys()})

    def set_rows(self, rows: list[ConflictRow] | Any) -> None:
        self.view.set_rows(list(rows))
