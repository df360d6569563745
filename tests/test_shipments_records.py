"""Suppliers and shipments as store metafields on the demo store: create, fold, sync, archive."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from backorder_desktop.cache import open_cache
from backorder_desktop.cache.shipments import load_shipments
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.domain.shipments import CLOSED, RECEIVED, ShipmentLine
from backorder_desktop.services.dock.dock import dock_context
from backorder_desktop.services.dock.shipment_rows import shipment_rows, supplier_scorecards
from backorder_desktop.services.dock.shipments import (
    add_shipment,
    find_shipment,
    list_suppliers,
    save_shipment,
    save_supplier,
    waiting_lines,
)
from backorder_desktop.sync.pull import pull
from tests.support.shipments import Env, demo_env

STORE_METAFIELDS = "/v3/store/metafields"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    with demo_env(tmp_path) as e:
        yield e


def store_records(env: Env, prefix: str) -> dict[str, dict[str, object]]:
    return {
        m.key: json.loads(m.value)
        for m in env.store.state.metafields.values()
        if m.resource_type == "store" and m.key.startswith(prefix)
    }


def test_seeded_shipments_show_in_the_tab_rows(env: Env) -> None:
    rows = shipment_rows(env.cache)
    assert {r.status for r in rows} >= {"in_transit", "ordered", "partially_received", "received"}
    late = [r for r in rows if r.overdue]
    assert late and all(r.status in ("ordered", "in_transit", "partially_received") for r in late)
    assert all(r.supplier and r.supplier != r.supplier_id for r in rows)
    cards = {c.name: c for c in supplier_scorecards(env.cache)}
    assert set(cards) == {s.name for s in list_suppliers(env.cache)}
    assert any(c.fill_rate is not None for c in cards.values())


def test_a_change_to_a_queued_create_folds_into_it(env: Env) -> None:
    sku = env.cache.variants.all()[0].sku
    shipment, created = add_shipment(
        env.cache, supplier="Brand New Supplier", expected=date(2031, 5, 1), lines=[(sku, 3)]
    )
    assert created
    edited = save_shipment(env.cache, replace(shipment, notes="call before delivery"))
    # Offline so far: the cache shows the edit, and one create per record is queued.
    assert find_shipment(env.cache, shipment.id).notes == "call before delivery"
    posts = [r for r in env.cache.outbox.rows("pending") if r.action == "create"]
    assert [r.kind for r in posts] == ["supplier", "shipment"]
    # A full sync meanwhile keeps the optimistic copies (the store cannot list them yet).
    pull(env.client, env.cache, full=True)
    assert find_shipment(env.cache, shipment.id).notes == "call before delivery"

    assert env.push().failed == 0
    assert [w[:2] for w in env.writes(STORE_METAFIELDS)] == [
        ("POST", STORE_METAFIELDS),
        ("POST", STORE_METAFIELDS),
    ]
    doc = store_records(env, "shipment:")[f"shipment:{edited.id}"]
    assert doc["notes"] == "call before delivery" and doc["reference"] == shipment.reference
    # The placeholders gave way to the store's ids: exactly one copy, a real one.
    copies = env.cache.metafields.by_key("store", f"shipment:{shipment.id}")
    assert len(copies) == 1 and copies[0].id > 0

    save_shipment(env.cache, replace(edited, expected_date=date(2031, 6, 1)))
    env.store.clear_requests()
    env.push()
    assert [w[:2] for w in env.writes(STORE_METAFIELDS)] == [("PUT", STORE_METAFIELDS)]
    assert store_records(env, "shipment:")[f"shipment:{edited.id}"]["expected_date"] == "2031-06-01"


def test_a_second_laptop_sees_the_shipment_after_its_sync(env: Env, tmp_path: Path) -> None:
    sku = env.cache.variants.all()[1].sku
    shipment, _ = add_shipment(
        env.cache, supplier="acme-supply", expected=date(2031, 1, 2), lines=[(sku, 7)]
    )
    env.push()
    with open_cache(tmp_path / "laptop-b.sqlite") as other:
        pull(env.client, other)
        seen = {s.id: s for s in load_shipments(other)}
    assert seen[shipment.id].lines == (
        ShipmentLine(sku, 7, variant_id=seen[shipment.id].lines[0].variant_id),
    )


def test_suppliers_and_shipments_refuse_bad_input(env: Env) -> None:
    with pytest.raises(InputError, match="needs a name"):
        save_supplier(env.cache, "  ")
    with pytest.raises(InputError, match="not an email"):
        save_supplier(env.cache, "X", email="nope")
    with pytest.raises(InputError, match="expected quantity must be at least 1"):
        add_shipment(env.cache, supplier="acme-supply", expected=None, lines=[("A", 0)])
    shipment = find_shipment(env.cache, "PO-2041")
    with pytest.raises(InputError, match="Unknown supplier"):
        save_shipment(env.cache, replace(shipment, supplier_id="ghost"))
    with pytest.raises(InputError, match="Not in the catalog"):
        save_shipment(env.cache, replace(shipment, lines=(ShipmentLine("NOPE", 1),)))
    with pytest.raises(InputError, match="No shipment"):
        find_shipment(env.cache, "PO-0000")
    assert env.cache.outbox.counts()["pending"] == 0


def test_order_what_is_waiting_prefills_lines_net_of_inbound(env: Env) -> None:
    everything = {
        line.sku: line.qty_expected for line in waiting_lines(env.cache, net_of_inbound=False)
    }
    net = {line.sku: line.qty_expected for line in waiting_lines(env.cache)}
    inbound = {
        line.sku
        for s in load_shipments(env.cache)
        if s.is_inbound
        for line in s.lines
        if line.qty_outstanding
    }
    assert everything and set(net) <= set(everything)
    assert any(sku in inbound for sku in everything)
    for sku, qty in net.items():
        assert qty <= everything[sku]
        assert qty == everything[sku] or sku in inbound


def test_old_finished_shipments_are_archived_and_still_scored(env: Env) -> None:
    received = find_shipment(env.cache, "PO-2031")
    assert received.status == RECEIVED
    before = {c.supplier_id: c for c in supplier_scorecards(env.cache)}
    # 90 days later, any write runs the archive rule.
    later = datetime.now(UTC) + timedelta(days=90)
    closing = find_shipment(env.cache, "PO-2041")
    save_shipment(env.cache, replace(closing, status=CLOSED), now=later)
    env.push()
    records = store_records(env, "shipment_archive:")
    archived_ids = {doc["id"] for docs in records.values() for doc in docs}  # type: ignore[union-attr]
    assert received.id in archived_ids and "s-seed07" in archived_ids
    keys = set(store_records(env, "shipment:"))
    assert f"shipment:{received.id}" not in keys and "shipment:s-seed07" not in keys
    assert f"shipment:{closing.id}" in keys  # closed just now: kept
    after = {c.supplier_id: c for c in supplier_scorecards(env.cache)}
    assert after["obrien-sons"].fill_rate == before["obrien-sons"].fill_rate


def test_the_dock_resolves_sku_upc_and_gtin_of_the_shipment_lines_only(env: Env) -> None:
    shipment = find_shipment(env.cache, "PO-2041")
    line = shipment.lines[0]
    assert line.variant_id is not None
    variant = env.cache.variants.get(line.variant_id)
    assert variant is not None and variant.upc
    dock = dock_context(env.cache, shipment.id)
    assert dock.resolve(line.sku) == line.sku
    assert dock.resolve(f"  {line.sku.lower()} ") == line.sku
    assert dock.resolve(variant.upc) == line.sku
    assert dock.resolve("00" + variant.upc) == line.sku  # the same UPC as a GTIN-14
    if variant.gtin:
        assert dock.resolve(variant.gtin) == line.sku
    other = next(
        v for v in env.cache.variants.all() if v.sku not in {x.sku for x in shipment.lines}
    )
    assert dock.resolve(other.sku) is None and dock.resolve(other.upc) is None
    assert dock.resolve("") is None
    assert dock.names[line.sku]
    assert dock.default_location_id == 1 and len(dock.locations) == 2
