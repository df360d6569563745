"""The store's status from the cache alone (the CLI `status` and the window's status line)."""

from __future__ import annotations

from typing import Any

from ..cache import Cache
from .queue import load_queue


def store_status(cache: Cache, *, backorder_lines: int | None = None) -> dict[str, Any]:
    """Last sync time, outbox counts, backorder lines.

    `backorder_lines` saves rebuilding the queue when the caller already has it.
    """
    last_sync = cache.sync_state.last_sync()
    return {
        "last_sync": last_sync.isoformat() if last_sync is not None else None,
        "outbox": cache.outbox.counts(),
        "backorder_lines": len(load_queue(cache)) if backorder_lines is None else backorder_lines,
    }
