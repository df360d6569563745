"""Release and undo against the real demo store: exactly the covered orders, statuses restored."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from backorder_desktop.domain.models import BackorderLine
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.services.dock.allocations import PARTIAL_NAMESPACE
from backorder_desktop.services.dock.picklist import pick_list, pick_list_html
from backorder_desktop.services.dock.receiving import commit_receipt
from backorder_desktop.services.dock.releasing import ready_orders, release_orders, undo_release
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.queue import load_queue
from backorder_desktop.sync.push import push
from tests.support.demo_store_http import order_body
from tests.support.shipments import Env, demo_env, native_queue_by_variant

ORDERS = "/v2/orders/"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    with demo_env(tmp_path) as e:
        yield e


def expected_ready(
    queue: list[BackorderLine], arrivals: dict[int, int], partial: set[int]
) -> set[int]:
    """The rule written out independently: walk each variant's queue with its arrivals, then
    an order is ready when all its waiting lines are covered (partial: when one line is)."""
    left = dict(arrivals)
    covered: dict[int, int] = {}
    for line in queue:
        take = min(left.get(line.variant_id, 0), line.qty_waiting)
        left[line.variant_id] = left.get(line.variant_id, 0) - take
        covered[line.line_id] = take
    by_order: dict[int, list[BackorderLine]] = defaultdict(list)
    for line in queue:
        by_order[line.order_id].append(line)
    ready = set()
    for order_id, lines in by_order.items():
        got = [covered[line.line_id] for line in lines]
        if not any(got):
            continue
        full = [g == line.qty_waiting for g, line in zip(got, lines, strict=True)]
        if all(full) or (order_id in partial and any(full)):
            ready.add(order_id)
    return ready


def place_order(env: Env, items: list[tuple[int, int]]) -> int:
    """A new web order (POST /v2/orders) for (variant id, qty) pairs; the store backorders what
    it has no stock for, as BigCommerce does."""
    body = order_body(0, 0, 1)
    body["products"] = [
        {
            "product_id": env.store.state.variants[vid].product_id,
            "variant_id": vid,
            "quantity": qty,
        }
        for vid, qty in items
    ]
    order_id = int(env.client.request("POST", "/v2/orders", json=body).json()["id"])
    env.pull()
    return order_id


def backorderable(env: Env, count: int) -> list[int]:
    """Variants out of stock with room left under their backorder limit (native lines only)."""
    native = native_queue_by_variant(env.cache)
    out = []
    for vid in sorted(native):
        rec = env.store.state.inventory.get((vid, 1))
        if rec and rec.on_hand == 0 and (rec.backorder_limit or 0) - rec.qty_backordered >= 3:
            out.append(vid)
    assert len(out) >= count
    return out[:count]


def two_variant_order(env: Env, variants: list[int]) -> tuple[int, BackorderLine, BackorderLine]:
    """A new order waiting on two variants, last in both queues."""
    order_id = place_order(env, [(variants[0], 2), (variants[1], 1)])
    lines = [line for line in load_queue(env.cache) if line.order_id == order_id]
    assert len(lines) == 2
    return order_id, lines[0], lines[1]


def test_exactly_the_covered_orders_are_released_in_queue_and_priority_order(env: Env) -> None:
    cache = env.cache
    partial_order, line_a, line_b = two_variant_order(env, backorderable(env, 2))
    native = native_queue_by_variant(cache)
    cache.app_state.set(PARTIAL_NAMESPACE, str(partial_order), "1")
    # A variant with three waiting lines; the last in line gets a manual priority and jumps ahead.
    vid, lines = next(
        (v, ls)
        for v, ls in sorted(native.items())
        if len(ls) >= 3 and v not in (line_a.variant_id, line_b.variant_id)
    )
    jumper = lines[-1]
    cache.app_state.set_priority(jumper.order_id, 5)
    queue = load_queue(cache)
    v_lines = [line for line in queue if line.variant_id == vid]
    assert v_lines[0].order_id == jumper.order_id  # priority first
    a_lines = [line for line in queue if line.variant_id == line_a.variant_id]
    upto_a = a_lines[: [x.line_id for x in a_lines].index(line_a.line_id) + 1]
    arrivals = {
        vid: v_lines[0].qty_waiting + v_lines[1].qty_waiting,  # the jumper and the next one
        line_a.variant_id: sum(x.qty_waiting for x in upto_a),  # up to the partial order
    }
    expected = expected_ready(queue, arrivals, {partial_order})
    assert jumper.order_id in expected and partial_order in expected
    assert v_lines[2].order_id not in expected or v_lines[2].order_id in {
        x.order_id for x in upto_a
    }

    sku_of = {line.variant_id: line.sku for line in queue}
    shipment, _ = add_shipment(
        cache,
        supplier="O'Brien & Sons Ltd",
        expected=date.today() + timedelta(days=3),
        lines=[(sku_of[v], n + 5) for v, n in arrivals.items()],
    )
    receipt = commit_receipt(
        cache,
        shipment.id,
        [ReceiptLine(sku_of[v], n) for v, n in arrivals.items()],
        receipt_id="r-release",
    )
    assert receipt.preview is not None
    assert set(receipt.preview.ready_orders) == expected
    env.push()
    assert {r.order_id for r in ready_orders(cache)} == expected

    statuses = {oid: o.status_id for oid, o in env.store.state.orders.items()}
    outcome = release_orders(cache, None, status_id=9)
    assert sorted(outcome.released) == sorted(expected)
    env.store.clear_requests()
    assert env.push().failed == 0

    changed = {oid for oid, o in env.store.state.orders.items() if o.status_id != statuses[oid]} | {
        oid for oid in expected if statuses[oid] == 9
    }
    assert changed == expected  # no other order touched
    order_puts = [w for w in env.writes(ORDERS) if w[0] == "PUT"]
    assert len(order_puts) == len(expected)  # one update per order (V2 has no batch)
    for oid in expected:
        order = env.store.state.orders[oid]
        assert order.status_id == 9
        assert "released from backorder" in order.staff_notes.splitlines()[-1]
        record = [
            json.loads(m.value)
            for m in env.store.state.metafields.values()
            if m.resource_type == "order" and m.resource_id == oid and m.key == "release"
        ]
        assert len(record) == 1 and record[0]["undone"] is False
        assert record[0]["status_before"] == statuses[oid] and record[0]["status_after"] == 9
        assert {line["line_id"] for line in record[0]["lines"]}
    assert ready_orders(cache) == []  # released orders are not ready again
    # The partial order's pick list holds only the covered line; the other still waits.
    picks = {p.order_id: p for p in pick_list(cache, expected)}
    assert [x.sku for x in picks[partial_order].lines] == [line_a.sku]
    assert picks[partial_order].waiting == line_b.qty_waiting
    html = pick_list_html(picks.values())
    assert f"Order #{partial_order}" in html and "<script" not in html


def test_undo_puts_the_order_back_ready_with_its_units_reserved(env: Env) -> None:
    cache = env.cache
    vid, lines = next((v, ls) for v, ls in sorted(native_queue_by_variant(cache).items()))
    sku = lines[0].sku
    waiting = sum(line.qty_waiting for line in lines)
    shipment, _ = add_shipment(
        cache, supplier="Acme Supply Co. <Wholesale>", expected=None, lines=[(sku, waiting)]
    )
    commit_receipt(cache, shipment.id, [ReceiptLine(sku, waiting)], receipt_id="r-undo-rel")
    env.push()
    stock_after_receipt = env.stock(vid)
    ready = [r.order_id for r in ready_orders(cache)]
    assert ready
    before = {oid: env.status(oid) for oid in ready}
    release_orders(cache, ready, status_id=11)
    env.push()
    assert all(env.status(oid) == 11 for oid in ready)
    assert not set(ready) & {r.order_id for r in ready_orders(cache)}

    target = ready[0]
    units = sum(x.qty_waiting for x in lines if x.order_id == target)
    undo_release(cache, target)
    env.push()
    assert env.status(target) == before[target]
    assert "release undone" in env.store.state.orders[target].staff_notes
    # Back where it was before the release: ready to release, not waiting, its units reserved
    # (BigCommerce's sellable stock is what it was after the receipt: nothing to buy).
    again = {r.order_id: r for r in ready_orders(cache)}
    assert target in again and again[target].units == units
    assert target not in {x.order_id for x in load_queue(cache)}
    assert env.stock(vid) == stock_after_receipt
    record = next(
        json.loads(m.value)
        for m in env.store.state.metafields.values()
        if m.resource_type == "order" and m.resource_id == target and m.key == "release"
    )
    assert record["undone"] is True
    # The others stay released; the undone order cannot be undone twice.
    assert all(env.status(oid) == 11 for oid in ready[1:])
    with pytest.raises(InputError, match="no release to undo"):
        undo_release(cache, target)
    env.pull()  # a sync brings the same picture back from the store
    assert target in {r.order_id for r in ready_orders(cache)}
    assert target not in {x.order_id for x in load_queue(cache)}
    assert env.stock(vid) == stock_after_receipt
    # And it can be released again.
    assert release_orders(cache, [target], status_id=11).released == [target]


def test_orders_not_ready_are_skipped_with_a_reason(env: Env) -> None:
    cache = env.cache
    some_waiting = load_queue(cache)[0].order_id
    outcome = release_orders(cache, [some_waiting, 999_999])
    assert outcome.released == []
    assert {s["order_id"]: s["reason"] for s in outcome.skipped} == {
        some_waiting: "not ready: units still waiting",
        999_999: "not an open order in the cache",
    }
    assert cache.outbox.counts()["pending"] == 0
    with pytest.raises(InputError, match="only be released to"):
        release_orders(cache, None, status_id=2)


@pytest.mark.slow
def test_releasing_many_orders_stays_inside_the_rate_limit(tmp_path: Path) -> None:
    with demo_env(tmp_path, rate_limit=(20, 2.0)) as env:
        cache = env.cache
        arrivals: dict[int, int] = defaultdict(int)
        sku_of: dict[int, str] = {}
        for line in load_queue(cache):  # everything anyone waits for arrives
            arrivals[line.variant_id] += line.qty_waiting
            sku_of[line.variant_id] = line.sku
        shipment, _ = add_shipment(
            cache,
            supplier="Kaffee Rösterei Müller",
            expected=None,
            lines=[(sku_of[v], n) for v, n in arrivals.items()],
        )
        commit_receipt(
            cache,
            shipment.id,
            [ReceiptLine(sku_of[v], n) for v, n in arrivals.items()],
            receipt_id="r-many",
        )
        env.push()
        ready = [r.order_id for r in ready_orders(cache)][:30]
        assert len(ready) == 30
        env.store.clear_requests()
        seen: list[tuple[int, int]] = []
        release_orders(cache, ready)
        result = push(env.client, cache, progress=lambda done, total: seen.append((done, total)))
        assert result.pending == 0 and result.failed == 0
        assert all(r.status != 429 for r in env.store.requests)
        assert env.client.rate_limit_waits > 0  # it slowed down instead of hitting the limit
        assert seen[-1][0] == seen[-1][1] == len(ready) + -(-len(ready) // 50)
        assert all(env.status(oid) == 9 for oid in ready)
