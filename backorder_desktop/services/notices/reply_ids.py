"""Keeping the Message-ID each notice goes out with, so a customer's reply finds its order."""

from __future__ import annotations

from collections.abc import Iterable
from email.message import EmailMessage

from backorder_desktop.cache import Cache
from backorder_desktop.cache.replies import NoticeMessage
from backorder_desktop.domain.notice_log import NoticeRecord


def keep_message_id(
    cache: Cache, message: EmailMessage, records: Iterable[NoticeRecord], recipient: str
) -> str:
    """Store the message's Message-ID for every order its notice records cover; returns it."""
    message_id = str(message.get("Message-ID", "")).strip()
    if not message_id:
        return ""
    cache.replies.keep_message_ids(
        NoticeMessage(message_id, r.order_id, r.id, r.kind, recipient, r.sent_at) for r in records
    )
    return message_id
