"""Supplier scorecard: on-time rate, fill rate and average delay, from receipts against dates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .shipments import CLOSED, INBOUND_STATUSES, RECEIVED, Shipment, Supplier


@dataclass(frozen=True, slots=True)
class ShipmentOutcome:
    """What the scorecard needs of one shipment (also the form archived shipments keep)."""

    shipment_id: str
    supplier_id: str
    expected_date: date | None
    arrived: date | None  # first receipt still standing (not reversed)
    units_expected: int
    units_accepted: int
    finished: bool  # received or closed: its fill rate is final
    inbound: bool = False
    # When the whole shipment was in: the receipt that brought the last expected unit, or for
    # one finished short, its last receipt (None while units are still to come).
    completed: date | None = None

    def to_doc(self) -> dict[str, Any]:
        return {
            "id": self.shipment_id,
            "sup": self.supplier_id,
            "exp": self.expected_date.isoformat() if self.expected_date else None,
            "arr": self.arrived.isoformat() if self.arrived else None,
            "ue": self.units_expected,
            "ua": self.units_accepted,
            "done": self.completed.isoformat() if self.completed else None,
        }

    @staticmethod
    def from_doc(doc: Mapping[str, Any]) -> ShipmentOutcome:
        if not isinstance(doc, Mapping):
            raise TypeError("an archived outcome is not a JSON object")
        arrived = date.fromisoformat(doc["arr"]) if doc.get("arr") else None
        # Archives written before "done" existed hold only the first receipt: the best known.
        done = date.fromisoformat(doc["done"]) if doc.get("done") else arrived
        return ShipmentOutcome(
            shipment_id=str(doc["id"]),
            supplier_id=str(doc.get("sup") or ""),
            expected_date=date.fromisoformat(doc["exp"]) if doc.get("exp") else None,
            arrived=arrived,
            units_expected=int(doc.get("ue") or 0),
            units_accepted=int(doc.get("ua") or 0),
            finished=True,
            completed=done,
        )


def completed_on(shipment: Shipment) -> date | None:
    """The day the whole shipment was in: the standing receipt whose units (accepted and
    rejected: both arrived) reach what was expected; a finished shipment that never got there
    (closed short) completed with its last receipt. None while units are still to come."""
    standing = sorted((r for r in shipment.receipts if not r.reversed), key=lambda r: r.received_at)
    arrived = 0
    for receipt in standing:
        arrived += receipt.accepted + receipt.rejected
        if arrived >= shipment.units_expected:
            return receipt.received_at.date()
    if shipment.status in (RECEIVED, CLOSED) and standing:
        return standing[-1].received_at.date()
    return None


def outcome_of(shipment: Shipment) -> ShipmentOutcome:
    standing = sorted(r.received_at for r in shipment.receipts if not r.reversed)
    return ShipmentOutcome(
        shipment_id=shipment.id,
        supplier_id=shipment.supplier_id,
        expected_date=shipment.expected_date,
        arrived=standing[0].date() if standing else None,
        units_expected=shipment.units_expected,
        units_accepted=shipment.units_received,
        finished=shipment.status in (RECEIVED, CLOSED),
        inbound=shipment.status in INBOUND_STATUSES,
        completed=completed_on(shipment),
    )


@dataclass(frozen=True, slots=True)
class Scorecard:
    supplier_id: str
    name: str
    shipments: int  # shipments judged for timeliness
    on_time_rate: float | None  # share complete by the expected date (None: no data)
    fill_rate: float | None  # accepted / expected units over finished shipments
    avg_delay_days: float | None  # mean days late (early or on time counts 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "on_time_rate": self.on_time_rate,
            "fill_rate": self.fill_rate,
            "avg_delay_days": self.avg_delay_days,
        }


def scorecards(
    suppliers: Iterable[Supplier], outcomes: Iterable[ShipmentOutcome], today: date
) -> list[Scorecard]:
    """One scorecard per supplier (and per unknown supplier id that has shipments), by name.

    On time means the whole shipment by its expected date: a shipment is judged by the day it
    completed, or, still incomplete past its expected date, as late so far by today (a first
    partial receipt on time does not make it on time). One incomplete and not yet due is not
    judged. Fill rate counts finished shipments only: one still arriving is not short yet.
    Rejected units do not fill.
    """
    delays: dict[str, list[int]] = defaultdict(list)
    units: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        if o.expected_date is not None:
            if o.completed is not None:
                delays[o.supplier_id].append((o.completed - o.expected_date).days)
            elif o.inbound and o.expected_date < today:
                delays[o.supplier_id].append((today - o.expected_date).days)
        if o.finished and o.units_expected > 0:
            units[o.supplier_id][0] += o.units_accepted
            units[o.supplier_id][1] += o.units_expected
    names = {s.id: s.name for s in suppliers}
    out = []
    for sid in set(names) | set(delays) | set(units):
        judged = delays.get(sid, [])
        accepted, expected = units.get(sid, [0, 0])
        out.append(
            Scorecard(
                supplier_id=sid,
                name=names.get(sid, sid or "(no supplier)"),
                shipments=len(judged),
                on_time_rate=round(sum(1 for d in judged if d <= 0) / len(judged), 4)
                if judged
                else None,
                fill_rate=round(min(accepted / expected, 1.0), 4) if expected else None,
                avg_delay_days=round(sum(max(0, d) for d in judged) / len(judged), 2)
                if judged
                else None,
            )
        )
    return sorted(out, key=lambda c: (c.name.casefold(), c.supplier_id))
