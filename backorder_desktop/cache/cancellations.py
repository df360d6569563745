"""The cancellation records of orders (order metafield `cancellation`), as every laptop sees them."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..domain.cancellations import CANCELLATION_KEY, Cancellation
from ..domain.models import METAFIELD_NAMESPACE
from .shipments import newest_per_key

if TYPE_CHECKING:
    from .database import Cache

log = logging.getLogger("backorder_desktop.cache")

NOTICE_SETTINGS = "notice_settings"  # app_state namespace of per-store notice switches
GOOD_NEWS_KEY = "good_news"  # "1": tell customers when their date moves earlier


def cancellations(cache: Cache, *, order_id: int | None = None) -> dict[int, Cancellation]:
    """Per order, its cancellation record (the newest copy); unreadable ones are skipped."""
    fields = (
        cache.metafields.for_resource("order", order_id)
        if order_id is not None
        else cache.metafields.by_key("order", CANCELLATION_KEY, namespace=METAFIELD_NAMESPACE)
    )
    out: dict[int, Cancellation] = {}
    for (resource_id, key), field in newest_per_key(fields).items():
        if key != CANCELLATION_KEY or resource_id is None:
            continue
        if field.namespace != METAFIELD_NAMESPACE:
            continue
        record = Cancellation.parse(field.value, resource_id)
        if record is None:
            log.warning("order %s cancellation record skipped: not a record", resource_id)
            continue
        out[resource_id] = record
    return out


def good_news_enabled(cache: Cache) -> bool:
    return cache.app_state.get(NOTICE_SETTINGS, GOOD_NEWS_KEY) == "1"


def set_good_news(cache: Cache, enabled: bool) -> None:
    with cache.transaction():
        cache.app_state.set(NOTICE_SETTINGS, GOOD_NEWS_KEY, "1" if enabled else "0")
