"""The window's side of the nightly job: read its state for Settings, apply the choice made
there (off the GUI thread: both ask the OS scheduler), and say what happened."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from ..services.notices.mail_setup import smtp_config
from ..services.sync_control.nightly import NightlyRecord, notices_sender, run_nightly, time_crossed
from ..services.sync_control.schedule import JobState, NightlyStatus, apply_nightly, nightly_status
from ..services.sync_control.schedule_jobs import parse_at
from .dialogs.settings import KIND_NAMES
from .store_controller import StoreController


def gather_settings_inputs(controller: StoreController) -> Any:
    """A worker function: the locations for Settings and the nightly job's status."""
    session = controller.session
    data_dir = controller.data_dir

    def work(**_: Any) -> tuple[list[Any], NightlyStatus]:
        locations = session.cache.locations.all() if session and session.cache_exists else []
        return locations, nightly_status(data_dir)

    return work


def apply_nightly_choice(
    controller: StoreController, wanted: str, current: NightlyStatus | None
) -> None:
    """Install, move or remove the job so that it runs at `wanted` ("" = off)."""
    installed = current.state.at if current is not None else controller.settings.nightly_at
    if (wanted or None) == (installed or None):
        return
    entry = controller.entry
    if wanted and entry is None:
        controller.message_posted.emit("Connect a store first: the nightly job runs for it.")
        return
    context = controller.context

    def work(**_: Any) -> JobState:
        return apply_nightly(
            parse_at(wanted) if wanted else None,
            data_dir=context.data_dir,
            explicit_data_dir=context.data_dir_chosen,
            store_hash=entry.store_hash if entry is not None else None,
            api_url=entry.api_url if entry is not None else None,
            demo=entry.demo if entry is not None else False,
        )

    def done(state: JobState) -> None:
        controller.save_settings(replace(controller.settings, nightly_at=state.at or ""))
        where = KIND_NAMES.get(state.kind, state.kind)
        controller.message_posted.emit(
            f"Every night at {state.at}, {where} syncs and sends the due notices."
            if state.installed
            else "The nightly job is removed: notices go only when you click Notify."
        )

    controller.runner.run("nightly job", work, on_success=done)


class NightlyInWindow(QObject):
    """While the window is open it holds the data dir, so the OS's nightly job cannot start:
    when its time passes with the window open, the window runs it (the same use case, the same
    record). Without the nightly job on, the window never sends a notice by itself."""

    ran = Signal(object)  # NightlyRecord

    def __init__(self, controller: StoreController, *, check_ms: int = 60_000) -> None:
        super().__init__(controller)
        self.controller = controller
        self._since = datetime.now().astimezone()
        self._waiting = False  # due, but a sync was running: try at the next check
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start(check_ms)

    def _on_timer_timeout(self) -> None:
        now = datetime.now().astimezone()
        if time_crossed(self.controller.settings.nightly_at, self._since, now):
            self._waiting = True
        self._since = now
        if self._waiting and self.run_now() is not None:
            self._waiting = False

    def run_now(self) -> Any:
        controller = self.controller
        session, entry = controller.session, controller.entry
        if session is None or entry is None:
            return None
        settings = controller.settings
        sink = controller.mail_sink if entry.demo else None
        data_dir, folder = controller.data_dir, controller.settings_folder

        def work(**_: Any) -> NightlyRecord:
            # The keychain and the templates are read here, on the worker thread.
            send = notices_sender(settings, folder, lambda: smtp_config(settings, sink=sink))
            return run_nightly(session, data_dir, send)

        def done(record: NightlyRecord) -> None:
            controller.message_posted.emit(f"Nightly run: {record.summary()}.")
            self.ran.emit(record)

        return controller.run_exclusive("nightly run", work, done)
