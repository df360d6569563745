"""Orders an incremental pull already holds, so the cursor's overlap costs nothing to list again.

The orders listing re-reads every order changed within `OVERLAP` of the cursor. On a busy
minute (or a store whose orders were imported in one second) that is hundreds of orders, each
decoded, mapped, written and naming its lines' stock for a re-read, although the cache has
every one of them already. An order listed with the id and `date_modified` the cache holds is
skipped unread (BigCommerce bumps `date_modified` on every change: status, lines, shipments).
Open orders are in the cache; closed ones are not, so the ids and dates of closed orders seen
within the overlap are kept in sync_state (a small JSON map, pruned as the cursor moves).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime

from ..cache import Cache
from ..domain.models import Order

CLOSED_SEEN = "closed_orders_seen"  # sync_state key: {order id: date_modified ISO}


def closed_seen(cache: Cache) -> dict[int, datetime]:
    """Closed orders the last pulls saw within the cursor's overlap, with their dates."""
    try:
        raw = json.loads(cache.sync_state.get(CLOSED_SEEN) or "{}")
        return {int(k): datetime.fromisoformat(v) for k, v in raw.items()}
    except (ValueError, TypeError, AttributeError):
        return {}  # unreadable: every closed order in the overlap is read again, as before


def held_since(cache: Cache, since: datetime, closed: dict[int, datetime]) -> dict[int, datetime]:
    """Orders modified since `since` as the cache holds them: open ones in the orders table,
    closed ones from `closed`."""
    with cache.read() as db:
        rows = db.execute(
            "SELECT id, date_modified FROM orders WHERE date_modified >= ?", [since.isoformat()]
        ).fetchall()
    held = {k: v for k, v in closed.items() if v >= since}
    for order_id, modified in rows:
        if modified:
            held[int(order_id)] = datetime.fromisoformat(str(modified))
    return held


def save_closed_seen(
    cache: Cache,
    before: dict[int, datetime],
    listed: Iterable[Order],
    keep_since: datetime | None,
) -> None:
    """Remember the closed orders seen (before, and in this listing) modified since
    `keep_since` (the next pull's overlap); forget all with None (a full pull)."""
    memory = dict(before)
    for order in listed:
        if order.is_open:
            memory.pop(order.id, None)
        else:
            memory[order.id] = order.date_modified
    if keep_since is not None:
        memory = {k: v for k, v in memory.items() if v >= keep_since}
    else:
        memory = {}
    if memory:
        text = json.dumps({str(k): v.isoformat() for k, v in sorted(memory.items())})
        cache.sync_state.set(CLOSED_SEEN, text)
    elif cache.sync_state.get(CLOSED_SEEN) is not None:
        cache.sync_state.delete(CLOSED_SEEN)


class HeldLater(Mapping[int, datetime]):
    """The held orders (`held_since`), read from the cache on a thread of their own while the
    orders request is on the network, which is on the sync's longest chain: the listing looks
    at them only once the first page has arrived."""

    def __init__(self, read: Callable[[], Mapping[int, datetime]]) -> None:
        self._held: Mapping[int, datetime] = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._read, args=(read,), name="pull-held-orders", daemon=True
        )
        self._thread.start()

    def _read(self, read: Callable[[], Mapping[int, datetime]]) -> None:
        try:
            self._held = read()
        except BaseException as exc:  # raised where the listing looks
            self._error = exc

    def join(self) -> None:
        self._thread.join()

    def _value(self) -> Mapping[int, datetime]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._held

    def __getitem__(self, key: int) -> datetime:
        return self._value()[key]

    def __iter__(self) -> Iterator[int]:
        return iter(self._value())

    def __len__(self) -> int:
        return len(self._value())
