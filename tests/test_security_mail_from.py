"""The sender with a display name, the ordinary From form, through the real SMTP sink (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from backorder_desktop.mail.message import AddressError, parse_mailbox
from backorder_desktop.mail.smtp import PLAIN, MailError, SmtpConfig
from backorder_desktop.services.notices.mail_setup import send_test_email, smtp_config
from backorder_desktop.services.settings import Settings
from tests.support.cli import run_cli


def test_cli_mail_from_with_a_display_name_arrives_as_from(tmp_path: Path) -> None:
    name, address = "Zoë's Café & Co", "cafe@example.com"
    with DemoStore(seed=5, products=30, orders=12) as store, MailSink() as sink:
        base = ["--data-dir", str(tmp_path), "--api-url", store.api_url, "--store-hash",
                store.store_hash]  # fmt: skip
        smtp = ["--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port), "--smtp-plain",
                "--mail-from", f"{name} <{address}>"]  # fmt: skip
        assert run_cli(*base, "sync", token=store.token).code == 0
        sent = run_cli(*base, *smtp, "notify", "--json", token=store.token)
        assert sent.code == 0, sent.err
        assert sent.json()["sent"] > 0 and sent.json()["failed"] == []
        messages = sink.messages()
        assert len(messages) == sent.json()["sent"]
        for message in messages:
            [box] = message.message["From"].addresses
            assert (box.display_name, box.addr_spec) == (name, address)
            assert message.mail_from == address  # the envelope carries the bare address
        raw_from = next(
            line
            for line in messages[0].raw.decode("ascii").splitlines()
            if line.startswith("From:")
        )
        # RFC 2047: an encoded word, never raw 8-bit in the header.
        assert raw_from.isascii() and "=?utf-8?" in raw_from.lower()


@pytest.mark.parametrize(
    ("mail_from", "name", "address"),
    [
        ("Shop Name <shop@example.com>", "Shop Name", "shop@example.com"),
        ('"Smith, Sons" <orders@example.com>', "Smith, Sons", "orders@example.com"),
        ("shop@example.com", "Saved Name", "shop@example.com"),  # the From name field's
    ],
)
def test_the_sender_arrives_as_typed_in_mail_settings(
    mail_from: str, name: str, address: str
) -> None:
    settings = Settings(smtp_host="127.0.0.1", smtp_security=PLAIN, mail_from=mail_from)
    settings.mail_from_name = "Saved Name"
    with MailSink() as sink:
        config = smtp_config(settings, with_password=False)
        config = SmtpConfig(**{**config.__dict__, "port": sink.port})
        send_test_email(config, "me@example.com")
        [message] = sink.messages()
    [box] = message.message["From"].addresses
    assert (box.display_name, box.addr_spec) == (name, address)


def test_test_email_from_mail_settings_with_a_display_name(tmp_path: Path) -> None:
    settings = Settings(
        smtp_host="127.0.0.1",
        smtp_security=PLAIN,
        mail_from="Ünïcode Outdoor <shop@example.com>",
        mail_from_name="ignored when From has a name",
    )
    with MailSink() as sink:
        config = smtp_config(settings, with_password=False)
        config = SmtpConfig(**{**config.__dict__, "port": sink.port})
        config.check()
        send_test_email(config, "Merchant <me@example.com>")
        [message] = sink.messages()
    [box] = message.message["From"].addresses
    assert (box.display_name, box.addr_spec) == ("Ünïcode Outdoor", "shop@example.com")
    assert tuple(message.rcpt_tos) == ("me@example.com",)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("shop@example", "needs a dot"),
        ("Shop <shop@example.com", "no closing '>'"),
        ("a@example.com, b@example.com", "2 addresses"),
        ("Shop shop@example.com", "to add a name write"),
        ("Shop <shop@example.com>\r\nBcc: all@example.com", "line break"),
        ("shop", "no '@'"),
        ("Shop <>", "no address between"),
    ],
)
def test_only_really_invalid_senders_are_refused_with_the_reason(value: str, why: str) -> None:
    with pytest.raises(AddressError, match=why):
        parse_mailbox(value)
    config = SmtpConfig(host="127.0.0.1", port=25, security=PLAIN, sender=value)
    with pytest.raises(MailError) as refused:
        config.check()
    assert why in refused.value.message


def test_cli_refuses_an_invalid_sender_saying_why_and_sends_nothing(tmp_path: Path) -> None:
    with DemoStore(seed=5, products=20, orders=8) as store, MailSink() as sink:
        base = ["--data-dir", str(tmp_path), "--api-url", store.api_url, "--store-hash",
                store.store_hash]  # fmt: skip
        bad = run_cli(*base, "--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port),
                      "--smtp-plain", "--mail-from", "Shop <shop@example.com", "notify",
                      token=store.token)  # fmt: skip
        assert bad.code == 1 and "no closing '>'" in bad.err
        assert sink.messages() == []
