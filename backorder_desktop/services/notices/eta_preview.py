"""Previews of changes that move ETAs: whose date moves, and the delay notices it makes due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from backorder_desktop.cache import Cache
from backorder_desktop.domain.eta_moves import EtaMove, eta_moves
from backorder_desktop.services.backorders import change_priority
from backorder_desktop.services.dock.shipments import close_shipment
from backorder_desktop.services.queue import QueueState, load_queue_state


class _WhatIf(Exception):
    """Raised inside the trial transaction so SQLite rolls the change back."""


def trial(
    cache: Cache, change: Callable[[Cache], object], *, today: date | None = None
) -> tuple[QueueState, QueueState]:
    """The queue before and after `change`, applied inside a transaction that is then rolled
    back: the preview runs the very code the action will, so it cannot disagree with it."""
    states: list[QueueState] = []
    try:
        with cache.transaction():
            states.append(load_queue_state(cache, today=today))
            change(cache)
            states.append(load_queue_state(cache, today=today))
            raise _WhatIf
    except _WhatIf:
        pass
    return states[0], states[1]


def what_if(
    cache: Cache, change: Callable[[Cache], object], *, today: date | None = None
) -> list[EtaMove]:
    """Whose ETA `change` would move (nothing is written)."""
    before, after = trial(cache, change, today=today)
    return eta_moves(before.queue, after.queue)


def preview_priority(
    cache: Cache, order_ids: list[int], delta: int, *, today: date | None = None
) -> list[EtaMove]:
    """Whose ETA a priority change moves (the orders raised and those they pass)."""
    return what_if(cache, lambda c: change_priority(c, order_ids, delta), today=today)


def preview_close(cache: Cache, shipment_id: str, *, today: date | None = None) -> list[EtaMove]:
    """Whose ETA closing a shipment (nothing more will come) moves."""
    return what_if(cache, lambda c: close_shipment(c, shipment_id), today=today)


def describe_moves(moves: list[EtaMove], *, limit: int = 8) -> str:
    """Plain text for a confirmation: each move, then the delay notices it makes due."""
    if not moves:
        return "No customer's ETA changes."
    shown = []
    for move in moves[:limit]:
        way = "later" if move.later else "earlier"
        before = _when(move.before.date, move.before.label)
        after = _when(move.after.date, move.after.label)
        shown.append(f"#{move.order_id} {move.sku}: {before} -> {after} ({way})")
    if len(moves) > limit:
        shown.append(f"... and {len(moves) - limit} more.")
    delays = len({m.order_id for m in moves if m.delay_due})
    shown.append(
        f"{delays} delay notice{'s' if delays != 1 else ''} will be due."
        if delays
        else "No delay notice becomes due."
    )
    return "\n".join(shown)


def _when(when: date | None, label: str) -> str:
    return when.isoformat() if when else label
