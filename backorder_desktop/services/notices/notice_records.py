"""Publishing what was told: notice log and backorder status metafields, staff-note lines.

Everything here is queued in the outbox with absolute values (the whole log, the whole status,
the whole staff_notes text) and applied optimistically to the cache in the same transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.bigcommerce.client import METAFIELD_BATCH
from backorder_desktop.cache import Cache
from backorder_desktop.cache.metafields import PLACEHOLDER_STRIDE, placeholder_id, placeholder_row
from backorder_desktop.cache.notice_ledger import LedgerNotice, NoticeLedger, metafield_logs
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, Metafield
from backorder_desktop.domain.notice_log import (
    NOTICES_KEY,
    RELEASED,
    STATUS_KEY,
    NoticeRecord,
    dump_log,
    merge_logs,
)
from backorder_desktop.domain.notices import backorder_status
from backorder_desktop.services.queue import QueueState, load_queue_state
from backorder_desktop.services.sync_control.outbox_ops import queue

OUTBOX_KIND = "notices"
# A storefront theme reads the status: the permission set must include storefront access.
STATUS_PERMISSION = "write_and_sf_access"
LOG_PERMISSION = "write"
MAX_STAFF_NOTES = 65_535  # V2 staff_notes is limited like other long text fields


@dataclass(frozen=True, slots=True)
class OrderFieldWrite:
    order_id: int
    key: str
    value: str
    permission_set: str = LOG_PERMISSION


@dataclass(frozen=True, slots=True)
class RecordResult:
    notices: int  # notices whose record was queued now
    log_writes: int
    status_writes: int
    staff_notes: int
    outbox_rows: int


def staff_note_line(record: NoticeRecord) -> str:
    """'Backorder notice sent 2026-11-26: ETA 2026-12-12' (one line per notice)."""
    day = record.sent_at.astimezone(UTC).date().isoformat()
    verb = "probably sent" if record.unconfirmed else "sent"
    if record.kind == RELEASED:
        what = "items on their way"
    elif record.kind == "cancelled":
        what = "items cancelled"
    else:
        what = f"ETA {record.eta.isoformat() if record.eta else 'unknown'}"
    label = {
        "delay": "delay notice",
        "check_in": "check-in",
        "consent": "consent request",
        "cancelled": "cancellation notice",
        "earlier": "good-news notice",
    }.get(record.kind, "notice")
    line = f"Backorder {label} {verb} {day}: {what}"
    if record.reply_by is not None:
        line += f", reply by {record.reply_by.isoformat()}"
    if record.unconfirmed:
        line += " (the app stopped before the mail server confirmed it)"
    return line


def _fields_by_order(cache: Cache, key: str) -> dict[int, Metafield]:
    """The cached metafield per order for `key`; a real id wins over a placeholder."""
    out: dict[int, Metafield] = {}
    for field in cache.metafields.by_key("order", key, namespace=METAFIELD_NAMESPACE):
        if field.resource_id is None:
            continue
        known = out.get(field.resource_id)
        if (
            known is None
            or (known.id < 0 <= field.id)
            or (
                (known.id < 0) == (field.id < 0)
                and (field.date_modified or datetime.min.replace(tzinfo=UTC))
                >= (known.date_modified or datetime.min.replace(tzinfo=UTC))
            )
        ):
            out[field.resource_id] = field
    return out


def _copy(write: OrderFieldWrite, field_id: int, now: datetime) -> Metafield:
    return Metafield(
        field_id, "order", write.order_id, METAFIELD_NAMESPACE, write.key, write.value, now
    )


def _item(write: OrderFieldWrite) -> dict[str, Any]:
    return {
        "resource_id": write.order_id,
        "namespace": METAFIELD_NAMESPACE,
        "key": write.key,
        "value": write.value,
        "permission_set": write.permission_set,
    }


def _fold(cache: Cache, field: Metafield, write: OrderFieldWrite, now: datetime) -> bool:
    """A create of this field still waits in the outbox: give it the new value instead."""
    row_id = placeholder_row(field.id)
    row = cache.outbox.get(row_id) if row_id is not None else None
    index = (-field.id) % PLACEHOLDER_STRIDE
    if row is None or not isinstance(row.body, list) or index >= len(row.body):
        return False
    body = [dict(item) for item in row.body]
    body[index]["value"] = write.value
    if not cache.outbox.replace_body(row.id, body):
        return False  # already being sent: the next record pass writes it by id
    cache.metafields.upsert([_copy(write, field.id, now)])
    return True


def queue_order_fields(
    cache: Cache, writes: Sequence[OrderFieldWrite], *, batch_id: str, now: datetime
) -> int:
    """Creates (POST) and updates (PUT) in batches of METAFIELD_BATCH, with optimistic copies.

    Call inside a transaction together with whatever the writes stand for.
    """
    known: dict[str, dict[int, Metafield]] = {}
    creates: list[OrderFieldWrite] = []
    updates: list[tuple[int, OrderFieldWrite]] = []
    for write in writes:
        if write.key not in known:
            known[write.key] = _fields_by_order(cache, write.key)
        field = known[write.key].get(write.order_id)
        if field is not None and field.id > 0:
            updates.append((field.id, write))
        elif field is not None and _fold(cache, field, write, now):
            continue
        else:
            if field is not None:  # its create failed or is in flight: a fresh create
                cache.metafields.delete("order", [field.id])
            creates.append(write)
    rows = 0
    for start in range(0, len(creates), METAFIELD_BATCH):
        chunk = creates[start : start + METAFIELD_BATCH]
        op = ops.metafield_op(ops.CREATE, "order", [_item(w) for w in chunk])
        row_id = queue(cache, batch_id, OUTBOX_KIND, op)
        cache.metafields.upsert(
            [_copy(w, placeholder_id(row_id, i), now) for i, w in enumerate(chunk)]
        )
        rows += 1
    for start in range(0, len(updates), METAFIELD_BATCH):
        pairs = updates[start : start + METAFIELD_BATCH]
        body = [{"id": fid, **_item(w)} for fid, w in pairs]
        queue(cache, batch_id, OUTBOX_KIND, ops.metafield_op(ops.UPDATE, "order", body))
        cache.metafields.upsert([_copy(w, fid, now) for fid, w in pairs])
        rows += 1
    return rows


def _pending_staff_notes(cache: Cache) -> dict[int, str]:
    """Staff notes already queued per order (newest row wins): the base for the next line,
    so a sync that brings the store's older text before the push cannot drop a line."""
    out: dict[int, str] = {}
    for state in ("sending", "pending"):
        for row in cache.outbox.rows(state):
            if row.resource != ops.ORDER_R or row.target is None:
                continue
            if isinstance(row.body, dict) and "staff_notes" in row.body:
                out[row.target] = str(row.body["staff_notes"])
    return out


