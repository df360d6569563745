"""Stock changes as deltas, and deciding from a read-back whether a lost write was applied."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from .models import StockDelta

# (variant id, location id) -> (on hand, qty backordered or None)
Levels = Mapping[tuple[int, int], tuple[int, int | None]]


def delta_items(deltas: Iterable[StockDelta]) -> dict[int, list[dict[str, int]]]:
    """Relative adjustment items (inventory.v3.yml, /adjustments/relative), per location id.

    Deltas on the same record are summed; a record whose change sums to nothing is left out.
    `qty_backordered` is only sent when it moves (a store without native backorders has none).
    """
    summed: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for d in deltas:
        total = summed[(d.variant_id, d.location_id)]
        total[0] += d.on_hand
        total[1] += d.qty_backordered
    out: dict[int, list[dict[str, int]]] = defaultdict(list)
    for (vid, loc), (on_hand, backordered) in sorted(summed.items()):
        if not on_hand and not backordered:
            continue
        item = {"location_id": loc, "variant_id": vid, "quantity": on_hand}
        if backordered:
            item["qty_backordered"] = backordered
        out[loc].append(item)
    return dict(sorted(out.items()))


def items_as_deltas(items: Iterable[dict[str, int]]) -> list[StockDelta]:
    """The deltas a relative adjustment body carries (the inverse of `delta_items`)."""
    return [
        StockDelta(
            int(i["variant_id"]),
            int(i["location_id"]),
            int(i.get("quantity", 0)),
            int(i.get("qty_backordered", 0)),
        )
        for i in items
    ]


def rekey_items(items: Iterable[dict[str, int]], keys: Mapping[int, int]) -> list[dict[str, int]]:
    """Relative adjustment items with each variant named by its stock record (`keys`, variant
    -> the variant whose record holds its stock; absent: its own), changes on one record summed.

    A product tracked by product keeps one stock for all its variants: deltas on two of them
    are one change to one figure, which is what a read-back compares and what is owed."""
    deltas = [
        StockDelta(
            keys.get(d.variant_id, d.variant_id), d.location_id, d.on_hand, d.qty_backordered
        )
        for d in items_as_deltas(items)
    ]
    return [item for per_location in delta_items(deltas).values() for item in per_location]


class Outcome(Enum):
    APPLIED = "applied"  # the store has exactly what the write would have made
    NOT_APPLIED = "not_applied"  # the store has exactly what it had before the write
    UNCERTAIN = "uncertain"  # something else changed these items meanwhile: staff decide


@dataclass(frozen=True, slots=True)
class ReadBack:
    outcome: Outcome
    reason: str


def decide(
    deltas: Iterable[StockDelta], before: Levels, now: Levels, *, touched_meanwhile: bool
) -> ReadBack:
    """Was a relative write whose answer was lost applied? Never a guess.

    `before`: the items read right before the write was sent; `now`: read again once the store
    has had time to apply it; `touched_meanwhile`: a sale (or anything else known) changed one
    of the items between the two reads, so neither figure proves anything.
    """
    deltas = list(deltas)
    if touched_meanwhile:
        return ReadBack(Outcome.UNCERTAIN, "a shopper's order changed the same items meanwhile")
    applied = not_applied = True
    for d in deltas:
        key = (d.variant_id, d.location_id)
        if key not in before or key not in now:
            return ReadBack(Outcome.UNCERTAIN, f"variant {d.variant_id} could not be read back")
        (b_hand, b_back), (n_hand, n_back) = before[key], now[key]
        if (n_hand, n_back) != (b_hand, b_back):
            not_applied = False
        want_back = None if b_back is None else b_back + d.qty_backordered
        if (n_hand, n_back) != (b_hand + d.on_hand, want_back):
            applied = False
    if applied and not not_applied:
        return ReadBack(Outcome.APPLIED, "the store shows the change")
    if not_applied and not applied:
        return ReadBack(Outcome.NOT_APPLIED, "the store shows the figures from before")
    return ReadBack(Outcome.UNCERTAIN, "the store's figures match neither before nor after")


def clamp_owed(items: list[dict[str, int]], before: Levels) -> tuple[list[dict[str, int]], int]:
    """Items whose `qty_backordered` decrease fits what the store owes right now.

    Another laptop may have allocated the same waiting units first (both read the same queue):
    the store then owes fewer than this change clears. Those units were not owed any more, so
    they are sellable stock: the part that does not fit moves to `quantity`, keeping on hand -
    backordered right (and the store would refuse a negative figure). Returns the items and how
    many units moved.
    """
    out: list[dict[str, int]] = []
    moved = 0
    for item in items:
        item = dict(item)
        key = (int(item["variant_id"]), int(item["location_id"]))
        back = before.get(key, (0, None))[1]
        clear = item.get("qty_backordered", 0)
        if back is not None and clear < 0 and back + clear < 0:
            shift = -(back + clear)
            item["qty_backordered"] = clear + shift
            item["quantity"] = item.get("quantity", 0) + shift
            if not item["qty_backordered"]:
                del item["qty_backordered"]
            moved += shift
        out.append(item)
    return out, moved
