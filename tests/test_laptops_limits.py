"""BigCommerce's metafield limits per API account, checked before anything is queued, and
notice claims compacted so they never crowd an order's records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backorder_desktop.cache import open_cache
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, Metafield
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.services.notices.notice_claims import compact_claims
from backorder_desktop.services.sync_control.metafield_writes import FieldWrite, queue_field_writes

NOW = datetime(2031, 5, 1, 12, tzinfo=UTC)


def field(fid: int, key: str, resource_id: int | None, when: datetime = NOW) -> Metafield:
    kind = "store" if resource_id is None else "order"
    return Metafield(fid, kind, resource_id, METAFIELD_NAMESPACE, key, "x", when)


def test_an_order_full_of_records_refuses_one_more_and_queues_nothing(tmp_path: Path) -> None:
    with open_cache(tmp_path / "c.sqlite") as cache:
        cache.metafields.upsert([field(i + 1, f"k{i}", 7) for i in range(250)])
        with pytest.raises(InputError, match="Order 7 already has 250 records"):
            queue_field_writes(
                cache, [FieldWrite("order", 7, "queue", "{}")], batch_id="b", kind="queue"
            )
        assert cache.outbox.counts()["pending"] == 0
        # Another order has room.
        queue_field_writes(cache, [FieldWrite("order", 8, "queue", "{}")], batch_id="b", kind="q")
        assert cache.outbox.counts()["pending"] == 1


def test_claims_older_than_a_week_are_deleted_newer_ones_stay(tmp_path: Path) -> None:
    with open_cache(tmp_path / "c.sqlite") as cache:
        old, new = NOW - timedelta(days=8), NOW - timedelta(days=1)
        cache.metafields.upsert(
            [
                field(1, "claim:delay:aaa", 5, old),
                field(2, "claim:delay:bbb", 5, new),
                field(3, "notices", 5, old),
            ]
        )
        assert compact_claims(cache, store_now=NOW) == 1
        assert compact_claims(cache, store_now=None) == 0  # no store clock: nothing deleted
        (row,) = cache.outbox.rows("pending")
        assert row.action == "delete" and row.body == [1]
        assert {m.key for m in cache.metafields.all("order")} == {"claim:delay:bbb", "notices"}
