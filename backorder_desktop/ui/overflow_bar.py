"""A row of action buttons that never clips one: what does not fit goes into a "More" menu."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLayout, QMenu, QPushButton, QToolButton, QWidget


class OverflowBar(QWidget):
    """Buttons left to right; at a narrow width the last ones move into "More ▾" (whole, in a
    menu) instead of being squeezed until "Enable backorders" and "Disable backorders" both
    read "ble backorde" (issue 18). Widgets after `add_stretch` stay on the right, always."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buttons: list[QPushButton] = []
        self._wanted: dict[QPushButton, bool] = {}  # shown, as far as the app is concerned
        self._trailing: list[QWidget] = []
        self._stretched = False
        self._arranging = False
        self.overflow: list[QPushButton] = []
        self.more = QToolButton(self)
        self.more.setText(self.tr("More"))
        self.more.setAccessibleName(self.tr("More actions"))
        self.more.setToolTip(self.tr("Actions that do not fit the window's width"))
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.more)
        self.menu.aboutToShow.connect(self._fill_menu)
        self.more.setMenu(self.menu)
        self.more.setVisible(False)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        # The bar may be narrower than all its buttons: `arrange` then moves some into "More".
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._layout.addWidget(self.more)
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.arrange)

    # --- building (the subset of QHBoxLayout the tabs use) ---------------------------------
    def addWidget(self, widget: QWidget) -> None:
        if self._stretched or not isinstance(widget, QPushButton):
            self._trailing.append(widget)
            self._layout.addWidget(widget)
        else:
            self._buttons.append(widget)
            self._wanted[widget] = not widget.isHidden()
            widget.installEventFilter(self)
            self._layout.insertWidget(self._layout.indexOf(self.more), widget)
        self._later.start()

    def addStretch(self, factor: int = 0) -> None:
        self._stretched = True
        self._layout.addStretch(factor)

    def offers(self, button: QPushButton) -> bool:
        """Whether the button is offered: on the bar or in the More menu."""
        return self._wanted.get(button, False)

    # --- arranging --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not self._arranging and isinstance(watched, QPushButton):
            if kind in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
                self._wanted[watched] = kind == QEvent.Type.ShowToParent
                self._later.start()
            elif kind in (QEvent.Type.FontChange, QEvent.Type.LayoutRequest):
                self._later.start()
        return False

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        trailing = sum(w.sizeHint().width() for w in self._trailing if not w.isHidden())
        width = self.more.sizeHint().width() + trailing + margins.left() + margins.right()
        return QSize(width, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrange()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.arrange()

    def arrange(self) -> None:
        """Show the wanted buttons that fit; the rest wait in the More menu."""
        spacing = self._layout.spacing()
        margins = self.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        room -= sum(w.sizeHint().width() + spacing for w in self._trailing if not w.isHidden())
        room -= 8  # a little air before the trailing widgets
        wanted = [b for b in self._buttons if self._wanted.get(b, True)]
        total = sum(b.sizeHint().width() + spacing for b in wanted)
        fits: list[QPushButton] = wanted
        self.overflow = []
        if total > room:
            room -= self.more.sizeHint().width() + spacing
            used, fits = 0, []
            for n, button in enumerate(wanted):
                used += button.sizeHint().width() + spacing
                if used > room:
                    self.overflow = wanted[n:]
                    break
                fits.append(button)
        self._arranging = True
        try:
            for button in self._buttons:
                button.setVisible(button in fits)
            self.more.setVisible(bool(self.overflow))
        finally:
            self._arranging = False

    def _fill_menu(self) -> None:
        self.menu.clear()
        for button in self.overflow:
            action = self.menu.addAction(button.text())
            action.setEnabled(button.isEnabled())
            action.setToolTip(button.toolTip())
            action.triggered.connect(lambda _=False, b=button: b.click())
