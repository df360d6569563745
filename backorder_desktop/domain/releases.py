"""A release: the order metafield other laptops and the notices read, and the staff note."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .shipments import RecordFormatError

# ORDER metafield, namespace backorder_desktop: its presence (not undone) makes the "released"
# notice due (issue 5 reads it).
RELEASE_KEY = "release"
NOTE_PREFIX = "Backorder Desktop"


@dataclass(frozen=True, slots=True)
class ReleaseLine:
    line_id: int
    sku: str
    qty: int


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    released_at: datetime
    status_before: int
    status_after: int
    undone: bool = False
    lines: tuple[ReleaseLine, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        return json.dumps(
            {
                "released_at": self.released_at.isoformat(),
                "status_before": self.status_before,
                "status_after": self.status_after,
                "undone": self.undone,
                "lines": [
                    {"line_id": line.line_id, "sku": line.sku, "qty": line.qty}
                    for line in self.lines
                ],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def undo(self) -> ReleaseRecord:
        return replace(self, undone=True)

    @staticmethod
    def from_json(text: str) -> ReleaseRecord:
        try:
            doc: Any = json.loads(text)
            if not isinstance(doc, dict):
                raise ValueError("not a JSON object")
            return ReleaseRecord(
                released_at=datetime.fromisoformat(str(doc["released_at"])),
                status_before=int(doc["status_before"]),
                status_after=int(doc["status_after"]),
                undone=bool(doc.get("undone", False)),
                lines=tuple(
                    ReleaseLine(int(x["line_id"]), str(x.get("sku", "")), int(x.get("qty", 0)))
                    for x in doc.get("lines") or []
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RecordFormatError(f"release record is not readable: {exc}") from exc


def release_note(at: datetime, lines: Sequence[ReleaseLine]) -> str:
    items = ", ".join(f"{line.qty} x {line.sku}" for line in lines)
    return f"{NOTE_PREFIX} {at.date().isoformat()}: released from backorder ({items})."


def undo_note(at: datetime, status_before: int) -> str:
    return (
        f"{NOTE_PREFIX} {at.date().isoformat()}: release undone, ready to release again, units still reserved "
        f"(status {status_before})."
    )


def append_note(existing: str, note: str) -> str:
    """Staff notes with one more line (V2 replaces the notes on update: send them whole)."""
    existing = existing.rstrip()
    return f"{existing}\n{note}" if existing else note
