"""Colours used sparingly for states, readable in light and dark palettes."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication, QPalette


@dataclass(frozen=True)
class StateColours:
    failed: QColor
    warning: QColor
    ok: QColor
    muted: QColor


def is_dark() -> bool:
    palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def colours() -> StateColours:
    if is_dark():
        return StateColours(
            QColor("#ff8a80"), QColor("#ffd180"), QColor("#b9f6ca"), QColor("#9e9e9e")
        )
    return StateColours(QColor("#b00020"), QColor("#a15c00"), QColor("#1b5e20"), QColor("#6b6b6b"))
