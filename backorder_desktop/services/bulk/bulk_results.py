"""A bulk edit's plan and outcome in plain values: for the CLI's JSON, its table and the window."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.cache import Cache
from backorder_desktop.domain.bulk import (
    AVAILABILITY,
    DESCRIPTION,
    ETA,
    LIMIT,
    PREORDER_MESSAGE,
    RELEASE_DATE,
    Plan,
)
from backorder_desktop.domain.bulk_csv import limit_text
from backorder_desktop.services.bulk.bulk_state import eta_owner, failure_reason, row_targets

FIELD_TITLES = {
    LIMIT: "backorder limit",
    ETA: "ETA",
    DESCRIPTION: "storefront message",
    AVAILABILITY: "availability",
    RELEASE_DATE: "pre-order release date",
    PREORDER_MESSAGE: "pre-order message",
}


def value_text(field: str, value: Any) -> str:
    """A value as the merchant reads it ("unlimited", "off", "2026-03-31", "(none)")."""
    if field == LIMIT:
        return limit_text(value if isinstance(value, int) else None)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or value == "":
        return "(none)"
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


_ETAS = ops.metafields("variant")


def plan_json(plan: Plan) -> dict[str, Any]:
    variants = plan.variants
    return {
        "location_id": plan.location_id,
        "mode": "native" if plan.native else "preorder",
        "changes": [
            {
                "kind": c.kind,
                "id": c.id,
                "label": c.label,
                "field": c.field,
                "before": _plain(c.before),
                "after": _plain(c.after),
                "before_text": value_text(c.field, c.before),
                "after_text": value_text(c.field, c.after),
            }
            for c in plan.changes
        ],
        "requests_by_endpoint": {
            ops.endpoint_label(ops.SET, ops.LOCATION_ITEMS_R): plan.requests.location_items,
            ops.endpoint_label(ops.CREATE, _ETAS): plan.requests.eta_create,
            ops.endpoint_label(ops.UPDATE, _ETAS): plan.requests.eta_update,
            ops.endpoint_label(ops.DELETE, _ETAS): plan.requests.eta_delete,
            ops.endpoint_label(ops.UPDATE, ops.PRODUCTS_R): plan.requests.products,
        },
        "warnings": [
            {"code": w.code, "message": w.message, "count": len(w.ids)} for w in plan.warnings
        ],
        "skipped": [
            {
                "variant_id": vid,
                "sku": variants[vid].sku if vid in variants else "",
                "reason": reason,
            }
            for vid, reason in plan.skipped
        ],
    }


def batch_failures(cache: Cache, batch_id: str) -> list[dict[str, Any]]:
    """Every variant (or product) of a bulk edit that BigCommerce refused, with its reason."""
    rows = cache.outbox.rows("failed", batch_id=batch_id)
    if not rows:
        return []
    owner = eta_owner(cache, rows)
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for row in rows:
        for (kind, ident), item_key in row_targets(row, owner):
            if (kind, ident) in seen:
                continue
            seen.add((kind, ident))
            message = failure_reason(row.last_error, item_key)
            if kind == "variant":
                variant = cache.variants.get(ident)
                out.append(
                    {
                        "variant_id": ident,
                        "sku": variant.sku if variant else "",
                        "message": message,
                    }
                )
            else:
                product = cache.products.get(ident)
                out.append(
                    {
                        "product_id": ident,
                        "sku": product.sku if product else "",
                        "name": product.name if product else "",
                        "message": message,
                    }
                )
    return out
