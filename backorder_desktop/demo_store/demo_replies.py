"""Customers answering in the demo: replies to notices the mail sink received, put in the demo
mailbox (read over IMAP by the app, as a real inbox would be)."""

from __future__ import annotations

import hashlib
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from .imap_server import Mailbox

INBOX_DIR = "demo-inbox"  # beside demo-mail/, under the data dir
NOTICE_HEADER = "X-Backorder-Notice"
# What demo customers answer, in turn; one notice in two gets an answer.
ANSWERS = (
    "No problem, I'll wait for it.",
    "Please cancel my order, I found it elsewhere.",
    "Could you ship what you have now and send the rest later?",
    "Is there any chance of a discount for the wait?",
)


def demo_inbox(data_dir: Path | None) -> Mailbox:
    return Mailbox(Path(data_dir) / INBOX_DIR if data_dir is not None else None)


def reply_to(notice_raw: bytes, answer: str) -> bytes:
    """The customer's reply to a notice: In-Reply-To and References name it, the original is
    quoted below an "On ... wrote:" line, as mail programs do."""
    notice = message_from_bytes(notice_raw, policy=policy.default)
    reply = EmailMessage()
    reply["From"] = str(notice.get("To", "customer@example.com"))
    reply["To"] = str(notice.get("From", "shop@example.com"))
    subject = str(notice.get("Subject", ""))
    reply["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    reply["Date"] = formatdate(localtime=True)
    reply["Message-ID"] = make_msgid(domain="customer.example")
    original = str(notice.get("Message-ID", "")).strip()
    if original:
        reply["In-Reply-To"] = original
        references = str(notice.get("References", "")).strip()
        reply["References"] = f"{references} {original}".strip()
    body = notice.get_body(preferencelist=("plain",))
    quoted = body.get_content() if body is not None else ""
    wrote = f"On {notice.get('Date', 'an earlier day')}, {notice.get('From', 'the shop')} wrote:"
    lines = "\n".join(f"> {line}" for line in quoted.splitlines())
    reply.set_content(
        f"{answer}\n\nThanks,\n{reply['From'].split('<')[0].strip()}\n\n{wrote}\n{lines}\n"
    )
    return bytes(reply)


def auto_answer(notice_raw: bytes) -> str | None:
    """The demo customer's answer to a notice, or None (one notice in two gets one): the same
    notice always gets the same answer."""
    notice = message_from_bytes(notice_raw, policy=policy.compat32)
    if not notice.get(NOTICE_HEADER):
        return None  # a test email, not a notice
    digest = hashlib.sha256(str(notice.get("Message-ID", "")).encode()).digest()
    if digest[0] % 2:
        return None
    return ANSWERS[digest[1] % len(ANSWERS)]
