"""Re-read only the rows a change touched (`Changes`), and merge them into the rows shown."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from backorder_desktop.cache import Cache
from backorder_desktop.cache.shipments import load_shipment, shipment_ids
from backorder_desktop.domain.changes import Changes
from backorder_desktop.domain.insights import InsightsReport
from backorder_desktop.domain.notices import DEFAULT_CHECKIN_MAX
from backorder_desktop.services.backorder_rows import BackorderRow, backorder_rows
from backorder_desktop.services.bulk.bulk_snapshot import store_is_native
from backorder_desktop.services.dock.shipment_rows import ShipmentRow, shipment_rows_of
from backorder_desktop.services.insights import insights_from
from backorder_desktop.services.notices.notify import NoticePlan, plan_notices
from backorder_desktop.services.queue import QueueState, load_queue_state
from backorder_desktop.services.sync_control.status import store_status
from backorder_desktop.services.views import ProductRow, ViewRows, product_rows


@dataclass
class RowsPatch:
    """The rows a change re-read, per table: rows replaced or added, and keys that went.

    `rows` is the whole picture after the patch (the lists shown, merged), for whoever reads
    `last_rows`; the tables apply only the `*_changed` and `*_gone` parts.
    """

    rows: ViewRows
    products_changed: list[ProductRow] = field(default_factory=list)
    products_gone: set[int] = field(default_factory=set)  # variant ids
    backorders_changed: list[BackorderRow] = field(default_factory=list)
    backorders_gone: set[int] = field(default_factory=set)  # order line ids
    shipments_changed: list[ShipmentRow] = field(default_factory=list)
    shipments_gone: set[str] = field(default_factory=set)  # shipment ids
    # The Insights figures read every shipment and scorecard (~1 s on a large store): they
    # follow in a task of their own (`insights_for`), not before the rows show.
    insights_stale: bool = False

    @property
    def reread(self) -> dict[str, int]:
        """Rows re-read per table (tests and the log say what a change cost)."""
        return {
            "products": len(self.products_changed),
            "backorders": len(self.backorders_changed),
            "shipments": len(self.shipments_changed),
        }


def _variants_touched(cache: Cache, changes: Changes, shown: ViewRows) -> set[int]:
    """The variants whose rows and queues a change may move: those named, those of the orders
    named (the lines they had on screen too), of the SKUs on the shipments named (before and
    after), and every variant of their products (a product's storefront flags and pre-order
    state are computed over all its variants)."""
    variants = set(changes.variants)
    for order in cache.orders.get_many(changes.orders):
        variants.update(line.variant_id for line in order.lines)
    if changes.orders:
        variants.update(
            r.line.variant_id for r in shown.backorders if r.line.order_id in changes.orders
        )
    if changes.shipments:
        skus = {line.sku for s in shown.shipments if s.id in changes.shipments for line in s.lines}
        for shipment_id in changes.shipments:
            found = load_shipment(cache, shipment_id)
            if found is not None:
                skus.update(line.sku for line in found.lines)
        for sku in skus:
            variants.update(v.id for v in cache.variants.by_sku(sku))
    products = set(changes.products)
    products.update(v.product_id for v in cache.variants.get_many(variants))
    variants.update(v.id for v in cache.variants.for_products(products))
    return variants


def _merge_state(old: QueueState | None, new: QueueState) -> QueueState | None:
    """The whole-store queue state with the re-read variants' lines replaced."""
    if old is None or new.variants is None:
        return new if new.variants is None else old
    kept = [line for line in old.queue if line.variant_id not in new.variants]
    queue = sorted([*kept, *new.queue], key=lambda line: (line.sku, line.queue_position))
    orders = {k: o for k, o in old.orders.items() if k not in (new.complete_orders or ())}
    orders.update(new.orders)
    logs = {**old.logs, **new.logs}
    return replace(new, queue=queue, orders=orders, logs=logs, variants=None, complete_orders=None)


def _merge(
    shown: ViewRows,
    table: str,
    changed: list[Any],
    key: Callable[[Any], Hashable],
    maybe_gone: Collection[Hashable],
) -> tuple[list[Any], set[Any]]:
    """`shown`'s rows of `table` with `changed` put in place (by key) and the keys of
    `maybe_gone` that were not re-read taken out; returns them and the keys gone.

    40,000 product rows: the key -> position index is built once and kept with the rows
    while a merge only replaces rows in place (the usual case), so a merge costs the changed
    rows, not the table."""
    rows: list[Any] = getattr(shown, table)
    index = shown.indexes.get(table)
    if index is None:
        index = {key(row): n for n, row in enumerate(rows)}
    new_keys = {key(row) for row in changed}
    gone = {k for k in maybe_gone if k in index} - new_keys
    if not gone and all(k in index for k in new_keys):
        merged = list(rows)
        for row in changed:
            merged[index[key(row)]] = row
        shown.indexes[table] = index  # the same positions hold in `merged`
        return merged, gone
    by_key = {key(row): row for row in changed}
    merged = [by_key.pop(key(r), r) for r in rows if key(r) not in gone]
    merged.extend(by_key.values())
    shown.indexes.pop(table, None)
    return merged, gone


