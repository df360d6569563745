"""Seeded inbound supplier shipments (store metafields `shipment:<id>`, the app's JSON form).

The demo store is a separate server: the JSON is written here by hand, in the form of
`backorder_desktop.domain.shipments.Shipment.to_json` (line fields at 0/false left out).
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from .records import APP_NAMESPACE, StoreState

SHIPMENT_KEY_PREFIX = "shipment:"

# (reference, supplier id, status, expected in days from now (None: no date), lines, received %)
_PLAN: tuple[tuple[str, str, str, int | None, int, int], ...] = (
    ("PO-2041", "nordstrom-textil", "in_transit", 6, 4, 0),
    ("PO-2042", "obrien-sons", "ordered", 13, 3, 0),
    ("PO-2039", "rosterei-muller", "partially_received", -2, 3, 50),
    ("PO-2045", "acme-supply", "ordered", 34, 5, 0),
    ("PO-2046", "nordstrom-textil", "draft", None, 2, 0),
    ("PO-2031", "obrien-sons", "received", -24, 3, 100),
    ("PO-2027", "acme-supply", "closed", -41, 2, 70),
)


def generate_shipments(state: StoreState, seed: int) -> None:
    """A handful of shipments covering SKUs that have customers waiting."""
    from .dataset import new_metafield  # dataset imports this module

    rng = random.Random(seed * 7919 + 6)
    now = state.created_at
    waiting = sorted(
        vid
        for (vid, loc), rec in state.inventory.items()
        if loc == state.default_location_id and rec.qty_backordered > 0
    )
    if not waiting:
        return
    pool = list(waiting)
    rng.shuffle(pool)
    for n, (ref, supplier, status, days, line_count, received_pct) in enumerate(_PLAN):
        if len(pool) < line_count:
            pool = list(waiting)
            rng.shuffle(pool)
        variants, pool = pool[:line_count], pool[line_count:]
        created = now - timedelta(days=rng.randint(20, 50) + max(0, -(days or 0)))
        lines = []
        for vid in variants:
            owed = state.inventory[(vid, state.default_location_id)].qty_backordered
            expected = max(2, owed + rng.randint(-1, 6))
            line: dict[str, Any] = {
                "sku": state.variants[vid].sku,
                "variant_id": vid,
                "qty_expected": expected,
            }
            got = expected * received_pct // 100
            if got:
                line["qty_received"] = got
            lines.append(line)
        receipts = []
        if received_pct:
            arrived = now + timedelta(days=(days or 0) + rng.randint(-1, 3))
            arrived = min(arrived, now - timedelta(hours=2))
            receipts.append(
                {
                    "id": f"r-seed-{n + 1}",
                    "at": arrived.isoformat(),
                    "accepted": sum(x.get("qty_received", 0) for x in lines),
                }
            )
        if status == "closed":
            for x in lines:
                x["closed_short"] = True
        shipment_id = f"s-seed{n + 1:02d}"
        updated = receipts[-1]["at"] if receipts else created.isoformat()
        doc: dict[str, Any] = {
            "id": shipment_id,
            "reference": ref,
            "supplier_id": supplier,
            "status": status,
            "expected_date": (now + timedelta(days=days)).date().isoformat()
            if days is not None
            else None,
            "notes": "Seeded demo shipment"
            if n
            else "Container MSKU 204-118, ETA from the forwarder",
            "created_at": created.isoformat(),
            "updated_at": updated,
            "lines": lines,
        }
        if receipts:
            doc["receipts"] = receipts
        new_metafield(
            state,
            "store",
            0,
            APP_NAMESPACE,
            SHIPMENT_KEY_PREFIX + shipment_id,
            json.dumps(doc, ensure_ascii=False, separators=(",", ":")),
            _as_datetime(updated),
            permission_set="write",
        )


def _as_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text)
