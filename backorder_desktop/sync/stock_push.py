"""Sending one relative stock write, and settling a lost answer by reading back (RELIABILITY.md).

A relative adjustment is not idempotent: sent twice it counts twice. So before the request
leaves, the items' current figures are read and committed (`cache.stock_writes`); when the
answer is lost (5xx, dropped connection, a crash mid-request) the next try first reads the
items again and decides: exactly the figures from before -> not applied, send it; exactly
before + change -> applied, done; anything else, or a shopper's order for one of the items
since the first read -> *uncertain*: the row stops, and staff choose with both figures shown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from ..bigcommerce import reads
from ..bigcommerce.client import ORDER_INCLUDE, v2_date
from ..bigcommerce.errors import (
    AuthError,
    BigCommerceError,
    OfflineError,
    RateLimitedError,
    ScopeError,
    ServerError,
)
from ..bigcommerce.mapping import map_inventory_item, map_order
from ..bigcommerce.operations import encode
from ..cache import Cache, OutboxRow
from ..cache.codec import utc_now
from ..cache.stock_keys import shared_stock_keys
from ..cache.stock_writes import SENDING_STATE, UNCERTAIN, StockWrites, row_deltas
from ..domain.receiving import StockDelta
from ..domain.stock_moves import Outcome, clamp_owed, decide, rekey_items
from .owed_elsewhere import move_to_on_hand, owed_elsewhere
from .replies import operation_of

log = logging.getLogger("backorder_desktop.sync")

# BigCommerce applies inventory writes asynchronously, within seconds. A read of items this
# laptop wrote less than this long ago waits first: a read taken before our own write shows
# would make a lost answer look "not applied".
SETTLE_S = 3.0
Levels = dict[tuple[int, int], tuple[int, int | None]]
Sleep = Callable[[float], None]

__all__ = ["SETTLE_S", "send_stock_row", "uncertain_message"]


def send_stock_row(
    client: Any,
    cache: Cache,
    row: OutboxRow,
    retry_delay: Callable[[int, BigCommerceError], float],
    *,
    sleep: Sleep = time.sleep,
) -> tuple[bool, int]:
    """Send (or settle) one relative stock row; returns (stop the drain, rows delivered)."""
    writes = StockWrites(cache)
    keys = shared_stock_keys(cache)
    deltas = row_deltas(row)
    earlier = writes.get(row.id)
    try:
        if earlier is not None and earlier.state == SENDING_STATE:
            # The last try's answer was lost: never send again before knowing.
            _wait_until(earlier.sent_at + timedelta(seconds=SETTLE_S), sleep)
            now, _ = read_levels(client, deltas)
            records = {d.variant_id for d in deltas}
            # A sale of any variant sharing one of these stock records touched it.
            sharing = records | {vid for vid, key in keys.items() if key in records}
            touched = sold_since(client, earlier.before_at, sharing)
            verdict = decide(deltas, earlier.before, now, touched_meanwhile=touched)
            log.warning("stock row %d read back: %s", row.id, verdict.outcome.value)
            if verdict.outcome is Outcome.APPLIED:
                with cache.transaction():
                    cache.outbox.mark_sent(row.id)
                    writes.mark_sent(row.id)
                return False, 1
            if verdict.outcome is Outcome.UNCERTAIN:
                message = uncertain_message(deltas, earlier.before, now, verdict.reason)
                with cache.transaction():
                    cache.outbox.mark_failed(row.id, message)
                    writes.mark_uncertain(row.id, now, message)
                return False, 0
            # Not applied: send it now, with what was just read as the figures before.
        return _send_fresh(client, cache, row, retry_delay, sleep, keys)
    except (AuthError, ScopeError):
        raise
    except BigCommerceError as exc:  # the reads failed: try again later, nothing was sent
        cache.outbox.mark_retry(row.id, exc.message, retry_delay(row.attempts + 1, exc))
        return True, 0


def _send_fresh(
    client: Any,
    cache: Cache,
    row: OutboxRow,
    retry_delay: Callable[[int, BigCommerceError], float],
    sleep: Sleep,
    keys: dict[int, int],
) -> tuple[bool, int]:
    writes = StockWrites(cache)
    body = row.body if isinstance(row.body, dict) else {"items": []}
    items = [i for i in body.get("items") or [] if isinstance(i, dict)]
    rewritten = any(
        keys.get(int(i["variant_id"]), i["variant_id"]) != i["variant_id"] for i in items
    )
    if rewritten:
        # Variants of a product tracked by product share one stock: the change is sent, read
        # back and fitted to what is owed on that one record (cache/stock_keys.py).
        items = rekey_items(items, keys)
        body = {**body, "items": items}
        row = replace(row, body=body)
    taken = owed_elsewhere(client, cache, row, keys)
    if taken:
        # Another laptop's receipt took some of these waiting units first (the order records
        # say so at once; its stock write may not show yet): they are on-hand stock here.
        items = move_to_on_hand(items, taken)
        body = {**body, "items": items}
        row = replace(row, body=body)
        rewritten = True
    if not items:  # the changes cancel out on the records they touch: nothing to send
        with cache.transaction():
            cache.outbox.mark_sent(row.id)
            writes.forget(row.id)
        return False, 1
    deltas = row_deltas(row)
    until = writes.settling_until({d.variant_id for d in deltas}, SETTLE_S)
    if until is not None:
        _wait_until(until, sleep)
    before, before_at = read_levels(client, deltas)
    items, moved = clamp_owed(items, before)
    if moved:
        log.warning("stock row %d: %d unit(s) no longer owed go to stock instead", row.id, moved)
        body = {**body, "items": items}
        row = replace(row, body=body)
    writes.begin(row.id, before, before_at, body=body if moved or rewritten else None)
    try:
        request = encode(operation_of(row))
        client.request(request.method, request.path, json=request.body)
    except (AuthError, ScopeError):
        writes.forget(row.id)  # refused before anything was applied
        raise
    except RateLimitedError as exc:  # a 429 applies nothing
        writes.forget(row.id)
        cache.outbox.mark_retry(row.id, exc.message, retry_delay(row.attempts + 1, exc))
        return True, 0
    except (ServerError, OfflineError) as exc:
        # Unknown outcome: the figures stay, and the next try reads back before anything else.
        cache.outbox.mark_retry(row.id, exc.message, retry_delay(row.attempts + 1, exc))
        log.warning("stock row %d: %s; will read back before sending again", row.id, exc)
        return True, 0
    except BigCommerceError as exc:  # refused (422 and the like): nothing was applied
        with cache.transaction():
            writes.forget(row.id)
            cache.outbox.mark_failed(row.id, exc.message)
        log.warning("stock row %d refused: %s", row.id, exc)
        return False, 0
    with cache.transaction():
        cache.outbox.mark_sent(row.id)
        writes.mark_sent(row.id)
    writes.purge(SETTLE_S)
    return False, 1


def _wait_until(moment: datetime, sleep: Sleep) -> None:
    left = (moment - utc_now()).total_seconds()
    if left > 0:
        sleep(min(left, SETTLE_S))


def read_levels(client: Any, deltas: list[StockDelta]) -> tuple[Levels, datetime | None]:
    """The items' figures now, and the store's clock when it answered (its Date header)."""
    vids = sorted({d.variant_id for d in deltas})
    response = reads.inventory_items_now(client, vids)
    out: Levels = {}
    for data in response.json().get("data") or []:
        for rec in map_inventory_item(data):
            out[(rec.variant_id, rec.location_id)] = (rec.on_hand, rec.qty_backordered)
    for d in deltas:  # an item the store lists at no location yet has nothing there
        out.setdefault((d.variant_id, d.location_id), (0, None))
    return out, store_clock(response.headers.get("date"))


def store_clock(header: str | None) -> datetime | None:
    if not header:
        return None
    try:
        return parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None


def sold_since(client: Any, since: datetime | None, variant_ids: set[int]) -> bool:
    """Did an order for one of the variants land since `since` (the store's clock)?

    Unknown (no clock, too many orders to list in one page) counts as yes: uncertain is safe.
    """
    if since is None:
        return True
    params = {**ORDER_INCLUDE, "min_date_created": v2_date(since - timedelta(seconds=1))}
    response = reads.orders_page(client, {**params, "limit": 250})
    if response.status_code == 204 or not response.content:
        return False
    data = response.json()
    if not isinstance(data, list) or len(data) >= 250:
        return True
    for doc in data:
        order = map_order(doc)
        if any(line.variant_id in variant_ids for line in order.lines):
            return True
    return False


def uncertain_message(deltas: list[StockDelta], before: Levels, now: Levels, why: str) -> str:
    parts = []
    for d in deltas:
        key = (d.variant_id, d.location_id)
        b, n = before.get(key, (0, None)), now.get(key, (0, None))
        parts.append(
            f"variant {d.variant_id} at location {d.location_id}: {b[0]} on hand before, "
            f"{n[0]} now; this change adds {d.on_hand:+d}"
            + (f" (backordered {d.qty_backordered:+d})" if d.qty_backordered else "")
        )
    return (
        f"Uncertain: the answer to this stock change was lost and {why}, so the store's "
        "figures cannot prove whether it was applied. " + "; ".join(parts) + ". Choose "
        "'it was applied' or 'apply it' (Outbox, or `outbox retry|discard`)."
    )


def is_uncertain(cache: Cache, row_id: int) -> bool:
    w = StockWrites(cache).get(row_id)
    return w is not None and w.state == UNCERTAIN
