"""SMTP sending against real aiosmtpd servers on 127.0.0.1: one connection, refusals, login."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from backorder_desktop.demo_store.mail_sink import MailSink, read_messages
from backorder_desktop.mail.message import build_message
from backorder_desktop.mail.smtp import (
    PLAIN,
    MailConnectionError,
    MailError,
    MessageRefused,
    SmtpConfig,
    SmtpSender,
)
from backorder_desktop.mail.templates import NoticeRenderer
from backorder_desktop.services.notices.mail_setup import send_test_email
from backorder_desktop.services.notices.notify import NoticeOptions, prepare_notices, send_notices
from tests.support.notices import by_order_and_kind, notice_rig

REFUSED = "refused@example.com"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def message(to: str, n: int = 0):
    return build_message(
        sender="shop@example.com",
        sender_name="Shop",
        to=to,
        to_name="",
        subject=f"Hello {n}",
        text="t",
        html="<p>h</p>",
    )


class _Recorder:
    """Refuses one address; needs a login when `users` is given."""

    def __init__(self) -> None:
        self.received: list[tuple[str, ...]] = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address == REFUSED:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(tuple(envelope.rcpt_tos))
        return "250 OK"


LOGINS: list[bytes] = []


def _auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    LOGINS.append(getattr(data, "login", b""))
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"shop", b"s3cret")
    return AuthResult(success=ok)


@contextmanager
def server(*, login: bool = False) -> Iterator[tuple[_Recorder, int]]:
    recorder = _Recorder()
    port = free_port()
    extra = (
        {"authenticator": _auth, "auth_require_tls": False, "auth_required": True} if login else {}
    )
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **extra)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


def test_a_batch_goes_over_one_connection_and_lands_in_the_sink(tmp_path: Path) -> None:
    with MailSink(tmp_path) as sink:
        config = SmtpConfig("127.0.0.1", sink.port, PLAIN, sender="shop@example.com")
        with SmtpSender(config) as sender:
            for n in range(3):
                sender.send(message(f"c{n}@example.com", n))
        assert sender.connections == 1
        kept = read_messages(tmp_path / "demo-mail")  # what the window's viewer reads
        assert [m.subject for m in kept] == ["Hello 0", "Hello 1", "Hello 2"]
        assert len({m.peer for m in kept}) == 1


def test_a_refused_recipient_fails_alone_and_the_batch_goes_on() -> None:
    with server() as (recorder, port):
        config = SmtpConfig("127.0.0.1", port, PLAIN, sender="shop@example.com")
        with SmtpSender(config) as sender:
            sender.send(message("a@example.com"))
            with pytest.raises(MessageRefused, match="550"):
                sender.send(message(REFUSED))
            sender.send(message("b@example.com"))
        assert recorder.received == [("a@example.com",), ("b@example.com",)]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_then_an_unreachable_server() -> None:
    with server(login=True) as (recorder, port):
        good = SmtpConfig(
            "127.0.0.1", port, PLAIN, user="shop", password="s3cret", sender="s@example.com"
        )
        LOGINS.clear()
        send_test_email(good, "owner@example.com")
        assert recorder.received == [("owner@example.com",)]
        assert LOGINS == [b"shop"]
    with pytest.raises(MailConnectionError, match=f"127.0.0.1:{port}"):
        SmtpSender(SmtpConfig("127.0.0.1", port, PLAIN, sender="s@example.com", timeout=5)).open()
    assert "s3cret" not in repr(good)


def test_settings_that_cannot_work_are_refused_before_connecting() -> None:
    with pytest.raises(MailError, match="SMTP host"):
        SmtpConfig("", 587, sender="s@example.com").check()
    with pytest.raises(MailError, match="From"):
        SmtpConfig("smtp.example.com", 587).check()
    with pytest.raises(MailError, match="STARTTLS or SSL"):
        SmtpConfig(
            "smtp.example.com", 25, PLAIN, user="u", password="p", sender="s@x.example"
        ).check()


def test_a_refused_notice_is_reported_and_stays_due_the_others_are_sent(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig, server() as (recorder, port):
        plan = rig.plan()
        victim = plan.due[0]
        # The victim's email is refused by this server (the same mailbox in the store).
        rig.session.cache.db.execute(
            "UPDATE orders SET customer_email = ? WHERE id = ?", [REFUSED, victim.order_id]
        )
        prepared = prepare_notices(rig.plan().due, NoticeRenderer(), NoticeOptions("Shop"))
        config = SmtpConfig("127.0.0.1", port, PLAIN, sender="shop@example.com")
        report = send_notices(rig.session.cache, prepared, config)
        assert [item.notice.order_id for item, _error in report.failed] == [victim.order_id]
        assert "550" in report.failed[0][1]
        assert len(report.sent) == len(plan.due) - 1 == len(recorder.received)
        assert [(n.order_id, n.kind) for n in rig.plan().due] == [(victim.order_id, victim.kind)]
        assert by_order_and_kind(rig.sink.messages()) == {}  # the rig's own sink stayed idle


def test_no_server_means_nothing_sent_and_nothing_claimed(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig:
        due = rig.plan().due
        prepared = prepare_notices(due, NoticeRenderer(), NoticeOptions("Shop"))
        config = SmtpConfig("127.0.0.1", free_port(), PLAIN, sender="shop@example.com", timeout=5)
        report = send_notices(rig.session.cache, prepared, config)
        assert "Cannot reach the mail server" in report.error
        assert len(report.not_sent) == len(due) and report.sent == []
        assert len(rig.plan().due) == len(due)
        assert rig.session.cache.outbox.counts()["pending"] == 0
