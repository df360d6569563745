"""The tabs' rows, read off the GUI thread: all of them, or only those a change touched."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..domain.changes import Changes
from ..services.reload import RowsPatch, insights_for, load_changed_rows
from ..services.views import ViewRows, load_rows
from .tasks import Task

if TYPE_CHECKING:
    from .store_controller import StoreController

log = logging.getLogger("backorder_desktop.ui.store")


@dataclass
class LoadedRows:
    """What the tabs show after a read: the rows, and per view its rows prepared off-thread."""

    data: ViewRows
    prepared: dict[str, Any] = field(default_factory=dict)


@dataclass
class PatchedRows:
    """What a targeted re-read brings: the merged rows (`data`, as `LoadedRows.data`) and per
    table view its changed rows prepared off-thread (`RecordsView.patch_rows`)."""

    data: ViewRows
    patch: RowsPatch
    prepared: dict[str, Any] = field(default_factory=dict)


class RowsReader:
    """The controller's reads: `reload` re-reads every row, `apply_changes` what a change
    touched; the rows on screen are the controller's `last_rows`."""

    def __init__(self, controller: StoreController) -> None:
        self.controller = controller
        self._reloads = 0  # full re-reads running
        self._requested: list[Changes] = []  # changes asked for while one runs
        self._insights_task: Task | None = None
        self._insights_again = False

    def reload(self, *, then: Callable[[], Any] | None = None) -> None:
        """Re-read the tabs' rows off the GUI thread; `then` runs after, loaded or not, unless
        another store was opened meanwhile."""
        session = self.controller.session
        if session is None or not session.cache_exists:
            return
        preparers = dict(self.controller.preparers)
        settings = self.controller.settings
        # Check-in notices (off by default) change which notices are due.
        options = (
            {"checkin_days": settings.checkin_days, "checkin_max": settings.checkin_max}
            if settings.checkin_days
            else {}
        )

        def work(**_: Any) -> LoadedRows:
            data = load_rows(session.cache, **options)
            prepared = {name: prepare(getattr(data, name)) for name, prepare in preparers.items()}
            return LoadedRows(data, prepared)

        # Changes asked for while this read runs may have been written after it read them:
        # they are patched in again once its rows show.
        mark = len(self._requested)
        self._reloads += 1

        def loaded(rows: LoadedRows) -> None:
            later = self._requested[mark:]
            self._on_rows_loaded(rows)
            if later:
                self.apply_changes(_union(later))

        def finished() -> None:
            self._reloads -= 1
            if not self._reloads:
                self._requested.clear()

        task = self.controller.runner.run(
            "load rows",
            work,
            on_success=loaded,
            on_error=lambda _exc, message: self.controller.sync_failed.emit(message, True),
        )
        task.relay.finished.connect(finished)
        if then is not None:
            task.relay.finished.connect(
                lambda: then() if self.controller.session is session else None
            )

    def _on_rows_loaded(self, loaded: LoadedRows) -> None:
        self.controller.last_rows = loaded.data
        self.controller.rows_loaded.emit(loaded)

    def apply_changes(self, changes: Changes) -> None:
        """Re-read what `changes` touched (off the GUI thread) and patch it into the tables;
        `everything`, or nothing shown yet, re-reads every row."""
        session = self.controller.session
        if session is None or not session.cache_exists or changes.empty:
            return
        if self._reloads:
            self._requested.append(changes)
        base = self.controller.last_rows
        if base is None or changes.everything:
            self.reload()
            return
        preparers = dict(self.controller.patch_preparers)
        checkin_days = self.controller.settings.checkin_days

        def work(**_: Any) -> PatchedRows | None:
            patch = load_changed_rows(session.cache, changes, base, checkin_days=checkin_days)
            if patch is None:
                return None
            prepared = {
                name: prepare(*_patch_part(patch, name)) for name, prepare in preparers.items()
            }
            return PatchedRows(patch.rows, patch, prepared)

        def loaded(result: PatchedRows | None) -> None:
            if self.controller.session is not session:
                return
            if result is None:
                self.reload()
            elif self.controller.last_rows is not base:
                self.apply_changes(changes)  # rows were re-read meanwhile: patch those
            else:
                log.debug("re-read after a change: %s", result.patch.reread)
                self.controller.last_rows = result.data
                self.controller.rows_patched.emit(result)
                if result.patch.insights_stale:
                    self._update_insights(result.data)

        self.controller.runner.run(
            "load changed rows",
            work,
            on_success=loaded,
            on_error=lambda _exc, message: self.controller.sync_failed.emit(message, True),
        )

    def _update_insights(self, rows: ViewRows) -> None:
        """The Insights figures over the patched rows, in a task of their own; clicks in a
        row coalesce (one task at a time, then one more over the latest rows)."""
        session = self.controller.session
        if session is None:
            return
        if self._insights_task is not None and not self._insights_task.done:
            self._insights_again = True
            return
        self._insights_again = False

        def updated(report: Any) -> None:
            if self.controller.last_rows is rows:  # else newer rows: their figures follow
                rows.insights = report
                self.controller.insights_updated.emit(report)

        def finished() -> None:
            if (
                self._insights_again
                and self.controller.last_rows is not None
                and self.controller.session is session
            ):
                self._update_insights(self.controller.last_rows)

        self._insights_task = self.controller.runner.run(
            "insights",
            lambda **_: insights_for(session.cache, rows),
            on_success=updated,
            on_error=lambda _exc, message: self.controller.message_posted.emit(message),
        )
        # After the runner's own bookkeeping (connected first), so the task counts as done.
        self._insights_task.relay.finished.connect(finished)


def _patch_part(patch: RowsPatch, view: str) -> tuple[list[Any], set[Any]]:
    """A table's changed rows and the keys gone from it."""
    if view == "products":
        return list(patch.products_changed), set(patch.products_gone)
    if view == "backorders":
        return list(patch.backorders_changed), set(patch.backorders_gone)
    if view == "shipments":
        return list(patch.shipments_changed), set(patch.shipments_gone)
    return [], set()


def _union(changes: list[Changes]) -> Changes:
    out = Changes()
    for one in changes:
        out |= one
    return out
