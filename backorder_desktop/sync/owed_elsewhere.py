"""Units a receipt clears that another laptop's receipt already took: read from the order records.

Two laptops that have not synced each other can allocate the same waiting units; both
receipts then clear them from `qty_backordered`. The push fits each change to what the store
owes (`domain/stock_moves.clamp_owed`), but BigCommerce applies inventory writes
asynchronously: the other laptop's write, accepted a moment ago, may not show in the figures
yet, and both clear the same units (the store cannot owe fewer than none: units were lost in
the soak). The other laptop publishes its allocations in the order metafield `allocations` in
the same push, and metafields show at once; so before a receipt's stock change is sent, the
lines it allocated are compared with every allocation the store records for them: units past
what a line has backordered were taken by another receipt first and go to on hand instead.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ..bigcommerce import reads
from ..bigcommerce.error_mapping import parse_body
from ..cache import Cache, OutboxRow
from ..cache.ledger import ALLOCATION
from ..cache.shared_allocations import ALLOCATIONS_KEY, decode
from ..domain.models import METAFIELD_NAMESPACE

log = logging.getLogger("backorder_desktop.sync")

_PAGE = 250


def _store_allocations(client: Any, order_ids: list[int]) -> dict[int, dict[str, int]]:
    """line -> {batch: net units} as the store's order records hold them now."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for start in range(0, len(order_ids), 50):
        part = order_ids[start : start + 50]
        params = {
            "namespace": METAFIELD_NAMESPACE,
            "key": ALLOCATIONS_KEY,
            "resource_id:in": ",".join(map(str, part)),
            "limit": _PAGE,
        }
        body = parse_body(reads.metafields_page(client, "order", params))
        for doc in body.get("data") or [] if isinstance(body, dict) else []:
            try:
                entries = decode(int(doc["resource_id"]), str(doc["value"]))
            except (KeyError, ValueError, TypeError, AttributeError):
                continue  # a record another tool broke: nothing to learn from it
            for e in entries:
                if e.line_id is not None:
                    out[e.line_id][e.batch_id or ""] += e.qty
    return out


def owed_elsewhere(
    client: Any, cache: Cache, row: OutboxRow, keys: Mapping[int, int]
) -> dict[tuple[int, int], int]:
    """{(stock record, location): units} this row clears that other receipts took first."""
    body = row.body if isinstance(row.body, dict) else {}
    clears = any(
        isinstance(i, dict) and int(i.get("qty_backordered") or 0) < 0
        for i in body.get("items") or []
    )
    if not clears:
        return {}
    mine = [
        e
        for e in cache.ledger.entries(ALLOCATION, batch_id=row.batch_id)
        if e.qty > 0 and e.line_id is not None and e.order_id is not None and e.variant_id
        and isinstance(e.payload, dict) and e.payload.get("native", True)
    ]  # fmt: skip
    if not mine:
        return {}
    store = _store_allocations(client, sorted({int(e.order_id or 0) for e in mine}))
    out: dict[tuple[int, int], int] = defaultdict(int)
    for e in mine:
        order = cache.orders.get(int(e.order_id or 0))
        line = next((x for x in order.lines if x.id == e.line_id), None) if order else None
        if line is None or line.quantity_backordered is None:
            continue
        others = sum(
            n for batch, n in store.get(int(e.line_id or 0), {}).items() if batch != row.batch_id
        )
        over = min(e.qty, max(0, others + e.qty - line.quantity_backordered))
        if over:
            vid = int(e.variant_id or 0)
            location = int(e.payload.get("location_id") or 0) if isinstance(e.payload, dict) else 0
            out[(keys.get(vid, vid), location)] += over
    if out:
        log.warning(
            "stock row %d: %d unit(s) were allocated by another receipt first",
            row.id,
            sum(out.values()),
        )
    return dict(out)


def move_to_on_hand(
    items: list[dict[str, Any]], taken: Mapping[tuple[int, int], int]
) -> list[dict[str, Any]]:
    """Items whose `qty_backordered` clears `taken` units fewer, those units added to on hand."""
    out = []
    left = dict(taken)
    for item in items:
        item = dict(item)
        key = (int(item["variant_id"]), int(item["location_id"]))
        clear = -int(item.get("qty_backordered") or 0)
        shift = min(clear, left.get(key, 0))
        if shift > 0:
            left[key] -= shift
            item["quantity"] = int(item.get("quantity") or 0) + shift
            item["qty_backordered"] = -clear + shift
            if not item["qty_backordered"]:
                del item["qty_backordered"]
        out.append(item)
    return out
