"""Progress reports and cancellation checks for a pull (sync/fetch.py reports stage by stage)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

Progress = Callable[[str, int, int], None]
Cancelled = Callable[[], bool]


class SyncCancelled(Exception):
    """The user cancelled the sync; nothing was written."""

    def __init__(self, stage: str = "") -> None:
        self.message = "Sync cancelled; the cache was left as it was."
        super().__init__(self.message)
        self.stage = stage


class CountsRequests(Protocol):
    @property
    def request_count(self) -> int: ...


class Pager:
    """Reports `progress(stage, items_so_far, total)` (total 0: not known in advance) and raises
    `SyncCancelled` when `cancelled()` says so."""

    def __init__(
        self, client: CountsRequests, progress: Progress | None, cancelled: Cancelled | None
    ) -> None:
        self._client = client
        self._progress = progress
        self._cancelled = cancelled

    def check(self, stage: str) -> None:
        if self._cancelled is not None and self._cancelled():
            raise SyncCancelled(stage)

    def report(self, stage: str, done: int, total: int = 0) -> None:
        if self._progress is not None:
            self._progress(stage, done, total)
