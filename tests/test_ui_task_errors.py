"""A task's failure never vanishes: an expected error is a message, anything else the crash
dialog with its traceback in the log, whether or not the caller handles errors."""

from __future__ import annotations

from typing import Any

from backorder_desktop.bigcommerce.errors import OfflineError
from backorder_desktop.ui.shell import AppShell


def _broken(**_: Any) -> None:
    raise KeyError("a bug in a task nobody handles")


def test_a_failing_task_with_no_handler_opens_the_crash_dialog_and_logs_it(
    qtbot: Any, shell: AppShell
) -> None:
    task = shell.runner.run("broken", _broken)  # no on_error, no on_bug
    qtbot.waitUntil(lambda: task.done)
    qtbot.waitUntil(lambda: shell.crash_dialog is not None and shell.crash_dialog.isVisible())
    assert shell.crash_dialog is not None
    assert "KeyError" in shell.crash_dialog.report
    assert "a bug in a task nobody handles" in shell.crash_dialog.report
    logged = shell.log_file.read_text(encoding="utf-8")
    assert "broken hit a bug" in logged and "Traceback" in logged
    shell.crash_dialog.close()


def test_a_bug_does_not_reach_a_handler_meant_for_expected_errors(
    qtbot: Any, shell: AppShell
) -> None:
    handled: list[str] = []
    task = shell.runner.run(
        "broken", _broken, on_error=lambda _exc, message: handled.append(message)
    )
    qtbot.waitUntil(lambda: task.done)
    qtbot.waitUntil(lambda: shell.crash_dialog is not None and shell.crash_dialog.isVisible())
    assert handled == []
    shell.crash_dialog.close()


def test_an_expected_error_with_no_handler_reaches_the_status_bar(
    qtbot: Any, shell: AppShell
) -> None:
    def offline(**_: Any) -> None:
        raise OfflineError("BigCommerce cannot be reached.")

    task = shell.runner.run("offline read", offline)
    qtbot.waitUntil(lambda: task.done)
    qtbot.waitUntil(lambda: "cannot be reached" in shell.window.statusBar().currentMessage())
    assert "changes wait in the outbox" in shell.window.statusBar().currentMessage()
    assert shell.crash_dialog is None


def test_an_expected_error_goes_to_the_callers_handler_as_plain_words(
    qtbot: Any, shell: AppShell
) -> None:
    handled: list[tuple[type, str]] = []

    def bad_input(**_: Any) -> None:
        raise ValueError("Quantity must be a whole number.")

    task = shell.runner.run(
        "check", bad_input, on_error=lambda exc, message: handled.append((type(exc), message))
    )
    qtbot.waitUntil(lambda: task.done)
    qtbot.waitUntil(lambda: bool(handled))
    assert handled == [(ValueError, "Quantity must be a whole number.")]
    assert shell.crash_dialog is None
    assert "Quantity" not in shell.window.statusBar().currentMessage()
