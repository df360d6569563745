"""Small pieces the shipment, receiving and release dialogs share (off-thread reads, buttons)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import shiboken6
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from ...cache import Cache
from ...services.errors import describe_error
from ...services.sync_control.session import StoreSession
from .. import plain_text
from ..store_controller import StoreController
from ..tasks import Task

Confirm = Callable[[str, str], bool]


class SavingDialog(Protocol):
    """A dialog that asked its owner to save: closed once saved, or told why not."""

    def saved(self) -> None: ...

    def show_error(self, message: str) -> None: ...


def save_for(
    controller: StoreController,
    dialog: SavingDialog,
    name: str,
    work: Callable[[StoreSession], Any],
) -> None:
    """Run the write `work(session)` a dialog asked for: it closes once the write is done, or
    stays open showing why it was refused."""
    controller.run_action(
        name,
        work,
        on_success=lambda _: dialog.saved(),
        on_error=lambda exc: dialog.show_error(describe_error(exc)),
    )


def run_read(
    controller: StoreController,
    name: str,
    read: Callable[[Cache], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None] | None = None,
    *,
    owner: QWidget | None = None,
) -> Task | None:
    """Read from the cache on a worker thread; `on_done(result)` runs on the GUI thread.
    With `owner`, the callbacks are skipped once that widget is gone (a dialog closed while
    its read ran: its labels no longer exist)."""
    if owner is not None:
        on_done = _while_alive(owner, on_done)
        on_error = None if on_error is None else _while_alive(owner, on_error)
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


def _while_alive(owner: QWidget, callback: Callable[[Any], None]) -> Callable[[Any], None]:
    def call(value: Any) -> None:
        if shiboken6.isValid(owner):
            callback(value)

    return call


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
