"""Customers' replies to notices: fetch them over IMAP, list them, and act on one when staff
confirm. A reply belongs to an order only through In-Reply-To/References naming a notice's
Message-ID (never by subject or address); nothing on the server is marked or moved."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from backorder_desktop.cache import Cache
from backorder_desktop.cache.replies import DISMISSED, DONE, NoticeMessage, StoredReply
from backorder_desktop.domain.reply_words import (
    CANCEL,
    KEEP,
    SHIP_PARTIAL,
    SUGGESTIONS,
    excerpt,
    own_words,
    suggest,
)
from backorder_desktop.mail.imap import IMAP_PLAIN, ImapConfig, ImapReader
from backorder_desktop.mail.reply_mail import header_refs, parse_reply
from backorder_desktop.services.backorders import set_partial_shipment
from backorder_desktop.services.credentials import get_imap_password
from backorder_desktop.services.logs import register_secret
from backorder_desktop.services.settings import Settings

log = logging.getLogger("backorder_desktop.replies")

CURSOR_NAMESPACE = "imap_cursor"  # app_state: account -> {"uidvalidity": n, "uid": last seen}
DEMO_IMAP_USER = "demo"
DEMO_IMAP_PASSWORD = "demo-mailbox"  # the demo mailbox's own login: loopback, no secret


def imap_config(
    settings: Settings, *, demo: tuple[str, int] | None = None, with_password: bool = True
) -> ImapConfig:
    """Where replies are read: the saved account (password from keychain or environment), or
    in demo mode the demo mailbox at `demo` = (host, port)."""
    if demo is not None:
        return ImapConfig(demo[0], demo[1], IMAP_PLAIN, DEMO_IMAP_USER, DEMO_IMAP_PASSWORD, "INBOX")
    password = ""
    if with_password:
        password = get_imap_password(settings.imap_host.strip(), settings.imap_user.strip())
        register_secret(password)
    return ImapConfig(
        host=settings.imap_host.strip(),
        port=settings.imap_port,
        security=settings.imap_security,
        user=settings.imap_user.strip(),
        password=password,
        mailbox=settings.imap_folder.strip() or "INBOX",
    )


def imap_configured(settings: Settings) -> bool:
    return bool(settings.imap_host.strip() and settings.imap_user.strip())


@dataclass
class FetchReport:
    new_messages: int = 0  # messages in the mailbox not looked at before
    matched: int = 0  # of those, replies to one of our notices
    stored: int = 0  # replies stored now (0 when fetched before)
    orders: list[int] = field(default_factory=list)  # orders that got a new reply

    def summary(self) -> str:
        if not self.stored:
            return "No new replies from customers."
        n = self.stored
        return f"{n} new {'reply' if n == 1 else 'replies'} from customers."


def _cursor(cache: Cache, account: str) -> tuple[int, int]:
    raw = cache.app_state.get(CURSOR_NAMESPACE, account)
    try:
        value = json.loads(raw) if raw else {}
        return int(value.get("uidvalidity", 0)), int(value.get("uid", 0))
    except (ValueError, TypeError, AttributeError):
        return 0, 0


def _match(refs: tuple[str, ...], known: dict[str, list[NoticeMessage]]) -> list[NoticeMessage]:
    """The notices the reply answers: the nearest reference that is one of ours (In-Reply-To
    first, then References from the newest)."""
    for ref in refs:
        if ref in known:
            return known[ref]
    return []


def fetch_replies(
    cache: Cache,
    config: ImapConfig,
    *,
    reader_factory: Callable[[ImapConfig], ImapReader] = ImapReader,
    now: datetime | None = None,
) -> FetchReport:
    """Read the messages new since the last fetch and store the replies to our notices.

    Only the Message-ID, In-Reply-To and References headers of a new message are read; a body
    is downloaded (its first 256 KB, with BODY.PEEK: it stays unread) only when the message
    answers a notice. Stored once per (Message-ID, order): fetching again stores nothing.
    Raises MailError (MailConnectionError) with a plain reason when the mailbox cannot be read.
    """
    now = now or datetime.now(UTC)
    report = FetchReport()
    with reader_factory(config) as inbox:
        validity, last = _cursor(cache, config.account)
        if validity != inbox.uidvalidity:
            last = 0  # the server renumbered the folder: look at everything again (idempotent)
        first_sent = cache.replies.first_sent()
        if first_sent is None:
            return report  # no notice kept yet: nothing can be a reply to one
        # Looking from the start: only mail since the first notice (a day early, for zones).
        since = first_sent.date() - timedelta(days=1) if last == 0 else None
        uids = inbox.uids_from(last + 1, since)
        report.new_messages = len(uids)
        wanted: dict[int, list[NoticeMessage]] = {}
        heads = inbox.heads(uids) if uids else []
        refs_of = {head.uid: header_refs(head.headers) for head in heads}
        known = cache.replies.notices_by_message_ids(
            ref for _own, refs in refs_of.values() for ref in refs
        )
        for uid, (_own, refs) in refs_of.items():
            notices = _match(refs, known)
            if notices:
                wanted[uid] = notices
        report.matched = len(wanted)
        stored: list[StoredReply] = []
        for fetched in inbox.fetch(sorted(wanted)) if wanted else []:
            mail = parse_reply(fetched.raw, truncated=fetched.truncated)
            # Without a Message-ID the mailbox's own numbering identifies it.
            key = mail.message_id or f"<uid-{inbox.uidvalidity}-{fetched.uid}@{config.account}>"
            for notice in wanted.get(fetched.uid, []):
                # A reply from another address than the notice went to is shown, but gets no
                # suggestion: staff check who wrote before acting on it.
                same_sender = mail.sender == notice.recipient.strip().lower()
                stored.append(
                    StoredReply(
                        id=0,
                        message_id=key,
                        order_id=notice.order_id,
                        notice_message_id=notice.message_id,
                        sender=mail.sender,
                        subject=mail.subject,
                        # The sender's clock: a date ahead of ours is taken as now.
                        received=min(mail.date or now, now),
                        body=mail.text,
                        suggestion=suggest(mail.text) if same_sender else None,
                        mailbox=config.mailbox,
                        uid=fetched.uid,
                    )
                )
        with cache.transaction():
            report.stored = cache.replies.add(stored)
            if uids:
                cursor = {"uidvalidity": inbox.uidvalidity, "uid": max(uids)}
                cache.app_state.set(CURSOR_NAMESPACE, config.account, json.dumps(cursor))
        report.orders = sorted({r.order_id for r in stored})
    log.info(
        "replies: %d new messages, %d replies to notices, %d stored",
        report.new_messages,
        report.matched,
        report.stored,
    )
    return report


@dataclass(frozen=True)
class ReplyRow:
    """One reply as the window and the CLI show it."""

    id: int
    order_id: int
    sender: str
    received: datetime
    subject: str
    text: str  # the whole reply, as plain text
    own_text: str  # without quoted text and signature
    excerpt: str
    suggestion: str | None
    state: str
    handled_action: str | None

    @property
    def answered(self) -> bool:
        return self.state != "new"

    def to_json(self) -> dict[str, object]:
        """The CLI contract (../shared/CLI.md)."""
        return {
            "order_id": self.order_id,
            "from": self.sender,
            "received": self.received.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "excerpt": self.excerpt,
            "suggestion": self.suggestion,
        }


def _row(reply: StoredReply) -> ReplyRow:
    return ReplyRow(
        id=reply.id,
        order_id=reply.order_id,
        sender=reply.sender,
        received=reply.received,
        subject=reply.subject,
        text=reply.body,
        own_text=own_words(reply.body),
        excerpt=excerpt(reply.body),
        suggestion=reply.suggestion,
        state=reply.state,
        handled_action=reply.handled_action,
    )


def list_replies(
    cache: Cache, *, order_id: int | None = None, unanswered: bool = False
) -> list[ReplyRow]:
    """Newest first; `unanswered`: only those staff have not confirmed or dismissed."""
    return [_row(r) for r in cache.replies.list(order_id=order_id, unanswered=unanswered)]


@dataclass(frozen=True)
class Confirmed:
    reply_id: int
    order_id: int
    action: str
    # "cancel" is the refunds feature's (issue 19.2): the window opens its dialog for the
    # order; until the order is cancelled there, the reply stays unanswered.
    needs_cancel_dialog: bool = False


def confirm_reply(
    cache: Cache,
    reply_id: int,
    action: str,
    *,
    record_consent: Callable[[Cache, int], object] | None = None,
) -> Confirmed:
    """Staff confirmed `action` for the order a reply is about (one click in the window).

    - ship_partial: the order may ship the lines that are ready (the existing order choice);
    - keep: the order stays in the queue; `record_consent(cache, order_id)` (the consent
      feature's, issue 19.1) records the customer's consent when it is wired;
    - cancel: nothing here; the caller opens the cancel-and-refund dialog (issue 19.2) and
      calls `mark_reply_handled(cache, reply_id, "cancel")` once the order is cancelled.
    """
    if action not in SUGGESTIONS:
        raise ValueError(f"Unknown action '{action}': one of {', '.join(SUGGESTIONS)}.")
    reply = cache.replies.get(reply_id)
    if reply is None:
        raise ValueError(f"Reply {reply_id} is not in the local cache.")
    if action == CANCEL:
        return Confirmed(reply_id, reply.order_id, action, needs_cancel_dialog=True)
    with cache.transaction():
        if action == SHIP_PARTIAL:
            set_partial_shipment(cache, [reply.order_id], True)
        elif action == KEEP and record_consent is not None:
            record_consent(cache, reply.order_id)
        cache.replies.mark([reply_id], DONE, action)
    return Confirmed(reply_id, reply.order_id, action)


def mark_reply_handled(cache: Cache, reply_id: int, action: str | None = None) -> bool:
    """The reply is answered: done with `action`, or dismissed (read, nothing to do) when
    `action` is None. Returns False when there is no such reply."""
    state = DONE if action else DISMISSED
    return cache.replies.mark([reply_id], state, action) > 0
