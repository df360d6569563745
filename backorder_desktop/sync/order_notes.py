"""Staff notes are appended to what the order holds right before the write, never replaced.

V2 replaces `staff_notes` whole on update, and staff type notes in BigCommerce's control panel
at any time: a text built from the cache would erase what they typed since the last sync. So a
queued note travels as `{"append_staff_notes": "..."}`; right before sending, the order is read
and the line appended to its current text (unless a lost answer means it is there already).
The orders a push is about to annotate are read together (`NotesReader`: one listing by id
range, 250 a page) rather than one GET each, which would cost a notify of 80 orders 80
requests of the shared rate limit.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..bigcommerce import operations as ops
from ..bigcommerce import reads
from ..cache import Cache, OutboxRow
from ..domain.releases import append_note

APPEND_KEY = ops.APPEND_STAFF_NOTES
MAX_STAFF_NOTES = 65_535  # V2 long text fields
RANGE_MAX = 1_000  # widest id range read as a listing; beyond it, one GET per order


def appends_note(row: OutboxRow) -> bool:
    return ops.appends_staff_note(ops.Operation(row.action, row.resource, row.body, row.target))


def merged_notes(current: str, note: str) -> str:
    """The order's notes with `note` appended once (a resend after a lost answer finds it)."""
    if note and note.strip() in current:
        return current
    return append_note(current, note)[-MAX_STAFF_NOTES:]


class NotesReader:
    """The current staff notes of the orders one push annotates (read at most once each)."""

    def __init__(self, client: Any, cache: Cache) -> None:
        self._client = client
        self._cache = cache
        self._notes: dict[int, str] = {}
        self._listed = False

    def _list_due(self) -> None:
        """One listing covering every order a pending note row names (when the range is small)."""
        self._listed = True
        ids = sorted(
            int(r.target)
            for state in ("sending", "pending")
            for r in self._cache.outbox.rows(state)
            if appends_note(r) and r.target is not None
        )
        if len(ids) < 2 or ids[-1] - ids[0] > RANGE_MAX:
            return
        page = 1
        while True:
            params = {"min_id": ids[0], "max_id": ids[-1], "limit": 250, "page": page}
            response = reads.orders_page(self._client, params)
            data = response.json() if response.status_code != 204 and response.content else []
            for doc in data if isinstance(data, list) else []:
                if isinstance(doc, dict) and isinstance(doc.get("id"), int):
                    self._notes[doc["id"]] = str(doc.get("staff_notes") or "")
            if not isinstance(data, list) or len(data) < 250:
                return
            page += 1

    def current(self, order_id: int) -> str:
        if not self._listed:
            self._list_due()
        if order_id not in self._notes:
            doc = reads.order(self._client, order_id).json()
            self._notes[order_id] = str((doc or {}).get("staff_notes") or "")
        return self._notes[order_id]

    def written(self, order_id: int, notes: str) -> None:
        """What this push wrote: a second note for the order in the same push builds on it."""
        self._notes[order_id] = notes


def with_fresh_notes(client: Any, row: OutboxRow, reader: NotesReader | None = None) -> OutboxRow:
    """The row as it goes out: the order's current notes with this row's line appended."""
    assert row.target is not None
    order_id = int(row.target)
    body = dict(row.body)
    note = str(body.pop(APPEND_KEY) or "")
    if reader is None:
        doc = reads.order(client, order_id).json()
        current = str((doc or {}).get("staff_notes") or "")
    else:
        current = reader.current(order_id)
    body["staff_notes"] = merged_notes(current, note)
    if reader is not None:
        # Counted as written now: if the PUT fails, the row is tried in a later push, whose
        # reader reads the order again.
        reader.written(order_id, body["staff_notes"])
    return replace(row, body=body)
