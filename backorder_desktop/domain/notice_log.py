"""The notice log: which customer was told what, and when (JSON in an order metafield)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

NOTICES_KEY = "notices"  # order metafield (namespace backorder_desktop) holding the log
RELEASE_KEY = "release"  # order metafield written when the app releases an order
STATUS_KEY = "backorder_status"  # order metafield a storefront theme can read

CONFIRMATION, DELAY, RELEASED, CHECK_IN = "confirmation", "delay", "released", "check_in"
CANCELLED, EARLIER = "cancelled", "earlier"  # waiting items cancelled; an ETA moved earlier
KINDS: tuple[str, ...] = (CONFIRMATION, DELAY, RELEASED, CHECK_IN, CANCELLED, EARLIER)
KIND_LABELS = {
    CONFIRMATION: "Backorder confirmation",
    DELAY: "Delay",
    RELEASED: "On its way",
    CHECK_IN: "Check-in",
    CANCELLED: "Cancellation",
    EARLIER: "Good news (earlier date)",
}
# Metafield values hold at most 65,535 characters (bigcommerce-spec/README.md); the oldest
# entries go first when a long-waiting order's log would outgrow that.
MAX_LOG_CHARS = 60_000


@dataclass(frozen=True, slots=True)
class ToldLine:
    line_id: int
    sku: str
    qty: int
    eta: date | None


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    """One email sent (or, when `unconfirmed`, possibly sent: the app crashed while sending)."""

    id: str
    order_id: int
    kind: str
    sent_at: datetime
    eta: date | None
    lines: tuple[ToldLine, ...] = field(default_factory=tuple)
    unconfirmed: bool = False

    def to_obj(self) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "eta": self.eta.isoformat() if self.eta else None,
            # Microseconds kept: two notices to one order can go out within the same second
            # (a confirmation, then a delay), and "what was last told" is ordered by this time.
            "sent_at": self.sent_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "lines": [
                {
                    "line_id": t.line_id,
                    "sku": t.sku,
                    "qty": t.qty,
                    "eta": t.eta.isoformat() if t.eta else None,
                }
                for t in self.lines
            ],
        }
        if self.unconfirmed:
            obj["unconfirmed"] = True
        return obj

    @staticmethod
    def from_obj(obj: Any, order_id: int) -> NoticeRecord | None:
        """None for an entry that cannot be read (a hand-edited or foreign metafield)."""
        if not isinstance(obj, dict):
            return None
        try:
            kind = str(obj["kind"])
            sent_at = datetime.fromisoformat(str(obj["sent_at"]).replace("Z", "+00:00"))
            if sent_at.tzinfo is None:
                sent_at = sent_at.replace(tzinfo=UTC)
            lines = tuple(
                ToldLine(
                    line_id=int(item["line_id"]),
                    sku=str(item.get("sku") or ""),
                    qty=int(item.get("qty") or 0),
                    eta=_date(item.get("eta")),
                )
                for item in obj.get("lines") or []
                if isinstance(item, dict)
            )
            return NoticeRecord(
                id=str(obj.get("id") or f"{order_id}:{kind}:{sent_at.isoformat()}"),
                order_id=order_id,
                kind=kind,
                sent_at=sent_at,
                eta=_date(obj.get("eta")),
                lines=lines,
                unconfirmed=bool(obj.get("unconfirmed", False)),
            )
        except (KeyError, TypeError, ValueError):
            return None


def _date(value: Any) -> date | None:
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


def parse_log(text: str | None, order_id: int) -> list[NoticeRecord]:
    """The records in a `notices` metafield value; unreadable entries are skipped."""
    if not text:
        return []
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    items = doc if isinstance(doc, list) else []
    records = (NoticeRecord.from_obj(item, order_id) for item in items)
    return [r for r in records if r is not None]


def dump_log(records: Sequence[NoticeRecord]) -> str:
    """The metafield value: oldest first, trimmed from the oldest end to fit."""
    ordered = sorted(records, key=lambda r: (r.sent_at, r.id))
    while True:
        text = json.dumps([r.to_obj() for r in ordered], separators=(",", ":"))
        if len(text) <= MAX_LOG_CHARS or len(ordered) <= 1:
            return text
        ordered = ordered[1:]


def merge_logs(*logs: Iterable[NoticeRecord]) -> list[NoticeRecord]:
    """One log from several sources (metafield, local ledger); the same id counts once.

    A confirmed copy wins over an unconfirmed one.
    """
    by_id: dict[str, NoticeRecord] = {}
    for log in logs:
        for record in log:
            known = by_id.get(record.id)
            if known is None or (known.unconfirmed and not record.unconfirmed):
                by_id[record.id] = record
    return sorted(by_id.values(), key=lambda r: (r.sent_at, r.id))


@dataclass(frozen=True, slots=True)
class Told:
    """What a line was last told."""

    eta: date | None
    sent_at: datetime
    kind: str
    unconfirmed: bool = False


def told_by_line(records: Iterable[NoticeRecord]) -> dict[int, Told]:
    """Per order line, the ETA of the latest notice that told it one (released and cancelled
    ones do not: the units still waiting keep the date told before)."""
    out: dict[int, Told] = {}
    for record in sorted(records, key=lambda r: (r.sent_at, r.id)):
        if record.kind in (RELEASED, CANCELLED):
            continue
        for line in record.lines:
            out[line.line_id] = Told(line.eta, record.sent_at, record.kind, record.unconfirmed)
    return out


def mark_unconfirmed(record: NoticeRecord) -> NoticeRecord:
    return replace(record, unconfirmed=True)
