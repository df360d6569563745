"""Stock changes on a product tracked by product (one stock for all its variants) on a live store.

The app names stock by variant; BigCommerce keeps one figure for such a product, shows it on
each variant and takes writes by product id. A lost answer is read back on that one figure:
two variants' changes add up, and a sale of a sibling variant counts as touching it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.demo_store.records import ProductRec
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.dock.receiving import commit_receipt
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.sync_control.outbox_view import outbox_entries
from backorder_desktop.sync.push import push
from tests.support.shipments import Env, demo_env, make_due_now

RELATIVE = "/v3/inventory/adjustments/relative"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    with demo_env(tmp_path) as e:
        yield e


def _with_options(env: Env) -> ProductRec:
    state = env.store.state
    return next(
        p
        for p in state.products.values()
        if p.inventory_tracking == "product" and p.options and len(p.variant_ids) >= 3
    )


def _stock(env: Env, vid: int) -> tuple[int, int]:
    state = env.store.state
    rec = state.inventory[(state.stock_variant(vid), 1)]
    return rec.on_hand, rec.qty_backordered


def _receive(env: Env, lines: list[tuple[str, int]], receipt_id: str) -> None:
    shipment, _ = add_shipment(env.cache, supplier="Acme", expected=None, lines=lines)
    env.push()
    env.store.clear_requests()
    commit_receipt(
        env.cache,
        shipment.id,
        [ReceiptLine(sku, qty) for sku, qty in lines],
        receipt_id=receipt_id,
        allow_over=True,
    )


def test_a_lost_answer_on_two_variants_of_one_stock_reads_back_as_applied(env: Env) -> None:
    product = _with_options(env)
    a, b = product.variant_ids[0], product.variant_ids[1]
    sku_a, sku_b = (env.store.state.variants[v].sku for v in (a, b))
    before = _stock(env, a)
    env.store.faults.script("POST", RELATIVE, "drop", when="after")  # applied, answer lost
    _receive(env, [(sku_a, 2), (sku_b, 3)], "r-two-variants")
    assert push(env.client, env.cache).pending >= 1
    make_due_now(env.cache)
    result = env.push()
    # One figure moved by 2 + 3: the read-back proves the write was applied, so it is not resent.
    assert (result.pending, result.failed) == (0, 0)
    assert _stock(env, b) == (before[0] + 5, before[1])
    assert len(env.writes(RELATIVE)) == 1


def test_a_sale_of_a_sibling_variant_after_a_lost_answer_is_uncertain_never_resent(
    env: Env,
) -> None:
    product = _with_options(env)
    a, sibling = product.variant_ids[0], product.variant_ids[2]
    sku_a = env.store.state.variants[a].sku
    before = _stock(env, a)
    env.store.faults.script("POST", RELATIVE, "drop", when="after")  # applied, answer lost
    _receive(env, [(sku_a, 2)], "r-sibling")
    assert push(env.client, env.cache).pending >= 1
    # A shopper buys 2 of another variant of the same product: the one stock is back where it
    # was, which alone would read as "not applied" and send the receipt a second time.
    sale = env.store.shoppers.buy(sibling, 2)
    assert sale is not None and sale.from_stock == 2
    assert _stock(env, a) == before
    make_due_now(env.cache)
    assert push(env.client, env.cache).failed == 1
    [entry] = [e for e in outbox_entries(env.cache) if e.kind == "receipt"]
    assert entry.state == "uncertain"
    assert len(env.writes(RELATIVE)) == 1  # never a guess: nothing resent
