"""What SMTP and IMAP share: the checks of a server's settings, and opening and closing by `with`."""

from __future__ import annotations

import ipaddress
from types import TracebackType
from typing import Self

from .errors import MailError


def is_loopback(host: str) -> bool:
    """A literal loopback address only (a name may resolve anywhere)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Connection:
    """`with Sender(config) as sender:` opens the connection and closes it again."""

    def open(self) -> object:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


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
