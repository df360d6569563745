"""Composition root of the window: builds the object graph and runs the Qt event loop."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from .cache.private_files import UnsafePathError
from .services.context import AppContext, open_context
from .services.instance import AlreadyRunning, DataDirLock
from .services.logs import setup_logging
from .services.paths import ensure_private_dir, log_dir
from .ui.checks import run_smoke_test, take_screenshot
from .ui.plain_text import warn
from .ui.runtime_policy import RuntimePolicy
from .ui.shell import AppShell
from .ui.single_instance import (
    InstanceServer,
    already_running_dialog,
    ask_running_instance_to_raise,
    bring_to_front,
)
from .ui.store_controller import StoreController
from .ui.tasks import TaskRunner


def resource_path(name: str) -> Path:
    """Files from `resources/`, in a source checkout or a PyInstaller bundle."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base / "resources" / name


def build_shell(context: AppContext, *, interactive: bool = True) -> AppShell:
    """The window's object graph: one collector and thread policy, one task runner, one store
    controller, the shell around them, all sharing the one context (data dir, settings folder,
    live settings)."""
    policy = RuntimePolicy()
    policy.apply()
    runner = TaskRunner(policy=policy)
    controller = StoreController(runner, context)
    return AppShell(context, runner, controller, interactive=interactive)


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
        # The same resolution as every headless command; logging once the lock is ours.
        context = open_context(args, with_logging=False)
        data_dir = ensure_private_dir(context.data_dir)
        lock = DataDirLock(data_dir)
        if not lock.acquire():
            return _already_running(data_dir, lock, headless=headless)
    except UnsafePathError as exc:  # another user's folder, one others can write to, a link
        sys.stderr.write(f"Error: {exc}\n")
        if not headless:
            warn(None, "Backorder Desktop cannot use this folder", str(exc))
        return 1
    server = InstanceServer(data_dir)
    server.listen()
    context.log_file = setup_logging(log_dir(data_dir))

    shell = build_shell(context, interactive=not headless)
    server.raise_requested.connect(lambda: bring_to_front(shell.window))
    shell.install_excepthook()
    if context.settings_warning:
        shell.window.show_error(context.settings_warning)
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
