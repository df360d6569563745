"""V3 Inventory reads: locations, items at all locations, items at one location."""

from __future__ import annotations

from functools import partial
from typing import Any

from .api import Context, Request, Response, Router, v3_error
from .dates import iso
from .paging import int_list, str_list, v3_page
from .records import InventoryRec, LocationRec, StoreState

INT32_MAX = 2_147_483_647
INVENTORY_PAGE_MAX = 1000  # "Limit of 1000 items for payload length" (inventory.v3.yml)


def available_to_sell(rec: InventoryRec, native: bool) -> int:
    """On hand less safety stock, plus what is left of the backorder limit (spec README)."""
    value = max(0, rec.on_hand - rec.safety_stock)
    if native and rec.backorder_limit is not None:
        value += max(0, rec.backorder_limit - rec.qty_backordered)
    return min(value, INT32_MAX)


def settings_json(ctx: Context, rec: InventoryRec) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "safety_stock": rec.safety_stock,
        "is_in_stock": rec.is_in_stock,
        "warning_level": rec.warning_level,
        "bin_picking_number": rec.bin_picking_number,
    }
    if ctx.native_backorders:
        # Beta fields (spec README, native backorders); the message object only when assigned
        # (inventory.v3.backorders-pr1089.yml).
        doc["backorder_limit"] = rec.backorder_limit
        message = ctx.state.backorder_messages.get(rec.backorder_message_id or 0)
        if message is not None:
            doc["backorder_message"] = {
                "id": message.id,
                "name": message.name,
                "message": message.message,
                "is_default": message.is_default,
                "created_at": iso(message.created_at),
                "updated_at": iso(message.updated_at),
            }
    return doc


def identity_json(state: StoreState, variant_id: int, with_sku_id: bool) -> dict[str, Any]:
    variant = state.variants[variant_id]
    doc: dict[str, Any] = {
        "sku": variant.sku,
        "variant_id": variant.id,
        "product_id": variant.product_id,
    }
    if with_sku_id and variant.sku_id is not None:
        doc["sku_id"] = variant.sku_id
    return doc


def location_json(loc: LocationRec) -> dict[str, Any]:
    # No `is_default` field: locations.v3.yml has none; `?is_default=true` names the default.
    hours = {"open": True, "opening": "09:00", "closing": "17:00"}
    closed = {"open": False, "opening": "00:00", "closing": "00:00"}
    days = ("monday", "tuesday", "wednesday", "thursday", "friday")
    return {
        "id": loc.id,
        "code": loc.code,
        "label": loc.label,
        "description": loc.description,
        "managed_by_external_source": False,
        "type_id": "PHYSICAL",
        "enabled": loc.enabled,
        "operating_hours": {
            day: dict(hours if day in days else closed) for day in (*days, "saturday", "sunday")
        },
        "time_zone": "Etc/UTC",
        "created_at": iso(loc.created_at) if loc.created_at else None,
        "updated_at": iso(loc.updated_at) if loc.updated_at else None,
        "address": {
            "address1": "1 Warehouse Way" if loc.is_default else "12 Königsallee",
            "address2": "",
            "city": "Austin",
            "state": "Texas",
            "zip": "78751",
            "email": "stock@example.com",
            "phone": "+1 555-010-0000",
            "geo_coordinates": {"latitude": 30.3, "longitude": -97.7},
            "country_code": "US",
        },
        "storefront_visibility": True,
        "special_hours": [],
    }


def list_locations(ctx: Context, req: Request) -> Response:
    ids = set(int_list(req, "location_id:in") or [])
    codes = set(str_list(req, "location_code:in") or [])
    is_default = req.query.get("is_default")
    is_active = req.query.get("is_active")
    rows = [
        loc
        for loc in sorted(ctx.state.locations.values(), key=lambda loc: loc.id)
        if (not ids or loc.id in ids)
        and (not codes or loc.code in codes)
        and (is_default not in ("true", "false") or loc.is_default == (is_default == "true"))
        and (is_active not in ("true", "false") or loc.enabled == (is_active == "true"))
    ]
    page, meta = v3_page(req, rows, max_limit=INVENTORY_PAGE_MAX)
    return Response(200, {"data": [location_json(loc) for loc in page], "meta": meta})


