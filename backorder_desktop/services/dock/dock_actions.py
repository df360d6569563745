"""The dock's use cases, one function each for window and CLI: receive, release, undo a release.

Each is one operation (a cache transaction recording outbox rows); `services.sync_control.actions.run_action`
pushes it and reports. Both front ends call these, so their rules cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from backorder_desktop.domain.changes import NOTHING, Changes
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.domain.releases import ReleaseRecord
from backorder_desktop.services.dock.receiving import ReceiptResult, commit_receipt, refresh_stock
from backorder_desktop.services.dock.releasing import ReleaseOutcome, plan_release, release_orders
from backorder_desktop.services.dock.releasing import undo_release as undo_one_release
from backorder_desktop.services.dock.shipments import find_shipment
from backorder_desktop.services.sync_control.session import StoreSession


@dataclass
class Received:
    """A booked receipt (or one booked before under the same id) and what it released."""

    receipt_id: str
    result: ReceiptResult
    ready_orders: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    # Booked by an earlier run with this receipt id (killed before it finished): nothing was
    # booked again; `allocated` is what that run allocated.
    booked_before: bool = False
    allocated: list[dict[str, Any]] = field(default_factory=list)
    changes: Changes = NOTHING  # what the window re-reads (services/reload.py)


def receive(
    session: StoreSession,
    shipment_id: str,
    lines: Sequence[ReceiptLine],
    *,
    receipt_id: str,
    location_id: int | None = None,
    allow_over: bool = False,
    release_status: int | None = None,
) -> Received:
    """Book a delivery: fresh stock first, then the receipt in one transaction; with
    `release_status`, release the orders it makes ready (to that status)."""
    cache = session.cache
    shipment = find_shipment(cache, shipment_id)
    refresh_stock(session, [line.variant_id for line in shipment.lines if line.variant_id])
    result = commit_receipt(
        cache,
        shipment.id,
        lines,
        receipt_id=receipt_id,
        location_id=location_id,
        allow_over=allow_over,
    )
    out = Received(receipt_id, result)
    if result.preview is not None:
        out.ready_orders = list(result.preview.ready_orders)
    else:
        out.booked_before = True
        entries = [e for e in cache.ledger.entries("allocation", batch_id=receipt_id) if e.order_id]
        out.allocated = [{"order_id": e.order_id, "sku": e.sku, "qty": e.qty} for e in entries]
        orders = sorted({e.order_id for e in entries if e.order_id is not None})
        out.ready_orders = plan_release(cache, orders).released
    if release_status is not None and out.ready_orders:
        out.released = release_orders(cache, out.ready_orders, status_id=release_status).released
    out.changes = result.changes | Changes.of(
        orders=[*out.ready_orders, *(int(a["order_id"]) for a in out.allocated)],
        variants=[line.variant_id for line in shipment.lines if line.variant_id],  # stock read
        shipments=[shipment.id],
        outbox=True,
    )
    return out


def release(
    session: StoreSession, order_ids: Iterable[int] | None, *, status_id: int
) -> ReleaseOutcome:
    """Move ready orders (None: every ready one) to the release status, queue their notices."""
    return release_orders(session.cache, order_ids, status_id=status_id)


def undo_release(session: StoreSession, order_id: int) -> ReleaseRecord:
    """Restore a released order's status: ready to release again, its units still reserved."""
    return undo_one_release(session.cache, order_id)
