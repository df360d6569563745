"""Allocation: arriving units walked down each SKU's backorder queue, and which orders are ready."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .models import BackorderLine


@dataclass(frozen=True, slots=True)
class Allocation:
    """Units of one arrival given to one waiting order line."""

    order_id: int
    line_id: int
    variant_id: int
    sku: str
    qty: int
    native: bool = True  # the line carries quantity_backordered (BigCommerce owes these units)


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    allocations: tuple[Allocation, ...] = ()
    # Units per variant left once its queue is served: they go to sellable stock.
    to_stock: Mapping[int, int] = field(default_factory=dict)

    @property
    def allocated_by_variant(self) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        for a in self.allocations:
            out[a.variant_id] += a.qty
        return dict(out)

    @property
    def native_by_variant(self) -> dict[int, int]:
        """Allocated units BigCommerce counts in `qty_backordered` (lines with native backorders)."""
        out: dict[int, int] = defaultdict(int)
        for a in self.allocations:
            if a.native:
                out[a.variant_id] += a.qty
        return dict(out)

    @property
    def order_ids(self) -> list[int]:
        return sorted({a.order_id for a in self.allocations})

    @property
    def units_allocated(self) -> int:
        return sum(a.qty for a in self.allocations)

    @property
    def units_to_stock(self) -> int:
        return sum(self.to_stock.values())


def allocate(
    queue: Sequence[BackorderLine],
    arrivals: Mapping[int, int],
    *,
    native_lines: Collection[int] | None = None,
) -> AllocationPlan:
    """Give each variant's arriving units to its waiting lines in queue order.

    `queue` is the backorder queue (domain.queue.build_queue order: per SKU by priority, order
    date, order id); `arrivals` the accepted units per variant id. A line takes what it waits
    for, or what is left; the last line served may be covered only in part. `native_lines`:
    ids of lines that carry `quantity_backordered` (None: all of them).
    """
    left = {vid: qty for vid, qty in arrivals.items() if qty > 0}
    allocations: list[Allocation] = []
    for line in queue:
        units = left.get(line.variant_id, 0)
        if units <= 0 or line.qty_waiting <= 0:
            continue
        given = min(units, line.qty_waiting)
        left[line.variant_id] = units - given
        allocations.append(
            Allocation(
                order_id=line.order_id,
                line_id=line.line_id,
                variant_id=line.variant_id,
                sku=line.sku,
                qty=given,
                native=native_lines is None or line.line_id in native_lines,
            )
        )
    return AllocationPlan(tuple(allocations), {vid: n for vid, n in left.items() if n > 0})


def remaining_queue(
    queue: Sequence[BackorderLine], allocations: Iterable[Allocation]
) -> list[BackorderLine]:
    """The queue once `allocations` are applied: lines with units still waiting."""
    given: dict[int, int] = defaultdict(int)
    for a in allocations:
        given[a.line_id] += a.qty
    out = []
    for line in queue:
        waiting = line.qty_waiting - given.get(line.line_id, 0)
        if waiting > 0:
            out.append(replace(line, qty_waiting=waiting) if waiting != line.qty_waiting else line)
    return out


def ready_orders(
    allocated_lines: Mapping[int, Collection[int]],
    still_waiting: Iterable[BackorderLine],
    *,
    partial_allowed: Collection[int] = (),
) -> list[int]:
    """Orders that can be released: every waiting line covered, or (partial shipment allowed
    for that order) at least one line covered in full.

    `allocated_lines`: order id -> ids of its lines that hold allocated units (orders not yet
    released); `still_waiting`: the queue as it stands (lines with units still owed).
    """
    waiting_lines: dict[int, set[int]] = defaultdict(set)
    for line in still_waiting:
        if line.qty_waiting > 0:
            waiting_lines[line.order_id].add(line.line_id)
    partial = set(partial_allowed)
    ready = []
    for order_id, lines in allocated_lines.items():
        if not lines:
            continue
        waiting = waiting_lines.get(order_id, set())
        if not waiting:
            ready.append(order_id)
        elif order_id in partial and any(line_id not in waiting for line_id in lines):
            ready.append(order_id)
    return sorted(ready)
