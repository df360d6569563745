"""The demo mailbox: a small IMAP4rev1 server on 127.0.0.1 serving a folder of .eml files.

Only what a reading client (imaplib) needs: CAPABILITY, STARTTLS, LOGIN, SELECT/EXAMINE,
UID SEARCH, UID FETCH (RFC822.SIZE, BODY[...] and BODY.PEEK[...] with HEADER.FIELDS and
partial <start.count>), NOOP, LOGOUT. The window's demo reads customers' replies from it;
tests run it over TLS (implicit or STARTTLS) with a certificate made at test time. It keeps
a log of the commands it was sent and which messages a non-PEEK fetch would have marked seen.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from .serving import Served, serve_in_thread

log = logging.getLogger("backorder_desktop.demo_store.imap")
INBOX_SUBDIR = "inbox"
UIDVALIDITY = 1
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
_FETCH_BODY = re.compile(
    r"BODY(\.PEEK)?\[(HEADER\.FIELDS \(([^)]*)\))?\](?:<(\d+)\.(\d+)>)?", re.IGNORECASE
)


class Mailbox:
    """Messages as `<uid>.eml` files in a folder (or in memory): UIDs only ever grow."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._memory: dict[int, bytes] = {}
        self._received: dict[int, datetime] = {}
        self._lock = threading.Lock()

    def add(self, raw: bytes, received: datetime | None = None) -> int:
        """Deliver a message (arrived now, or at `received`: its INTERNALDATE)."""
        when = received or datetime.now(UTC)
        with self._lock:
            if self.folder is None:
                uid = max(self.uids(), default=0) + 1
                self._memory[uid] = raw
                self._received[uid] = when
                return uid
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{os.getpid()}-{threading.get_ident()}.tmp"
            tmp.write_bytes(raw)
            os.utime(tmp, (when.timestamp(), when.timestamp()))
            try:
                while True:  # another process (the window, a command) may deliver at once
                    uid = max(self.uids(), default=0) + 1
                    try:
                        os.link(tmp, self.folder / f"{uid:08d}.eml")  # fails if the UID is taken
                        return uid
                    except FileExistsError:
                        continue
            finally:
                tmp.unlink(missing_ok=True)

    def received(self, uid: int) -> datetime:
        if self.folder is None:
            return self._received[uid]
        mtime = (self.folder / f"{uid:08d}.eml").stat().st_mtime
        return datetime.fromtimestamp(mtime, UTC)

    def uids(self) -> list[int]:
        if self.folder is None:
            return sorted(self._memory)
        if not self.folder.exists():
            return []
        return sorted(int(p.stem) for p in self.folder.glob("*.eml") if p.stem.isdigit())

    def get(self, uid: int) -> bytes:
        if self.folder is None:
            return self._memory[uid]
        return (self.folder / f"{uid:08d}.eml").read_bytes()

    def messages(self) -> Iterator[tuple[int, bytes]]:
        for uid in self.uids():
            yield uid, self.get(uid)


def _tokens(text: str) -> list[str]:
    return [
        re.sub(r"\\(.)", r"\1", m.group(1)) if m.group(1) is not None else m.group(2)
        for m in _TOKEN.finditer(text)
    ]


def _uid_set(spec: str, uids: list[int]) -> list[int]:
    """An IMAP sequence set of UIDs ("1,4:6,9:*"); `n:*` names the last message at least."""
    last = max(uids, default=0)
    wanted: set[int] = set()
    for part in spec.split(","):
        low_text, _, high_text = part.partition(":")
        low = last if low_text == "*" else int(low_text)
        high = low if not high_text else (last if high_text == "*" else int(high_text))
        low, high = min(low, high), max(low, high)
        wanted.update(u for u in uids if low <= u <= high)
    return sorted(wanted)


