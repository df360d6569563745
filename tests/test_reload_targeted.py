"""Targeted reloads: a change re-reads only the rows it touched, and the rows then shown are
exactly what a full re-read shows (real demo store over HTTP, real SQLite cache)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.bulk_types import VariantEdit
from backorder_desktop.domain.changes import Changes
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.backorders import change_priority, set_partial_shipment
from backorder_desktop.services.bulk.bulk_apply import bulk_apply
from backorder_desktop.services.bulk.bulk_edit import BulkRequest
from backorder_desktop.services.dock.dock_actions import receive
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.reload import load_changed_rows
from backorder_desktop.services.sync_control.actions import run_action
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store
from backorder_desktop.services.views import ViewRows, load_rows
from backorder_desktop.sync.stock_reads import SWEEP_CURSOR, SWEEP_EVERY


@pytest.fixture
def session(tmp_path: Path) -> Iterator[StoreSession]:
    with DemoStore(seed=11) as store:
        connection = StoreConnection(store.store_hash, store.api_url)
        with StoreSession(tmp_path / "data", connection, store.token) as opened:
            sync_store(opened)
            yield opened


def _same_as_full(patched: ViewRows, full: ViewRows) -> None:
    """What the window shows after a patch is what a full re-read shows."""
    assert {r.variant_id: r for r in patched.products} == {r.variant_id: r for r in full.products}
    assert {r.key: r for r in patched.backorders} == {r.key: r for r in full.backorders}
    assert {r.id: r for r in patched.shipments} == {r.id: r for r in full.shipments}
    assert patched.notices is not None and full.notices is not None
    key = lambda n: (n.order_id, n.kind, tuple(x.line_id for x in n.lines))  # noqa: E731
    assert sorted(map(key, patched.notices.due)) == sorted(map(key, full.notices.due))
    assert patched.status["outbox"] == full.status["outbox"]
    assert patched.status["backorder_lines"] == full.status["backorder_lines"]


def _busiest_sku_lines(session: StoreSession) -> list:
    queue = load_queue(session.cache)
    by_sku: dict[str, list] = {}
    for line in queue:
        by_sku.setdefault(line.sku, []).append(line)
    return max(by_sku.values(), key=len)


def test_a_priority_change_rereads_its_orders_skus_only_and_matches_a_full_read(
    session: StoreSession,
) -> None:
    before = load_rows(session.cache)
    lines = _busiest_sku_lines(session)
    last = lines[-1]
    report = run_action(session, lambda s: change_priority(s.cache, [last.order_id], +1))
    assert report.changes.orders == {last.order_id} and not report.changes.everything

    patch = load_changed_rows(session.cache, report.changes, before)
    assert patch is not None
    # The order's line moved to the front of its SKU's queue, on a re-read of that SKU's rows.
    moved = next(r for r in patch.backorders_changed if r.key == last.line_id)
    assert (moved.line.priority, moved.line.queue_position) == (1, 1)
    assert patch.reread["products"] < len(before.products) / 20
    assert patch.reread["backorders"] < len(before.backorders) / 2
    assert patch.reread["shipments"] == 0
    _same_as_full(patch.rows, load_rows(session.cache))


def test_an_eta_on_one_sku_rereads_that_product_only(session: StoreSession) -> None:
    before = load_rows(session.cache)
    line = _busiest_sku_lines(session)[0]
    eta = date.today() + timedelta(days=40)
    request = BulkRequest({line.variant_id: VariantEdit(eta=eta)}, summary="ETA")
    report = bulk_apply(session, request)
    assert report.result.outcome.applied
    assert line.variant_id in report.changes.variants and not report.changes.everything

    patch = load_changed_rows(session.cache, report.changes, before)
    assert patch is not None
    siblings = [r for r in before.products if r.product_id == line.product_id]
    assert patch.reread["products"] == len(siblings)  # the product's variants, nothing else
    waiting = [r for r in patch.backorders_changed if r.line.variant_id == line.variant_id]
    assert waiting and {r.line.eta for r in waiting} == {eta}
    _same_as_full(patch.rows, load_rows(session.cache))


def test_a_receipt_of_three_lines_rereads_their_rows_and_its_shipment(
    session: StoreSession,
) -> None:
    queue = load_queue(session.cache)
    skus: list[str] = []
    for line in queue:
        if line.sku not in skus:
            skus.append(line.sku)
    skus = skus[:3]
    waiting = {s: sum(x.qty_waiting for x in queue if x.sku == s) for s in skus}
    shipment, _ = add_shipment(
        session.cache,
        supplier="Acme Supply Co.",
        expected=date.today() + timedelta(days=5),
        lines=[(s, waiting[s] + 2) for s in skus],
    )
    push_outbox(session)
    before = load_rows(session.cache)
    assert shipment.id in {r.id for r in before.shipments}

    lines = [ReceiptLine(s, waiting[s]) for s in skus]
    report = run_action(session, lambda s: receive(s, shipment.id, lines, receipt_id="r-3"))
    assert report.changes.shipments == {shipment.id}

    patch = load_changed_rows(session.cache, report.changes, before)
    assert patch is not None
    assert [r.id for r in patch.shipments_changed] == [shipment.id]
    # Every waiting unit of the three SKUs arrived: their lines left the queue.
    gone_skus = {r.line.sku for r in before.backorders if r.key in patch.backorders_gone}
    assert gone_skus == set(skus)
    assert patch.reread["products"] < len(before.products) / 20
    _same_as_full(patch.rows, load_rows(session.cache))


def test_a_failed_action_rereads_nothing_and_an_unknown_result_rereads_everything(
    session: StoreSession,
) -> None:
    with pytest.raises(ValueError):
        run_action(session, lambda s: change_priority(s.cache, [], +1))
    before = load_rows(session.cache)
    order = load_queue(session.cache)[0].order_id
    report = run_action(session, lambda s: set_partial_shipment(s.cache, [order], True))
    assert report.changes.orders == {order}
    patch = load_changed_rows(session.cache, report.changes, before)
    assert patch is not None
    assert {r.line.order_id for r in patch.backorders_changed} >= {order}
    assert all(r.partial_allowed for r in patch.backorders_changed if r.line.order_id == order)
    _same_as_full(patch.rows, load_rows(session.cache))
    # A service result that does not say what it touched: a full re-read, never a guess.
    assert run_action(session, lambda s: 42).changes == Changes.all()
    assert load_changed_rows(session.cache, Changes.all(), before) is None


def test_an_incremental_sync_rereads_what_it_brought(tmp_path: Path) -> None:
    """Another laptop raises an order's priority and stock changes in the store: this laptop's
    next sync names that order and that variant, and its patch is a full read's picture."""
    with DemoStore(seed=11) as store:
        connection = StoreConnection(store.store_hash, store.api_url)
        with (
            StoreSession(tmp_path / "a", connection, store.token) as a,
            StoreSession(tmp_path / "b", connection, store.token) as b,
        ):
            first = sync_store(a)
            assert first.changes.everything  # a first (full) sync: everything is new
            sync_store(b)
            before = load_rows(a.cache)
            line = _busiest_sku_lines(a)[-1]
            change_priority(b.cache, [line.order_id], +3)
            assert push_outbox(b).failed == 0
            other = next(
                r
                for r in before.products
                if r.variant_id != line.variant_id and r.tracking == "variant"
            )
            record = store.state.inventory[(other.variant_id, 1)]
            record.on_hand += 7  # stock received outside the app
            # No order or product names that variant: the hourly sweep of the whole inventory
            # catches it (sync/stock_reads.py); move the last sweep an hour back.
            swept = a.cache.sync_state.cursor(SWEEP_CURSOR)
            assert swept is not None
            a.cache.sync_state.set_cursor(SWEEP_CURSOR, swept - SWEEP_EVERY)

            result = sync_store(a)
            assert not result.changes.everything
            assert line.order_id in result.changes.orders
            assert other.variant_id in result.changes.variants
            patch = load_changed_rows(a.cache, result.changes, before)
            assert patch is not None
            assert patch.reread["products"] < len(before.products) / 10
            moved = next(r for r in patch.backorders_changed if r.key == line.line_id)
            assert (moved.line.priority, moved.line.queue_position) == (3, 1)
            stocked = next(r for r in patch.products_changed if r.variant_id == other.variant_id)
            assert stocked.on_hand == other.on_hand + 7
            _same_as_full(patch.rows, load_rows(a.cache))
