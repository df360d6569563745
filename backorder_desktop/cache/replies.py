"""Notices' Message-IDs and the customers' replies to them (durable tables, schema v4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .codec import utc_from_text, utc_now, utc_text
from .core import CacheCore, chunks, placeholders

MESSAGES = "notice_messages"
REPLIES = "replies"
NEW, DONE, DISMISSED = "new", "done", "dismissed"


@dataclass(frozen=True, slots=True)
class NoticeMessage:
    message_id: str  # as sent, with its angle brackets
    order_id: int
    notice_id: str
    kind: str
    recipient: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class StoredReply:
    id: int
    message_id: str
    order_id: int
    notice_message_id: str
    sender: str
    subject: str
    received: datetime
    body: str  # plain text, already cleaned and capped
    suggestion: str | None
    state: str = NEW
    handled_action: str | None = None
    handled_at: datetime | None = None
    mailbox: str = ""
    uid: int | None = None


def _reply(r: dict[str, Any]) -> StoredReply:
    received = utc_from_text(r["received"])
    assert received is not None
    return StoredReply(
        id=r["id"],
        message_id=r["message_id"],
        order_id=r["order_id"],
        notice_message_id=r["notice_message_id"],
        sender=r["sender"],
        subject=r["subject"],
        received=received,
        body=r["body"],
        suggestion=r["suggestion"],
        state=r["state"],
        handled_action=r["handled_action"],
        handled_at=utc_from_text(r["handled_at"]) if r["handled_at"] else None,
        mailbox=r["mailbox"],
        uid=r["uid"],
    )


class ReplyRepository:
    """Message-IDs are kept per order (a combined check-in covers several orders), and a
    reply is stored once per (its Message-ID, order): fetching twice stores nothing new."""

    def __init__(self, core: CacheCore) -> None:
        self._core = core

    # --- the notices' Message-IDs ----------------------------------------------------------
    def keep_message_ids(self, messages: Iterable[NoticeMessage]) -> None:
        rows = [
            {
                "message_id": m.message_id,
                "order_id": m.order_id,
                "notice_id": m.notice_id,
                "kind": m.kind,
                "recipient": m.recipient,
                "sent_at": utc_text(m.sent_at),
            }
            for m in messages
        ]
        if rows:
            with self._core.transaction() as db:
                db.table(MESSAGES).upsert_all(rows, pk=("message_id", "order_id"))

    def notices_by_message_ids(self, message_ids: Iterable[str]) -> dict[str, list[NoticeMessage]]:
        """Message-ID -> the notices (one per order) it carried; unknown ids are left out."""
        out: dict[str, list[NoticeMessage]] = {}
        for r in self._core.rows_in(MESSAGES, "message_id", set(message_ids)):
            sent = utc_from_text(r["sent_at"])
            assert sent is not None
            out.setdefault(r["message_id"], []).append(
                NoticeMessage(
                    r["message_id"], r["order_id"], r["notice_id"], r["kind"], r["recipient"], sent
                )
            )
        return out

    def message_count(self) -> int:
        return self._core.count(MESSAGES)

    def first_sent(self) -> datetime | None:
        """When the oldest kept notice went out (None: none kept, no reply can match)."""
        with self._core.read() as db:
            row = db.execute("SELECT MIN(sent_at) FROM notice_messages").fetchone()
        return utc_from_text(row[0]) if row and row[0] else None

    # --- replies ----------------------------------------------------------------------------
    def known_reply_ids(self, message_ids: Iterable[str]) -> set[str]:
        return {r["message_id"] for r in self._core.rows_in(REPLIES, "message_id", message_ids)}

    def add(self, replies: Iterable[StoredReply]) -> int:
        """Store the replies not stored yet; returns how many were new."""
        added = 0
        with self._core.transaction() as db:
            for reply in replies:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO replies (message_id, order_id, notice_message_id, "
                    "mailbox, uid, sender, subject, received, body, suggestion, state) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        reply.message_id,
                        reply.order_id,
                        reply.notice_message_id,
                        reply.mailbox,
                        reply.uid,
                        reply.sender,
                        reply.subject,
                        utc_text(reply.received),
                        reply.body,
                        reply.suggestion,
                        NEW,
                    ],
                )
                added += cursor.rowcount
        return added

    def get(self, reply_id: int) -> StoredReply | None:
        rows = self._core.rows(REPLIES, "id = ?", [reply_id])
        return _reply(rows[0]) if rows else None

    def list(self, *, order_id: int | None = None, unanswered: bool = False) -> list[StoredReply]:
        """Newest first."""
        clauses: list[str] = []
        args: list[object] = []
        if order_id is not None:
            clauses.append("order_id = ?")
            args.append(order_id)
        if unanswered:
            clauses.append("state = ?")
            args.append(NEW)
        where = " AND ".join(clauses) or None
        rows = self._core.rows(REPLIES, where, args, order_by="received DESC, id DESC")
        return [_reply(r) for r in rows]

    def mark(self, reply_ids: Iterable[int], state: str, action: str | None = None) -> int:
        """Staff handled these replies (`state` done or dismissed); returns how many changed."""
        if state not in (NEW, DONE, DISMISSED):
            raise ValueError(f"unknown reply state {state!r}")
        changed = 0
        now = utc_text(utc_now()) if state != NEW else None
        with self._core.transaction() as db:
            for chunk in chunks(list(reply_ids)):
                # Only "?" placeholders are formatted in: every value is bound.
                sql = f"UPDATE replies SET state = ?, handled_action = ?, handled_at = ? WHERE id IN ({placeholders(len(chunk))})"  # noqa: S608
                cursor = db.execute(sql, [state, action, now, *chunk])
                changed += cursor.rowcount
        return changed
