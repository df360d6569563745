"""Replies end to end: notices sent to a real SMTP sink, customers' replies read back from a real
IMAP server on 127.0.0.1 over TLS, stored in the SQLite cache, confirmed by staff."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from backorder_desktop.cache.backorder_queue import partial_shipment_orders
from backorder_desktop.demo_store.imap_server import ImapServer
from backorder_desktop.demo_store.mail_sink import SinkMessage
from backorder_desktop.mail.errors import MailError
from backorder_desktop.mail.imap import ImapConfig
from backorder_desktop.mail.smtp import MailConnectionError
from backorder_desktop.services.notices.replies import (
    confirm_reply,
    fetch_replies,
    list_replies,
    mark_reply_handled,
)
from backorder_desktop.services.sync_control.syncing import push_outbox
from tests.support.imap import PASSWORD, config_for, imap_server, reply
from tests.support.notices import Rig, notice_rig, order_metafield, order_number


def _notices(rig: Rig, n: int) -> list[SinkMessage]:
    report = rig.notify()
    assert len(report.sent) >= n
    messages = rig.sink.messages()
    assert all(m.message["Message-ID"] for m in messages)
    return messages[:n]


def _to(message: SinkMessage) -> str:
    return message.rcpt_tos[0]


def _id(message: SinkMessage) -> str:
    return str(message.message["Message-ID"])


def test_replies_are_matched_to_their_notice_and_order_and_nothing_else_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with notice_rig(tmp_path) as rig, imap_server(tmp_path, monkeypatch) as server:
        a, b, c, d = _notices(rig, 4)
        box = server.mailbox
        box.add(reply(sender=_to(a), text="Please cancel my order.", in_reply_to=_id(a)))
        # Only References (some mail programs), the notice not last in the chain.
        box.add(
            reply(
                sender=_to(b),
                text="Ship what you have, thanks!",
                references=f"{_id(b)} <elsewhere@customer.example>",
            )
        )
        box.add(reply(sender=_to(c), text="No problem, I'll wait.", in_reply_to=_id(c)))
        # Same subject and sender as a notice, but not a reply to one: never guessed.
        box.add(reply(sender=_to(d), text="cancel", subject=f"Re: {d.subject}"))
        # A reply to a message the app never sent.
        box.add(reply(sender=_to(d), text="cancel", in_reply_to="<unknown@shop.example>"))
        box.add(reply(sender="news@list.example", text="Newsletter"))
        # Years of older mail are not even looked at on the first fetch (SEARCH SINCE).
        old = datetime(2020, 3, 2, 10, tzinfo=UTC)
        box.add(reply(sender=_to(a), text="cancel", in_reply_to=_id(a)), received=old)

        report = fetch_replies(rig.session.cache, config_for(server))

        assert (report.new_messages, report.matched, report.stored) == (6, 3, 3)
        rows = {r.order_id: r for r in list_replies(rig.session.cache)}
        expected = {
            order_number(a): (_to(a), "cancel"),
            order_number(b): (_to(b), "ship_partial"),
            order_number(c): (_to(c), "keep"),
        }
        assert {o: (r.sender, r.suggestion) for o, r in rows.items()} == expected
        assert all(r.state == "new" for r in rows.values())
        # Read-only: EXAMINE, PEEK fetches, nothing marked seen, stored, expunged or moved.
        assert "EXAMINE" in server.commands and "SELECT" not in server.commands
        assert not server.marked_seen
        assert set(server.commands) <= {"CAPABILITY", "LOGIN", "EXAMINE", "UID SEARCH",
                                        "UID FETCH", "LOGOUT"}  # fmt: skip


def test_fetching_twice_stores_once_and_only_new_messages_are_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with notice_rig(tmp_path) as rig, imap_server(tmp_path, monkeypatch) as server:
        (a, b) = _notices(rig, 2)
        server.mailbox.add(reply(sender=_to(a), text="wait", in_reply_to=_id(a)))
        cache = rig.session.cache

        first = fetch_replies(cache, config_for(server))
        fetches = server.commands.count("UID FETCH")
        second = fetch_replies(cache, config_for(server))

        assert (first.stored, second.stored, second.new_messages) == (1, 0, 0)
        assert server.commands.count("UID FETCH") == fetches, "nothing fetched the second time"
        assert len(list_replies(cache)) == 1

        # A new reply is picked up; the cursor forgotten (a new UIDVALIDITY) stores no copy.
        server.mailbox.add(reply(sender=_to(b), text="Cancel it please", in_reply_to=_id(b)))
        assert fetch_replies(cache, config_for(server)).stored == 1
        server.uidvalidity += 1
        again = fetch_replies(cache, config_for(server))
        assert (again.new_messages, again.stored) == (2, 0)
        assert sorted(r.suggestion or "" for r in list_replies(cache)) == ["cancel", "keep"]


def test_quoted_text_and_signature_are_not_the_customers_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with notice_rig(tmp_path) as rig, imap_server(tmp_path, monkeypatch) as server:
        a, b = _notices(rig, 2)
        quoted = (
            "Thanks for letting me know.\n\n"
            "On Mon, 7 Dec 2026 at 10:00, Shop <orders@shop.example> wrote:\n"
            "> You can cancel, wait, or ship what is in stock.\n"
        )
        server.mailbox.add(reply(sender=_to(a), text=quoted, in_reply_to=_id(a)))
        signed = "I'll wait.\n\n-- \nSam\nCancel anytime at example.com\n"
        server.mailbox.add(reply(sender=_to(b), text=signed, in_reply_to=_id(b)))

        fetch_replies(rig.session.cache, config_for(server))

        rows = {r.order_id: r for r in list_replies(rig.session.cache)}
        first, second = rows[order_number(a)], rows[order_number(b)]
        assert first.suggestion is None and first.own_text == "Thanks for letting me know."
        assert "> You can cancel" in first.text  # shown as it is, quote included
        assert second.suggestion == "keep"


def test_hostile_replies_are_kept_as_capped_plain_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with notice_rig(tmp_path) as rig, imap_server(tmp_path, monkeypatch) as server:
        a, b, c = _notices(rig, 3)
        html_only = (
            f"From: {_to(a)}\r\nTo: orders@shop.example\r\n"
            "Subject: =?utf-8?b?UmU6IFlvdXIgb3JkZXIg8J+Qog==?=\r\n"
            f"Message-ID: <html-1@customer.example>\r\nIn-Reply-To: {_id(a)}\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/html; charset=x-unknown-charset\r\n\r\n"
            "<html><head><style>p{}</style><script>alert(1)</script></head><body>"
            '<p>Please <b>cancel</b>\x1b[31m it\u202e</p><img src="//evil.example/x.png">'
            "</body></html>\r\n"
        ).encode()
        server.mailbox.add(html_only)
        huge = "I will wait.\n" + ("x" * 100 + "\n") * 5000  # ~500 KB
        server.mailbox.add(reply(sender=_to(b), text=huge, in_reply_to=_id(b)))
        # Another address than the notice went to: shown, but no suggestion.
        server.mailbox.add(reply(sender="someone@else.example", text="cancel", in_reply_to=_id(c)))

        fetch_replies(rig.session.cache, config_for(server))

        rows = {r.order_id: r for r in list_replies(rig.session.cache)}
        html_row = rows[order_number(a)]
        assert html_row.subject == "Re: Your order \U0001f422"
        assert "Please cancel it" in html_row.text
        assert not any(bad in html_row.text for bad in ("<", "alert", "\x1b", "\u202e"))
        assert html_row.suggestion == "cancel"
        big = rows[order_number(b)]
        assert big.suggestion == "keep"
        assert len(big.text) <= 20_100 and "was not downloaded" in big.text
        stranger = rows[order_number(c)]
        assert stranger.sender == "someone@else.example" and stranger.suggestion is None


def test_a_wrong_password_says_so_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with notice_rig(tmp_path) as rig, imap_server(tmp_path, monkeypatch) as server:
        (a,) = _notices(rig, 1)
        server.mailbox.add(reply(sender=_to(a), text="cancel", in_reply_to=_id(a)))
        with pytest.raises(MailConnectionError, match="refused the login for 'shop@shop.example'"):
            fetch_replies(rig.session.cache, config_for(server, password="wrong"))
        assert server.failed_logins == 1
        assert list_replies(rig.session.cache) == []
        assert PASSWORD not in str(config_for(server))  # never in a repr or a log line


def test_starttls_is_required_and_plain_imap_only_on_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with notice_rig(tmp_path) as rig, imap_server(tmp_path, monkeypatch, tls="starttls") as server:
        (a,) = _notices(rig, 1)
        server.mailbox.add(reply(sender=_to(a), text="wait", in_reply_to=_id(a)))
        assert fetch_replies(rig.session.cache, config_for(server, security="starttls")).stored == 1
        # Over STARTTLS the login went after the upgrade; the server refuses one before it.
        assert server.commands[:3] == ["CAPABILITY", "STARTTLS", "CAPABILITY"] or (
            server.commands.index("STARTTLS") < server.commands.index("LOGIN")
        )
    with ImapServer(server.mailbox, user="u", password="p") as plain:
        # A server without STARTTLS is refused, never fallen back from.
        config = ImapConfig("127.0.0.1", plain.port, "starttls", "u", "p")
        with pytest.raises(MailConnectionError, match="does not offer STARTTLS"):
            fetch_replies(rig.session.cache, config)
        assert plain.logins == 0
    with pytest.raises(MailError, match="without TLS is refused"):
        ImapConfig("imap.example.com", 143, "none", "u", "p").check()


def test_confirming_ship_partial_allows_partial_shipment_in_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with notice_rig(tmp_path) as rig, imap_server(tmp_path, monkeypatch) as server:
        a, b = _notices(rig, 2)
        server.mailbox.add(reply(sender=_to(a), text="Ship what you have", in_reply_to=_id(a)))
        server.mailbox.add(reply(sender=_to(b), text="Cancel please", in_reply_to=_id(b)))
        cache = rig.session.cache
        fetch_replies(cache, config_for(server))
        rows = {r.order_id: r for r in list_replies(cache)}
        partial, cancel = rows[order_number(a)], rows[order_number(b)]
        assert partial.order_id not in partial_shipment_orders(cache)

        done = confirm_reply(cache, partial.id, "ship_partial")
        push_outbox(rig.session)

        assert done.order_id == partial.order_id and not done.needs_cancel_dialog
        assert partial.order_id in partial_shipment_orders(cache)
        assert order_metafield(rig.store, partial.order_id, "queue")["partial"] is True
        # "cancel" is the refunds dialog's to do: the reply waits until it is done.
        handoff = confirm_reply(cache, cancel.id, "cancel")
        assert handoff.needs_cancel_dialog and handoff.order_id == cancel.order_id
        assert [r.order_id for r in list_replies(cache, unanswered=True)] == [cancel.order_id]
        assert mark_reply_handled(cache, cancel.id, "cancel")
        assert list_replies(cache, unanswered=True) == []
        assert {r.handled_action for r in list_replies(cache)} == {"ship_partial", "cancel"}


def test_every_notice_keeps_the_message_id_it_went_out_with(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig:
        rig.notify()
        messages = rig.sink.messages()
        kept = rig.session.cache.replies.notices_by_message_ids(_id(m) for m in messages)
        assert len(messages) >= 10 and set(kept) == {_id(m) for m in messages}
        for message in messages:
            [notice] = kept[_id(message)]
            assert (notice.order_id, notice.recipient) == (order_number(message), _to(message))
            assert notice.notice_id == message.message["X-Backorder-Notice"]
