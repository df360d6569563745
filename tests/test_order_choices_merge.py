"""Order choices made on two laptops offline are merged field by field, or shown as a conflict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.backorders import (
    change_priority,
    list_backorders,
    set_partial_shipment,
)
from backorder_desktop.services.sync_control.conflicts import list_conflicts
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store


def _queue_record(store: DemoStore, order_id: int) -> dict[str, object]:
    [field] = [
        m
        for m in store.state.metafields.values()
        if m.resource_type == "order" and m.resource_id == order_id and m.key == "queue"
    ]
    doc: dict[str, object] = json.loads(field.value)
    return doc


@pytest.mark.parametrize("recorded_before", [False, True])
def test_partial_on_one_laptop_and_priority_on_the_other_both_stay(
    tmp_path: Path, recorded_before: bool
) -> None:
    with DemoStore(seed=7) as store:
        connection = StoreConnection(store.store_hash, store.api_url)
        with (
            StoreSession(tmp_path / "a", connection, store.token) as a,
            StoreSession(tmp_path / "b", connection, store.token) as b,
        ):
            sync_store(a)
            order = list_backorders(a.cache)[0].order_id
            if recorded_before:  # the order already has a choices record on both laptops
                change_priority(a.cache, [order], +2)
                assert push_outbox(a).failed == 0
                sync_store(a)
            sync_store(b)
            base = 2 if recorded_before else 0
            set_partial_shipment(a.cache, [order], True)  # both offline: queued
            change_priority(b.cache, [order], +1)
            assert push_outbox(a).failed == 0
            assert push_outbox(b).failed == 0
            assert list_conflicts(b.cache) == []
            assert _queue_record(store, order) == {"priority": base + 1, "partial": True}


def test_the_same_choice_changed_differently_on_two_laptops_is_shown(tmp_path: Path) -> None:
    with DemoStore(seed=7) as store:
        connection = StoreConnection(store.store_hash, store.api_url)
        with (
            StoreSession(tmp_path / "a", connection, store.token) as a,
            StoreSession(tmp_path / "b", connection, store.token) as b,
        ):
            sync_store(a)
            sync_store(b)
            order = list_backorders(a.cache)[0].order_id
            change_priority(a.cache, [order], +3)
            change_priority(b.cache, [order], -1)
            assert push_outbox(a).failed == 0
            result = push_outbox(b)
            held = list_conflicts(b.cache)
            assert result.failed == 1 and len(held) == 1  # both values shown, none lost
            assert _queue_record(store, order)["priority"] == 3
