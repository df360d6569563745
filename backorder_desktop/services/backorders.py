"""The open backorder queue and the store's status, read from the cache (no network)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from backorder_desktop.cache import Cache
from backorder_desktop.cache.backorder_queue import partial_shipment_orders
from backorder_desktop.cache.shared_choices import QUEUE_KEY, OrderChoice, order_choices
from backorder_desktop.domain.changes import Changes
from backorder_desktop.domain.models import BackorderLine
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.sync_control.metafield_writes import FieldWrite, queue_field_writes


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


# --- the merchant's choices per order, shared by every laptop (order metafield `queue`) -------

PRIORITY_RANGE = (-99, 99)


def _known_orders(cache: Cache, order_ids: list[int]) -> list[int]:
    ids = sorted(set(order_ids))
    if not ids:
        raise ValueError("Select at least one order first.")
    missing = [i for i in ids if cache.orders.get(i) is None]
    if missing:
        raise ValueError(
            f"Order #{missing[0]} is not in the local cache (closed or not synced yet)."
        )
    return ids


def _write_choices(cache: Cache, choices: dict[int, OrderChoice]) -> None:
    """Queue the whole record of each order (absolute), with the optimistic copy."""
    writes = [FieldWrite("order", o, QUEUE_KEY, c.to_json()) for o, c in sorted(choices.items())]
    queue_field_writes(cache, writes, batch_id=f"queue:{uuid.uuid4().hex[:8]}", kind="queue")


@dataclass(frozen=True)
class PriorityChange:
    priorities: dict[int, int]  # order id -> its new priority
    changes: Changes  # the orders (their SKUs' queues move: services/reload.py)


def change_priority(cache: Cache, order_ids: list[int], delta: int) -> PriorityChange:
    """Raise (delta > 0) or lower each order's queue priority; returns the new priorities.

    Higher goes first in every SKU's queue; the ETAs follow at the next read.
    """
    ids = _known_orders(cache, order_ids)
    low, high = PRIORITY_RANGE
    with cache.transaction():
        current = order_choices(cache)
        changed = {}
        for order_id in ids:
            was = current.get(order_id, OrderChoice())
            value = max(low, min(high, was.priority + delta))
            changed[order_id] = replace(was, priority=value)
        _write_choices(cache, changed)
    return PriorityChange({o: c.priority for o, c in changed.items()}, Changes.of(orders=ids))


def set_priority(cache: Cache, order_ids: list[int], priority: int) -> None:
    low, high = PRIORITY_RANGE
    if not low <= priority <= high:
        raise ValueError(f"Priority must be between {low} and {high}.")
    ids = _known_orders(cache, order_ids)
    with cache.transaction():
        current = order_choices(cache)
        _write_choices(
            cache, {o: replace(current.get(o, OrderChoice()), priority=priority) for o in ids}
        )


def set_partial_shipment(cache: Cache, order_ids: list[int], allowed: bool) -> Changes:
    """Whether an order may ship the lines that are ready before the rest arrives."""
    ids = _known_orders(cache, order_ids)
    with cache.transaction():
        current = order_choices(cache)
        _write_choices(
            cache, {o: replace(current.get(o, OrderChoice()), partial=allowed) for o in ids}
        )
    return Changes.of(orders=ids)


def partial_shipment_allowed(cache: Cache) -> set[int]:
    return partial_shipment_orders(cache)
