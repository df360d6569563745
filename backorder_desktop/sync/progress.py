"""Page-by-page progress reports and cancellation checks around the client's iterators."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

T = TypeVar("T")
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
    """Calls `progress(stage, items_so_far, 0)` and checks `cancelled()` once per fetched page.

    The client's iterators yield records, not pages; a page boundary shows as a change in
    `client.request_count` (total 0 means the total is not known in advance).
    """

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

    def walk(self, stage: str, items: Iterable[T], *, done: int = 0) -> Iterator[T]:
        """Yield `items`, reporting per page; `done` counts what earlier listings of the stage saw."""
        self.check(stage)
        seen = self._client.request_count
        iterator = iter(items)
        try:
            for item in iterator:
                now = self._client.request_count
                if now != seen:
                    seen = now
                    self.report(stage, done)
                    self.check(stage)
                done += 1
                yield item
            self.report(stage, done, done)
            self.check(stage)
        finally:
            # Stop the client's page threads at once when we leave early (cancel or error).
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
