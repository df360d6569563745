"""Automatic garbage collection paused while a pull (or any of the window's tasks) runs."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_resume = False
_freeze = False


@contextmanager
def collector_paused(*, freeze_survivors: bool = False) -> Iterator[None]:
    """No automatic collection inside; the collector resumes when the last holder leaves.

    A full sync of a large store allocates millions of objects (decoded pages) and keeps
    hundreds of thousands (the records): the full collections that triggered scanned them
    again and again, 0.6 s of a 5 s sync, and found nothing to free. The window pauses the
    collector for the same reason while any background task runs (ui/tasks.py); when it has
    done so already this is a no-op, and it never turns on a collector someone else turned off.

    `freeze_survivors` (the window's tasks): what is alive when the collector resumes is frozen
    first, or the first young collection walks all of it (the rows the window is about to show)
    while the GUI thread waits; ui/tasks.py collects the cycles this freezes when idle.
    """
    global _holders, _resume, _freeze
    with _lock:
        if _holders == 0:
            _resume = gc.isenabled()
            _freeze = False
            gc.disable()
        _holders += 1
        _freeze = _freeze or freeze_survivors
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _resume:
                if _freeze:
                    gc.freeze()
                gc.enable()
