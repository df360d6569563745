"""Reading the merchant's inbox over IMAP (imaplib), read-only: EXAMINE and BODY.PEEK only.

TLS only: IMAP over SSL (port 993), or STARTTLS, which is then required (a server that does
not offer it is refused, never fallen back from). Plain IMAP only to a loopback address (the
demo mailbox and tests), where nothing crosses a network.
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from .errors import MailError
from .servers import Connection, check_server, is_loopback
from .smtp import MailConnectionError

IMAP_SSL, IMAP_STARTTLS, IMAP_PLAIN = "ssl", "starttls", "none"
IMAP_SECURITY_MODES: tuple[str, ...] = (IMAP_SSL, IMAP_STARTTLS, IMAP_PLAIN)
IMAP_DEFAULT_PORTS = {IMAP_SSL: 993, IMAP_STARTTLS: 143, IMAP_PLAIN: 143}
# Only these headers are read from every new message; bodies only of replies to our notices.
MATCH_HEADERS = "MESSAGE-ID IN-REPLY-TO REFERENCES"
MAX_FETCH_BYTES = 256 * 1024  # a reply's first 256 KB: more is an attachment, not words
_FETCH_CHUNK = 200  # UIDs per FETCH command (a command line stays short)
_UID = re.compile(rb"\bUID (\d+)")
# IMAP dates name months in English whatever the locale (RFC 3501 date-month).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    security: str = IMAP_SSL
    user: str = ""
    password: str = field(default="", repr=False)  # never in logs or reprs
    mailbox: str = "INBOX"
    timeout: float = 30.0

    @property
    def account(self) -> str:
        """Names the mailbox read (the fetch cursor's key): user@host:port/mailbox."""
        return f"{self.user}@{self.host}:{self.port}/{self.mailbox}"

    def check(self) -> None:
        """Raise MailError when the settings cannot work (before connecting)."""
        check_server(
            "IMAP",
            self.host,
            self.port,
            self.security,
            IMAP_SECURITY_MODES,
            no_host="No IMAP server set: fill in the IMAP host in Mail settings.",
        )
        if not self.user.strip():
            raise MailError("No IMAP user set: fill in the IMAP user in Mail settings.")
        if self.security == IMAP_PLAIN and not is_loopback(self.host):
            # The password and the customers' mail must never cross a network in the clear.
            raise MailError(
                "IMAP without TLS is refused: use SSL (port 993) or STARTTLS (port 143)."
            )
        if not self.mailbox.strip() or any(c in self.mailbox for c in '\r\n"\\'):
            raise MailError("The IMAP folder name is empty or has characters it cannot have.")


@dataclass(frozen=True)
class MessageHead:
    uid: int
    size: int
    headers: bytes  # Message-ID, In-Reply-To and References only


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    raw: bytes  # at most MAX_FETCH_BYTES
    truncated: bool


class ImapReader(Connection):
    """`with ImapReader(config) as inbox:` a read-only view of one mailbox (EXAMINE)."""

    def __init__(self, config: ImapConfig) -> None:
        self.config = config
        self._imap: imaplib.IMAP4 | None = None
        self.uidvalidity = 0

    def open(self) -> ImapReader:
        config = self.config
        config.check()
        context = ssl.create_default_context()
        try:
            if config.security == IMAP_SSL:
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    config.host, config.port, ssl_context=context, timeout=config.timeout
                )
            else:
                imap = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
            try:
                if config.security == IMAP_STARTTLS:
                    if "STARTTLS" not in imap.capabilities:
                        raise MailConnectionError(
                            f"{config.host} does not offer STARTTLS on port {config.port}: try "
                            "SSL (usually port 993)."
                        )
                    imap.starttls(ssl_context=context)
                imap.login(config.user, config.password)
                status, data = imap.select(_quoted(config.mailbox), readonly=True)  # EXAMINE
                if status != "OK":
                    raise MailConnectionError(
                        f"The IMAP folder '{config.mailbox}' cannot be opened: {_text(data)}"
                    )
                self.uidvalidity = _uidvalidity(imap)
            except BaseException:
                _shutdown(imap)
                raise
        except MailConnectionError:
            raise
        except imaplib.IMAP4.error as exc:
            # imaplib raises its plain error for a refused LOGIN ("NO [AUTHENTICATIONFAILED]").
            raise MailConnectionError(
                f"The IMAP server refused the login for '{config.user}': check the user and "
                f"password in Mail settings ({_text([exc.args[0] if exc.args else ''])})."
            ) from exc
        except ssl.SSLError as exc:
            raise MailConnectionError(
                f"Secure connection to {config.host}:{config.port} failed ({exc.reason}): check "
                "the security setting and port."
            ) from exc
        except (OSError, EOFError) as exc:
            raise MailConnectionError(
                f"Cannot reach the IMAP server {config.host}:{config.port} ({exc or type(exc).__name__})."
            ) from exc
        self._imap = imap
        return self

    def _conn(self) -> imaplib.IMAP4:
        if self._imap is None:
            raise MailConnectionError("The IMAP connection is not open.")
        return self._imap

    def _uid(self, command: str, *args: str) -> list[object]:
        try:
            status, data = self._conn().uid(command, *args)
        except (imaplib.IMAP4.error, OSError, EOFError) as exc:
            raise MailConnectionError(f"The IMAP server stopped answering ({exc}).") from exc
        if status != "OK":
            raise MailConnectionError(f"The IMAP server refused {command}: {_text(data)}")
        return list(data)

    def uids_from(self, first: int, since: date | None = None) -> list[int]:
        """UIDs of the messages from UID `first` on, ascending (`n:*` also names the last
        message when none is newer, so the result is filtered); with `since`, only those the
        server received on or after that day (a first fetch skips years of older mail)."""
        criteria = f"UID {max(1, first)}:*"
        if since is not None:
            criteria += f" SINCE {since.day}-{_MONTHS[since.month - 1]}-{since.year}"
        data = self._uid("SEARCH", criteria)
        found: set[int] = set()
        for item in data:
            if isinstance(item, bytes):
                found.update(int(x) for x in item.split() if x.isdigit())
        return sorted(u for u in found if u >= first)

    def heads(self, uids: list[int]) -> list[MessageHead]:
        """The matching headers and the size of each message (bodies are not downloaded)."""
        out: list[MessageHead] = []
        for chunk in _chunks(uids):
            data = self._uid(
                "FETCH",
                _uid_set(chunk),
                f"(RFC822.SIZE BODY.PEEK[HEADER.FIELDS ({MATCH_HEADERS})])",
            )
            for uid, size, payload in _fetched(data):
                out.append(MessageHead(uid, size if size is not None else 0, payload))
        return out

    def fetch(self, uids: list[int], limit: int = MAX_FETCH_BYTES) -> list[FetchedMessage]:
        """The first `limit` bytes of each message, without setting \\Seen (BODY.PEEK)."""
        out: list[FetchedMessage] = []
        for chunk in _chunks(uids):
            data = self._uid("FETCH", _uid_set(chunk), f"(RFC822.SIZE BODY.PEEK[]<0.{limit}>)")
            for uid, size, payload in _fetched(data):
                total = size if size is not None else len(payload)
                out.append(FetchedMessage(uid, payload, total > limit))
        return out

    def close(self) -> None:
        imap, self._imap = self._imap, None
        if imap is not None:
            _shutdown(imap)


