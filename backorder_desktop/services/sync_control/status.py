"""The store's status from the cache alone (the CLI `status` and the window's status line)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backorder_desktop.cache.cancellations import cancellations
from backorder_desktop.cache.shared_allocations import allocated_by_line
from backorder_desktop.cache.shared_choices import priorities
from backorder_desktop.domain.cancellations import taken_by_line
from backorder_desktop.domain.queue import build_queue

if TYPE_CHECKING:
    from backorder_desktop.cache import Cache


def store_status(cache: Cache, *, backorder_lines: int | None = None) -> dict[str, Any]:
    """Last sync time, outbox counts, backorder lines.

    `backorder_lines` saves counting the queue when the caller already has it.
    """
    last_sync = cache.sync_state.last_sync()
    return {
        "last_sync": last_sync.isoformat() if last_sync is not None else None,
        "outbox": cache.outbox.counts(),
        "backorder_lines": waiting_line_count(cache)
        if backorder_lines is None
        else backorder_lines,
    }


def waiting_line_count(cache: Cache) -> int:
    """How many open lines wait: the length of `load_queue`, from the reads and the rule
    (`domain.queue.build_queue`) that decide which lines wait, without what only the rows
    show (ETAs, shipments, notices) and with the stock of the waiting lines' variants only."""
    with cache.read():
        orders = cache.orders.open_orders()
        lines = [line for order in orders for line in order.lines]
        products = {p.id: p for p in cache.products.get_many({ln.product_id for ln in lines})}
        on_hand = cache.inventory.on_hand_by_variant({ln.variant_id for ln in lines})
        taken = taken_by_line(allocated_by_line(cache), cancellations(cache).values())
        waiting = build_queue(
            orders, products, on_hand, allocated_by_line=taken, priorities=priorities(cache)
        )
    return len(waiting)
