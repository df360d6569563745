"""A second window on the same data dir: say so, and bring the running one to the front.

The running window watches a file in the data dir (`instance.raise`); a second instance writes
to it. QtCore's file watcher, so no network module joins the bundle, and only someone who can
write the user's private data dir can ring.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from .plain_text import message_box

BELL_FILE = "instance.raise"
_NO_WINDOW_MANAGER = ("offscreen", "minimal")  # raising there only prints a Qt warning


def _bell(data_dir: Path) -> Path:
    return data_dir / BELL_FILE


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)


class InstanceServer(QObject):
    """Watches the data dir's bell; `raise_requested` when a second instance rings it."""

    raise_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = _bell(data_dir)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_watcher_file_changed)

    def listen(self) -> bool:
        _write_private(self.path, "")
        return self._watcher.addPath(str(self.path))

    def close(self) -> None:
        paths = self._watcher.files()
        if paths:
            self._watcher.removePaths(paths)

    def _on_watcher_file_changed(self, path: str) -> None:
        # A file replaced rather than rewritten drops out of the watch: watch it again.
        if path not in self._watcher.files() and Path(path).exists():
            self._watcher.addPath(path)
        try:
            rung = Path(path).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return
        if rung:
            self.raise_requested.emit()


def ask_running_instance_to_raise(data_dir: Path) -> bool:
    """Ring the running window's bell; False when there is none to ring."""
    path = _bell(data_dir)
    if not path.exists():
        return False
    try:
        _write_private(path, f"{os.getpid()} {time.time()}\n")
    except OSError:
        return False
    return True


def bring_to_front(window: QWidget) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    if QGuiApplication.platformName() not in _NO_WINDOW_MANAGER:
        window.raise_()
        window.activateWindow()


def already_running_dialog(data_dir: str, parent: QWidget | None = None) -> QMessageBox:
    """Told, not asked to choose a data dir: "Bring it to front" or "Close"."""
    box = message_box(
        parent,
        QMessageBox.Icon.Information,
        "Backorder Desktop is already running",
        "Backorder Desktop is already open for this data folder.",
        QMessageBox.StandardButton.NoButton,
        informative=f"{data_dir}\n\nOnly one window can use a data folder at a time, so that no "
        "change is sent twice. Switch to the open window instead.",
    )
    box.setAccessibleName("Backorder Desktop is already running")
    front = box.addButton("Bring it to front", QMessageBox.ButtonRole.AcceptRole)
    front.setAccessibleName("Bring the running window to the front")
    close = box.addButton(QMessageBox.StandardButton.Close)
    close.setAccessibleName("Close")
    box.setDefaultButton(front)
    return box
