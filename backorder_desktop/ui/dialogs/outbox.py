"""The outbox view: changes waiting for BigCommerce, failures with BigCommerce's own message."""

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

from ...services.outbox_view import OutboxEntry
from ..formatting import format_datetime
from ..records_view import QuickFilter, RecordsView
from ..table_model import Column, RecordsTableModel
from ..theme import colours


def build_outbox_view() -> RecordsView:
    columns = [
        Column("id", "#", lambda e: e.id, numeric=True),
        Column("state", "State", lambda e: e.state),
        Column("kind", "Change", lambda e: e.kind),
        Column("request", "Request", lambda e: e.summary),
        Column("attempts", "Attempts", lambda e: e.attempts, numeric=True),
        Column(
            "created", "Queued", lambda e: e.created_at, lambda e: format_datetime(e.created_at)
        ),
        Column("message", "BigCommerce says", lambda e: e.message),
    ]
    model = RecordsTableModel(
        columns,
        row_key=lambda e: e.id,
        row_colour=lambda e: colours().failed if e.state == "failed" else None,
    )
    view = RecordsView("Outbox", model, [QuickFilter("Failed", lambda e: e.state == "failed")])
    view.fit_columns([50, 70, 140, 280, 70, 100, 300])
    return view


class OutboxDialog(QDialog):
    """Retry and discard act on the selected rows through callbacks run off the GUI thread."""

    def __init__(
        self,
        retry: Callable[[list[int]], None],
        discard: Callable[[list[int]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Outbox"))
        self.view = build_outbox_view()
        intro = QLabel(
            self.tr(
                "Changes wait here until BigCommerce accepts them. Failed ones show BigCommerce's "
                "reason: fix the cause and retry, or discard the change."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.retry_button = QPushButton(self.tr("Retry selected"), self)
        self.retry_button.setAccessibleName(self.tr("Retry selected"))
        self.discard_button = QPushButton(self.tr("Discard selected"), self)
        self.discard_button.setAccessibleName(self.tr("Discard selected"))
        self.retry_button.clicked.connect(lambda: retry(self._selected_ids()))
        self.discard_button.clicked.connect(lambda: discard(self._selected_ids()))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(self.tr("Close"))
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.resize(1000, 420)

    def _selected_ids(self) -> list[int]:
        return [int(k) for k in self.view.selected_keys()]

    def set_entries(self, entries: list[OutboxEntry] | Any) -> None:
        self.view.set_rows(list(entries))
