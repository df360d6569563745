"""Relative stock writes in flight: the figures read before each, for deciding a lost answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..domain.models import InventoryRecord, StockDelta
from ..domain.stock_moves import items_as_deltas
from .codec import json_dumps, json_loads, utc_from_text, utc_now, utc_text
from .core import CacheCore
from .outbox import FAILED, PENDING, SENDING, OutboxRow
from .stock_keys import shared_stock_keys

TABLE = "stock_writes"
# The outbox resource of relative stock changes (bigcommerce/operations.py STOCK_CHANGES_R;
# the cache does not import the client).
STOCK_CHANGES = "stock_changes"
SENDING_STATE, SENT_STATE, UNCERTAIN = "sending", "sent", "uncertain"

# (variant id, location id) -> [on hand, qty backordered or None]
LevelsJson = list[list[Any]]


def is_stock_row(row: OutboxRow) -> bool:
    return row.action == "create" and row.resource == STOCK_CHANGES


def row_deltas(row: OutboxRow) -> list[StockDelta]:
    body = row.body if isinstance(row.body, dict) else {}
    items = body.get("items")
    if not isinstance(items, list):
        return []
    return items_as_deltas(i for i in items if isinstance(i, dict))


@dataclass(frozen=True, slots=True)
class StockWrite:
    row_id: int
    state: str  # sending: answer not known yet; sent: accepted; uncertain: staff decide
    before: dict[tuple[int, int], tuple[int, int | None]]  # read right before sending
    before_at: datetime | None  # the store's clock at that read (its Date header)
    sent_at: datetime  # this laptop's clock when it was (last) sent
    found: dict[tuple[int, int], tuple[int, int | None]]  # read back (uncertain rows)
    reason: str


def _levels_from(text: str | None) -> dict[tuple[int, int], tuple[int, int | None]]:
    out: dict[tuple[int, int], tuple[int, int | None]] = {}
    for vid, loc, on_hand, back in json_loads(text) or []:
        out[(int(vid), int(loc))] = (int(on_hand), None if back is None else int(back))
    return out


def levels_json(levels: dict[tuple[int, int], tuple[int, int | None]]) -> str:
    return json_dumps([[k[0], k[1], v[0], v[1]] for k, v in sorted(levels.items())])


def _from_row(r: dict[str, Any]) -> StockWrite:
    sent = utc_from_text(r["sent_at"])
    assert sent is not None
    return StockWrite(
        row_id=r["row_id"],
        state=r["state"],
        before=_levels_from(r["before"]),
        before_at=utc_from_text(r["before_at"]),
        sent_at=sent,
        found=_levels_from(r["found"]),
        reason=r["reason"] or "",
    )


class StockWrites:
    """One record per relative stock row once it is about to be sent (see sync/stock_push.py)."""

    def __init__(self, core: CacheCore) -> None:
        self._core = core

    def get(self, row_id: int) -> StockWrite | None:
        rows = self._core.rows(TABLE, "row_id = ?", [row_id])
        return _from_row(rows[0]) if rows else None

    def all(self, state: str | None = None) -> list[StockWrite]:
        where, args = ("state = ?", [state]) if state else (None, [])
        return [_from_row(r) for r in self._core.rows(TABLE, where, args, order_by="row_id")]

    def begin(
        self,
        row_id: int,
        before: dict[tuple[int, int], tuple[int, int | None]],
        before_at: datetime | None,
        *,
        body: Any = None,
    ) -> None:
        """Committed before the request leaves: a crash mid-request still finds the figures.

        `body`: the row's body as it is about to be sent (adjusted to what the store owes)."""
        with self._core.transaction() as db:
            if body is not None:
                db.execute("UPDATE outbox SET body = ? WHERE id = ?", [json_dumps(body), row_id])
            db.table(TABLE).upsert(
                {
                    "row_id": row_id,
                    "state": SENDING_STATE,
                    "before": levels_json(before),
                    "before_at": utc_text(before_at) if before_at else None,
                    "sent_at": utc_text(utc_now()),
                    "found": None,
                    "reason": None,
                },
                pk="row_id",
            )

    def mark(self, row_id: int, state: str, **values: Any) -> None:
        with self._core.transaction() as db:
            if not self._core.rows(TABLE, "row_id = ?", [row_id]):
                return
            db.table(TABLE).update(row_id, {"state": state, **values})

    def mark_sent(self, row_id: int) -> None:
        """Accepted: kept a little while, so a read of the same items waits until it shows."""
        self.mark(row_id, SENT_STATE, sent_at=utc_text(utc_now()))

    def mark_uncertain(
        self, row_id: int, found: dict[tuple[int, int], tuple[int, int | None]], reason: str
    ) -> None:
        self.mark(row_id, UNCERTAIN, found=levels_json(found), reason=reason)

    def forget(self, row_id: int) -> None:
        with self._core.transaction() as db:
            db.execute(f"DELETE FROM {TABLE} WHERE row_id = ?", [row_id])  # noqa: S608

    def settling_until(self, variant_ids: set[int], settle_s: float) -> datetime | None:
        """When this laptop's last accepted write to one of the variants should be visible."""
        cutoff = utc_now() - timedelta(seconds=settle_s)
        latest: datetime | None = None
        for w in self.all(SENT_STATE):
            if w.sent_at <= cutoff:
                continue
            if any(k[0] in variant_ids for k in w.before):
                due = w.sent_at + timedelta(seconds=settle_s)
                latest = due if latest is None or due > latest else latest
        return latest

    def purge(self, settle_s: float) -> None:
        cutoff = utc_text(utc_now() - timedelta(seconds=settle_s))
        with self._core.transaction() as db:
            db.execute(
                f"DELETE FROM {TABLE} WHERE state = ? AND sent_at < ?",  # noqa: S608
                [SENT_STATE, cutoff],
            )


