"""A dialog of one table and buttons that act on its selected rows (outbox, conflicts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..records_view import RecordsView
from ..widgets import fit_to_screen, named_buttons

# (button text, accessible name, action taking the ids `selected_ids` returns)
Action = tuple[str, str, Callable[[list[int]], None]]


class SelectionActionsDialog(QDialog):
    """Each action gets the ids of the selected rows; subclasses say how keys map to ids."""

    def __init__(
        self,
        title: str,
        intro: str,
        view: RecordsView,
        actions: Sequence[Action],
        *,
        height: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.view = view
        label = PlainLabel(intro, self)
        label.setWordWrap(True)
        buttons = QHBoxLayout()
        self.action_buttons: list[QPushButton] = []
        for text, accessible, act in actions:
            button = QPushButton(text, self)
            button.setAccessibleName(accessible)
            # Enter in the table must not settle a conflict or discard a change.
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, act=act: act(self.selected_ids()))
            buttons.addWidget(button)
            self.action_buttons.append(button)
        close = named_buttons(self, QDialogButtonBox.StandardButton.Close)
        self.close_button = close.button(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(view)
        layout.addLayout(buttons)
        view.table.setFocus()
        keyboard_friendly(self)
        fit_to_screen(self, 1000, height)

    def selected_ids(self) -> list[int]:
        return [int(k) for k in self.view.selected_keys()]

    def set_rows(self, rows: Any) -> None:
        self.view.set_rows(list(rows))