def _header_fields(raw: bytes, names: list[str]) -> bytes:
    msg = message_from_bytes(raw, policy=policy.compat32)
    lines = []
    wanted = {n.lower() for n in names}
    for name, value in msg.items():
        if name.lower() in wanted:
            lines.append(f"{name}: {value}".encode("utf-8", "replace"))
    return b"\r\n".join(lines) + b"\r\n\r\n"


class _Handler(socketserver.StreamRequestHandler):
    server: ImapServer

    def handle(self) -> None:
        srv = self.server
        self.selected = False
        self.authenticated = False
        self.tls = srv.tls == "implicit"
        self._send(b"* OK Demo mailbox ready\r\n")
        while True:
            try:
                line = self.rfile.readline(65536)
            except (OSError, ssl.SSLError):
                return
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            tag, _, rest = text.partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "UID":
                sub, _, args = args.partition(" ")
                command = f"UID {sub.upper()}"
            srv.commands.append(command)
            try:
                if not self._dispatch(tag, command, args):
                    return
            except (OSError, ssl.SSLError):
                return
            except (ValueError, KeyError, IndexError) as exc:
                self._send(f"{tag} BAD {exc}\r\n".encode())

    def _send(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def _capabilities(self) -> str:
        caps = ["IMAP4rev1"]
        if self.server.tls == "starttls" and not self.tls:
            caps += ["STARTTLS", "LOGINDISABLED"]
        else:
            caps.append("AUTH=PLAIN")
        return " ".join(caps)

    def _dispatch(self, tag: str, command: str, args: str) -> bool:
        srv = self.server
        if command == "CAPABILITY":
            self._send(f"* CAPABILITY {self._capabilities()}\r\n{tag} OK CAPABILITY\r\n".encode())
        elif command == "NOOP":
            self._send(f"{tag} OK NOOP\r\n".encode())
        elif command == "LOGOUT":
            self._send(f"* BYE logging out\r\n{tag} OK LOGOUT\r\n".encode())
            return False
        elif command == "STARTTLS":
            if srv.tls != "starttls" or self.tls or srv.ssl_context is None:
                self._send(f"{tag} BAD STARTTLS not available\r\n".encode())
                return True
            self._send(f"{tag} OK Begin TLS negotiation now\r\n".encode())
            self.connection = srv.ssl_context.wrap_socket(self.connection, server_side=True)
            self.rfile = self.connection.makefile("rb")
            self.wfile = socketserver._SocketWriter(self.connection)  # type: ignore[attr-defined]
            self.tls = True
        elif command == "LOGIN":
            if srv.tls == "starttls" and not self.tls:
                self._send(f"{tag} NO [PRIVACYREQUIRED] Use STARTTLS first\r\n".encode())
                return True
            user, password = (_tokens(args) + ["", ""])[:2]
            ok = hmac.compare_digest(user.encode(), srv.user.encode()) and hmac.compare_digest(
                password.encode(), srv.password.encode()
            )
            if ok:
                self.authenticated = True
                srv.logins += 1
                self._send(f"{tag} OK LOGIN completed\r\n".encode())
            else:
                srv.failed_logins += 1
                self._send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n".encode())
        elif not self.authenticated:
            self._send(f"{tag} NO Log in first\r\n".encode())
        elif command in ("SELECT", "EXAMINE"):
            name = (_tokens(args) or [""])[0]
            if name.upper() != "INBOX":
                self._send(f"{tag} NO [NONEXISTENT] No such mailbox\r\n".encode())
                return True
            uids = srv.mailbox.uids()
            self.selected = True
            mode = "READ-ONLY" if command == "EXAMINE" else "READ-WRITE"
            self._send(
                (
                    f"* {len(uids)} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen)\r\n"
                    f"* OK [UIDVALIDITY {srv.uidvalidity}] UIDs valid\r\n"
                    f"* OK [UIDNEXT {max(uids, default=0) + 1}] next UID\r\n"
                    f"{tag} OK [{mode}] {command} completed\r\n"
                ).encode()
            )
        elif not self.selected:
            self._send(f"{tag} NO Select a mailbox first\r\n".encode())
        elif command == "UID SEARCH":
            self._search(tag, args)
        elif command == "UID FETCH":
            self._fetch(tag, args)
        else:
            self._send(f"{tag} BAD Command not supported here\r\n".encode())
        return True

    def _search(self, tag: str, args: str) -> None:
        """UID <set>, SINCE <d-Mon-yyyy> (the day the message arrived) and ALL, ANDed."""
        tokens = _tokens(args)
        mailbox = self.server.mailbox
        found = mailbox.uids()
        while tokens:
            key = tokens.pop(0).upper()
            if key == "UID" and tokens:
                found = _uid_set(tokens.pop(0), found)
            elif key == "SINCE" and tokens:
                day = datetime.strptime(tokens.pop(0), "%d-%b-%Y").date()
                found = [u for u in found if mailbox.received(u).date() >= day]
            elif key != "ALL":
                raise ValueError(f"search key {key} is not supported here")
        self._send(f"* SEARCH {' '.join(map(str, found))}\r\n{tag} OK SEARCH\r\n".encode())

    def _fetch(self, tag: str, args: str) -> None:
        spec, _, items = args.partition(" ")
        uids = self.server.mailbox.uids()
        body = _FETCH_BODY.search(items)
        for uid in _uid_set(spec, uids):
            raw = self.server.mailbox.get(uid)
            seq = uids.index(uid) + 1
            parts = [f"UID {uid}"]
            if "RFC822.SIZE" in items.upper():
                parts.append(f"RFC822.SIZE {len(raw)}")
            literal = b""
            if body is not None:
                peek, fields, names, start, count = body.groups()
                if not peek:
                    self.server.marked_seen.add(uid)  # a plain BODY[] fetch sets \Seen
                if fields:
                    literal = _header_fields(raw, names.split())
                    section = f"BODY[HEADER.FIELDS ({names})]"
                else:
                    literal = raw
                    section = "BODY[]"
                if start is not None:
                    literal = literal[int(start) : int(start) + int(count)]
                    section += f"<{start}>"
                parts.append(f"{section} {{{len(literal)}}}")
                head = f"* {seq} FETCH ({' '.join(parts)}\r\n".encode()
                self._send(head + literal + b")\r\n")
            else:
                self._send(f"* {seq} FETCH ({' '.join(parts)})\r\n".encode())
        self._send(f"{tag} OK FETCH completed\r\n".encode())


class ImapServer(Served, socketserver.ThreadingMixIn, socketserver.TCPServer):
    """`with ImapServer(mailbox, user=..., password=...) as server:` on server.host:server.port.

    `tls`: "none", "implicit" (IMAP over SSL) or "starttls", with `ssl_context` (server side).
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        mailbox: Mailbox,
        *,
        user: str,
        password: str,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: str = "none",
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if tls not in ("none", "implicit", "starttls"):
            raise ValueError(f"unknown tls mode {tls!r}")
        if tls != "none" and ssl_context is None:
            raise ValueError("a TLS mode needs an ssl_context")
        super().__init__((host, port), _Handler)
        self.mailbox = mailbox
        self.user = user
        self.password = password
        self.tls = tls
        self.ssl_context = ssl_context
        self.uidvalidity = UIDVALIDITY
        self.commands: list[str] = []
        self.marked_seen: set[int] = set()
        self.logins = 0
        self.failed_logins = 0
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self.server_address[0])

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.tls == "implicit" and self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(sock, server_side=True)
        return sock, address

    def handle_error(self, request: object, client_address: object) -> None:
        log.debug("demo mailbox: a client connection failed", exc_info=True)

    def start(self) -> ImapServer:
        self._thread = serve_in_thread(self, "demo-imap")
        log.info("demo mailbox (IMAP) on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join(5)
            self._thread = None
        self.server_close()
