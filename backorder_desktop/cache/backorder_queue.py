"""The backorder queue built from what the cache holds (the rule itself is domain.queue)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..domain.models import BackorderLine
from ..domain.queue import build_queue
from .codec import date_from_text

if TYPE_CHECKING:
    from .database import Cache

ETA_KEY = "eta"  # variant metafield holding the merchant's manual ETA (ISO date)


def manual_etas(cache: Cache) -> dict[int, date]:
    """Manual ETA per variant id; values that are not ISO dates are ignored, not fatal."""
    out: dict[int, date] = {}
    for field in cache.metafields.by_key("variant", ETA_KEY):
        eta = date_from_text(field.value)
        if field.resource_id is not None and eta is not None:
            out[field.resource_id] = eta
    return out


def load_queue(cache: Cache) -> list[BackorderLine]:
    """Every open line with units waiting, per SKU in queue order, from one consistent read."""
    with cache.read():
        orders = cache.orders.open_orders()
        products = cache.products.by_id()
        on_hand = cache.inventory.on_hand_by_variant()
        priorities = cache.app_state.priorities()
        allocated = cache.ledger.allocated_by_line()
        etas = manual_etas(cache)
    return build_queue(
        orders,
        products,
        on_hand,
        allocated_by_line=allocated,
        priorities=priorities,
        etas_by_variant=etas,
    )
