"""The outbox as the merchant sees it: what waits, what failed and why; retry or discard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..cache import Cache
from .change_words import describe_change


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
    return [
        OutboxEntry(
            id=r.id,
            kind=r.kind,
            summary=describe_change(cache, r),
            state=r.state,
            attempts=r.attempts,
            message=r.last_error or "",
            created_at=r.created_at,
        )
        for r in rows
    ]


def retry_entries(cache: Cache, ids: list[int]) -> int:
    return sum(1 for row_id in ids if cache.outbox.retry(row_id))


def discard_entries(cache: Cache, ids: list[int]) -> int:
    return sum(1 for row_id in ids if cache.outbox.discard(row_id))
