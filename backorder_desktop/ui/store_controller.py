"""The connected store as the window sees it: session, background sync, rows for the tabs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from ..bigcommerce.errors import AuthError, OfflineError
from ..domain.changes import Changes
from ..services.context import AppContext
from ..services.errors import describe_error
from ..services.settings import Settings, StoreEntry
from ..services.sync_control.accounts import account_warning
from ..services.sync_control.actions import ActionReport, run_action
from ..services.sync_control.session import StoreConnection, StoreSession
from ..services.sync_control.syncing import outbox_changes, push_outbox, sync_store
from ..services.views import ViewRows
from .rows_reader import RowsReader
from .tasks import Task, TaskRunner

log = logging.getLogger("backorder_desktop.ui.store")


NO_TOKEN_YET = "token-not-entered-yet"


class StoreController(QObject):
    """Signals are emitted on the GUI thread (results travel through TaskRunner)."""

    store_opened = Signal(object)  # StoreEntry
    rows_loaded = Signal(object)  # LoadedRows: every row re-read
    rows_patched = Signal(object)  # PatchedRows: only the rows a change touched re-read
    insights_updated = Signal(object)  # InsightsReport, after a targeted re-read
    sync_started = Signal()
    sync_progressed = Signal(str, object, object)
    sync_finished = Signal(object)  # PullResult
    sync_failed = Signal(str, bool)  # message, is_expected_error
    message_posted = Signal(str)  # a result or an error the merchant can act on (status bar)
    settings_saved = Signal(object)  # Settings changed from a tab (the shell writes them)
    action_succeeded = Signal(str)  # a write went through: an earlier error is stale now
    # Whether the store answered the last request (sync or push): the status bar shows it.
    store_reachable = Signal(bool)
    # BigCommerce refused the token (revoked, expired): pushing pauses, every change waits in
    # the outbox, and the shell asks for a new token; open_store with it resumes.
    token_rejected = Signal(object)  # StoreEntry

    def __init__(self, runner: TaskRunner, context: AppContext) -> None:
        super().__init__()
        self.runner = runner
        runner.message_posted.connect(self.message_posted)  # expected errors nobody handled
        self.context = context
        self.session: StoreSession | None = None
        self.entry: StoreEntry | None = None
        self._sync_task: Task | None = None
        self._account_warning = ""  # set by each sync (issue 7: one API account per store)
        self._sync_changes = Changes.all()  # what the last sync (and its push) changed
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self.apply_settings(context.settings)
        self.last_rows: ViewRows | None = None
        # Per view name, a thread-safe function preparing its rows (search text) on the worker,
        # so that handing 40k rows to a table costs the GUI thread only a model reset.
        self.preparers: dict[str, Callable[[list[Any]], Any]] = {}
        # The same per view for a targeted re-read: (changed rows, keys gone) -> prepared.
        self.patch_preparers: dict[str, Callable[[list[Any], set[Any]], Any]] = {}
        # In demo mode the embedded mail sink's (host, port): notices go there instead of out.
        self.mail_sink: tuple[str, int] | None = None
        self.mail_sink_folder: Path | None = None
        # In demo mode the demo mailbox's (host, port): customers' replies are read there.
        self.demo_mailbox: tuple[str, int] | None = None
        self.token_paused = False  # set on a rejected token; no refresh until a new one
        self.rows_reader = RowsReader(self)

    # The one live copy of the settings is the context's; these read through to it.
    @property
    def settings(self) -> Settings:
        return self.context.settings

    @property
    def data_dir(self) -> Path:
        return self.context.data_dir

    @property
    def settings_folder(self) -> Path:
        """Where settings.json and the notice templates live."""
        return self.context.settings_folder

    # --- store lifecycle ------------------------------------------------------------------
    def open_store(self, entry: StoreEntry, token: str) -> None:
        self.close_store()
        self.token_paused = False
        self.entry = entry
        self.session = StoreSession(
            self.data_dir, StoreConnection(entry.store_hash, entry.api_url), token
        )
        self.store_opened.emit(entry)
        # The cache opens instantly; a sync refreshes it in the background once the cached
        # rows show (run together, the two compete for the interpreter and the rows of a
        # large store appeared seconds later: docs/BENCHMARKS.md).
        if self.session.cache_exists:
            self.reload_rows(then=self.refresh)
        else:
            self.refresh()

    def open_cached(self, entry: StoreEntry, then: Callable[[], Any]) -> None:
        """Show a store's cached rows before its token is known (no keychain: the token is
        asked for after the window shows the cache: `then`, once the rows are on screen).
        Nothing is sent or synced until `open_store` is called with the token."""
        self.close_store()
        self.entry = entry
        # The client needs some token to be built; this one is never sent (pushing is paused).
        self.session = StoreSession(
            self.data_dir, StoreConnection(entry.store_hash, entry.api_url), NO_TOKEN_YET
        )
        self.token_paused = True
        self.store_opened.emit(entry)
        if self.session.cache_exists:
            self.reload_rows(then=then)
        else:
            QTimer.singleShot(0, then)

    def close_store(self) -> None:
        if self._sync_task is not None:
            self._sync_task.cancel()
        self.runner.wait_for_done(10_000)
        if self.session is not None:
            self.session.close()
        self.session = None
        self._sync_task = None

    def save_settings(self, settings: Settings) -> None:
        """Use `settings` from now on and have them written (AppShell saves on this signal)."""
        self.apply_settings(settings)
        self.settings_saved.emit(settings)

    def apply_settings(self, settings: Settings) -> None:
        self.context.settings = settings
        minutes = settings.sync_interval_minutes
        if minutes > 0:
            self._timer.start(minutes * 60_000)
        else:
            self._timer.stop()

    # --- sync -------------------------------------------------------------------------------
    @property
    def syncing(self) -> bool:
        return self._sync_task is not None and not self._sync_task.done

    def refresh(self, *, full: bool = False) -> Task | None:
        if self.session is None or self.syncing or self.token_paused:
            return None
        session = self.session

        def work(progress: Any, cancelled: Any) -> Any:
            result = sync_store(session, full=full, progress=progress, cancelled=cancelled)
            self._sync_changes = result.changes
            if session.cache.outbox.counts()["pending"]:
                # The store answered: changes made offline (or before a new token) go out now
                # rather than after their back-off; the rows they write to show it after.
                self._sync_changes |= outbox_changes(session)
                session.cache.outbox.due_now()
                push_outbox(session, cancelled=cancelled)
            self._account_warning = account_warning(session.cache)  # read off the GUI thread
            return result

        self.sync_started.emit()
        self._sync_task = self.runner.run(
            "sync",
            work,
            on_success=self._on_sync_succeeded,
            on_error=self._on_sync_failed,
            on_bug=self._on_sync_bug,
            on_progress=self.sync_progressed.emit,
        )
        return self._sync_task

    def run_exclusive(
        self, name: str, work: Callable[..., Any], on_success: Callable[[Any], None]
    ) -> Task | None:
        """Run `work` (which syncs itself, like the nightly run) in the sync's place: no
        interval sync starts beside it; the rows are re-read after it."""
        if self.session is None or self.syncing or self.token_paused:
            return None
        self._sync_task = self.runner.run(
            name, work, on_success=on_success, on_done=lambda: self.reload_rows()
        )
        return self._sync_task

    def cancel_sync(self) -> None:
        if self._sync_task is not None:
            self._sync_task.cancel()

    def _on_sync_succeeded(self, result: Any) -> None:
        self.store_reachable.emit(True)
        self.sync_finished.emit(result)
        if self._account_warning:
            self.message_posted.emit(self._account_warning)  # another API account's records
        # The rows a sync changed are re-read (every row after a full sync, or the first).
        if self.last_rows is None:
            self.reload_rows()
        else:
            self.apply_changes(self._sync_changes | Changes(outbox=True))

    def _on_sync_failed(self, exc: BaseException, message: str) -> None:
        if isinstance(exc, OfflineError | OSError):
            self.store_reachable.emit(False)
        self.sync_failed.emit(message, True)
        if isinstance(exc, AuthError):
            self.pause_for_token()

    def _on_sync_bug(self, exc: BaseException, details: str) -> None:
        self.sync_failed.emit(describe_error(exc), False)  # the window leaves its sync state
        self.runner.bug_found.emit(details)

    def pause_for_token(self) -> None:
        if self.token_paused or self.entry is None:
            return
        self.token_paused = True
        log.warning("store %s refused the token: pushing paused", self.entry.store_hash)
        self.token_rejected.emit(self.entry)

    # --- rows -------------------------------------------------------------------------------
    def reload_rows(self, *, then: Callable[[], Any] | None = None) -> None:
        """Re-read every row of the tabs (off the GUI thread); `then` runs after, loaded or
        not, unless another store was opened meanwhile."""
        self.rows_reader.reload(then=then)

    def apply_changes(self, changes: Changes) -> None:
        """Re-read only what `changes` touched and patch it into the tables."""
        self.rows_reader.apply_changes(changes)

    # --- actions (writes) -------------------------------------------------------------------
    def run_action(
        self,
        name: str,
        work: Callable[[StoreSession], Any],
        *,
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        push: bool = True,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> Task | None:
        """Run `work(session)` off the GUI thread through the action runner (services.sync_control.actions:
        the operation, the push, the conflicts, one report), then re-read the rows its
        `Changes` touched (a failed action changed nothing: nothing is re-read).

        Expected errors become a message (and `on_error`); anything else opens the crash dialog.
        """
        if self.session is None:
            self.message_posted.emit("Connect a store first.")
            return None
        session = self.session

        def task(progress: Any, cancelled: Any) -> ActionReport[Any]:
            push_now = push and not self.token_paused
            return run_action(
                session,
                work,
                push=push_now,
                cancelled=cancelled,
                progress=lambda done, total: progress("push", done, total),
            )

        def succeeded(report: ActionReport[Any]) -> None:
            self.action_succeeded.emit(name)
            if report.unreachable:
                self.store_reachable.emit(False)
            elif report.reached_store:
                self.store_reachable.emit(True)
            if on_success is not None:
                on_success(report.result)
            self.apply_changes(report.changes)
            for message in report.messages():
                self.message_posted.emit(message)
            if report.token_refused is not None:
                self.pause_for_token()

        def failed(exc: BaseException, message: str) -> None:
            if isinstance(exc, AuthError):
                self.pause_for_token()
            self.message_posted.emit(message)
            if on_error is not None:
                on_error(exc)

        return self.runner.run(
            name,
            task,
            on_success=succeeded,
            on_error=failed,
            on_progress=progress,
        )
