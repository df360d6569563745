"""Window test helpers: shell, sync, mail sink, dialogs, accessible names (fixtures: conftest)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QWidget,
)

from backorder_desktop.app import build_shell
from backorder_desktop.services.context import AppContext
from backorder_desktop.services.logs import setup_logging
from backorder_desktop.services.settings import Settings, StoreEntry
from backorder_desktop.ui.shell import AppShell

SYNC_TIMEOUT_MS = 60_000
DIALOG_TIMEOUT_MS = 30_000


def make_shell(data_dir: Path) -> AppShell:
    data_dir.mkdir(parents=True, exist_ok=True)
    log_file = setup_logging(data_dir / "logs")
    context = AppContext(data_dir, data_dir, Settings(), log_file=log_file)
    return build_shell(context, interactive=False)


def open_and_sync(qtbot: Any, shell: AppShell, store: Any, label: str = "Test store") -> StoreEntry:
    """Connect the shell to `store` and wait until the first sync's rows are on screen."""
    entry = StoreEntry(store.store_hash, store.api_url, label)
    shell.settings.add_store(entry)
    shell.window.set_stores(shell.settings.stores, entry.store_hash)
    shell.controller.last_rows = None
    with qtbot.waitSignal(shell.controller.sync_finished, timeout=SYNC_TIMEOUT_MS):
        shell.controller.open_store(entry, store.token)
    wait_rows(qtbot, shell)
    return entry


def wait_rows(qtbot: Any, shell: AppShell) -> None:
    qtbot.waitUntil(
        lambda: (
            shell.controller.last_rows is not None
            and not shell.controller.syncing
            and shell.window.products.model.rowCount() > 0
        ),
        timeout=SYNC_TIMEOUT_MS,
    )


def rows_shown_after(
    qtbot: Any, shell: AppShell, action: Any, timeout: int = SYNC_TIMEOUT_MS
) -> str:
    """Run `action` and wait until the rows it leads to are on screen, whether every row was
    re-read ("loaded") or only the rows it changed ("patched"); returns which."""
    seen: list[str] = []
    loaded = lambda _rows: seen.append("loaded")  # noqa: E731
    patched = lambda _rows: seen.append("patched")  # noqa: E731
    shell.controller.rows_loaded.connect(loaded)
    shell.controller.rows_patched.connect(patched)
    try:
        action()
        qtbot.waitUntil(lambda: bool(seen), timeout=timeout)
    finally:
        shell.controller.rows_loaded.disconnect(loaded)
        shell.controller.rows_patched.disconnect(patched)
    return seen[0]


def use_mail_sink(shell: AppShell, sink: Any, **settings: Any) -> None:
    """Mail goes to `sink` (plain SMTP on 127.0.0.1) from orders@shop.example; `settings` adds
    or overrides other settings."""
    shell.settings = replace(
        shell.settings,
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        smtp_security="none",
        mail_from="orders@shop.example",
        **settings,
    )
    shell.controller.apply_settings(shell.settings)


def shipments_dialog(
    qtbot: Any, shell: AppShell, name: str, timeout: int = DIALOG_TIMEOUT_MS
) -> Any:
    """The Supplier shipments tab's dialog `name` ("receive", "release", …), once it is open."""
    actions = shell.window.shipments_panel.actions
    qtbot.waitUntil(lambda: name in actions.dialogs, timeout=timeout)
    return actions.dialogs[name]


def unnamed_controls(widget: QWidget) -> list[str]:
    """Controls shown in `widget` that a screen reader could not name (no accessible name);
    Qt's own internals (scroll areas, …) aside."""
    kinds = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox)
    return [
        f"{type(child).__name__} {child.objectName()!r} {getattr(child, 'text', lambda: '')()!r}"
        for child in widget.findChildren(QWidget)
        if isinstance(child, kinds)
        and child.isVisibleTo(widget)
        and not child.accessibleName()
        and not child.objectName().startswith("qt_")
    ]
