"""Push: send the outbox to the store in order, one row per request, and record each outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..bigcommerce.error_mapping import parse_body
from ..bigcommerce.errors import (
    AuthError,
    BigCommerceError,
    ItemError,
    OfflineError,
    RateLimitedError,
    ScopeError,
    ServerError,
    ValidationError,
)
from ..bigcommerce.operations import encode
from ..bigcommerce.reads import Requester
from ..cache import Cache, OutboxRow
from ..cache.stock_writes import is_stock_row
from ..cache.write_bases import ConflictItem, bases_for, forget, record_conflicts
from .adopt import adopt_duplicates
from .order_notes import NotesReader, appends_note, with_fresh_notes
from .partial import narrowed, settle
from .progress import Cancelled
from .recreate import may_exist, settle_creates
from .replies import apply_reply, operation_of, partial_failures
from .stock_push import send_stock_row
from .versions import check_row

log = logging.getLogger("backorder_desktop.sync")

CLAIM = 20  # rows taken per claim; a stop hands the unsent ones straight back
BACKOFF_BASE_S = 15.0
BACKOFF_MAX_S = 900.0
RATE_LIMIT_WAIT_S = 30.0  # the quota window (spec README: 150 requests per 30 s)
_TRANSIENT = (RateLimitedError, ServerError, OfflineError)

__all__ = ["PushClient", "PushResult", "push", "retry_delay"]


PushClient = Requester  # what a push needs of the client: its `request`


@dataclass(frozen=True, slots=True)
class PushResult:
    sent: int  # rows this push delivered
    pending: int  # rows still waiting (e.g. backing off after a 5xx), after this push
    failed: int  # rows the store refused, waiting for the user to fix or discard
    unreachable: bool = False  # the network or the store was down (set by sync_control.syncing)


def retry_delay(attempts: int, error: BigCommerceError) -> float:
    """Seconds before a row that just failed for the `attempts`-th time is tried again."""
    delay = min(BACKOFF_MAX_S, BACKOFF_BASE_S * (2 ** max(0, attempts - 1)))
    if isinstance(error, RateLimitedError):
        delay = max(delay, RATE_LIMIT_WAIT_S)
    return delay


def push(
    client: PushClient,
    cache: Cache,
    *,
    cancelled: Cancelled | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PushResult:
    """Drain the due outbox rows, oldest first.

    - accepted: the row is sent and the store's reply goes into the cache;
    - 429, 5xx or no network (after the client's own retries): the row waits with back-off and
      the drain stops (the store or the network needs time; later rows keep their order);
    - 401/403: every claimed row goes back to pending and the error is raised, so the caller
      can ask for a new token;
    - refused (400/404/409/413/422): the row is failed with BigCommerce's message, and the
      drain goes on.

    `progress(done, total)` is called after each row tried (total: rows pending at the start).
    """
    sent = 0
    notes = NotesReader(client, cache)  # staff notes of the orders this push annotates
    tried = 0
    total = cache.outbox.counts()["pending"] if progress is not None else 0
    stopped = False
    while not stopped and not _is_cancelled(cancelled):
        rows = cache.outbox.claim_due(CLAIM)
        if not rows:
            break
        for index, row in enumerate(rows):
            if _is_cancelled(cancelled):
                cache.outbox.release([r.id for r in rows[index:]])  # untried: no attempt counted
                stopped = True
                break
            try:
                stop, delivered = _send(client, cache, row, notes)
            except BaseException:
                cache.outbox.release([r.id for r in rows[index:]])
                raise
            sent += delivered
            tried += 1
            if progress is not None:
                progress(tried, max(total, tried))
            if stop:
                cache.outbox.release([r.id for r in rows[index + 1 :]])
                stopped = True
                break
    if not stopped and not _is_cancelled(cancelled):
        sent += _adopt(client, cache, cancelled)
    counts = cache.outbox.counts()
    return PushResult(sent=sent, pending=counts["pending"], failed=counts["failed"])


def _adopt(client: PushClient, cache: Cache, cancelled: Cancelled | None) -> int:
    """Creates refused as duplicates of another laptop's records (sync.adopt); their updates,
    if any, go at once."""
    try:
        queued = adopt_duplicates(client, cache)
    except (AuthError, ScopeError):
        raise
    except BigCommerceError as exc:  # looked at again by the next push
        log.warning("duplicate records not settled yet: %s", exc)
        return 0
    return push(client, cache, cancelled=cancelled).sent if queued else 0


def _is_cancelled(cancelled: Cancelled | None) -> bool:
    return cancelled is not None and cancelled()


def _step_failed(cache: Cache, row: OutboxRow, exc: BigCommerceError) -> tuple[bool, int]:
    """A read before the send failed: a passing failure tries the row again later; a refusal
    fails the row with the reason and the drain goes on."""
    if isinstance(exc, _TRANSIENT):
        cache.outbox.mark_retry(row.id, exc.message, retry_delay(row.attempts + 1, exc))
        return True, 0
    cache.outbox.mark_failed(row.id, exc.message)
    return False, 0


def _send(
    client: PushClient, cache: Cache, row: OutboxRow, notes: NotesReader | None = None
) -> tuple[bool, int]:
    """Send one row, after checking the metafields it overwrites (sync.versions)."""
    if is_stock_row(row):  # a delta: never sent twice, a lost answer is read back
        return send_stock_row(client, cache, row, retry_delay)
    if appends_note(row):  # staff notes: append to what the order holds now
        try:
            row = with_fresh_notes(client, row, notes)
        except (AuthError, ScopeError):
            raise
        except BigCommerceError as exc:  # e.g. the order was deleted
            return _step_failed(cache, row, exc)
    if may_exist(row):
        try:
            rest = settle_creates(client, cache, row)
        except (AuthError, ScopeError):
            raise
        except BigCommerceError as exc:
            return _step_failed(cache, row, exc)
        if rest is None:
            return False, 1
        row = rest
    if not bases_for(cache, row.id):
        return _send_checked(client, cache, row)
    try:
        ok, conflicts = check_row(client, cache, row)
    except (AuthError, ScopeError):
        raise
    except BigCommerceError as exc:  # the check could not read: try the row again later
        cache.outbox.mark_retry(row.id, exc.message, retry_delay(row.attempts + 1, exc))
        return True, 0
    if not conflicts:
        # `ok` is the whole row, with merged values where records only accumulate.
        stop, delivered = _send_checked(client, cache, replace(row, body=ok))
    else:
        stop, delivered = False, 0
        if ok:
            stop, delivered = _send_checked(client, cache, replace(row, body=ok))
        now = cache.outbox.get(row.id)
        if now is not None and now.state == "pending":
            return stop, delivered  # the rest waits out a back-off; checked again then
        _hold_conflicts(cache, row, now, conflicts)
        log.warning("outbox row %d (%s): %d conflict(s)", row.id, row.kind, len(conflicts))
        return stop, delivered
    if (now := cache.outbox.get(row.id)) is not None and now.state == "sent":
        forget(cache, row.id)
    return stop, delivered


def _hold_conflicts(
    cache: Cache, row: OutboxRow, now: OutboxRow | None, conflicts: list[ConflictItem]
) -> None:
    ids = {c.field_id for c in conflicts}
    held = [i for i in row.body if isinstance(i, dict) and i.get("id") in ids]
    message = conflict_message(conflicts)
    if now is not None and now.state == "failed" and now.attempts > row.attempts:
        # Some of the other items were refused just now: they stay in the row too.
        held = [*(now.body if isinstance(now.body, list) else []), *held]
        message = f"{now.last_error}\n{message}"
    with cache.transaction():
        cache.outbox.mark_conflict(row.id, message, body=held)
        record_conflicts(cache, row.id, conflicts)


def conflict_message(conflicts: list[ConflictItem]) -> str:
    first = conflicts[0]
    more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
    return (
        f"Changed on another laptop since this one read it: {first.key} is now "
        f"{first.theirs!r} in BigCommerce, this laptop wanted {first.mine!r}{more}. "
        "Choose which to keep (Conflicts)."
    )


def _send_checked(client: PushClient, cache: Cache, row: OutboxRow) -> tuple[bool, int]:
    """Send one row; returns (stop the drain, rows delivered)."""
    request = encode(operation_of(row))
    try:
        response = client.request(request.method, request.path, json=request.body)
    except (AuthError, ScopeError):
        raise  # push() hands this row and the rest back to pending
    except _TRANSIENT as exc:
        attempt = row.attempts + 1
        delay = retry_delay(attempt, exc)
        cache.outbox.mark_retry(row.id, exc.message, delay)
        log.warning("outbox row %d (%s): %s; retry in %.0f s", row.id, row.kind, exc, delay)
        return True, 0
    except ValidationError as exc:
        saved, refused = _refusal_outcome(row, exc)
        reply, remaining = exc.body, narrowed(row.body, refused)
        if not saved:
            # The whole batch was refused because of some items (e.g. the Inventory API's 422
            # naming `settings.3.variant_id`): the others go once more on their own.
            try:
                settled = settle(client, request.method, request.path, row.body, exc)
            except _TRANSIENT as again:
                cache.outbox.mark_retry(row.id, again.message, retry_delay(row.attempts + 1, again))
                return True, 0
            if settled is not None:
                saved, refused = settled.saved, settled.refused
                reply, remaining = settled.reply, settled.remaining
        with cache.transaction():
            if saved:
                apply_reply(cache, row, saved, reply)
            # The failed row keeps only the refused items: a retry sends just those, and the
            # rows they belong to can be marked failed one by one.
            cache.outbox.mark_failed(row.id, _describe(exc.message, refused), body=remaining)
        log.warning("outbox row %d (%s) refused: %s", row.id, row.kind, exc)
        return False, 0
    except BigCommerceError as exc:  # 404 and anything else the store will not take as is
        cache.outbox.mark_failed(row.id, exc.message)
        log.warning("outbox row %d (%s) failed: %s", row.id, row.kind, exc)
        return False, 0

    body = parse_body(response)
    saved, refused = partial_failures(row, body)
    with cache.transaction():
        apply_reply(cache, row, saved, body)
        if refused:
            # HTTP 207: part of the batch was saved. Its body holds absolute values, so sending
            # it again once the merchant has fixed the rest is harmless.
            message = "BigCommerce saved only part of this change."
            remaining = narrowed(row.body, refused)
            cache.outbox.mark_failed(row.id, _describe(message, refused), body=remaining)
            return False, 0
        cache.outbox.mark_sent(row.id)
    return False, 1


def _refusal_outcome(
    row: OutboxRow, exc: ValidationError
) -> tuple[list[dict[str, Any]], list[ItemError]]:
    # Metafield batches answer a partial success with 422 and `data` holding what was saved.
    if isinstance(exc.body, dict) and isinstance(exc.body.get("data"), list):
        return partial_failures(row, exc.body)
    return [], list(exc.item_errors)


def _describe(message: str, errors: list[ItemError]) -> str:
    details = []
    for err in errors[:10]:
        text = f"{err.item_id}: {err.message}" if err.item_id is not None else err.message
        if text and err.message not in message:
            details.append(text)
    more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
    return message + ("\n" + "\n".join(details) + more if details else "")
