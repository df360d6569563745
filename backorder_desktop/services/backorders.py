"""The open backorder queue and the store's status, read from the cache (no network)."""

from __future__ import annotations

from typing import Any

from ..cache import Cache
from ..cache.backorder_queue import load_queue
from ..domain.models import BackorderLine


def list_backorders(cache: Cache, *, sku: str | None = None) -> list[BackorderLine]:
    """Open lines with units waiting, per SKU in queue order (priority, order date, order id).

    Built from the cached open orders, products, on-hand stock summed over locations, manual
    priorities, the app's allocations and the manual ETA (variant metafield `eta`). With `sku`,
    only that SKU's queue (positions stay those of the full queue, which is per SKU anyway).
    """
    lines = load_queue(cache)
    if sku is not None:
        wanted = sku.strip()
        lines = [line for line in lines if line.sku == wanted]
    return lines


def store_status(cache: Cache, *, backorder_lines: int | None = None) -> dict[str, Any]:
    """For the CLI `status` command: last sync time, outbox counts, backorder lines.

    `backorder_lines` saves rebuilding the queue when the caller already has it.
    """
    last_sync = cache.sync_state.last_sync()
    return {
        "last_sync": last_sync.isoformat() if last_sync is not None else None,
        "outbox": cache.outbox.counts(),
        "backorder_lines": len(load_queue(cache)) if backorder_lines is None else backorder_lines,
    }
