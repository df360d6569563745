"""A tab: an action bar above a records table, acting through the store controller."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ..overflow_bar import OverflowBar
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
        self.actions_bar = OverflowBar(self)
        self.actions_bar.setContentsMargins(6, 6, 6, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.actions_bar)
        layout.addWidget(view)
        self.legend = QLabel(self)
        self.legend.setAccessibleName(self.tr("Row colours"))
        self.legend.setContentsMargins(8, 0, 8, 4)
        self.legend.setVisible(False)
        self._legend_items: Sequence[tuple[Callable[[], QColor], str]] = ()
        layout.addWidget(self.legend)

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

    def set_legend(self, items: Sequence[tuple[Callable[[], QColor], str]]) -> None:
        """What each row colour means, under the table: (colour of the current palette, words)."""
        self._legend_items = items
        self.legend.setVisible(bool(items))
        self._draw_legend()

    def _draw_legend(self) -> None:
        parts = [
            f'<span style="color:{colour().name()}">■ {text}</span>'
            for colour, text in self._legend_items
        ]
        self.legend.setText(self.tr("Row colours: ") + " &nbsp; ".join(parts))
        self.legend.setToolTip("\n".join(f"{text}" for _colour, text in self._legend_items))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._draw_legend()  # light/dark switch: the colours follow
