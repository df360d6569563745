"""Who a notice round goes to: the recipients list, excluding and including, and what Send sends."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...domain.notice_log import KIND_LABELS
from ...domain.notices import DueNotice
from ..formatting import format_date
from ..records_view import QuickFilter, RecordsView
from ..table_model import Column, RecordsTableModel
from ..theme import colours


@dataclass(frozen=True)
class Recipient:
    notice: DueNotice
    excluded: bool = False

    @property
    def key(self) -> tuple[int, str]:
        return self.notice.key


def _recipients_view() -> RecordsView:
    columns = [
        Column("send", "Send", lambda r: not r.excluded, lambda r: "excluded" if r.excluded else "yes"),
        Column("order", "Order", lambda r: r.notice.order_id,
               lambda r: ", ".join(f"#{o}" for o in r.notice.order_ids), numeric=True),
        Column("kind", "Notice", lambda r: KIND_LABELS.get(r.notice.kind, r.notice.kind)),
        Column("customer", "Customer", lambda r: r.notice.customer_name),
        Column("email", "Email", lambda r: r.notice.email),
        Column("eta", "ETA", lambda r: r.notice.eta,
               lambda r: format_date(r.notice.eta) or "unknown"),
        Column("old", "Was", lambda r: r.notice.old_eta, lambda r: format_date(r.notice.old_eta)),
    ]  # fmt: skip
    model = RecordsTableModel(
        columns,
        row_key=lambda r: r.key,
        row_colour=lambda r: colours().muted if r.excluded else None,
    )
    quick = [QuickFilter(kind_label, lambda r, k=kind: r.notice.kind == k)
             for kind, kind_label in KIND_LABELS.items()]  # fmt: skip
    view = RecordsView("Recipients", model, [*quick, QuickFilter("Excluded", lambda r: r.excluded)])
    view.fit_columns([60, 70, 150, 160, 200, 95, 95])
    return view


class RecipientsPane(QWidget):
    """The due notices as a list with Exclude / Include selected; `changed` when what Send
    sends may differ (a row excluded, a search or a filter)."""

    changed = Signal()

    def __init__(self, due: Iterable[DueNotice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recipients = {n.key: Recipient(n) for n in due}
        self.view = _recipients_view()
        self.view.set_rows(list(self.recipients.values()))
        self.exclude_button = QPushButton(self.tr("Exclude selected"), self)
        self.exclude_button.setAccessibleName(self.tr("Exclude selected recipients"))
        self.include_button = QPushButton(self.tr("Include selected"), self)
        self.include_button.setAccessibleName(self.tr("Include selected recipients"))
        self.exclude_button.clicked.connect(lambda: self.set_excluded(self._selected_keys(), True))
        self.include_button.clicked.connect(lambda: self.set_excluded(self._selected_keys(), False))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        row = QHBoxLayout()
        row.addWidget(self.exclude_button)
        row.addWidget(self.include_button)
        row.addStretch(1)
        layout.addLayout(row)
        for signal in (
            self.view.proxy.modelReset,
            self.view.proxy.layoutChanged,
            self.view.proxy.rowsInserted,
            self.view.proxy.rowsRemoved,
        ):
            signal.connect(lambda *_: self.changed.emit())

    def _selected_keys(self) -> list[tuple[int, str]]:
        return [tuple(k) for k in self.view.selected_keys()]  # type: ignore[misc]

    def current(self) -> Recipient | None:
        rows = self.view.selected_rows()
        return rows[0] if rows else None

    def set_excluded(self, keys: list[tuple[int, str]], excluded: bool) -> None:
        for key in keys:
            if key in self.recipients:
                self.recipients[key] = Recipient(self.recipients[key].notice, excluded)
        self.view.set_rows(list(self.recipients.values()))
        self.changed.emit()

    def excluded_keys(self) -> frozenset[tuple[int, str]]:
        return frozenset(k for k, r in self.recipients.items() if r.excluded)

    def filtered(self) -> bool:
        return self.view.proxy.rowCount() < self.view.model.rowCount()

    def included(self) -> list[DueNotice]:
        """What Send sends: the rows the list shows (a search or quick filter narrows it), less
        the excluded ones."""
        shown = self.view.visible_rows() if self.filtered() else self.recipients.values()
        return [r.notice for r in shown if not r.excluded]
