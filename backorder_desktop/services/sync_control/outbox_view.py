"""The outbox as the merchant sees it: what waits, what failed and why; retry or discard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backorder_desktop.cache import Cache
from backorder_desktop.cache.stock_writes import UNCERTAIN, StockWrites
from backorder_desktop.services.sync_control.change_words import describe_change


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    kind: str
    summary: str
    state: str
    attempts: int
    message: str
    created_at: datetime


def outbox_entries(cache: Cache) -> list[OutboxEntry]:
    """Pending, sending and failed rows, oldest first (sent ones are history, not work)."""
    rows = [r for state in ("failed", "pending", "sending") for r in cache.outbox.rows(state)]
    rows.sort(key=lambda r: r.id)
    uncertain = {w.row_id for w in StockWrites(cache).all(UNCERTAIN)}
    return [
        OutboxEntry(
            id=r.id,
            kind=r.kind,
            summary=describe_change(cache, r),
            # A stock change whose lost answer the read-back could not settle: staff decide.
            state=UNCERTAIN if r.id in uncertain and r.state == "failed" else r.state,
            attempts=r.attempts,
            message=r.last_error or "",
            created_at=r.created_at,
        )
        for r in rows
    ]


def retry_entries(cache: Cache, ids: list[int]) -> int:
    """Send failed rows again; an uncertain stock change is applied again ("apply it")."""
    writes = StockWrites(cache)
    done = 0
    for row_id in ids:
        with cache.transaction():
            if cache.outbox.retry(row_id):
                writes.forget(row_id)  # staff decided it was not applied: a fresh send
                done += 1
    return done


def discard_entries(cache: Cache, ids: list[int]) -> int:
    """Forget rows; for an uncertain stock change this says "it was applied"."""
    writes = StockWrites(cache)
    done = 0
    for row_id in ids:
        with cache.transaction():
            if cache.outbox.discard(row_id):
                writes.forget(row_id)
                done += 1
    return done


def _uncertain(cache: Cache, ids: list[int]) -> list[int]:
    marked = {w.row_id for w in StockWrites(cache).all(UNCERTAIN)}
    return [i for i in ids if i in marked]


def confirm_applied(cache: Cache, ids: list[int]) -> int:
    """Uncertain stock changes the store did apply (staff checked): nothing more to send."""
    return discard_entries(cache, _uncertain(cache, ids))


def apply_again(cache: Cache, ids: list[int]) -> int:
    """Uncertain stock changes the store did not apply (staff checked): send them once."""
    return retry_entries(cache, _uncertain(cache, ids))
