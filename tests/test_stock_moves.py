"""Stock deltas and the read-back decision (pure rules)."""

from __future__ import annotations

from backorder_desktop.domain.receiving import StockDelta
from backorder_desktop.domain.stock_moves import (
    Outcome,
    clamp_owed,
    decide,
    delta_items,
    items_as_deltas,
    rekey_items,
)

D = [StockDelta(7, 1, 5, -2)]


def test_delta_items_sum_per_record_and_leave_out_nothing_changes() -> None:
    items = delta_items([StockDelta(7, 1, 3, -1), StockDelta(7, 1, 2, -1), StockDelta(8, 1, 0, 0)])
    assert items == {1: [{"location_id": 1, "variant_id": 7, "quantity": 5, "qty_backordered": -2}]}
    assert items_as_deltas(items[1]) == D


def test_read_back_applied_not_applied_and_uncertain() -> None:
    before = {(7, 1): (10, 4)}
    assert decide(D, before, {(7, 1): (15, 2)}, touched_meanwhile=False).outcome is Outcome.APPLIED
    not_applied = decide(D, before, {(7, 1): (10, 4)}, touched_meanwhile=False)
    assert not_applied.outcome is Outcome.NOT_APPLIED
    # Another change: neither figure; a sale meanwhile: even the exact figure proves nothing.
    assert (
        decide(D, before, {(7, 1): (14, 2)}, touched_meanwhile=False).outcome is Outcome.UNCERTAIN
    )
    sold = decide(D, before, {(7, 1): (15, 2)}, touched_meanwhile=True)
    assert sold.outcome is Outcome.UNCERTAIN and "order" in sold.reason
    assert decide(D, before, {}, touched_meanwhile=False).outcome is Outcome.UNCERTAIN


def test_units_no_longer_owed_become_stock_not_a_refused_write() -> None:
    items = [{"location_id": 1, "variant_id": 7, "quantity": 1, "qty_backordered": -5}]
    clamped, moved = clamp_owed(items, {(7, 1): (0, 2)})
    assert moved == 3
    assert clamped == [{"location_id": 1, "variant_id": 7, "quantity": 4, "qty_backordered": -2}]
    # on hand - backordered moves by the same 6 units either way
    assert 4 - (-2) == 1 - (-5)
    assert clamp_owed(items, {(7, 1): (0, 9)}) == (items, 0)


def test_a_receipt_clears_every_native_unit_it_allocates_and_the_push_keeps_it_honest() -> None:
    from backorder_desktop.domain.allocation import allocate
    from backorder_desktop.domain.receiving import StockLevel, receipt_deltas
    from tests.test_shipments_domain import bl

    plan = allocate([bl(1, 11, 7, 5)], {7: 6}, native_lines={11})
    # This laptop's figures say only 2 are owed (the other laptop cleared 3 meanwhile).
    deltas = receipt_deltas(plan, {7: 6}, {(7, 1): StockLevel(7, 1, 0, 2)}, 1)
    assert deltas == [StockDelta(7, 1, 1, -5)]
    # The push reads the store (2 owed) and sends 3 of the 5 as stock: on hand - backordered
    # still grows by the 6 received.
    items, moved = clamp_owed(delta_items(deltas)[1], {(7, 1): (0, 2)})
    assert moved == 3 and items[0]["quantity"] - items[0]["qty_backordered"] == 6


def test_rekeyed_items_add_up_changes_on_one_stock_record() -> None:
    # Variants 11 and 12 of a product tracked by product keep their stock in 11's record.
    items = [
        {"location_id": 1, "variant_id": 12, "quantity": 2, "qty_backordered": -1},
        {"location_id": 1, "variant_id": 11, "quantity": 3},
        {"location_id": 1, "variant_id": 20, "quantity": 1},
        {"location_id": 2, "variant_id": 12, "quantity": 4},
    ]
    assert rekey_items(items, {11: 11, 12: 11}) == [
        {"location_id": 1, "variant_id": 11, "quantity": 5, "qty_backordered": -1},
        {"location_id": 1, "variant_id": 20, "quantity": 1},
        {"location_id": 2, "variant_id": 11, "quantity": 4},
    ]
