"""Sending over SMTP: one connection for a whole batch (STARTTLS, SSL or plain for local)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from .errors import MailError
from .message import AddressError, parse_mailbox
from .servers import Connection, check_server

STARTTLS, SSL, PLAIN = "starttls", "ssl", "none"
SECURITY_MODES: tuple[str, ...] = (STARTTLS, SSL, PLAIN)
DEFAULT_PORTS = {STARTTLS: 587, SSL: 465, PLAIN: 25}
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class MailConnectionError(MailError):
    """No usable connection (wrong host/port, TLS or login refused): nothing was sent."""


class MessageRefused(MailError):
    """The server answered this one message with an error: it was not sent."""


class SendUncertain(MailError):
    """The connection broke while a message was being handed over: it may have been sent."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str = STARTTLS
    user: str = ""
    password: str = field(default="", repr=False)  # never in logs or reprs
    sender: str = ""
    sender_name: str = ""
    timeout: float = 30.0

    def check(self) -> None:
        """Raise MailError when the settings cannot work (before anything is sent)."""
        check_server(
            "SMTP",
            self.host,
            self.port,
            self.security,
            SECURITY_MODES,
            no_host="No mail server set: fill in the SMTP host in Mail settings.",
        )
        if not self.sender.strip():
            raise MailError("No sender address set: fill in 'From' in Mail settings.")
        try:
            parse_mailbox(self.sender)
        except AddressError as exc:
            raise MailError(f"The sender (From) address cannot be used: {exc}") from exc
        if self.security == PLAIN and self.user and self.host not in _LOOPBACK:
            # A password must never cross the network in the clear.
            raise MailError("Use STARTTLS or SSL to log in to a mail server on the network.")


class _DataHook(smtplib.SMTP):
    """smtplib's DATA step with a hook between the server's 354 and the message itself: what
    runs there happens only if the server will take the message, and before it can have it."""

    before_data: Callable[[], None] | None = None

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if self.before_data is not None:
            self.before_data()
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")  # type: ignore[attr-defined]
        payload = smtplib._quote_periods(msg)  # type: ignore[attr-defined]
        if payload[-2:] != smtplib.bCRLF:
            payload += smtplib.bCRLF
        payload += b"." + smtplib.bCRLF
        self.send(payload)
        return self.getreply()


class _HookedSMTP(_DataHook):
    pass


class _HookedSMTPSSL(_DataHook, smtplib.SMTP_SSL):
    pass


class SmtpSender(Connection):
    """`with SmtpSender(config) as sender: sender.send(msg)` for every message of a batch."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None
        self.connections = 0  # how many connections this sender opened (tests count them)

    def open(self) -> SmtpSender:
        config = self.config
        config.check()
        context = ssl.create_default_context()
        try:
            if config.security == SSL:
                smtp: smtplib.SMTP = _HookedSMTPSSL(
                    config.host, config.port, timeout=config.timeout, context=context
                )
            else:
                smtp = _HookedSMTP(config.host, config.port, timeout=config.timeout)
            self.connections += 1
            try:
                smtp.ehlo()
                if config.security == STARTTLS:
                    if not smtp.has_extn("starttls"):
                        raise MailConnectionError(
                            f"{config.host} does not offer STARTTLS on port {config.port}: try "
                            "SSL (usually port 465)."
                        )
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if config.user:
                    if not smtp.has_extn("auth"):
                        raise MailConnectionError(
                            f"{config.host}:{config.port} does not offer a login here: check the "
                            "security setting (most servers want a login only over TLS)."
                        )
                    smtp.login(config.user, config.password)
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPAuthenticationError as exc:
            raise MailConnectionError(
                f"The mail server refused the login for '{config.user}': check the user and "
                "password in Mail settings."
            ) from exc
        except MailConnectionError:
            raise
        except ssl.SSLError as exc:
            raise MailConnectionError(
                f"Secure connection to {config.host}:{config.port} failed ({exc.reason}): check "
                "the security setting and port."
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailConnectionError(
                f"Cannot reach the mail server {config.host}:{config.port} ({_reason(exc)})."
            ) from exc
        self._smtp = smtp
        return self

    def send(self, message: EmailMessage, *, before_data: Callable[[], None] | None = None) -> None:
        """Hand one message to the server; `before_data` runs once the server has accepted the
        envelope and said "go ahead" to DATA, right before the message is written.

        MessageRefused: the server said no (nothing sent, the next message may go).
        SendUncertain: the connection broke mid-way (it may have been sent; stop the batch).
        """
        if self._smtp is None:
            raise MailConnectionError("The mail connection is not open.")
        self._smtp.before_data = before_data  # type: ignore[attr-defined]
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MessageRefused(f"The mail server refused the recipient: {_reason(exc)}") from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise MessageRefused(f"The mail server refused the message: {_reason(exc)}") from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:  # TimeoutError included
            self._smtp = None
            raise SendUncertain(
                f"The connection to the mail server broke while sending ({_reason(exc)})."
            ) from exc
        except smtplib.SMTPException as exc:  # e.g. SMTPUTF8 needed but not offered
            raise MessageRefused(f"The message could not be sent: {_reason(exc)}") from exc
        if refused:
            raise MessageRefused(f"The mail server refused: {', '.join(refused)}")

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {text}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{rcpt}: {code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg}"
            for rcpt, (code, msg) in exc.recipients.items()
        )
    return str(exc) or type(exc).__name__