def tracked_variant_ids(ctx: Context, req: Request) -> list[int]:
    """Tracked variants matching the `variant_id:in`, `product_id:in`, `sku:in` filters."""
    state = ctx.state
    variant_ids = set(int_list(req, "variant_id:in") or [])
    product_ids = set(int_list(req, "product_id:in") or [])
    skus = set(str_list(req, "sku:in") or [])
    if not (variant_ids or product_ids or skus):
        # No filter (a full listing asks once per page of 1,000): one pass over the variants.
        tracked = {pid for pid, p in state.products.items() if p.inventory_tracking != "none"}
        return [vid for vid, v in state.variants.items() if v.product_id in tracked]
    out = []
    for vid, variant in state.variants.items():
        if variant_ids and vid not in variant_ids:
            continue
        if product_ids and variant.product_id not in product_ids:
            continue
        if skus and variant.sku not in skus:
            continue
        if state.products[variant.product_id].inventory_tracking == "none":
            continue
        out.append(vid)
    return out


def list_items(ctx: Context, req: Request) -> Response:
    state = ctx.state
    loc_ids = set(int_list(req, "location_id:in") or [])
    codes = set(str_list(req, "location_code:in") or [])
    locations = [
        loc
        for loc in sorted(state.locations.values(), key=lambda loc: loc.id)
        if (not loc_ids or loc.id in loc_ids) and (not codes or loc.code in codes)
    ]
    page, meta = v3_page(req, tracked_variant_ids(ctx, req), max_limit=INVENTORY_PAGE_MAX)
    native, inventory, stock_of = ctx.native_backorders, state.inventory, state.stock_variant

    def item(vid: int) -> dict[str, Any]:
        per_location = []
        for loc in locations:
            rec = inventory.get((stock_of(vid), loc.id)) or InventoryRec(vid, loc.id)
            entry: dict[str, Any] = {
                "location_id": loc.id,
                "location_code": loc.code,
                "location_name": loc.label,
                "available_to_sell": available_to_sell(rec, native),
                "total_inventory_onhand": rec.on_hand,
                "location_enabled": loc.enabled,
                "settings": settings_json(ctx, rec),
            }
            if native:
                entry["qty_backordered"] = rec.qty_backordered
            per_location.append(entry)
        return {"identity": identity_json(state, vid, True), "locations": per_location}

    data: list[Any] | None = None
    if ctx.listing_cache is not None:
        where = tuple(loc.id for loc in locations)
        data = ctx.listing_cache.fragments(
            (("inventory item", vid, where), partial(item, vid)) for vid in page
        )
    if data is None:
        data = [item(vid) for vid in page]
    return Response(200, {"data": data, "meta": meta})


def location_or_404(ctx: Context, req: Request) -> LocationRec:
    loc = ctx.state.locations.get(req.int_param("location_id"))
    if loc is None:
        raise v3_error(404, "Location not found.", content_type="application/problem+json")
    return loc


def list_location_items(ctx: Context, req: Request) -> Response:
    loc = location_or_404(ctx, req)
    page, meta = v3_page(req, tracked_variant_ids(ctx, req), max_limit=INVENTORY_PAGE_MAX)
    data = []
    for vid in page:
        rec = ctx.state.inventory.get((ctx.state.stock_variant(vid), loc.id)) or InventoryRec(
            vid, loc.id
        )
        entry: dict[str, Any] = {
            "identity": identity_json(ctx.state, vid, False),
            "available_to_sell": available_to_sell(rec, ctx.native_backorders),
            "total_inventory_onhand": max(0, rec.on_hand - rec.safety_stock),
            "settings": settings_json(ctx, rec),
        }
        if ctx.native_backorders:
            entry["qty_backordered"] = rec.qty_backordered
        data.append(entry)
    return Response(200, {"data": data, "meta": meta})


def register(router: Router) -> None:
    router.add("GET", "/v3/inventory/locations", list_locations)
    router.add("GET", "/v3/inventory/items", list_items)
    router.add("GET", "/v3/inventory/locations/{location_id}/items", list_location_items)