def load_changed_rows(
    cache: Cache,
    changes: Changes,
    shown: ViewRows,
    *,
    now: datetime | None = None,
    checkin_days: int = 0,
) -> RowsPatch | None:
    """The rows `changes` touched, re-read from the cache, merged into `shown`.

    None when a full reload is the honest answer: `everything` changed, or check-in notices
    are on (they combine a customer's orders, so one order's change reaches others).
    """
    if changes.everything or checkin_days:
        return None
    now = now or datetime.now(UTC)
    with cache.read():
        status = store_status(cache, backorder_lines=0)
        patch = RowsPatch(replace(shown, status=status))
        if changes.rows:
            _reread_rows(cache, changes, shown, patch, now)
        status["backorder_lines"] = len(patch.rows.backorders)
        if changes.shipments:
            _reread_shipments(cache, changes, shown, patch, now)
        patch.insights_stale = changes.rows or bool(changes.shipments)
    return patch


def insights_for(cache: Cache, rows: ViewRows, *, now: datetime | None = None) -> InsightsReport:
    """The Insights figures over rows already read (after a targeted re-read)."""
    now = now or datetime.now(UTC)
    return insights_from(cache, rows.backorders, now=now, currency=rows.currency)


def _reread_shipments(
    cache: Cache, changes: Changes, shown: ViewRows, patch: RowsPatch, now: datetime
) -> None:
    """The named shipments' rows, any recorded meanwhile (another laptop's), and those gone
    (closed shipments archived by the same change)."""
    present = shipment_ids(cache)
    known = {row.id for row in shown.shipments}
    wanted = (set(changes.shipments) & present) | (present - known)
    changed = shipment_rows_of(cache, wanted, now=now)
    merged, gone = _merge(shown, "shipments", changed, lambda r: r.id, known - present)
    patch.rows.shipments = merged
    patch.shipments_changed = changed
    patch.shipments_gone = {str(key) for key in gone}


def _reread_rows(
    cache: Cache, changes: Changes, shown: ViewRows, patch: RowsPatch, now: datetime
) -> None:
    variants = _variants_touched(cache, changes, shown)
    state = load_queue_state(cache, variants=variants)
    assert state.variants is not None and state.complete_orders is not None
    # Every order with a line of a touched variant: its rows (and its notices) are re-read.
    orders = set(state.complete_orders) | set(changes.orders)
    variant_records = cache.variants.get_many(variants)
    products = {p.id: p for p in cache.products.get_many({v.product_id for v in variant_records})}
    changed_products = product_rows(
        cache, state, products, variant_records, today=now.date(), native=store_is_native(cache)
    )
    plan = plan_notices(cache, today=now.date(), state=state, checkin_max=DEFAULT_CHECKIN_MAX)
    due = [n for n in plan.due if set(n.order_ids) <= orders]
    changed_backorders = [
        row for row in backorder_rows(state, due, now=now) if row.line.order_id in orders
    ]
    # The rows shown before, merged with the re-read ones.
    # A product's variants that went (an incremental sync) are among its rows shown.
    maybe_gone = set(variants)
    if changes.products:
        maybe_gone.update(r.variant_id for r in shown.products if r.product_id in changes.products)
    merged_products, patch.products_gone = _merge(
        shown, "products", changed_products, lambda r: r.variant_id, maybe_gone
    )
    merged_backorders, patch.backorders_gone = _merge(
        shown,
        "backorders",
        changed_backorders,
        lambda r: r.key,
        {r.key for r in shown.backorders if r.line.order_id in orders},
    )
    old_plan = shown.notices
    kept_due = [n for n in old_plan.due if not orders.intersection(n.order_ids)] if old_plan else []
    merged_state = _merge_state(old_plan.state if old_plan else None, state)
    patch.rows.notices = NoticePlan([*kept_due, *due], plan.unconfirmed, merged_state)
    patch.rows.products = merged_products
    patch.rows.backorders = merged_backorders
    patch.products_changed = changed_products
    patch.backorders_changed = changed_backorders