def queued_deltas(core: CacheCore) -> list[StockDelta]:
    """Stock changes this laptop has queued that the store has not (knowingly) applied."""
    rows = core.rows(
        "outbox",
        "state IN (?, ?, ?) AND action = 'create' AND resource = ?",
        [PENDING, SENDING, FAILED, STOCK_CHANGES],
        order_by="id",
    )
    out: list[StockDelta] = []
    for r in rows:
        body = json_loads(r["body"]) or {}
        items = body.get("items") if isinstance(body, dict) else None
        if isinstance(items, list):
            out += items_as_deltas(i for i in items if isinstance(i, dict))
    return out


def overlay_queued(core: CacheCore, records: list[InventoryRecord]) -> list[InventoryRecord]:
    """Stock as the store reported it plus this laptop's queued changes (a pull must not
    make a queued receipt vanish from the cache until it is sent). Variants sharing one
    stock (a product tracked by product) each show the change to that stock."""
    queued = queued_deltas(core)
    if not queued:
        return records
    keys = shared_stock_keys(core)
    by_key: dict[tuple[int, int], list[int]] = {}
    for d in queued:
        acc = by_key.setdefault((keys.get(d.variant_id, d.variant_id), d.location_id), [0, 0])
        acc[0] += d.on_hand
        acc[1] += d.qty_backordered
    if not by_key:
        return records
    out = []
    for rec in records:
        add = by_key.get((keys.get(rec.variant_id, rec.variant_id), rec.location_id))
        if add is None:
            out.append(rec)
            continue
        on_hand = max(0, rec.on_hand + add[0])
        back = rec.qty_backordered
        if back is not None:
            back = max(0, back + add[1])
        out.append(
            InventoryRecord(
                rec.variant_id,
                rec.location_id,
                on_hand,
                max(0, rec.available_to_sell + (on_hand - rec.on_hand)),
                back,
                rec.backorder_limit,
            )
        )
    return out


__all__ = [
    "STOCK_CHANGES",
    "SENDING",
    "UNCERTAIN",
    "StockWrite",
    "StockWrites",
    "is_stock_row",
    "overlay_queued",
    "queued_deltas",
    "row_deltas",
]