def _shutdown(imap: imaplib.IMAP4) -> None:
    try:
        imap.logout()  # no CLOSE: that would expunge in a read-write session
    except (imaplib.IMAP4.error, OSError, EOFError):
        try:
            imap.shutdown()
        except OSError:
            pass


def _fetched(data: list[object]) -> Iterator[tuple[int, int | None, bytes]]:
    """(uid, RFC822.SIZE if the server said it, payload) of each message in a FETCH answer."""
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            meta, payload = item
            uid = _UID.search(meta)
            size = _SIZE.search(meta)
            if uid is not None:
                yield int(uid.group(1)), int(size.group(1)) if size else None, payload


def _uidvalidity(imap: imaplib.IMAP4) -> int:
    _name, data = imap.response("UIDVALIDITY")
    for item in data or ():
        if isinstance(item, bytes) and item.strip().isdigit():
            return int(item)
    return 0


def _quoted(mailbox: str) -> str:
    return f'"{mailbox}"'


def _uid_set(uids: list[int]) -> str:
    return ",".join(str(u) for u in uids)


def _chunks(uids: list[int]) -> list[list[int]]:
    return [uids[i : i + _FETCH_CHUNK] for i in range(0, len(uids), _FETCH_CHUNK)]


def _text(data: object) -> str:
    """A server's words, one short line (it may say anything)."""
    parts = data if isinstance(data, list | tuple) else [data]
    words = " ".join(
        p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p) for p in parts if p
    )
    return re.sub(r"[\x00-\x1f\x7f]+", " ", words).strip()[:200] or "no reason given"


__all__ = [
    "IMAP_DEFAULT_PORTS",
    "IMAP_PLAIN",
    "IMAP_SECURITY_MODES",
    "IMAP_SSL",
    "IMAP_STARTTLS",
    "FetchedMessage",
    "ImapConfig",
    "ImapReader",
    "MessageHead",
    "is_loopback",
]
