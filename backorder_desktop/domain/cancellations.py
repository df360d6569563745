"""Cancelled waiting lines: the record every laptop shares (order metafield `cancellation`).

The record takes the cancelled units out of the queue (a line waits for what it is owed less
what was allocated and what was cancelled), says what the cancellation notice must tell, and
keeps the customer's address for it: a fully cancelled order leaves the open orders.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CANCELLATION_KEY = "cancellation"  # order metafield (namespace backorder_desktop)
CANCELLED_STATUS = 5  # V2 "Cancelled"
# How the money went back: through BigCommerce, by hand in the control panel (no Order
# Transactions scope, or nothing refundable), or not at all (nothing was paid yet).
REFUNDED, CONTROL_PANEL, NOT_PAID = "refunded", "control_panel", "not_paid"


@dataclass(frozen=True, slots=True)
class CancelledLine:
    line_id: int
    sku: str
    name: str
    qty: int


@dataclass(frozen=True, slots=True)
class CancellationEntry:
    """One cancellation of some waiting units of an order (one click, one refund)."""

    id: str
    at: datetime
    lines: tuple[CancelledLine, ...]
    reason: str = ""
    refund: str = NOT_PAID  # REFUNDED | CONTROL_PANEL | NOT_PAID
    amount: float | None = None  # refunded, or to refund in the control panel
    currency: str = ""
    order_cancelled: bool = False  # nothing of the order was left: it moved to Cancelled

    def to_obj(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "order_cancelled": self.order_cancelled,
            "at": self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "reason": self.reason,
            "refund": self.refund,
            "amount": self.amount,
            "currency": self.currency,
            "lines": [
                {"line_id": ln.line_id, "sku": ln.sku, "name": ln.name, "qty": ln.qty}
                for ln in self.lines
            ],
        }

    @staticmethod
    def from_obj(obj: Any) -> CancellationEntry | None:
        if not isinstance(obj, dict):
            return None
        try:
            at = datetime.fromisoformat(str(obj["at"]).replace("Z", "+00:00"))
            lines = tuple(
                CancelledLine(int(x["line_id"]), str(x.get("sku", "")), str(x.get("name", "")),
                              int(x["qty"]))
                for x in obj.get("lines") or []
                if isinstance(x, dict)
            )  # fmt: skip
            amount = obj.get("amount")
            return CancellationEntry(
                id=str(obj["id"]),
                at=at if at.tzinfo else at.replace(tzinfo=UTC),
                lines=lines,
                reason=str(obj.get("reason") or ""),
                refund=str(obj.get("refund") or NOT_PAID),
                amount=float(amount) if amount is not None else None,
                currency=str(obj.get("currency") or ""),
                order_cancelled=bool(obj.get("order_cancelled", False)),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True, slots=True)
class Cancellation:
    """Every cancellation of one order, with whom to tell."""

    order_id: int
    customer_email: str = ""
    customer_name: str = ""
    order_date: datetime | None = None
    entries: tuple[CancellationEntry, ...] = field(default_factory=tuple)

    def units_by_line(self) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        for entry in self.entries:
            for line in entry.lines:
                out[line.line_id] += line.qty
        return dict(out)

    def with_entry(self, entry: CancellationEntry) -> Cancellation:
        return Cancellation(
            self.order_id,
            self.customer_email,
            self.customer_name,
            self.order_date,
            (*self.entries, entry),
        )

    def to_json(self) -> str:
        doc = {
            "customer_email": self.customer_email,
            "customer_name": self.customer_name,
            "order_date": self.order_date.astimezone(UTC).isoformat() if self.order_date else None,
            "entries": [e.to_obj() for e in self.entries],
        }
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)

    @staticmethod
    def parse(text: str | None, order_id: int) -> Cancellation | None:
        """None for a value that is not a cancellation record (hand-edited, foreign)."""
        try:
            doc = json.loads(text or "")
        except ValueError:
            return None
        if not isinstance(doc, dict):
            return None
        when = None
        raw = doc.get("order_date")
        if isinstance(raw, str) and raw:
            try:
                when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                when = None
        entries = tuple(
            e for e in (CancellationEntry.from_obj(o) for o in doc.get("entries") or []) if e
        )
        return Cancellation(
            order_id,
            str(doc.get("customer_email") or ""),
            str(doc.get("customer_name") or ""),
            when,
            entries,
        )


def cancelled_by_line(cancellations: Iterable[Cancellation]) -> dict[int, int]:
    """Units cancelled per order line, over every order's record."""
    out: dict[int, int] = defaultdict(int)
    for record in cancellations:
        for line_id, qty in record.units_by_line().items():
            out[line_id] += qty
    return dict(out)


def taken_by_line(
    allocated: Mapping[int, int], cancellations: Iterable[Cancellation]
) -> dict[int, int]:
    """Units of each order line that wait no more: allocated from a delivery, or cancelled (they
    will never ship either). The queue and the status count both read waiting through this."""
    taken = dict(allocated)
    for line_id, qty in cancelled_by_line(cancellations).items():
        taken[line_id] = taken.get(line_id, 0) + qty
    return taken


def money_text(amount: float | None, currency: str) -> str:
    """'USD 49.90' ('' when unknown)."""
    if amount is None:
        return ""
    return f"{currency} {amount:,.2f}".strip()


def cancel_note(when: datetime, entry: CancellationEntry, *, fully: bool) -> str:
    """The staff-note line a cancellation leaves on the order."""
    units = ", ".join(f"{ln.qty} x {ln.sku}" for ln in entry.lines)
    what = "Order cancelled" if fully else "Waiting items cancelled"
    line = f"{what} {when.astimezone(UTC).date().isoformat()} by Backorder Desktop: {units}"
    if entry.reason:
        line += f" ({entry.reason})"
    amount = money_text(entry.amount, entry.currency)
    if entry.refund == REFUNDED:
        line += f"; refunded {amount} through BigCommerce."
    elif entry.refund == CONTROL_PANEL:
        line += f"; REFUND {amount or 'the items'} IN THE CONTROL PANEL (not refunded by the app)."
    else:
        line += "; nothing was paid, nothing to refund."
    return line


def untold_units(covers: Sequence[tuple[int, int]], told: dict[int, int]) -> dict[int, int]:
    """Units of `covers` (line id, units) beyond what notices have told."""
    out = {}
    for line_id, qty in covers:
        left = qty - told.get(line_id, 0)
        if left > 0:
            out[line_id] = left
    return out
