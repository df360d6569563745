"""What the storefront says about a product against the backorder state: one truth (issue 14).

BigCommerce shows the product's `availability_description` and, on pre-order products, the
`preorder_message` with `%%DATE%%` filled from `preorder_release_date`. A text that promises
stock while customers wait, or a pre-order date before the ETA, is flagged with a fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .bulk_input import PREORDER_DATE_TOKEN
from .bulk_types import DESCRIPTION, RELEASE_DATE

# Wording that tells a shopper the item is on the shelf (lower case, matched as words).
IN_STOCK_WORDING = (
    "usually ships in 24 hours",
    "ships in 24 hours",
    "ships within 24 hours",
    "ships today",
    "ships same day",
    "same day dispatch",
    "next day delivery",
    "in stock",
    "ready to ship",
)
BACKORDER_TEXT = "On backorder: ships from %s."
BACKORDER_TEXT_NO_DATE = "On backorder: we ship as soon as it arrives."


# The ways a merchant's text (or an {eta:...} template) writes a date.
_PATTERNS: tuple[Callable[[date], str], ...] = (
    lambda d: d.isoformat(),
    lambda d: f"{d.day} {d:%B} {d.year}",
    lambda d: f"{d:%d} {d:%B} {d.year}",
    lambda d: f"{d:%B} {d.day}, {d.year}",
    lambda d: f"{d:%b} {d.day}, {d.year}",
    lambda d: f"{d:%b} {d:%d}, {d.year}",
    lambda d: f"{d:%B} {d.day}",
    lambda d: f"{d:%B} {d:%d}",
    lambda d: f"{d:%b} {d:%d}",
    lambda d: f"{d:%b} {d.day}",
    lambda d: f"{d.day} {d:%B}",
    lambda d: f"{d:%d} {d:%B}",
    lambda d: f"{d.day} {d:%b}",
    lambda d: f"{d:%d} {d:%b}",
)


def _found(text: str, when: date) -> tuple[str, Callable[[date], str]] | None:
    """The longest written form of `when` in `text`, and how it was written."""
    forms = sorted(((p(when), p) for p in _PATTERNS), key=lambda f: len(f[0]), reverse=True)
    for form, pattern in forms:
        if re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text):
            return form, pattern
    return None


def names_date(text: str, when: date | None) -> str | None:
    """The written form of `when` found in `text` (None: not there)."""
    if when is None or not text:
        return None
    found = _found(text, when)
    return found[0] if found else None


def rewrite_date(text: str, old: date | None, new: date | None) -> str | None:
    """`text` with the old ETA, hard-coded in it, written as the new one in the same form;
    None when there is nothing to rewrite (no old date in it, or no new date to write)."""
    if old is None or new is None or old == new or not text:
        return None
    found = _found(text, old)
    if found is None:
        return None
    form, pattern = found
    return re.sub(rf"(?<![\w-]){re.escape(form)}(?![\w-])", pattern(new), text)


def in_stock_wording(text: str) -> str | None:
    lowered = " ".join(text.casefold().split())
    for words in IN_STOCK_WORDING:
        if re.search(rf"(?<!\w)(?<!not ){re.escape(words)}(?!\w)", lowered):
            return words
    return None


@dataclass(frozen=True, slots=True)
class StorefrontFlag:
    """A storefront text that contradicts the backorder state, and the one-click fix."""

    kind: str  # "in_stock_wording" | "preorder_before_eta"
    message: str
    fix_label: str
    fix: dict[str, Any] = field(default_factory=dict)  # product field -> value


def storefront_flags(
    *,
    availability: str,
    description: str,
    preorder_message: str,
    release_date: datetime | None,
    waiting: int,
    eta: date | None,
) -> list[StorefrontFlag]:
    """Flags for one product row: `waiting` units and the ETA in force (latest of its lines)."""
    flags: list[StorefrontFlag] = []
    if waiting > 0:
        shown = description if availability != "preorder" else f"{description} {preorder_message}"
        words = in_stock_wording(shown)
        if words is not None:
            if availability == "preorder":
                text = f"On pre-order: ships from {PREORDER_DATE_TOKEN}."
            else:
                text = BACKORDER_TEXT % _friendly(eta) if eta else BACKORDER_TEXT_NO_DATE
            flags.append(
                StorefrontFlag(
                    "in_stock_wording",
                    f'The storefront says "{words}" while {_units(waiting)} waiting.',
                    f'Say "{text}"',
                    {DESCRIPTION: text},
                )
            )
    if availability == "preorder" and eta is not None:
        released = release_date.date() if release_date is not None else None
        if released is None or released < eta:
            shown_date = released.isoformat() if released else "no date"
            flags.append(
                StorefrontFlag(
                    "preorder_before_eta",
                    f"The pre-order date ({shown_date}) is earlier than the ETA "
                    f"({eta.isoformat()}): shoppers are promised a date that cannot be kept.",
                    f"Set the pre-order date to {eta.isoformat()}",
                    {RELEASE_DATE: datetime(eta.year, eta.month, eta.day, tzinfo=UTC)},
                )
            )
    return flags


def _units(n: int) -> str:
    return "1 unit is" if n == 1 else f"{n} units are"


def _friendly(when: date) -> str:
    return f"{when.day} {when:%B} {when.year}"
