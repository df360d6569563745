"""One background-task primitive: work runs on a worker thread, results arrive on the GUI thread."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from ..services.errors import describe_error, is_expected
from .runtime_policy import RuntimePolicy

log = logging.getLogger("backorder_desktop.ui.tasks")

IDLE_COLLECT_CHECK_MS = 60_000


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:  # usable as a `cancelled()` callback
        return self._event.is_set()


class _Relay(QObject):
    """Lives on the GUI thread; queued signals carry the worker's results back to it."""

    progressed = Signal(str, object, object)
    succeeded = Signal(object)
    failed = Signal(object, str)
    finished = Signal()


class Task:
    """A handle on running work: progress/success/failure callbacks run on the GUI thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cancel_token = CancelToken()
        self.relay = _Relay()
        self.done = False

    def cancel(self) -> None:
        self.cancel_token.cancel()


class _Runnable(QRunnable):
    def __init__(self, task: Task, work: Callable[..., Any], policy: RuntimePolicy) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task = task
        self._work = work
        self._policy = policy

    def run(self) -> None:
        relay = self._task.relay

        def progress(stage: str, done: int, total: int) -> None:
            relay.progressed.emit(stage, done, total)

        try:
            # The collector policy the composition root chose (ui/runtime_policy.py).
            with self._policy.task():
                result = self._work(progress=progress, cancelled=self._task.cancel_token)
        except BaseException as exc:  # every failure must reach the GUI thread, never vanish
            relay.failed.emit(exc, "".join(traceback.format_exception(exc)))
        else:
            relay.succeeded.emit(result)
        finally:
            relay.finished.emit()


ErrorHandler = Callable[[BaseException, str], None]


class TaskRunner(QObject):
    """Runs `work(progress=..., cancelled=...)` callables on a small thread pool.

    A failure is classified once, here: an expected error (services/errors.py) goes to the
    caller's `on_error(exc, message)`, or without one to `message_posted`; anything else is a
    bug, logged with its traceback and sent to `bug_found` (the crash dialog), unless the
    caller passes `on_bug`. Nothing a task raises can vanish.
    """

    task_started = Signal(object)
    task_finished = Signal(object)
    message_posted = Signal(str)  # an expected error no caller handled (status bar)
    bug_found = Signal(str)  # traceback text of an unexpected error (crash dialog)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_threads: int = 2,
        policy: RuntimePolicy | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._running: list[Task] = []
        # None: no collector policy (a test's runner); the window's comes from app.build_shell.
        self.policy = policy or RuntimePolicy(pause_collector=False)
        # Reference cycles made during a task were frozen with its survivors (the HTTP client
        # makes a few per request): free them now and then, when a pause cannot be felt.
        self._collect_timer = QTimer(self)
        self._collect_timer.setInterval(IDLE_COLLECT_CHECK_MS)
        self._collect_timer.timeout.connect(self.collect_if_idle)
        self._collect_timer.start()

    def collect_if_idle(self, *, force: bool = False) -> bool:
        """Collect cycles frozen by past tasks when none runs and the merchant is in another
        app (the policy decides; ui/runtime_policy.py)."""
        away = QGuiApplication.applicationState() != Qt.ApplicationState.ApplicationActive
        return self.policy.collect_if_idle(busy=bool(self._running), away=away, force=force)

    def run(
        self,
        name: str,
        work: Callable[..., Any],
        *,
        on_success: Callable[[Any], None] | None = None,
        on_error: ErrorHandler | None = None,
        on_bug: ErrorHandler | None = None,
        on_progress: Callable[[str, int, int], None] | None = None,
        on_done: Callable[[], None] | None = None,
    ) -> Task:
        """`on_error(exc, message)` gets expected errors with their plain-words message;
        `on_bug(exc, traceback)` replaces the crash dialog for the rest (rarely wanted);
        `on_done()` runs after any outcome (to re-enable a button, say)."""
        task = Task(name)
        relay = task.relay
        relay.moveToThread(self.thread())
        if on_progress:
            relay.progressed.connect(on_progress)
        if on_success:
            relay.succeeded.connect(on_success)
        relay.failed.connect(
            lambda exc, details: self.classify(name, exc, details, on_error=on_error, on_bug=on_bug)
        )
        if on_done:
            relay.finished.connect(on_done)
        relay.finished.connect(lambda: self._on_task_finished(task))
        self._running.append(task)
        self.task_started.emit(task)
        self._pool.start(_Runnable(task, work, self.policy))
        return task

    def classify(
        self,
        name: str,
        exc: BaseException,
        details: str,
        *,
        on_error: ErrorHandler | None = None,
        on_bug: ErrorHandler | None = None,
    ) -> None:
        """Route one failure: expected -> a message, anything else -> a logged bug report."""
        if is_expected(exc):
            message = describe_error(exc)
            log.warning("%s failed: %s", name, message)
            if on_error is not None:
                on_error(exc, message)
            else:
                self.message_posted.emit(message)
            return
        log.error("%s hit a bug:\n%s", name, details)
        if on_bug is not None:
            on_bug(exc, details)
        else:
            self.bug_found.emit(details)

    def _on_task_finished(self, task: Task) -> None:
        task.done = True
        if task in self._running:
            self._running.remove(task)
        self.task_finished.emit(task)

    @property
    def running(self) -> list[Task]:
        return list(self._running)

    def cancel_all(self) -> None:
        for task in self._running:
            task.cancel()

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        return self._pool.waitForDone(msecs)
