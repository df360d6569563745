"""Building one MIME email (text + HTML) with header values that cannot inject headers."""

from __future__ import annotations

import re
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

# CR and LF end a header line (RFC 5322): a name like "Sam\r\nBcc: x@y" would add a header.
# Every other control character is dropped too; runs of whitespace become one space.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
# A plain addr-spec: no spaces, commas, angle brackets, quotes or control characters, one "@".
_ADDRESS = re.compile(r"^[^\s@<>,;:\"()\[\]\\]+@[^\s@<>,;:\"()\[\]\\]+\.[^\s@<>,;:\"()\[\]\\]+$")
MAX_HEADER_CHARS = 900  # under SMTP's 998-character line limit, with the header name
NOTICE_ID_HEADER = "X-Backorder-Notice"


class _CachedHeaderRegistry(HeaderRegistry):
    """The stdlib builds a new header class on every lookup (most of the cost of a message);
    the class for a given name never changes, so build it once."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(name)
        return found


POLICY = SMTP.clone(header_factory=_CachedHeaderRegistry())


class AddressError(ValueError):
    """An email address that cannot be used as a recipient or sender."""


def one_line(value: str, limit: int = MAX_HEADER_CHARS) -> str:
    """A header-safe single line: no CR/LF or other control characters."""
    cleaned = _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()
    return cleaned[:limit]


def checked_address(value: str) -> str:
    address = value.strip()
    if not _ADDRESS.match(address) or len(address) > 254:
        raise AddressError(f"'{one_line(value, 80)}' is not a valid email address.")
    return address


def mailbox(address: str, name: str = "") -> Address:
    """An Address whose display name is one clean line (quoted by the email package)."""
    user, _, domain = checked_address(address).rpartition("@")
    return Address(display_name=one_line(name, 200), username=user, domain=domain)


def build_message(
    *,
    sender: str,
    sender_name: str,
    to: str,
    to_name: str,
    subject: str,
    text: str,
    html: str,
    notice_id: str = "",
) -> EmailMessage:
    """A multipart/alternative message; raises AddressError for an unusable address."""
    msg = EmailMessage(policy=POLICY)
    from_box = mailbox(sender, sender_name)
    msg["From"] = from_box
    msg["To"] = mailbox(to, to_name)
    msg["Subject"] = one_line(subject)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=from_box.domain or None)
    if notice_id:
        msg[NOTICE_ID_HEADER] = one_line(notice_id, 100)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg
