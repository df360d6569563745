"""The merchant's choices per order, shared by every laptop: queue priority, partial shipment.

Order metafield `queue` holds {"priority": n, "partial": bool}. Choices kept only on this
computer by earlier versions (app_state) count for the orders that have no record yet.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .shipments import newest_per_key

if TYPE_CHECKING:
    from .database import Cache

log = logging.getLogger("backorder_desktop.cache")

QUEUE_KEY = "queue"  # order metafield
LEGACY_PARTIAL_NAMESPACE = "partial_shipment"  # app_state, before issue 7


@dataclass(frozen=True, slots=True)
class OrderChoice:
    priority: int = 0
    partial: bool = False

    def to_json(self) -> str:
        return json.dumps({"priority": self.priority, "partial": self.partial})


def order_choices(cache: Cache) -> dict[int, OrderChoice]:
    out: dict[int, OrderChoice] = {}
    legacy_partial = {
        int(k)
        for k, v in cache.app_state.items(LEGACY_PARTIAL_NAMESPACE).items()
        if v == "1" and k.isdigit()
    }
    for order_id, priority in cache.app_state.priorities().items():
        out[order_id] = OrderChoice(priority, order_id in legacy_partial)
    for order_id in legacy_partial - set(out):
        out[order_id] = OrderChoice(0, True)
    for (resource_id, _), field in newest_per_key(
        cache.metafields.by_key("order", QUEUE_KEY)
    ).items():
        if resource_id is None:
            continue
        try:
            data = json.loads(field.value)
            out[resource_id] = OrderChoice(int(data.get("priority", 0)), bool(data.get("partial")))
        except (ValueError, TypeError, AttributeError) as exc:
            log.warning("order %s queue record skipped: %s", resource_id, exc)
    return out


def priorities(cache: Cache) -> dict[int, int]:
    return {o: c.priority for o, c in order_choices(cache).items() if c.priority}


def partial_orders(cache: Cache) -> set[int]:
    return {o for o, c in order_choices(cache).items() if c.partial}
