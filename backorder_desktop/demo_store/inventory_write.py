"""V3 Inventory writes (location settings, absolute/relative adjustments) and inventory settings."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from . import fields as f
from .api import PROBLEM_JSON, Context, Request, Response, Router, v3_error
from .dataset import BACKORDER_SETTING_KEYS
from .inventory import location_or_404
from .records import InventoryRec, StoreState
from .store_settings import SKIP, settings_changes

ADJUSTMENT_MAX = 2000  # "Limit of 2000 items for payload length" (inventory.v3.yml)
INVENTORY_413 = "The request payload is too large. The maximum items allowed in the array is 2000."


def _problem(status: int, title: str, errors: dict[str, Any] | None = None) -> Exception:
    # The Inventory API answers errors as application/problem+json (inventory.v3.yml).
    return v3_error(status, title, errors, content_type=PROBLEM_JSON)


class _Identities:
    """Resolves item identities ({variant_id}, {sku} or {product_id}) to tracked variant ids."""

    def __init__(self, state: StoreState) -> None:
        self.state = state
        self._by_sku: dict[str, int] | None = None

    def variant_for(self, ident: dict[str, Any]) -> int:
        """The record's variant id; a product tracked by product is addressed by product_id
        only (inventory.v3.yml, the 422 "tracked by product" example)."""
        state = self.state
        if "variant_id" in ident:
            vid = ident["variant_id"]
            if not f.is_int(vid) or vid not in state.variants:
                raise f.FieldError("variant_id", f"[Item with variant_id {vid} not found]")
            label = f"variant_id {vid}"
        elif "sku" in ident:
            if self._by_sku is None:
                self._by_sku = {v.sku.lower(): v.id for v in state.variants.values()}
            sku = ident["sku"]
            found = self._by_sku.get(sku.lower()) if isinstance(sku, str) else None
            if found is None:
                raise f.FieldError("sku", f"[Item with sku {sku} not found]")
            vid, label = found, f"sku {sku}"
        elif "product_id" in ident:
            pid = ident["product_id"]
            product = state.products.get(pid) if f.is_int(pid) else None
            if product is None or not product.variant_ids:
                raise f.FieldError("product_id", f"[Item with product_id {pid} not found]")
            if product.inventory_tracking == "variant":
                raise f.FieldError(
                    "product_id",
                    f"[Item with product_id {pid} is tracked by variant, please update stock by variant id]",
                )
            vid, label = state.stock_variant(product.variant_ids[0]), f"product_id {pid}"
        else:
            raise f.FieldError("identity", "One of sku, variant_id or product_id is required.")
        tracking = self.state.products[state.variants[vid].product_id].inventory_tracking
        if tracking == "none":
            raise f.FieldError("identity", f"[Item with {label} has inventory tracking disabled]")
        if tracking == "product" and "product_id" not in ident:
            raise f.FieldError(
                label.split(" ")[0],
                f"[Item with {label} is tracked by product, please update stock by product id]",
            )
        return vid


def _items(body: Any, key: str) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise _problem(422, "Payload contains invalid fields", {key: f"'{key}' must be an array."})
    items: list[Any] = body[key]
    if len(items) > ADJUSTMENT_MAX:
        raise _problem(413, INVENTORY_413)
    return items


def _record(state: StoreState, vid: int, loc_id: int) -> InventoryRec:
    return state.inventory.setdefault(
        (vid, loc_id), InventoryRec(variant_id=vid, location_id=loc_id)
    )


def put_location_items(ctx: Context, req: Request) -> Response:
    loc = location_or_404(ctx, req)
    settings = _items(req.json(), "settings")
    state = ctx.state
    ids = _Identities(state)
    planned: list[tuple[InventoryRec, dict[str, Any]]] = []
    errors: dict[str, str] = {}
    for i, item in enumerate(settings):
        try:
            if not isinstance(item, dict) or not isinstance(item.get("identity"), dict):
                raise f.FieldError("identity", "is required")
            vid = ids.variant_for(item["identity"])
            changes: dict[str, Any] = {}
            for key in ("safety_stock", "warning_level"):
                if key in item:
                    changes[key] = f.integer(item, key)
            if "is_in_stock" in item:
                changes["is_in_stock"] = f.boolean(item, "is_in_stock")
            if "bin_picking_number" in item:
                changes["bin_picking_number"] = f.text(item, "bin_picking_number")
            if ctx.native_backorders:
                if "backorder_limit" in item:
                    changes["backorder_limit"] = f.integer(item, "backorder_limit", nullable=True)
                if "backorder_message_id" in item:
                    mid = f.integer(item, "backorder_message_id", nullable=True)
                    if mid is not None and mid not in state.backorder_messages:
                        raise f.FieldError(
                            "backorder_message_id", f"backorder message {mid} does not exist"
                        )
                    changes["backorder_message_id"] = mid
            if not changes:
                raise f.FieldError("settings", "At least one setting must be specified.")
            planned.append((_record(state, vid, loc.id), changes))
        except f.FieldError as exc:
            errors[f"settings.{i}.{exc.field}"] = exc.message
    if errors:
        raise _problem(422, "Payload contains invalid fields", errors)
    for rec, changes in planned:
        for key, value in changes.items():
            setattr(rec, key, value)
    dirty = frozenset({"inventory"}) if planned else frozenset()
    return Response(200, {"transaction_id": str(uuid.uuid4())}, dirty=dirty)


def _adjust(ctx: Context, req: Request, relative: bool) -> Response:
    body = req.json()
    items = _items(body, "items")
    state = ctx.state
    ids = _Identities(state)
    # Several items may touch the same record: work on copies of the new values.
    pending: dict[tuple[int, int], list[int]] = {}
    errors: dict[str, str] = {}
    for i, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise f.FieldError("item", "must be an object")
            loc_id = item.get("location_id")
            if not f.is_int(loc_id) or loc_id not in state.locations:
                raise f.FieldError("location_id", f"location {loc_id} does not exist")
            vid = ids.variant_for(item)
            if "quantity" not in item:
                raise f.FieldError("quantity", "is required")
            key = (vid, loc_id)
            rec = state.inventory.get(key) or InventoryRec(vid, loc_id)
            values = pending.setdefault(key, [rec.on_hand, rec.qty_backordered])
            minimum = None if relative else 0
            qty = f.integer(item, "quantity", minimum=minimum) or 0
            values[0] = values[0] + qty if relative else qty
            if ctx.native_backorders and "qty_backordered" in item:
                backordered = f.integer(item, "qty_backordered", minimum=minimum) or 0
                values[1] = values[1] + backordered if relative else backordered
            if values[0] < 0 or values[1] < 0:
                raise f.FieldError("quantity", "the adjustment would leave a negative quantity")
        except f.FieldError as exc:
            errors[f"items.{i}.{exc.field}"] = exc.message
    if errors:
        first = next(iter(errors.values()))
        raise _problem(
            422, first if first.startswith("[") else "Payload contains invalid fields", errors
        )
    dirty = frozenset({"inventory"}) if pending else frozenset()
    if ctx.defer is not None and pending:
        # The live API applies inventory writes asynchronously (spec README): answer now,
        # apply later, on what the store has *then* (a relative change adds to later sales).
        ctx.defer(_later(state, items, relative, native=ctx.native_backorders))
        return Response(200, {"transaction_id": str(uuid.uuid4())})
    for (vid, loc_id), (on_hand, backordered) in pending.items():
        rec = _record(state, vid, loc_id)
        rec.on_hand, rec.qty_backordered = on_hand, backordered
    return Response(200, {"transaction_id": str(uuid.uuid4())}, dirty=dirty)


def _later(
    state: StoreState,
    items: list[Any],
    relative: bool,
    *,
    native: bool,
) -> Callable[[], frozenset[str]]:
    """The write as applied after the delay (items were checked when it was accepted)."""
    ids = _Identities(state)
    resolved = [(ids.variant_for(i), i) for i in items]

    def apply() -> frozenset[str]:
        for vid, item in resolved:
            rec = _record(state, vid, item["location_id"])
            qty = int(item["quantity"])
            rec.on_hand = max(0, rec.on_hand + qty) if relative else qty
            if native and "qty_backordered" in item:
                back = int(item["qty_backordered"])
                rec.qty_backordered = max(0, rec.qty_backordered + back) if relative else back
        return frozenset({"inventory"})

    return apply


def adjust_absolute(ctx: Context, req: Request) -> Response:
    return _adjust(ctx, req, relative=False)


def adjust_relative(ctx: Context, req: Request) -> Response:
    return _adjust(ctx, req, relative=True)


_SETTING_ENUMS: dict[str, tuple[str, ...]] = {
    "product_out_of_stock_behavior": (
        "do_nothing",
        "hide_product",
        "hide_product_and_accessible",
        "hide_product_and_redirect",
    ),
    "option_out_of_stock_behavior": ("do_nothing", "hide_option", "label_option"),
    "update_stock_behavior": ("order_placed", "order_completed_or_shipped"),
    "stock_level_display": ("dont_show", "show", "show_when_low"),
}
_SETTING_BOOLS = (
    "edit_order_stock_adjustment",
    "refund_order_stock_adjustment",
    "hide_in_product_filtering",
    "show_pre_order_stock_levels",
    "show_out_of_stock_message",
    "show_backorder_message",
    "show_quantity_on_backorder",
    "show_quantity_on_hand",
    "show_backorder_availability_prompt",
)
_SETTING_TEXTS = ("default_out_of_stock_message", "backorder_availability_prompt")


def _visible_settings(ctx: Context) -> dict[str, Any]:
    doc = dict(ctx.state.inventory_settings)
    if not ctx.native_backorders:
        for key in BACKORDER_SETTING_KEYS:
            doc.pop(key, None)
    return doc


def get_settings(ctx: Context, req: Request) -> Response:
    return Response(200, {"data": _visible_settings(ctx), "meta": {}})


def put_settings(ctx: Context, req: Request) -> Response:
    def read(body: dict[str, Any], key: str) -> Any:
        if key in BACKORDER_SETTING_KEYS and not ctx.native_backorders:
            return SKIP  # the store has no native backorders: the switches do not exist
        if key in _SETTING_ENUMS:
            return f.choice(body, key, _SETTING_ENUMS[key])
        if key in _SETTING_BOOLS:
            return f.boolean(body, key)
        if key in _SETTING_TEXTS:
            return f.text(body, key, max_length=1000)
        return SKIP

    ctx.state.inventory_settings.update(settings_changes(req, read))
    return Response(200, {"data": _visible_settings(ctx), "meta": {}}, dirty=frozenset({"store"}))


def register(router: Router) -> None:
    router.add("PUT", "/v3/inventory/locations/{location_id}/items", put_location_items)
    router.add("PUT", "/v3/inventory/adjustments/absolute", adjust_absolute)
    router.add("POST", "/v3/inventory/adjustments/relative", adjust_relative)
    router.add("GET", "/v3/settings/inventory", get_settings)
    router.add("PUT", "/v3/settings/inventory", put_settings)
