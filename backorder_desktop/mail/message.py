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


def _address_problem(address: str) -> str:
    """Why `address` is not a plain addr-spec, in words (empty when it is one)."""
    if _ADDRESS.match(address) and len(address) <= 254:
        return ""
    if not address:
        return "it is empty"
    if len(address) > 254:
        return "it is longer than 254 characters"
    if address.count("@") != 1:
        return "it needs exactly one '@' (name@example.com)"
    if any(c.isspace() for c in address):
        return "it contains a space"
    local, _, domain = address.partition("@")
    if not local:
        return "nothing comes before the '@'"
    if "." not in domain.strip("."):
        return "the part after '@' needs a dot, as in example.com"
    return 'it contains a character addresses cannot have (one of < > , ; : " ( ) [ ] \\)'


def checked_address(value: str) -> str:
    address = value.strip()
    problem = _address_problem(address)
    if problem:
        raise AddressError(f"'{one_line(value, 80)}' is not a valid email address: {problem}.")
    return address


# What the email package's parser reports, in the merchant's words.
_DEFECT_WORDS = (
    ("missing trailing '>'", "a '<' has no closing '>'"),
    ("null addr-spec", "there is no address between '<' and '>'"),
    ("no domain", "it has no '@' and domain (name@example.com)"),
    (
        "local-part is not",
        "the part before '@' has spaces or quotes; to add a name write Shop Name <shop@example.com>",
    ),
)


def parse_mailbox(value: str) -> tuple[str, str]:
    """(display name, address) from `shop@example.com` or `Shop Name <shop@example.com>`.

    The RFC 5322 name-addr form is parsed by the email package (quoted names, commas inside
    quotes, encoded words); the name is sent RFC 2047-encoded when it is not ASCII. Raises
    AddressError saying what is wrong: several addresses, a line break, a missing '>'...
    """
    text = value.strip()
    shown = one_line(value, 80)
    if not text:
        raise AddressError("No address given: write it as name@example.com.")
    if _CONTROL.search(text):
        raise AddressError(f"'{shown}' contains a line break or a control character.")
    header = POLICY.header_factory("from", text)
    boxes = header.addresses
    if len(boxes) > 1:
        raise AddressError(f"'{shown}' names {len(boxes)} addresses: give one.")
    if header.defects or not boxes:
        detail = str(header.defects[0]) if header.defects else ""
        reason = next((w for key, w in _DEFECT_WORDS if key in detail), detail or "it is empty")
        raise AddressError(f"'{shown}' is not a valid email address: {reason}.")
    box = boxes[0]
    address = f"{box.username}@{box.domain}" if box.domain else box.username
    try:
        checked_address(address)
    except AddressError:
        raise AddressError(
            f"'{shown}' is not a valid email address: {_address_problem(address)}."
        ) from None
    return one_line(box.display_name, 200), address


def mailbox(address: str, name: str = "") -> Address:
    """An Address whose display name is one clean line (quoted, or RFC 2047-encoded when not
    ASCII, by the email package). `address` is a bare addr-spec (a customer's, from the store)."""
    user, _, domain = checked_address(address).rpartition("@")
    return Address(display_name=one_line(name, 200), username=user, domain=domain)


def sender_mailbox(sender: str, name: str = "") -> Address:
    """The From mailbox: `sender` may carry its own name (`Shop <shop@x.com>`), which wins."""
    own_name, address = parse_mailbox(sender)
    return mailbox(address, own_name or name)


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
    from_box = sender_mailbox(sender, sender_name)
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
