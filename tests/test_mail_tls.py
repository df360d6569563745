"""STARTTLS and SSL against real aiosmtpd servers with a test certificate; logins only over TLS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from backorder_desktop.mail.message import build_message
from backorder_desktop.mail.smtp import SSL, STARTTLS, MailConnectionError, SmtpConfig, SmtpSender

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the test trusts it through SSL_CERT_FILE)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Recorder:
    def __init__(self) -> None:
        self.received: list[tuple[bool, bool]] = []  # (over TLS, logged in)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        over_tls = server.transport.get_extra_info("ssl_object") is not None
        self.received.append((over_tls, session.authenticated))
        return "250 OK"


def _auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"shop", b"s3cret")
    return AuthResult(success=ok)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def tls_server(tmp_path: Path, *, implicit: bool) -> Iterator[tuple[Recorder, int, Path]]:
    cert, key = make_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    recorder, port = Recorder(), free_port()
    options: dict[str, Any] = {"authenticator": _auth, "auth_require_tls": True}
    if implicit:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; an implicit-TLS server is TLS already.
        options.update(ssl_context=context, auth_require_tls=False)
    else:
        options.update(tls_context=context, require_starttls=True)
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield recorder, port, cert
    finally:
        controller.stop()


def message():
    return build_message(
        sender="shop@example.com", sender_name="Shop", to="c@example.com", to_name="",
        subject="Hello", text="t", html="<p>h</p>",
    )  # fmt: skip


@pytest.mark.parametrize("security", [STARTTLS, SSL])
def test_login_and_send_over_tls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, security: str
) -> None:
    with tls_server(tmp_path, implicit=security == SSL) as (recorder, port, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test certificate
        config = SmtpConfig(
            "127.0.0.1", port, security, user="shop", password="s3cret", sender="s@example.com"
        )
        with SmtpSender(config) as sender:
            sender.send(message())
            sender.send(message())
        assert recorder.received == [(True, True), (True, True)]


def test_an_untrusted_certificate_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tls_server(tmp_path, implicit=False) as (recorder, port, _cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nothing.pem"))
        config = SmtpConfig("127.0.0.1", port, STARTTLS, user="shop", password="s3cret",
                            sender="s@example.com", timeout=10)  # fmt: skip
        with pytest.raises(MailConnectionError, match="Secure connection to 127.0.0.1"):
            SmtpSender(config).open()
        assert recorder.received == []


def test_starttls_asked_of_a_server_without_it_is_a_clear_error() -> None:
    port = free_port()
    controller = Controller(Recorder(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = SmtpConfig("127.0.0.1", port, STARTTLS, sender="s@example.com", timeout=10)
        with pytest.raises(MailConnectionError, match="does not offer STARTTLS"):
            SmtpSender(config).open()
    finally:
        controller.stop()
