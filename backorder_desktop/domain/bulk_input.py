"""Reading what the merchant typed for a bulk edit: limits, ETAs and message templates."""

from __future__ import annotations

import re
import string
from datetime import date
from typing import Final

from .models import UNLIMITED_BACKORDER_LIMIT

# BigCommerce's availability_description and preorder_message hold at most 255 characters
# (products_catalog.v3.yml).
MESSAGE_MAX = 255
PREORDER_DATE_TOKEN: Final = "%%DATE%%"  # the storefront puts the release date here
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SAMPLE_DATE = date(2026, 12, 31)


class BulkInputError(ValueError):
    """Input the merchant must correct; the message says what and how. Nothing was written."""


class _Keep:
    """The field stays as it is (distinct from None, which means "off" or "no ETA")."""

    _instance: _Keep | None = None

    def __new__(cls) -> _Keep:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "KEEP"

    def __bool__(self) -> bool:
        return False


KEEP: Final = _Keep()
Keep = _Keep


def parse_limit(text: str | int | None) -> int | None:
    """`unlimited` -> 2,147,483,647; `off` (or empty) -> None; else a whole number 0 and up."""
    if isinstance(text, bool):
        raise BulkInputError(f"'{text}' is not a backorder limit.")
    if isinstance(text, int):
        value = text
    else:
        word = (text or "").strip().casefold()
        if word in ("", "off", "none", "no"):
            return None
        if word in ("unlimited", "∞"):
            return UNLIMITED_BACKORDER_LIMIT
        cleaned = word.replace(",", "").replace("_", "")
        if not re.fullmatch(r"[+-]?\d+", cleaned):
            raise BulkInputError(
                f"'{text}' is not a backorder limit: use a whole number, 'unlimited' or 'off'."
            )
        value = int(cleaned)
    if value < 0:
        raise BulkInputError(f"A backorder limit cannot be negative ({value}).")
    if value > UNLIMITED_BACKORDER_LIMIT:
        raise BulkInputError(
            f"A backorder limit of {value:,} is more than BigCommerce accepts "
            f"({UNLIMITED_BACKORDER_LIMIT:,}); use 'unlimited' instead."
        )
    return value


def parse_eta(text: str | date | None) -> date | None:
    """An ISO date (YYYY-MM-DD); empty means no ETA. Impossible dates are refused."""
    if isinstance(text, date):
        return text
    value = (text or "").strip()
    if not value:
        return None
    if not _ISO_DATE.fullmatch(value):
        raise BulkInputError(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BulkInputError(f"'{text}' is not a real date (check the month and day).") from None


def check_template(template: str) -> str:
    """A storefront message template: text with `{eta}` or `{eta:%b %d}` where the ETA goes.

    Only `{eta}` is allowed (no attribute access or other names), so a template can never reach
    into the program. Returns the template unchanged when it is valid.
    """
    if len(template) > MESSAGE_MAX:
        raise BulkInputError(
            f"The storefront message is {len(template)} characters long; BigCommerce keeps at "
            f"most {MESSAGE_MAX}."
        )
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise BulkInputError(
            f"The message template is not valid ({exc}); write {{eta}} or {{eta:%b %d}} where "
            "the date goes, and {{ or }} for a literal brace."
        ) from None
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name != "eta" or conversion is not None:
            raise BulkInputError(
                f"The message template uses '{{{name}}}'; only {{eta}} (optionally with a date "
                "format such as {eta:%b %d}) is known."
            )
        if spec and "{" in spec:
            raise BulkInputError("A date format inside {eta:...} cannot contain braces.")
        try:
            format(_SAMPLE_DATE, spec or "")
        except ValueError as exc:
            raise BulkInputError(f"The date format '{spec}' is not valid ({exc}).") from None
    return template


def template_needs_eta(template: str) -> bool:
    return any(name is not None for _, name, _, _ in string.Formatter().parse(template))


def render_message(template: str, eta: date | None) -> str | None:
    """The message with the ETA filled in; None when the template needs an ETA and has none."""
    if template_needs_eta(template) and eta is None:
        return None
    # check_template allowed only {eta} with a strftime spec; a bare {eta} is the ISO date.
    return template.format(eta=eta if eta is not None else "")


def preorder_message(template: str) -> str:
    """The pre-order form of a template: BigCommerce fills in `%%DATE%%` itself."""
    out = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(PREORDER_DATE_TOKEN)
    return "".join(out)
