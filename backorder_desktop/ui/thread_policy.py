"""The window's one process-wide thread setting, applied by the composition root (app.py)."""

from __future__ import annotations

import sys

# A sync runs several threads at once (one per listing, one per request in flight). At
# Python's default 5 ms switch interval the GUI thread queued behind them for the interpreter
# lock for 40-70 ms at a time; at 1 ms it gets its turn within ~25 ms (docs/BENCHMARKS.md).
GUI_SWITCH_INTERVAL_S = 0.001


def apply_gui_thread_policy() -> None:
    """Let the GUI thread take the interpreter lock often enough to paint while workers run.

    Process-wide, so only the window sets it (the CLI has no GUI thread to keep responsive).
    The collector policy (paused and frozen during tasks, collected when idle) stays with the
    task runner that owns the tasks (ui/tasks.py, sync/collector.py).
    """
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
