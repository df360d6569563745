"""Outbox changes and conflicting values in the merchant's words, not HTTP paths or JSON."""

from __future__ import annotations

import json
from typing import Any

from backorder_desktop.cache import Cache
from backorder_desktop.cache.outbox import OutboxRow

KIND_WORDS = {
    "bulk_limits": "Backorder limits",
    "bulk_eta": "ETAs",
    "bulk_products": "Storefront pre-order settings",
    "notices": "Notices sent",
    "notice_claims": "Notice bookkeeping",
    "queue": "Priority / partial shipment",
    "allocations": "Units allocated",
    "supplier": "Supplier",
    "shipment": "Supplier shipment",
    "shipment_archive": "Shipment archive",
    "receipt": "Stock received",
    "receipt_reversal": "Receipt reversed",
    "release_record": "Order released",
    "release_undo": "Release undone",
    "templates": "Notice templates",
}
SHOWN = 4  # records named before "and N more"


def _names(items: list[str]) -> str:
    unique = list(dict.fromkeys(items))
    more = f" and {len(unique) - SHOWN} more" if len(unique) > SHOWN else ""
    return ", ".join(unique[:SHOWN]) + more


def _sku(cache: Cache, variant_id: Any) -> str:
    variant = cache.variants.get(int(variant_id)) if isinstance(variant_id, int) else None
    return variant.sku if variant and variant.sku else f"variant {variant_id}"


def _records(cache: Cache, row: OutboxRow) -> list[str]:
    """The records a typed outbox row touches, named as the merchant knows them."""
    resource, body = row.resource, row.body
    if resource == "order" and row.target is not None:
        return [f"order #{row.target}"]
    items: list[Any] = []
    if isinstance(body, dict):
        items = list(body.get("settings") or body.get("items") or [])
    elif isinstance(body, list):
        items = body
    out: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or "")
        ident = item.get("resource_id") or item.get("id")
        if key.startswith("shipment:") or key.startswith("supplier:"):
            out.append(key.split(":", 1)[0] + " " + key.split(":", 1)[1][:12])
        elif resource == "metafields:order" and item.get("resource_id") is not None:
            out.append(f"order #{item['resource_id']}")
        elif "variant_id" in item:
            out.append(_sku(cache, item["variant_id"]))
        elif resource in ("variants", "metafields:variant") and ident is not None:
            out.append(_sku(cache, ident))
        elif resource in ("products", "metafields:product") and ident is not None:
            out.append(f"product {ident}")
    if not out and isinstance(body, list) and body and all(isinstance(i, int) for i in body):
        return [f"{len(body)} record(s) removed"]
    return out


def describe_change(cache: Cache, row: OutboxRow) -> str:
    """E.g. "Priority / partial shipment: order #217, order #218" or "ETAs: SKU-1, SKU-2"."""
    what = KIND_WORDS.get(row.kind, row.kind.replace("_", " ").capitalize())
    records = _records(cache, row)
    return f"{what}: {_names(records)}" if records else what


def _label(key: str) -> str:
    return key.replace("_", " ")


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{_label(str(k))} {_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return (
            f"{len(value)} item(s)"
            if value and isinstance(value[0], dict)
            else ", ".join(_plain(v) for v in value)
        )
    return str(value)


def _parsed(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def value_words(text: str | None, others: tuple[str | None, ...] = ()) -> str:
    """A metafield's JSON value as words; with `others`, only the fields that differ from them
    (all fields when nothing differs), so both versions read side by side."""
    value = _parsed(text)
    if not isinstance(value, dict):
        return "none (not set)" if value is None else _plain(value)
    parsed = [_parsed(o) for o in others]
    differ = [
        k for k in value if any(not isinstance(p, dict) or p.get(k) != value[k] for p in parsed)
    ]
    keys = differ or list(value)
    return "; ".join(f"{_label(k)}: {_plain(value[k])}" for k in keys)
