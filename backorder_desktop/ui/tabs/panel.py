"""A tab: an action bar above a records table, acting through the store controller."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..overflow_bar import OverflowBar
from ..plain_text import PlainLabel
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
        # Plain labels, each in its colour (store text never goes here, but labels stay plain).
        self.legend = QWidget(self)
        self.legend.setAccessibleName(self.tr("Row colours"))
        legend_row = QHBoxLayout(self.legend)
        legend_row.setContentsMargins(8, 0, 8, 4)
        legend_row.addWidget(PlainLabel(self.tr("Row colours:"), self.legend))
        self._legend_labels: list[PlainLabel] = []
        self._legend_row = legend_row
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
        for label in self._legend_labels:
            label.deleteLater()
        self._legend_labels = [PlainLabel(f"■ {text}", self.legend) for _colour, text in items]
        for label in self._legend_labels:
            self._legend_row.addWidget(label)
        self._legend_row.addStretch(1)
        self.legend.setVisible(bool(items))
        self._draw_legend()

    def legend_text(self) -> str:
        return "  ".join(label.text() for label in self._legend_labels)

    def _draw_legend(self) -> None:
        for label, (colour, _text) in zip(self._legend_labels, self._legend_items, strict=False):
            label.setStyleSheet(f"color: {colour().name()}")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._draw_legend()  # light/dark switch: the colours follow
