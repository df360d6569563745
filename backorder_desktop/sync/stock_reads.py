"""Which stock an incremental pull re-reads, and when it reads all of it (issue 15).

The Inventory API has no "modified since" filter: the changed orders and products name the
variants whose stock moved, and the whole inventory is swept at most hourly for changes made
with no order (docs/DECISIONS.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from ..domain.models import Order, Product, Variant

# Stock changes outside the app without an order (an admin edit, another app, a return) show
# in no listing's dates: an incremental sync re-reads only the variants that changed orders
# and products name, and the whole inventory at most this often.
SWEEP_EVERY = timedelta(hours=1)
SWEEP_CURSOR = "inventory_sweep"  # when the whole inventory was last read (this machine's clock)
_CLOCK_SLACK = timedelta(seconds=120)


class Seen(Protocol):
    """What the cache already holds (sync.pull's sink answers from the cache)."""

    def known(self, table: str, ids: list[int]) -> dict[int, datetime]:
        """When the cache last saw these orders or products change (`date_modified`)."""
        ...

    def stock_siblings(self, variant_ids: set[int]) -> set[int]:
        """The variants sharing one stock with these (products tracked by product)."""
        ...

    def stale_stock(self) -> frozenset[int]:
        """Variants the app has learnt are stale here (e.g. a bulk edit found their limits
        changed in BigCommerce): the next pull reads them whatever the listings say."""
        ...


def sweep_due(last: datetime | None, now: datetime) -> bool:
    """Whether this pull reads the whole inventory: never swept, swept SWEEP_EVERY ago or
    more, or the clock went back (a sweep "in the future" would otherwise never fall due)."""
    return last is None or now - last >= SWEEP_EVERY or last > now + _CLOCK_SLACK


def changed_variants(
    orders: Iterable[Order],
    products: Iterable[Product],
    variants: Iterable[Variant],
    seen: Seen | None = None,
) -> set[int]:
    """Variants whose stock an incremental pull re-reads: every line of the orders listed as
    changed (placed, paid, cancelled, refunded, shipped: each moves stock) and every variant of
    the products listed as changed (tracking, new variants), and the variants sharing a stock
    with those.

    A record the listing repeats only because of the cursor's overlap, with the date the cache
    already holds, was re-read when that change was first seen: it names nothing again.
    """
    orders = list(orders)
    modified = {p.id: p.date_modified for p in products}
    seen_orders = seen.known("orders", [o.id for o in orders]) if seen is not None else {}
    seen_products = seen.known("products", list(modified)) if seen is not None else {}
    ids: set[int] = set()
    for order in orders:
        if not _same(seen_orders.get(order.id), order.date_modified):
            ids.update(line.variant_id for line in order.lines)
    for variant in variants:
        if not _same(seen_products.get(variant.product_id), modified.get(variant.product_id)):
            ids.add(variant.id)
    if seen is None:
        return ids
    ids |= seen.stale_stock()
    # A sale of one variant of a product tracked by product moves its siblings' stock too.
    return ids | seen.stock_siblings(ids) if ids else ids


def _same(seen: datetime | None, listed: datetime | None) -> bool:
    return seen is not None and listed is not None and seen == listed
