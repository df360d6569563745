"""Headless runs of the window: --screenshot PATH and --smoke-test, both after the first sync."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from ..services.credentials import (
    keychain_backend_name,
    keychain_usable,
    platform_backend_available,
)
from .shell import AppShell

TIMEOUT_MS = 120_000


class AfterFirstSync(QObject):
    """Calls `action` once the first sync has ended and the tabs show its rows."""

    def __init__(self, shell: AppShell, action: Any) -> None:
        super().__init__(shell)
        self._shell = shell
        self._action = action
        self._synced = False
        self._done = False
        controller = shell.controller
        controller.sync_finished.connect(self._on_sync_ended)
        controller.sync_failed.connect(self._on_sync_ended)
        controller.rows_loaded.connect(self._on_rows_loaded)
        QTimer.singleShot(TIMEOUT_MS, self._on_timeout)

    def _on_sync_ended(self, *_: Any) -> None:
        if not self._synced:
            self._synced = True
            self._shell.controller.reload_rows()

    def _on_rows_loaded(self, _rows: Any) -> None:
        if self._synced and not self._done:
            self._done = True
            # Let the views paint once before acting.
            QTimer.singleShot(300, self._action)

    def _on_timeout(self) -> None:
        if not self._done:
            sys.stderr.write("The first sync did not finish in time.\n")
            QApplication.exit(1)


def take_screenshot(shell: AppShell, path: Path, tab: str | None) -> None:
    if tab:
        shell.window.show_tab(tab)

    def capture() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = shell.window.grab().save(str(path))
        QApplication.exit(0 if ok else 1)

    AfterFirstSync(shell, capture)


def keychain_facts() -> dict[str, Any]:
    """What the smoke test reports of the keychain (asking it may block: a task's work)."""
    return {
        "keyring_backend": keychain_backend_name(),
        "keychain_usable": keychain_usable(),
        "platform_keyring_bundled": platform_backend_available(),
    }


def run_smoke_test(shell: AppShell) -> None:
    def check() -> None:
        shell.window.show_tab("insights")  # its charts are drawn when the tab is shown
        # Off the GUI thread, as the window's own keychain status at start (a keychain may
        # block, or ask the user for a password).
        shell.runner.run(
            "keychain check",
            lambda **_: keychain_facts(),
            on_success=finish,
            on_error=failed,
            on_bug=failed,
        )

    def failed(_exc: BaseException, text: str) -> None:
        sys.stderr.write(f"The keychain check failed: {text}\n")
        QApplication.exit(1)

    def finish(keychain: dict[str, Any]) -> None:
        window = shell.window
        rows = shell.controller.last_rows
        session = shell.controller.session
        report = {
            "cache": str(session.cache_path) if session else None,
            "cache_opened": bool(session and session.cache_exists),
            **keychain,
            "window_shown": window.isVisible(),
            # The tab names, without a badge such as "· 86 due" (main_window.show_due_badge).
            "tabs": [window.tabs.tabText(i).split(" · ")[0] for i in range(window.tabs.count())],
            "products": len(rows.products) if rows else 0,
            "backorder_lines": len(rows.backorders) if rows else 0,
            # The Insights tab drew its charts (QtCharts made it into a frozen bundle).
            "insights_charts": bool(
                rows and rows.insights and window.insights_panel.aging_chart.chart().series()
            ),
        }
        ok = (
            report["cache_opened"]
            and report["window_shown"]
            and len(report["tabs"]) == 4
            and report["insights_charts"]
            and report["products"] > 0
            and report["platform_keyring_bundled"]
        )
        report["ok"] = bool(ok)
        sys.stdout.write(json.dumps(report) + "\n")
        sys.stdout.flush()
        QApplication.exit(0 if ok else 1)

    AfterFirstSync(shell, check)
