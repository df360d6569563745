"""Automatic garbage collection paused while a pull builds and writes its records."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside; the collector resumes when the last holder leaves.

    A full sync of a large store allocates millions of objects (decoded pages) and keeps
    hundreds of thousands (the records): the full collections that triggered scanned them
    again and again, 0.6 s of a 5 s sync, and found nothing to free. The window pauses the
    collector for the same reason while any background task runs (ui/tasks.py); when it has
    done so already this is a no-op, and it never turns on a collector someone else turned off.
    """
    global _holders, _resume
    with _lock:
        if _holders == 0:
            _resume = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _resume:
                gc.enable()
