"""The window's one collector and thread policy, built and owned by the composition root.

Everything here changes the whole process (the collector, the interpreter's switch interval) or
paces work on the GUI thread, so it lives in one object that `app.build_shell` makes and hands
to the task runner and the main window; nothing below `ui/` reaches for it. The reasons, with
the figures, are in docs/DECISIONS.md ("One collector and thread policy").
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QTimer

from ..domain.slices import SLICE

log = logging.getLogger("backorder_desktop.ui.policy")

# A full sync runs several threads at once (one per listing, one per request in flight). At
# Python's default 5 ms switch interval the GUI thread queued behind them for the interpreter
# lock for 40-70 ms at a time; at 1 ms it gets its turn within ~25 ms (docs/BENCHMARKS.md).
GUI_SWITCH_INTERVAL_S = 0.001
OVERDUE_COLLECTION_S = 2 * 3600


class RuntimePolicy:
    """Collector paused during background tasks (survivors frozen), frozen cycles collected
    when the merchant is elsewhere, a short switch interval, and replaced rows freed a slice
    per turn of the event loop."""

    def __init__(
        self, *, switch_interval_s: float = GUI_SWITCH_INTERVAL_S, pause_collector: bool = True
    ) -> None:
        self.switch_interval_s = switch_interval_s
        self.pause_collector = pause_collector
        self._lock = threading.Lock()
        self._holders = 0
        self._resume = False
        self._frozen_garbage_possible = False
        self._last_collection = time.monotonic()
        self._pending: deque[list[Any]] = deque()
        self._previous_interval: float | None = None

    # --- threads ------------------------------------------------------------------------------
    def apply(self) -> None:
        """Let the GUI thread take the interpreter lock often enough to paint while workers
        run. Process-wide: only the window does this (the CLI has no GUI thread)."""
        if self._previous_interval is None:
            self._previous_interval = sys.getswitchinterval()
        sys.setswitchinterval(self.switch_interval_s)

    def restore(self) -> None:
        if self._previous_interval is not None:
            sys.setswitchinterval(self._previous_interval)
            self._previous_interval = None

    # --- the collector ------------------------------------------------------------------------
    @contextmanager
    def task(self) -> Iterator[None]:
        """Around one background task: no automatic collection inside (a full sync allocates
        millions of objects, and a full collection stops every thread, the GUI's too, for
        100-250 ms); what survives is frozen before collection resumes, or the first young
        collection walks it all (the rows about to be shown) while the GUI thread waits. It
        never turns on a collector someone else turned off."""
        if not self.pause_collector:
            yield
            return
        with self._lock:
            if self._holders == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                self._frozen_garbage_possible = True
                if self._holders == 0 and self._resume:
                    gc.freeze()
                    gc.enable()

    def collect_if_idle(self, *, busy: bool, away: bool, force: bool = False) -> bool:
        """Collect the cycles frozen with past tasks' survivors when no task runs and the
        merchant is in another app (or it is long overdue); a full collection pauses every
        thread for 0.1-0.3 s."""
        if busy or not self._frozen_garbage_possible:
            return False
        overdue = time.monotonic() - self._last_collection > OVERDUE_COLLECTION_S
        if not (force or away or overdue):
            return False
        gc.unfreeze()
        freed = gc.collect()
        gc.freeze()
        self._frozen_garbage_possible = False
        self._last_collection = time.monotonic()
        log.debug("collected %d objects frozen by background tasks", freed)
        return True

    # --- replaced rows ------------------------------------------------------------------------
    def release_later(self, *lists: list[Any]) -> None:
        """Take over `lists` (the caller keeps no other reference) and empty them a slice per
        turn of the event loop: freeing 40,000 rows at once holds the interpreter ~20 ms, a
        slice ~1 ms. Small lists are simply dropped."""
        was_idle = not self._pending
        self._pending.extend(rows for rows in lists if len(rows) > SLICE)
        if was_idle and self._pending:
            QTimer.singleShot(0, self._release_slice)

    def _release_slice(self) -> None:
        if not self._pending:
            return
        rows = self._pending[0]
        del rows[-SLICE:]
        if not rows:
            self._pending.popleft()
        if self._pending:
            QTimer.singleShot(0, self._release_slice)

    def pending_rows(self) -> int:
        """How many replaced rows still wait to be freed (for tests)."""
        return sum(len(rows) for rows in self._pending)
