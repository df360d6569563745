"""The sync use case: pull the store into the cache, leaving nothing behind when it fails."""

from __future__ import annotations

from collections.abc import Callable

from ..sync.pull import PullResult, pull
from ..sync.push import PushResult, push
from .insights import record_snapshot
from .notice_records import publish_statuses
from .session import StoreSession


def sync_store(
    session: StoreSession,
    *,
    full: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PullResult:
    """Pull the store; on a first sync that fails, the half-made cache file is removed again."""
    first_sync = not session.cache_exists
    try:
        result = pull(
            session.client, session.cache, full=full, progress=progress, cancelled=cancelled
        )
    except BaseException:
        if first_sync:
            session.discard_new_cache()
        raise
    # Insights: value waiting over time needs one point per day; each sync records today's.
    record_snapshot(session.cache)
    # What the store brought (orders shipped, dates moved) may change a storefront status.
    publish_statuses(session.cache)
    return result


def push_outbox(
    session: StoreSession,
    *,
    cancelled: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PushResult:
    return push(session.client, session.cache, cancelled=cancelled, progress=progress)
