"""The outbox view: changes waiting for BigCommerce, failures with BigCommerce's own message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from ...services.sync_control.outbox_view import OutboxEntry
from ..formatting import format_datetime
from ..records_view import QuickFilter, RecordsView
from ..table_model import Column, RecordsTableModel
from ..theme import colours
from .selection_actions import SelectionActionsDialog


def build_outbox_view() -> RecordsView:
    columns = [
        Column("id", "#", lambda e: e.id, numeric=True),
        Column("state", "State", lambda e: e.state),
        Column("request", "Change", lambda e: e.summary),
        Column("attempts", "Attempts", lambda e: e.attempts, numeric=True),
        Column(
            "created", "Queued", lambda e: e.created_at, lambda e: format_datetime(e.created_at)
        ),
        Column("message", "BigCommerce says", lambda e: e.message),
    ]
    model = RecordsTableModel(
        columns,
        row_key=lambda e: e.id,
        row_colour=lambda e: colours().failed if e.state in ("failed", "uncertain") else None,
    )
    view = RecordsView(
        "Outbox",
        model,
        [
            QuickFilter("Failed", lambda e: e.state == "failed"),
            QuickFilter("Uncertain", lambda e: e.state == "uncertain"),
        ],
    )
    view.fit_columns([50, 70, 360, 70, 100, 300])
    return view


class OutboxDialog(SelectionActionsDialog):
    """Retry and discard act on the selected rows through callbacks run off the GUI thread."""

    def __init__(
        self,
        retry: Callable[[list[int]], None],
        discard: Callable[[list[int]], None],
        applied: Callable[[list[int]], None] | None = None,
        apply_again: Callable[[list[int]], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        # Uncertain stock changes: the message shows the figures before and now; staff say
        # which it was, in one click.
        uncertain = [
            (self.tr("It was applied"), self.tr("It was applied"), applied or discard),
            (self.tr("Apply it"), self.tr("Apply it"), apply_again or retry),
        ]
        super().__init__(
            self.tr("Outbox"),
            self.tr(
                "Changes wait here until BigCommerce accepts them. Failed ones show BigCommerce's "
                "reason: fix the cause and retry, or discard the change. An uncertain stock "
                "change lost its answer while a sale touched the same item: check the figures "
                "shown and say whether it was applied."
            ),
            build_outbox_view(),
            [
                (self.tr("Retry selected"), self.tr("Retry selected"), retry),
                (self.tr("Discard selected"), self.tr("Discard selected"), discard),
                *uncertain,
            ],
            height=420,
            parent=parent,
        )
        (self.retry_button, self.discard_button, self.applied_button, self.apply_button) = (
            self.action_buttons
        )

    def set_entries(self, entries: list[OutboxEntry] | Any) -> None:
        self.set_rows(entries)
