"""Changes another laptop overtook: both versions side by side; keep mine or take theirs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ...services.conflicts import ConflictRow
from ..formatting import format_datetime
from ..records_view import RecordsView
from ..table_model import Column, RecordsTableModel
from ..theme import colours
from .selection_actions import SelectionActionsDialog


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
