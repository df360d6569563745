"""Staff notes are appended to what the order holds right before the write, never replaced.

V2 replaces `staff_notes` whole on update, and staff type notes in BigCommerce's control panel
at any time: a text built from the cache would erase what they typed since the last sync. So a
queued note travels as `{"append_staff_notes": "..."}`; right before sending, the order is read
and the line appended to its current text (unless a lost answer means it is there already).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..cache import OutboxRow
from ..domain.releases import append_note

APPEND_KEY = "append_staff_notes"
MAX_STAFF_NOTES = 65_535  # V2 long text fields
_ORDER = re.compile(r"^/v2/orders/\d+/?$")


def appends_note(row: OutboxRow) -> bool:
    return (
        row.method == "PUT"
        and bool(_ORDER.match(row.path))
        and isinstance(row.body, dict)
        and APPEND_KEY in row.body
    )


def merged_notes(current: str, note: str) -> str:
    """The order's notes with `note` appended once (a resend after a lost answer finds it)."""
    if note and note.strip() in current:
        return current
    return append_note(current, note)[-MAX_STAFF_NOTES:]


def with_fresh_notes(client: Any, row: OutboxRow) -> OutboxRow:
    """The row as it goes out: the order read now, its notes with this row's line appended."""
    body = dict(row.body)
    note = str(body.pop(APPEND_KEY) or "")
    order = client.request("GET", row.path).json()
    current = order.get("staff_notes") if isinstance(order, dict) else None
    body["staff_notes"] = merged_notes(str(current or ""), note)
    return replace(row, body=body)
