"""Composition root of the window: builds the object graph and runs the Qt event loop."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from .cache.private_files import UnsafePathError
from .cli.connection import data_dir_of
from .services.instance import AlreadyRunning, DataDirLock
from .services.logs import setup_logging
from .services.paths import ensure_private_dir, log_dir
from .services.settings import load_settings, settings_dir
from .ui.checks import run_smoke_test, take_screenshot
from .ui.plain_text import warn
from .ui.shell import AppShell
from .ui.single_instance import (
    InstanceServer,
    already_running_dialog,
    ask_running_instance_to_raise,
    bring_to_front,
)


def resource_path(name: str) -> Path:
    """Files from `resources/`, in a source checkout or a PyInstaller bundle."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base / "resources" / name


def run_gui(args: argparse.Namespace) -> int:
    headless = bool(args.screenshot or args.smoke_test)
    if headless and not os.environ.get("DISPLAY") and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Backorder Desktop")
    app.setOrganizationName("Backorder Desktop")
    app.setWindowIcon(QIcon(str(resource_path("icon.svg"))))

    try:
        data_dir = ensure_private_dir(data_dir_of(args))
        lock = DataDirLock(data_dir)
        if not lock.acquire():
            return _already_running(data_dir, lock, headless=headless)
        folder = settings_dir(Path(args.data_dir) if args.data_dir else None)
        settings, warning = load_settings(folder)
    except UnsafePathError as exc:  # another user's folder, one others can write to, a link
        sys.stderr.write(f"Error: {exc}\n")
        if not headless:
            warn(None, "Backorder Desktop cannot use this folder", str(exc))
        return 1
    server = InstanceServer(data_dir)
    server.listen()
    log_file = setup_logging(log_dir(data_dir))

    shell = AppShell(data_dir, folder, settings, log_file, interactive=not headless)
    server.raise_requested.connect(lambda: bring_to_front(shell.window))
    shell.install_excepthook()
    if warning:
        shell.window.show_error(warning)
    if args.screenshot:
        shell.window.resize(1280, 800)  # screenshots are the same size whatever was saved
        take_screenshot(shell, Path(args.screenshot), args.tab)
    elif args.tab:
        shell.window.show_tab(args.tab)
    if args.smoke_test:
        run_smoke_test(shell)
    shell.start(demo=bool(args.demo or args.smoke_test))
    try:
        return app.exec()
    finally:
        shell.stop()
        server.close()
        lock.release()


def _already_running(data_dir: Path, lock: DataDirLock, *, headless: bool) -> int:
    """A second window on this data dir: say so and offer to bring the open one forward."""
    message = str(AlreadyRunning(data_dir, lock.holder_pid()))
    if headless:
        sys.stderr.write(message + "\n")
        return 1
    box = already_running_dialog(str(data_dir))
    box.exec()
    if box.clickedButton() is box.defaultButton():
        ask_running_instance_to_raise(data_dir)
    return 0
