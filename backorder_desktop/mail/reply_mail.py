"""A received email as plain, bounded text: untrusted input (HTML, odd charsets, encoded words,
control characters, huge bodies) in, clean one-line headers and a capped text body out."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

MAX_BODY_CHARS = 20_000  # what is kept and shown of a reply; the words come first anyway
MAX_HEADER_CHARS = 300
MAX_IDS = 100  # References of a long thread: the newest are at the end
_MSGID = re.compile(r"<[^<>\s]{1,250}>")
# Everything that is not printable text, except newline and tab (kept for the body's lines).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # terminal escape sequences, whole
_HEADER_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


@dataclass(frozen=True)
class ReplyMail:
    message_id: str  # "" when the message has none
    refs: tuple[str, ...]  # In-Reply-To first, then References from the newest
    sender: str  # the address, lower case
    sender_name: str
    subject: str
    date: datetime | None
    text: str  # the plain-text body, cleaned and capped


def message_ids(value: str) -> list[str]:
    """The <id@host> tokens of an In-Reply-To, References or Message-ID header."""
    return _MSGID.findall(value or "")[-MAX_IDS:]


def header_refs(raw_headers: bytes) -> tuple[str, tuple[str, ...]]:
    """(Message-ID, references to match) from a header block, for the first pass of a fetch."""
    parsed = message_from_bytes(raw_headers, policy=policy.compat32)
    return _refs(parsed)


def _refs(msg: Message) -> tuple[str, tuple[str, ...]]:
    own = message_ids(str(msg.get("Message-ID", "") or ""))
    in_reply = message_ids(str(msg.get("In-Reply-To", "") or ""))
    references = message_ids(" ".join(str(v) for v in msg.get_all("References", []) or []))
    refs: list[str] = []
    for ref in [*in_reply, *reversed(references)]:
        if ref not in refs:
            refs.append(ref)
    return (own[0] if own else ""), tuple(refs)


def one_line(value: str, limit: int = MAX_HEADER_CHARS) -> str:
    return re.sub(r"\s+", " ", _HEADER_CONTROL.sub(" ", value)).strip()[:limit]


def clean_text(value: str, limit: int = MAX_BODY_CHARS) -> str:
    """Line breaks normalised, control and direction-override characters dropped, capped."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")[: limit * 2]
    text = _CONTROL.sub("", _ANSI.sub("", text))
    text = re.sub(r"\n{3,}", "\n\n", text)
    if len(text) > limit:
        text = text[:limit].rstrip() + "\n[…]"
    return text.strip()


def _header(msg: Message, name: str) -> str:
    raw = msg.get(name)
    if raw is None:
        return ""
    try:
        return one_line(str(make_header(decode_header(str(raw)))))
    except (ValueError, LookupError, UnicodeError, TypeError):
        return one_line(str(raw))  # an undecodable encoded word stays as written


class _TextOfHtml(HTMLParser):
    """The words of an HTML body: tags dropped, scripts and styles skipped, blocks on lines."""

    _BLOCKS = {"p", "br", "div", "tr", "li", "blockquote", "h1", "h2", "h3", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        if tag == "blockquote":
            self._quote += 1
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head") and self._skip:
            self._skip -= 1
        if tag == "blockquote" and self._quote:
            self._quote -= 1
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._quote:  # a quoted original in HTML: marked as quoted, like "> " in text
            data = "\n".join("> " + line for line in data.split("\n"))
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextOfHtml()
    try:
        parser.feed(markup[: MAX_BODY_CHARS * 10])
        parser.close()
    except (AssertionError, ValueError):  # malformed beyond the parser's patience
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    return "".join(parser.parts)


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload() or "")
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:  # a charset Python does not know: the bytes as they most likely are
        return payload.decode("utf-8", "replace")


def _body(msg: Message) -> str:
    plain = html_part = None
    for part in msg.walk() if msg.is_multipart() else [msg]:
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html_part is None:
            html_part = part
    if plain is not None:
        return _decoded(plain)
    if html_part is not None:
        return html_to_text(_decoded(html_part))
    return ""


def parse_reply(raw: bytes, *, truncated: bool = False) -> ReplyMail:
    """Whatever the bytes hold: a header that cannot be decoded stays as written, a body part
    in an unknown charset is read as UTF-8 with replacements; nothing raises on bad input."""
    msg = message_from_bytes(raw, policy=policy.compat32)
    message_id, refs = _refs(msg)
    sender_name, sender = "", ""
    try:
        # Split the header as written: a decoded name may hold a comma ("Doe, Jo").
        pairs = getaddresses([str(msg.get("From", "") or "")])
        if pairs:
            raw_name, sender = pairs[0]
            sender_name = str(make_header(decode_header(raw_name)))
    except (ValueError, IndexError, LookupError, UnicodeError, TypeError):
        pass
    when = None
    try:
        date_text = str(msg.get("Date", "") or "")
        when = parsedate_to_datetime(date_text) if date_text else None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    except (ValueError, TypeError, IndexError):
        when = None
    text = clean_text(_body(msg))
    if truncated:
        text += "\n[The rest of this message was not downloaded.]"
    return ReplyMail(
        message_id=message_id,
        refs=refs,
        sender=one_line(sender, 254).lower(),
        sender_name=one_line(sender_name, 200),
        subject=_header(msg, "Subject"),
        date=when.astimezone(UTC) if when is not None else None,
        text=text,
    )


__all__ = ["ReplyMail", "clean_text", "header_refs", "parse_reply"]
