"""Changes another laptop overtook: both versions side by side; keep mine or take theirs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ...services.sync_control.change_words import value_words
from ...services.sync_control.conflicts import ConflictRow
from ..records_view import RecordsView
from ..table_model import Column, RecordsTableModel
from ..theme import colours
from .selection_actions import SelectionActionsDialog


def build_conflicts_view() -> RecordsView:
    columns = [
        Column("record", "Record", lambda r: r.record),
        Column(
            "theirs",
            "Other laptop (in BigCommerce)",
            lambda r: r.item.theirs,
            lambda r: value_words(r.item.theirs, (r.item.mine,)),
        ),
        Column(
            "mine",
            "This laptop",
            lambda r: r.item.mine,
            lambda r: value_words(r.item.mine, (r.item.theirs,)),
        ),
        Column("when", "Other laptop changed it", lambda r: r.item.theirs_modified or "", _when),
        Column(
            "was",
            "Read here before",
            lambda r: r.item.base,
            lambda r: value_words(r.item.base, (r.item.mine,)),
        ),
        Column("change", "Change #", lambda r: r.row_id, numeric=True, hidden_by_default=True),
    ]
    model = RecordsTableModel(
        columns, row_key=lambda r: r.key, row_colour=lambda r: colours().failed
    )
    view = RecordsView("Conflicts", model, [])
    view.fit_columns([200, 230, 230, 150, 200, 60])
    return view


def _when(row: ConflictRow) -> str:
    if row.changed_at is None:
        return ""
    return row.changed_at.astimezone().strftime("%Y-%m-%d %H:%M")


class OvertakenWritesDialog(SelectionActionsDialog):
    """Keep mine / take theirs act on the changes of the selected rows (off the GUI thread)."""

    def __init__(
        self,
        keep_mine: Callable[[list[int]], None],
        take_theirs: Callable[[list[int]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            self.tr("Conflicts"),
            self.tr(
                "Another laptop changed these records in BigCommerce after this laptop read "
                "them, so this laptop's changes were held back rather than written over theirs. "
                "Choose which version to keep."
            ),
            build_conflicts_view(),
            [
                (self.tr("Keep this laptop's"), self.tr("Keep this laptop's version"), keep_mine),
                (
                    self.tr("Take the other laptop's"),
                    self.tr("Take the other laptop's version"),
                    take_theirs,
                ),
            ],
            height=380,
            parent=parent,
        )
        self.mine_button, self.theirs_button = self.action_buttons

    def selected_ids(self) -> list[int]:
        # A row key is "<outbox change id>:<item>": one change may hold several records.
        return sorted({int(str(k).split(":")[0]) for k in self.view.selected_keys()})
