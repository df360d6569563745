"""A pull keeps this laptop's queued metafield updates: the store's older copy must not win."""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.models import Metafield
from .codec import json_loads
from .core import CacheCore
from .metafields import TABLE, from_row

# Metafield rows are typed "metafields:<type>" (bigcommerce/operations.py; the cache does not
# import the client).
_TYPES = frozenset({"product", "variant", "order", "store"})


def queued_update_ids(core: CacheCore, resource_type: str) -> set[int]:
    """Ids of metafields an unsent (pending, sending or failed) update row will overwrite."""
    if resource_type not in _TYPES:
        return set()
    rows = core.rows(
        "outbox",
        "action = 'update' AND resource = ? AND state IN ('pending', 'sending', 'failed')",
        [f"metafields:{resource_type}"],
    )
    out: set[int] = set()
    for r in rows:
        body = json_loads(r["body"])
        for item in body if isinstance(body, list) else []:
            value = item.get("id") if isinstance(item, dict) else None
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                out.add(int(value))
    return out


def keep_queued(
    core: CacheCore, resource_type: str, fetched: Sequence[Metafield]
) -> list[Metafield]:
    """`fetched`, with the cached copy kept wherever an update of it is still queued.

    The cached copy is this laptop's newest value (a second receipt must build on the first,
    not on the store's copy from before it); the push checks the store's copy when it sends.
    """
    queued = queued_update_ids(core, resource_type)
    if not queued:
        return list(fetched)
    cached = {
        int(r["id"]): from_row(r)
        for r in core.rows_in(TABLE, "id", sorted(queued))
        if r["resource_type"] == resource_type
    }
    return [cached.get(m.id, m) if m.id in queued else m for m in fetched]
