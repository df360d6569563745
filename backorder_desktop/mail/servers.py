"""What a mail server's settings must hold before any connection, SMTP and IMAP alike."""

from __future__ import annotations

import ipaddress

from .errors import MailError


def is_loopback(host: str) -> bool:
    """A literal loopback address only (a name may resolve anywhere)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_server(
    protocol: str, host: str, port: int, security: str, modes: tuple[str, ...], *, no_host: str
) -> None:
    """Raise MailError (in words for the Mail settings) for a missing host, a port out of
    range or an unknown security mode; `no_host` says what to fill in."""
    if not host.strip():
        raise MailError(no_host)
    if not 0 < port < 65536:
        raise MailError(f"{port} is not a valid {protocol} port.")
    if security not in modes:
        raise MailError(f"Unknown {protocol} security '{security}'.")
