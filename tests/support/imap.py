"""A real IMAP server on 127.0.0.1 over TLS for the replies tests, and replies to build.

The server is the demo mailbox's (backorder_desktop/demo_store/imap_server.py); its
certificate is self-signed, made at test time with the `openssl` command (the `cryptography`
package is not a dependency), and trusted through SSL_CERT_FILE.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import pytest

from backorder_desktop.demo_store.imap_server import ImapServer, Mailbox
from backorder_desktop.mail.imap import ImapConfig

USER, PASSWORD = "shop@shop.example", 'imap secret "quoted"'


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (SAN IP), valid one day."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = folder / "imap-cert.pem", folder / "imap-key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@contextmanager
def imap_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, tls: str = "implicit"
) -> Iterator[ImapServer]:
    """A TLS IMAP server whose certificate this test's clients trust."""
    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with ImapServer(
        Mailbox(), user=USER, password=PASSWORD, tls=tls, ssl_context=context
    ) as server:
        yield server


def config_for(
    server: ImapServer, *, security: str = "ssl", password: str = PASSWORD
) -> ImapConfig:
    return ImapConfig("127.0.0.1", server.port, security, USER, password)


def reply(
    *,
    sender: str,
    text: str,
    in_reply_to: str = "",
    references: str = "",
    subject: str = "Re: Your order",
    html: str = "",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "orders@shop.example"
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain="customer.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return bytes(message)
