"""Let go of large row lists a slice at a time, so freeing them never stalls the GUI thread."""

from __future__ import annotations

from collections import deque
from typing import Any

from PySide6.QtCore import QTimer

# Freeing 40,000 rows at once (each with its strings, dates and numbers) holds the interpreter
# for about 20 ms; a slice at a time is about 1 ms per turn of the event loop. Workers free in
# the same slices with `domain.slices.free_in_slices`; here each slice waits for the next turn.
from ..domain.slices import SLICE

_pending: deque[list[Any]] = deque()


def release_later(*lists: list[Any]) -> None:
    """Take over `lists` (the caller keeps no other reference) and empty them over the next
    turns of the event loop. Small lists are simply dropped."""
    was_idle = not _pending
    _pending.extend(rows for rows in lists if len(rows) > SLICE)
    if was_idle and _pending:
        QTimer.singleShot(0, _release_slice)


def _release_slice() -> None:
    rows = _pending[0]
    del rows[-SLICE:]
    if not rows:
        _pending.popleft()
    if _pending:
        QTimer.singleShot(0, _release_slice)


def pending_rows() -> int:
    """How many rows still wait to be freed (for tests)."""
    return sum(len(rows) for rows in _pending)
