"""Which variants and products have writes waiting in the outbox, and why failed ones failed."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.cache import Cache, OutboxRow
from backorder_desktop.cache.backorder_queue import ETA_KEY

HISTORY_KIND = "bulk_edit"
_OPEN = ("pending", "sending", "failed")

Target = tuple[str, int]  # ("variant" | "product", id)


@dataclass
class OutboxTargets:
    """Per variant or product: the states of the outbox rows that write to it, with reasons."""

    states: dict[Target, list[tuple[str, str]]] = field(default_factory=dict)

    def in_flight(self, kind: str) -> set[int]:
        return {
            ident
            for (k, ident), states in self.states.items()
            if k == kind and any(state in ("pending", "sending") for state, _ in states)
        }


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def row_targets(row: OutboxRow, eta_owner: dict[int, int]) -> list[tuple[Target, str]]:
    """(target, the item key BigCommerce's messages use for it) for each item of a row."""
    body = row.body
    out: list[tuple[Target, str]] = []
    if row.resource == ops.LOCATION_ITEMS_R and isinstance(body, dict):
        for item in body.get("settings") or []:
            identity = item.get("identity") if isinstance(item, dict) else None
            vid = _int(identity.get("variant_id")) if isinstance(identity, dict) else None
            if vid is not None:
                out.append((("variant", vid), str(vid)))
    elif row.resource == ops.metafields("variant") and isinstance(body, list):
        for item in body:
            if isinstance(item, dict) and row.action == ops.CREATE:
                vid = _int(item.get("resource_id"))
                if vid is not None and item.get("key") == ETA_KEY:
                    out.append((("variant", vid), str(vid)))
                continue
            mid = _int(item.get("id")) if isinstance(item, dict) else _int(item)
            owner = eta_owner.get(mid) if mid is not None else None
            if owner is not None:
                out.append((("variant", owner), str(mid)))
    elif row.resource == ops.PRODUCTS_R and isinstance(body, list):
        for item in body:
            pid = _int(item.get("id")) if isinstance(item, dict) else None
            if pid is not None:
                out.append((("product", pid), str(pid)))
    return out


_FIELD_PREFIX = re.compile(r"^[\w.\[\]]+: ")


def failure_reason(message: str | None, item_key: str) -> str:
    """What a failed row's message says about this item, else the message's first line.

    Messages list items as "<id>: <reason>" lines, or as "settings.3.identity: [Item with
    variant_id <id> ...]" parts of one line (BigCommerce's own field errors).
    """
    text = (message or "").strip()
    prefix = f"{item_key}: "
    for line in text.splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    number = re.compile(rf"(?<!\d){re.escape(item_key)}(?!\d)")
    for line in text.splitlines():
        for part in line.split("; "):
            if number.search(part) and not part.startswith("BigCommerce "):
                return _FIELD_PREFIX.sub("", part.strip(), count=1)
    return text.splitlines()[0] if text else "BigCommerce refused the change."


def eta_owner(cache: Cache, rows: Iterable[OutboxRow]) -> dict[int, int]:
    owner = {
        m.id: m.resource_id
        for m in cache.metafields.by_key("variant", ETA_KEY)
        if m.resource_id is not None
    }
    # Deleted fields are gone from the cache: the edit's history remembers whose they were.
    for batch_id in {r.batch_id for r in rows if r.action == ops.DELETE}:
        for entry in cache.ledger.entries(HISTORY_KIND, batch_id=batch_id):
            payload = entry.payload if isinstance(entry.payload, dict) else {}
            for mid, vid in (payload.get("eta_ids") or {}).items():
                owner.setdefault(int(mid), int(vid))
    return owner


def outbox_targets(cache: Cache) -> OutboxTargets:
    rows = [r for state in _OPEN for r in cache.outbox.rows(state)]
    out = OutboxTargets()
    if not rows:
        return out
    owner = eta_owner(cache, rows)
    for row in rows:
        for target, item_key in row_targets(row, owner):
            reason = failure_reason(row.last_error, item_key) if row.state == "failed" else ""
            out.states.setdefault(target, []).append((row.state, reason))
    return out


def variant_sync_states(cache: Cache) -> dict[int, str]:
    """'pending' or 'failed: <BigCommerce's reason>' per variant with outbox rows not yet sent.

    A product-level write (storefront message, pre-order fields) counts for every variant of
    the product. Failed wins over pending: the merchant has to act on it.
    """
    targets = outbox_targets(cache)
    if not targets.states:
        return {}
    per_variant: dict[int, list[tuple[str, str]]] = defaultdict(list)
    product_ids = [ident for kind, ident in targets.states if kind == "product"]
    family: dict[int, list[int]] = defaultdict(list)
    for v in cache.variants.for_products(product_ids):
        family[v.product_id].append(v.id)
    for (kind, ident), states in targets.states.items():
        for vid in [ident] if kind == "variant" else family.get(ident, []):
            per_variant[vid].extend(states)
    out: dict[int, str] = {}
    for vid, states in per_variant.items():
        failed = [reason for state, reason in states if state == "failed"]
        if failed:
            out[vid] = "failed: " + failed[0]
        else:
            out[vid] = "pending"
    return out
