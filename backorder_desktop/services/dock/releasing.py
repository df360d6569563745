"""Releasing ready orders (status, staff note, release record) and undoing a release."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.cache import Cache
from backorder_desktop.domain.models import Order
from backorder_desktop.domain.releases import (
    RELEASE_KEY,
    ReleaseLine,
    ReleaseRecord,
    append_note,
    release_note,
    undo_note,
)
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.services.dock.allocations import (
    RELEASE,
    RELEASE_UNDO,
    active_releases,
    held_units,
    partial_allowed,
    ready_order_ids,
    release_lines,
)
from backorder_desktop.services.notices.notice_records import publish_statuses
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.settings import RELEASE_STATUSES
from backorder_desktop.services.sync_control.metafield_writes import FieldWrite, queue_field_writes
from backorder_desktop.services.sync_control.outbox_ops import queue


@dataclass(frozen=True, slots=True)
class ReadyOrder:
    order_id: int
    customer_name: str
    customer_email: str
    status_id: int
    order_date: datetime
    lines: tuple[ReleaseLine, ...]
    partial: bool  # partial shipment allowed: some lines may still wait

    @property
    def units(self) -> int:
        return sum(line.qty for line in self.lines)


def ready_orders(cache: Cache) -> list[ReadyOrder]:
    """Open orders whose allocated units cover what they wait for, not yet released."""
    with cache.read():
        open_orders = {o.id: o for o in cache.orders.open_orders()}
        ids = ready_order_ids(cache, load_queue(cache), open_orders=open_orders)
        lines = release_lines([h for h in held_units(cache) if h.order_id in set(ids)])
        partial = partial_allowed(cache)
    return [
        ReadyOrder(
            order_id=oid,
            customer_name=open_orders[oid].customer_name,
            customer_email=open_orders[oid].customer_email,
            status_id=open_orders[oid].status_id,
            order_date=open_orders[oid].date_created,
            lines=tuple(lines.get(oid, [])),
            partial=oid in partial,
        )
        for oid in ids
    ]


def ready_lines(cache: Cache, *, sku: str | None = None) -> list[tuple[ReadyOrder, ReleaseLine]]:
    """The lines of orders ready to release (units received and reserved for them), so a
    listing of the queue can show every order the app answers for (issue 14)."""
    return [
        (order, line)
        for order in ready_orders(cache)
        for line in order.lines
        if sku is None or line.sku == sku.strip()
    ]


@dataclass
class ReleaseOutcome:
    batch_id: str
    released: list[int] = field(default_factory=list)
    skipped: list[dict[str, object]] = field(default_factory=list)  # {"order_id", "reason"}
    requests_queued: int = 0


def _status_row(
    cache: Cache, order: Order, status_id: int, note: str, batch_id: str, kind: str
) -> None:
    # The note is appended to the order's notes as the store has them when the row is sent
    # (sync/order_notes.py): a note typed in the control panel since the last sync stays.
    queue(
        cache,
        batch_id,
        kind,
        ops.append_staff_note(order.id, note, {"status_id": status_id}),
    )
    cache.orders.set_status(order.id, status_id, staff_notes=append_note(order.staff_notes, note))


def release_orders(
    cache: Cache,
    order_ids: Iterable[int] | None,
    *,
    status_id: int = 9,
    now: datetime | None = None,
) -> ReleaseOutcome:
    """Move ready orders to `status_id` with a staff note and record the release.

    `order_ids=None` releases every ready order. One status update per order (V2 has no batch
    for orders), then the release records in metafield batches; all queued in one transaction.
    Orders that are not ready are skipped with the reason, never released.
    """
    if status_id not in RELEASE_STATUSES:
        raise InputError(f"Orders can only be released to {sorted(RELEASE_STATUSES)}.")
    now = now or datetime.now(UTC)
    with cache.transaction():
        listed = ready_orders(cache)
        outcome = plan_release(cache, order_ids, ready=listed)
        ready = {r.order_id: r for r in listed}
        orders = {o.id: o for o in cache.orders.open_orders()}
        earlier = active_releases(cache)
        writes = []
        for order_id in outcome.released:
            order = orders[order_id]  # ready orders are open orders in the cache
            item = ready[order_id]
            before = earlier.get(order_id)
            # The rest of a partial shipment: the record covers every unit released so far
            # (what the "on its way" notices compare against); the note names what ships now.
            status_before = before.status_before if before else order.status_id
            record = ReleaseRecord(now, status_before, status_id, False, item.lines)
            note = release_note(now, new_lines(item.lines, before))
            _status_row(cache, order, status_id, note, outcome.batch_id, "release")
            cache.ledger.append(
                RELEASE,
                order_id=order_id,
                batch_id=outcome.batch_id,
                payload={"record": record.to_json()},
            )
            writes.append(FieldWrite("order", order_id, RELEASE_KEY, record.to_json()))
        outcome.requests_queued = len(outcome.released) + queue_field_writes(
            cache, writes, batch_id=outcome.batch_id, kind="release_record", now=now
        )
        outcome.requests_queued += publish_statuses(
            cache, now=now, batch_id=f"status-{outcome.batch_id}"
        )
    return outcome


def new_lines(lines: tuple[ReleaseLine, ...], before: ReleaseRecord | None) -> list[ReleaseLine]:
    """The units of `lines` an earlier release of the order did not ship already."""
    done: dict[int, int] = {}
    for line in before.lines if before else ():
        done[line.line_id] = done.get(line.line_id, 0) + line.qty
    out = []
    for line in lines:
        more = line.qty - done.get(line.line_id, 0)
        if more > 0:
            out.append(ReleaseLine(line.line_id, line.sku, more))
    return out


def plan_release(
    cache: Cache, order_ids: Iterable[int] | None, *, ready: list[ReadyOrder] | None = None
) -> ReleaseOutcome:
    """Which of `order_ids` (None: every ready order) would be released, and why the others
    would not; nothing is written (the CLI's --dry-run)."""
    outcome = ReleaseOutcome(batch_id=f"release-{uuid.uuid4().hex[:12]}")
    with cache.read():
        ready_ids = {r.order_id for r in (ready if ready is not None else ready_orders(cache))}
        wanted = sorted(ready_ids) if order_ids is None else list(dict.fromkeys(order_ids))
        released_before: dict[int, ReleaseRecord] | None = None
        for order_id in wanted:
            if order_id in ready_ids:
                outcome.released.append(order_id)
            else:
                if released_before is None:
                    released_before = active_releases(cache)
                order = cache.orders.get(order_id)
                reason = _why_not(order_id, order, released_before)
                outcome.skipped.append({"order_id": order_id, "reason": reason})
    return outcome


def _why_not(order_id: int, order: Order | None, released: dict[int, ReleaseRecord]) -> str:
    if order is None or not order.is_open:
        return "not an open order in the cache"
    if order_id in released:
        return "already released"
    return "not ready: units still waiting"


def released_orders(cache: Cache) -> list[tuple[Order, ReleaseRecord]]:
    """Released orders (not undone) still in the cache, newest release first."""
    records = active_releases(cache)
    out = []
    for order_id, record in records.items():
        order = cache.orders.get(order_id)
        if order is not None:
            out.append((order, record))
    return sorted(out, key=lambda pair: pair[1].released_at, reverse=True)


def undo_release(cache: Cache, order_id: int, *, now: datetime | None = None) -> ReleaseRecord:
    """Put a released order back where it was before the release: its status restored, ready
    to release again, its units still allocated to it (issue 14).

    The units stay reserved: they never go back to sellable stock while the order waits for
    its release, so a web shopper cannot buy units a waiting customer was promised. Undoing a
    release is not un-receiving: the allocation stands until a receipt is reversed.
    """
    now = now or datetime.now(UTC)
    batch_id = f"undo-{order_id}-{uuid.uuid4().hex[:8]}"
    with cache.transaction():
        record = active_releases(cache).get(order_id)
        if record is None:
            raise InputError(f"Order #{order_id} has no release to undo.")
        order = cache.orders.get(order_id)
        if order is None:
            raise InputError(
                f"Order #{order_id} is no longer open in the cache (shipped or cancelled?): "
                "its release cannot be undone here."
            )
        # Only the status and a note line go back: the units stay reserved for the order, so
        # no stock is written (issue 14); the note is appended to the store's notes as sent.
        note = undo_note(now, record.status_before)
        _status_row(cache, order, record.status_before, note, batch_id, "release_undo")
        undone = record.undo()
        cache.ledger.append(
            RELEASE_UNDO, order_id=order_id, batch_id=batch_id, payload={"record": undone.to_json()}
        )
        queue_field_writes(
            cache,
            [FieldWrite("order", order_id, RELEASE_KEY, undone.to_json())],
            batch_id=batch_id,
            kind="release_record",
            now=now,
        )
        publish_statuses(cache, now=now, batch_id=f"status-{batch_id}")
    return undone
