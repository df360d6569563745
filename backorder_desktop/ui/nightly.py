"""The window's side of the nightly job: read its state for Settings, apply the choice made
there (off the GUI thread: both ask the OS scheduler), and say what happened."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..services.schedule import JobState, NightlyStatus, apply_nightly, nightly_status
from ..services.schedule_jobs import parse_at
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
