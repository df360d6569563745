"""The durable outbox: every write to the store waits here until BigCommerce has accepted it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .codec import json_dumps, json_loads, utc_from_text, utc_now, utc_text
from .core import CacheCore

TABLE = "outbox"
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
STATES = (PENDING, SENDING, SENT, FAILED)
# A row is a typed operation (bigcommerce/operations.py encodes it): what the merchant meant,
# never a URL. Every action but one writes absolute values, so a retry cannot apply it twice;
# relative stock changes ("stock_changes") are not idempotent (spec README), so
# sync/stock_push.py reads the levels back before any second try.
ACTIONS = frozenset({"create", "update", "delete", "set"})


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    batch_id: str
    kind: str  # the merchant's action it belongs to ("backorder limit", "notice record"...)
    action: str  # create | update | delete | set
    resource: str  # "products", "variants", "order", "stock", "metafields:order", ...
    target: int | None  # the one record addressed (an order, a location); None for batches
    body: Any  # the operation's payload
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime


def _from_row(r: dict[str, Any]) -> OutboxRow:
    created, updated, due = (
        utc_from_text(r["created_at"]),
        utc_from_text(r["updated_at"]),
        utc_from_text(r["next_attempt_at"]),
    )
    assert created is not None and updated is not None and due is not None
    return OutboxRow(
        id=r["id"],
        batch_id=r["batch_id"],
        kind=r["kind"],
        action=r["action"],
        resource=r["resource"],
        target=r["target"],
        body=json_loads(r["body"]),
        state=r["state"],
        attempts=r["attempts"],
        last_error=r["last_error"],
        created_at=created,
        updated_at=updated,
        next_attempt_at=due,
    )


class Outbox:
    """Rows go pending -> sending -> sent, or back to pending (retry later), or failed.

    Rows are sent strictly in the order they were queued: `claim_due` stops at the first pending
    row that is not due yet, so a later write to the same resource can never overtake an earlier
    one that is waiting out a back-off (bodies are absolute values: the last one sent wins).
    """

    def __init__(self, core: CacheCore) -> None:
        self._core = core

    def enqueue(
        self,
        batch_id: str,
        kind: str,
        action: str,
        resource: str,
        body: Any,
        *,
        target: int | None = None,
    ) -> int:
        """Queue one operation (services/sync_control/outbox_ops.py builds them); its payload holds absolute
        values so a retry cannot double-apply (relative stock changes: see sync/stock_push.py)."""
        if action not in ACTIONS:
            raise ValueError(f"the outbox only queues writes (create/update/delete/set): {action}")
        if not resource or "/" in resource:
            raise ValueError(f"an outbox row names a resource, not a path: {resource!r}")
        now = utc_text(utc_now())
        row = {
            "batch_id": batch_id,
            "kind": kind,
            "action": action,
            "resource": resource,
            "target": None if target is None else int(target),
            "body": None if body is None else json_dumps(body),
            "state": PENDING,
            "attempts": 0,
            "last_error": None,
            "created_at": now,
            "updated_at": now,
            "next_attempt_at": now,
        }
        with self._core.transaction() as db:
            table = db.table(TABLE)
            table.insert(row)
            assert table.last_rowid is not None
            return table.last_rowid

    def get(self, row_id: int) -> OutboxRow | None:
        rows = self._core.rows(TABLE, "id = ?", [row_id])
        return _from_row(rows[0]) if rows else None

    def rows(self, state: str | None = None, *, batch_id: str | None = None) -> list[OutboxRow]:
        clauses: list[str] = []
        args: list[Any] = []
        if state is not None:
            clauses.append("state = ?")
            args.append(state)
        if batch_id is not None:
            clauses.append("batch_id = ?")
            args.append(batch_id)
        rows = self._core.rows(TABLE, " AND ".join(clauses) or None, args, order_by="id")
        return [_from_row(r) for r in rows]

    def claim_due(self, limit: int, *, now: datetime | None = None) -> list[OutboxRow]:
        """Take up to `limit` due rows, oldest first, and mark them sending.

        Returns nothing while another drain holds rows in `sending` (one drain at a time keeps
        the order), and stops at the first pending row still waiting out its back-off.
        """
        moment = utc_text(now or utc_now())
        with self._core.transaction() as db:
            if self._core.count(TABLE, "state = ?", [SENDING]):
                return []
            head = db.table(TABLE).rows_where("state = ?", [PENDING], order_by="id", limit=limit)
            claimed = []
            for r in head:
                if r["next_attempt_at"] > moment:
                    break
                claimed.append(r)
            for r in claimed:
                db.table(TABLE).update(r["id"], {"state": SENDING, "updated_at": moment})
                r["state"], r["updated_at"] = SENDING, moment
            return [_from_row(r) for r in claimed]

    def _set(self, row_id: int, expect: tuple[str, ...], **values: Any) -> bool:
        with self._core.transaction() as db:
            rows = self._core.rows(TABLE, "id = ?", [row_id])
            if not rows or rows[0]["state"] not in expect:
                return False
            values["updated_at"] = utc_text(utc_now())
            if values.pop("count_attempt", False):
                values["attempts"] = rows[0]["attempts"] + 1
            db.table(TABLE).update(row_id, values)
            return True

    def mark_sent(self, row_id: int) -> bool:
        return self._set(row_id, (SENDING,), state=SENT, last_error=None, count_attempt=True)

    def mark_retry(self, row_id: int, error: str, delay_s: float) -> bool:
        """Back to pending after a transient failure; due again after `delay_s` seconds."""
        due = utc_text(utc_now() + timedelta(seconds=max(0.0, delay_s)))
        return self._set(
            row_id,
            (SENDING,),
            state=PENDING,
            last_error=error,
            next_attempt_at=due,
            count_attempt=True,
        )

    def mark_failed(self, row_id: int, message: str, *, body: Any = None) -> bool:
        """The store refused the request: it waits for the user to fix and retry, or discard.

        With `body`, the row keeps only what is still to send (a batch's refused items).
        """
        extra = {} if body is None else {"body": json_dumps(body)}
        return self._set(
            row_id, (SENDING,), state=FAILED, last_error=message, count_attempt=True, **extra
        )

    def mark_conflict(self, row_id: int, message: str, *, body: Any) -> bool:
        """Part of a row was sent (or refused) but some items wait for the merchant's choice
        (another laptop changed them): the row becomes failed holding just those items."""
        return self._set(
            row_id, (SENDING, SENT, FAILED), state=FAILED, last_error=message, body=json_dumps(body)
        )

    def replace_failed_body(self, row_id: int, body: Any) -> bool:
        """A failed row keeps only part of its items (the merchant settled the others)."""
        return self._set(row_id, (FAILED,), body=json_dumps(body))

    def release(self, row_ids: list[int]) -> None:
        """Claimed rows that were never tried go back to pending, due at once, no attempt counted."""
        for row_id in row_ids:
            self._set(row_id, (SENDING,), state=PENDING)

    def reset_sending(self) -> int:
        """After a crash: rows left `sending` were maybe sent, maybe not; absolute bodies make
        sending them again safe. Returns how many went back to pending. The interrupted try
        counts as an attempt: a create tried before is checked for its first copy (sync.recreate)."""
        now = utc_text(utc_now())
        with self._core.transaction() as db:
            n = self._core.count(TABLE, "state = ?", [SENDING])
            if n:
                db.execute(
                    "UPDATE outbox SET state = ?, updated_at = ?, attempts = attempts + 1 "
                    "WHERE state = ?",
                    [PENDING, now, SENDING],
                )
            return n

    def due_now(self) -> int:
        """Pending rows waiting out a back-off become due at once (the store answered again,
        e.g. the network is back); returns how many."""
        now = utc_text(utc_now())
        with self._core.transaction() as db:
            n = self._core.count(TABLE, "state = ? AND next_attempt_at > ?", [PENDING, now])
            if n:
                db.execute(
                    "UPDATE outbox SET next_attempt_at = ? WHERE state = ? AND next_attempt_at > ?",
                    [now, PENDING, now],
                )
            return n

    def replace_body(self, row_id: int, body: Any) -> bool:
        """Give a row that has not been sent yet a new (absolute) body; False once it is taken.

        Lets a later change fold into a queued create whose id the store has not assigned yet
        (a metafield POST): a second POST of the same key would be refused as a duplicate.
        """
        with self._core.transaction():
            rows = self._core.rows(TABLE, "id = ?", [row_id])
            if not rows or rows[0]["state"] != PENDING:
                return False
            self._core.db.table(TABLE).update(
                row_id, {"body": None if body is None else json_dumps(body)}
            )
            return True

    def retry(self, row_id: int) -> bool:
        """A failed row goes back to pending, due now (the user fixed what was wrong)."""
        now = utc_text(utc_now())
        return self._set(row_id, (FAILED,), state=PENDING, next_attempt_at=now)

    def discard(self, row_id: int) -> bool:
        """Forget a failed or pending row (never one being sent)."""
        with self._core.transaction() as db:
            rows = self._core.rows(TABLE, "id = ?", [row_id])
            if not rows or rows[0]["state"] not in (PENDING, FAILED):
                return False
            db.table(TABLE).delete(row_id)
            return True

    def purge_sent(self, older_than: datetime) -> int:
        """Drop sent rows last touched before `older_than` (they are history, not work)."""
        where, args = "state = ? AND updated_at < ?", [SENT, utc_text(older_than)]
        with self._core.transaction() as db:
            n = self._core.count(TABLE, where, args)
            db.table(TABLE).delete_where(where, args)
            return n

    def next_due_at(self) -> datetime | None:
        """When the oldest pending row may be sent (None when nothing is pending)."""
        rows = self._core.rows(TABLE, "state = ?", [PENDING], order_by="id")
        return utc_from_text(rows[0]["next_attempt_at"]) if rows else None

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATES, 0)
        with self._core.read() as db:
            for state, n in db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state"):
                out[state] = int(n)
        return out
