"""Small pieces the shipment, receiving and release dialogs share (off-thread reads, buttons)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from ...cache import Cache
from .. import plain_text
from ..store_controller import StoreController
from ..tasks import Task

Confirm = Callable[[str, str], bool]


def run_read(
    controller: StoreController,
    name: str,
    read: Callable[[Cache], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None] | None = None,
) -> Task | None:
    """Read from the cache on a worker thread; `on_done(result)` runs on the GUI thread."""
    session = controller.session
    if session is None:
        if on_error is not None:
            on_error("Connect a store first.")
        return None

    return controller.runner.run(
        name,
        lambda progress, cancelled: read(session.cache),
        on_success=on_done,
        on_error=None if on_error is None else lambda _exc, message: on_error(message),
    )


def button(parent: QWidget, text: str, accessible: str | None = None) -> QPushButton:
    """A push button that Enter in a text field never triggers (the scanner ends with Enter)."""
    widget = QPushButton(text, parent)
    widget.setAutoDefault(False)
    widget.setDefault(False)
    widget.setAccessibleName(accessible or text.replace("&", "").rstrip("…").strip())
    return widget


def ask(parent: QWidget) -> Confirm:
    """A yes/no question box (tests swap the dialog's `confirm` for a stub)."""

    def confirm(title: str, text: str) -> bool:
        return plain_text.ask(parent, title, text) == QMessageBox.StandardButton.Yes

    return confirm


def large_type(widget: QWidget, points: int = 15) -> None:
    font = widget.font()
    font.setPointSize(max(font.pointSize(), points))
    widget.setFont(font)
