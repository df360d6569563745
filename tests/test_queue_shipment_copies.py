"""A shipment cached twice for a moment (optimistic copy + the store's) counts once for ETAs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from backorder_desktop.cache import open_cache
from backorder_desktop.cache.backorder_queue import shipments_and_suppliers
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, Metafield
from backorder_desktop.domain.shipments import ORDERED, Shipment, ShipmentLine


def test_the_newer_copy_of_a_shipment_wins(tmp_path: Path) -> None:
    older = Shipment("s1", "PO-1", "acme", ORDERED, date(2026, 12, 1), (ShipmentLine("MUG", 5),))
    newer = Shipment("s1", "PO-1", "acme", ORDERED, date(2026, 12, 9), (ShipmentLine("MUG", 7),))
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    with open_cache(tmp_path / "c.sqlite") as cache:
        cache.metafields.upsert(
            [
                Metafield(
                    41, "store", None, METAFIELD_NAMESPACE, "shipment:s1", older.to_json(), now
                ),
                Metafield(
                    -3,
                    "store",
                    None,
                    METAFIELD_NAMESPACE,
                    "shipment:s1",
                    newer.to_json(),
                    now + timedelta(seconds=5),
                ),
            ]
        )
        shipments, _suppliers = shipments_and_suppliers(cache)
    assert shipments == [newer]
