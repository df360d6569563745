"""The app's own event ledger (allocations, receipts, releases): durable, append-only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .codec import json_dumps, json_loads, utc_from_text, utc_now, utc_text
from .core import CacheCore

TABLE = "ledger"
ALLOCATION = "allocation"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: int
    kind: str
    created_at: datetime
    batch_id: str | None = None
    ref: str = ""
    order_id: int | None = None
    line_id: int | None = None
    variant_id: int | None = None
    sku: str = ""
    qty: int = 0
    payload: Any = None


def _from_row(r: dict[str, Any]) -> LedgerEntry:
    created = utc_from_text(r["created_at"])
    assert created is not None
    return LedgerEntry(
        id=r["id"],
        kind=r["kind"],
        created_at=created,
        batch_id=r["batch_id"],
        ref=r["ref"],
        order_id=r["order_id"],
        line_id=r["line_id"],
        variant_id=r["variant_id"],
        sku=r["sku"],
        qty=r["qty"],
        payload=json_loads(r["payload"]),
    )


class LedgerRepository:
    """Entries are never edited: an undo is a new entry with the opposite quantity."""

    def __init__(self, core: CacheCore) -> None:
        self._core = core

    def append(
        self,
        kind: str,
        *,
        qty: int = 0,
        batch_id: str | None = None,
        ref: str = "",
        order_id: int | None = None,
        line_id: int | None = None,
        variant_id: int | None = None,
        sku: str = "",
        payload: Any = None,
    ) -> int:
        row = {
            "kind": kind,
            "batch_id": batch_id,
            "ref": ref,
            "order_id": order_id,
            "line_id": line_id,
            "variant_id": variant_id,
            "sku": sku,
            "qty": qty,
            "payload": None if payload is None else json_dumps(payload),
            "created_at": utc_text(utc_now()),
        }
        with self._core.transaction() as db:
            table = db.table(TABLE)
            table.insert(row)
            assert table.last_rowid is not None
            return table.last_rowid

    def entries(
        self, kind: str | None = None, *, order_id: int | None = None, batch_id: str | None = None
    ) -> list[LedgerEntry]:
        clauses: list[str] = []
        args: list[Any] = []
        for column, value in (("kind", kind), ("order_id", order_id), ("batch_id", batch_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        where = " AND ".join(clauses) or None
        return [_from_row(r) for r in self._core.rows(TABLE, where, args, order_by="id")]

    def allocated_by_line(self) -> dict[int, int]:
        """Net units the app has allocated to each order line (allocations less their undos)."""
        totals: dict[int, int] = defaultdict(int)
        for entry in self.entries(ALLOCATION):
            if entry.line_id is not None:
                totals[entry.line_id] += entry.qty
        return {line: qty for line, qty in totals.items() if qty}
