"""The sync use case: pull the store into the cache, leaving nothing behind when it fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from backorder_desktop.bigcommerce.errors import OfflineError
from backorder_desktop.domain.changes import Changes
from backorder_desktop.services.bulk.bulk_state import OutboxTargets, outbox_targets
from backorder_desktop.services.insights import record_snapshot
from backorder_desktop.services.notices.consent import refresh_store_country
from backorder_desktop.services.notices.notice_records import publish_statuses
from backorder_desktop.services.queue import load_queue_state
from backorder_desktop.services.sync_control.session import StoreSession
from backorder_desktop.sync.pull import PullResult, pull
from backorder_desktop.sync.push import PushResult, push


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
    # The store's country sets the default delay policy (issue 19.1): read once per cache, or
    # again on a full sync; one request, not counted in the pull's.
    refresh_store_country(session, force=full)
    # The queue once for the whole sync: its count, the insights point and the statuses.
    state = load_queue_state(session.cache)
    # Insights: value waiting over time needs one point per day; each sync records today's.
    record_snapshot(session.cache, state=state)
    # What the store brought (orders shipped, dates moved) may change a storefront status.
    publish_statuses(session.cache, state=state)
    return replace(result, backorder_lines=len(state.queue))


def outbox_changes(session: StoreSession) -> Changes:
    """The variants and products the waiting outbox rows write to: pushing them changes
    those rows' sync state ("pending", "failed: ...")."""
    targets = outbox_targets(session.cache)
    return Changes.of(
        variants=targets.in_flight("variant") | _failed(targets, "variant"),
        products=targets.in_flight("product") | _failed(targets, "product"),
        outbox=True,
    )


def _failed(targets: OutboxTargets, kind: str) -> set[int]:
    return {
        ident
        for (k, ident), states in targets.states.items()
        if k == kind and any(state == "failed" for state, _ in states)
    }


def push_outbox(
    session: StoreSession,
    *,
    cancelled: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PushResult:
    """Drain the outbox; the result says whether the store could not be reached at all (the
    window then stops saying "Connected")."""
    watched = _Watched(session.client)
    result = push(watched, session.cache, cancelled=cancelled, progress=progress)
    return replace(result, unreachable=watched.offline) if watched.offline else result


class _Watched:
    """The session's client, noting whether a request found the network or store down."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.offline = False

    def request(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._client.request(*args, **kwargs)
        except OfflineError:
            self.offline = True
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)