def status_writes(
    cache: Cache, state: QueueState, now: datetime, *, only_published: bool = False
) -> list[OrderFieldWrite]:
    """The storefront status of every order whose status changed since it was published
    (`only_published`: of orders whose status was published before; their first one goes
    with their first notice)."""
    by_order: dict[int, list[Any]] = defaultdict(list)
    for line in state.queue:
        by_order[line.order_id].append(line)
    released = {r.order_id for r in state.releases if not r.undone}
    published = _fields_by_order(cache, STATUS_KEY)
    writes = []
    for order_id in sorted(set(by_order) | set(published)):
        doc = backorder_status(by_order.get(order_id, []), released=order_id in released)
        field = published.get(order_id)
        if field is not None:
            try:
                old = json.loads(field.value)
            except ValueError:
                old = None
            if isinstance(old, dict):
                old.pop("updated_at", None)
                if old == doc:
                    continue
        elif only_published or not doc["lines_waiting"]:
            continue  # never published and nothing waits: nothing to say
        doc["updated_at"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        writes.append(
            OrderFieldWrite(order_id, STATUS_KEY, json.dumps(doc, separators=(",", ":")),
                            STATUS_PERMISSION)
        )  # fmt: skip
    return writes


def publish_statuses(
    cache: Cache,
    *,
    now: datetime | None = None,
    batch_id: str | None = None,
    state: QueueState | None = None,
) -> int:
    """Rewrite every published storefront status that no longer says what the queue says.

    Called after whatever moves the queue (sync, receipt, release, undo, closing a shipment),
    not only when notices go out: a theme must never show a passed date, or "waiting" once the
    last item arrived. Returns the outbox rows queued (none when every status is still true).
    """
    now = now or datetime.now(UTC)
    batch_id = batch_id or f"status-{now.strftime('%Y%m%dT%H%M%S%f')}"
    with cache.transaction():
        writes = status_writes(cache, state or load_queue_state(cache), now, only_published=True)
        return queue_order_fields(cache, writes, batch_id=batch_id, now=now) if writes else 0


def record_notices(
    cache: Cache,
    *,
    now: datetime | None = None,
    state: QueueState | None = None,
    batch_id: str | None = None,
) -> RecordResult:
    """Queue, in one transaction, everything that publishes notices sent (or possibly sent)
    and not yet recorded: each order's whole notice log, a staff-note line per notice, and
    every changed storefront status. Running it again finds nothing left to do."""
    now = now or datetime.now(UTC)
    batch_id = batch_id or f"notices-{now.strftime('%Y%m%dT%H%M%S%f')}"
    with cache.transaction():
        state = state or load_queue_state(cache)
        ledger: list[LedgerNotice] = NoticeLedger(cache).notices()
        todo = [n for n in ledger if n.state != "failed" and not n.recorded]
        local: dict[int, list[NoticeRecord]] = defaultdict(list)
        for notice in ledger:
            if notice.state != "failed":
                local[notice.record.order_id].append(notice.record)
        shared = metafield_logs(cache)
        orders = {n.record.order_id for n in todo}
        writes: list[OrderFieldWrite] = []
        for order_id in sorted(orders):
            merged = merge_logs(shared.get(order_id, ()), local.get(order_id, ()))
            value = dump_log(merged)
            if value != dump_log(shared.get(order_id, [])):
                writes.append(OrderFieldWrite(order_id, NOTICES_KEY, value))
        log_writes = len(writes)
        statuses = status_writes(cache, state, now)
        writes.extend(statuses)
        rows = queue_order_fields(cache, writes, batch_id=batch_id, now=now)

        pending = _pending_staff_notes(cache)
        notes = 0
        for order_id in sorted(orders):
            order = cache.orders.get(order_id)
            if order is None:
                continue  # left the cache (closed): its notes cannot be rewritten whole
            lines = [
                staff_note_line(n.record)
                for n in sorted(todo, key=lambda n: (n.record.sent_at, n.record.id))
                if n.record.order_id == order_id
            ]
            base = pending.get(order_id, order.staff_notes).rstrip("\n")
            text = "\n".join([base, *lines] if base else lines)[-MAX_STAFF_NOTES:]
            # Appended to the order's notes as the store has them when sent (sync/order_notes):
            # a note typed in the control panel since the last sync is kept.
            queue(cache, batch_id, OUTBOX_KIND, ops.append_staff_note(order_id, "\n".join(lines)))
            cache.orders.set_status(order_id, order.status_id, staff_notes=text)
            notes += 1
            rows += 1
        NoticeLedger(cache).mark_recorded([(n.record.id, n.record.order_id) for n in todo])
    return RecordResult(len(todo), log_writes, len(statuses), notes, rows)
