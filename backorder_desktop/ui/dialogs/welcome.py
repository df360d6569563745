"""First start: connect a real store or try the demo store."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout, QWidget

from ..plain_text import PlainLabel


class WelcomeDialog(QDialog):
    CONNECT = 1
    DEMO = 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Welcome to Backorder Desktop"))
        self.choice = 0
        title = PlainLabel(self.tr("Welcome to Backorder Desktop"), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        text = PlainLabel(
            self.tr(
                "See who is waiting for what, set backorder limits and ETAs in bulk, tell "
                "customers honestly, and release orders when your supplier delivers."
            ),
            self,
        )
        text.setWordWrap(True)
        connect = QPushButton(self.tr("Connect your store"), self)
        connect.setAccessibleName(self.tr("Connect your store"))
        connect.setDefault(True)
        demo = QPushButton(self.tr("Try the demo store"), self)
        demo.setAccessibleName(self.tr("Try the demo store"))
        connect.clicked.connect(lambda: self._choose(self.CONNECT))
        demo.clicked.connect(lambda: self._choose(self.DEMO))
        layout = QVBoxLayout(self)
        layout.addWidget(title, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(text)
        layout.addSpacing(12)
        layout.addWidget(connect)
        layout.addWidget(demo)
        self.setMinimumWidth(420)

    def _choose(self, choice: int) -> None:
        self.choice = choice
        self.accept()
