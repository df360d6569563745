"""The demo mail sink: an aiosmtpd server on 127.0.0.1 that keeps every message it is sent.

Messages are kept as `.eml` files in `data_dir/demo-mail/` (memory only without a data dir),
with an `index.jsonl` holding the envelope: the window's "Sent mail" viewer reads them, and
tests check recipients, headers and bodies over real SMTP.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from .demo_replies import auto_answer, demo_inbox, reply_to
from .serving import Served

log = logging.getLogger("backorder_desktop.demo_store.mail")
MAIL_SUBDIR = "demo-mail"
INDEX = "index.jsonl"


@dataclass(frozen=True)
class SinkMessage:
    id: str
    mail_from: str
    rcpt_tos: tuple[str, ...]
    received_at: datetime
    peer: str  # "host:port" of the client connection (one batch, one connection)
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    def body(self, subtype: str) -> str:
        """The decoded text/plain ("plain") or text/html ("html") part, "" if absent."""
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else ""


def read_messages(folder: Path) -> list[SinkMessage]:
    """Every message kept in `folder`, oldest first (missing folder: none)."""
    index = folder / INDEX
    if not index.exists():
        return []
    out = []
    for text in index.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(text)
            raw = (folder / entry["file"]).read_bytes()
            out.append(
                SinkMessage(
                    id=entry["file"],
                    mail_from=entry["mail_from"],
                    rcpt_tos=tuple(entry["rcpt_tos"]),
                    received_at=datetime.fromisoformat(entry["received_at"]),
                    peer=entry.get("peer", ""),
                    raw=raw,
                )
            )
        except (OSError, ValueError, KeyError):
            continue  # a half-written entry from a killed process
    return out


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self._sink = sink

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self._sink.requires_login and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        peer = session.peer
        self._sink._keep(
            str(envelope.mail_from),
            tuple(str(r) for r in envelope.rcpt_tos),
            f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer),
            bytes(envelope.original_content or envelope.content),
        )
        return "250 Message accepted for delivery"


class _Controller(Controller):
    def _trigger_server(self) -> None:
        # Port 0 asks the OS for a free port: learn which one before aiosmtpd connects to it.
        server: Any = self.server  # an asyncio.Server: it has the bound sockets
        if self.port == 0 and server is not None:
            self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()


class MailSink(Served):
    """`with MailSink(data_dir) as sink:` an SMTP server at sink.host:sink.port.

    With `login=(user, password)` it offers AUTH (PLAIN, LOGIN) and takes mail only after a
    successful login, like a provider's submission port; `logins` counts the accepted ones and
    `failed_logins` the refused. Loopback only: AUTH is offered without TLS here.
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        login: tuple[str, str] | None = None,
        auto_replies: bool = False,
    ):
        self.folder = Path(data_dir) / MAIL_SUBDIR if data_dir is not None else None
        # Demo customers answer some notices: their replies wait in the demo mailbox (IMAP).
        self.inbox = demo_inbox(data_dir) if auto_replies else None
        self._memory: list[SinkMessage] = []
        self._lock = threading.Lock()
        self._count = 0
        self._login = login
        self.logins = 0
        self.failed_logins = 0
        auth: dict[str, Any] = {}
        if login is not None:
            # Required by handle_MAIL below rather than `auth_required`, which warns when TLS
            # is not required too (this sink only listens on loopback).
            auth = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = _Controller(_Handler(self), hostname=host, port=port, **auth)
        self.host = host

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = False
        if self._login is not None and isinstance(auth_data, LoginPassword):
            user, password = (x.encode() for x in self._login)
            ok = hmac.compare_digest(auth_data.login, user) and hmac.compare_digest(
                auth_data.password, password
            )
        with self._lock:
            if ok:
                self.logins += 1
            else:
                self.failed_logins += 1
        return AuthResult(success=ok, handled=False)

    @property
    def requires_login(self) -> bool:
        return self._login is not None

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def start(self) -> MailSink:
        self._controller.start()
        log.info("demo mail sink on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        try:
            self._controller.stop()
        except AssertionError:
            pass  # never started or already stopped

    def messages(self) -> list[SinkMessage]:
        if self.folder is None:
            with self._lock:
                return list(self._memory)
        return read_messages(self.folder)

    def clear(self) -> None:
        with self._lock:
            self._memory.clear()
            if self.folder is not None and (self.folder / INDEX).exists():
                for path in self.folder.iterdir():
                    path.unlink(missing_ok=True)

    def _keep(self, mail_from: str, rcpt_tos: tuple[str, ...], peer: str, raw: bytes) -> None:
        now = datetime.now(UTC)
        if self.inbox is not None:
            answer = auto_answer(raw)
            if answer is not None:
                self.inbox.add(reply_to(raw, answer))
        with self._lock:
            self._count += 1
            name = f"{now.strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}-{self._count}.eml"
            message = SinkMessage(name, mail_from, rcpt_tos, now, peer, raw)
            if self.folder is None:
                self._memory.append(message)
                return
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / name).write_bytes(raw)
            entry = {
                "file": name,
                "mail_from": mail_from,
                "rcpt_tos": list(rcpt_tos),
                "received_at": now.isoformat(),
                "peer": peer,
            }
            with (self.folder / INDEX).open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry) + "\n")
