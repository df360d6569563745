"""A tab: an action bar above a records table, acting through the store controller."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..records_view import RecordsView
from ..store_controller import StoreController


class TabPanel(QWidget):
    """Subclasses add their buttons with `add_action_button` and act via `self.controller`."""

    def __init__(
        self, controller: StoreController, view: RecordsView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.view = view
        self.actions_bar = QHBoxLayout()
        self.actions_bar.setContentsMargins(6, 6, 6, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self.actions_bar)
        layout.addWidget(view)

    def add_action_button(self, text: str, tooltip: str = "") -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        if tooltip:
            button.setToolTip(tooltip)
        self.actions_bar.addWidget(button)
        return button

    def finish_actions_bar(self) -> None:
        """Call after the last button: pushes them to the left."""
        self.actions_bar.addStretch(1)
