"""V3 catalog endpoints: products (list, one, batch update) and variants (list, batch update)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from operator import attrgetter
from typing import Any

from . import fields as f
from .api import Context, Request, Response, Router, v3_error
from .catalog_json import product_inventory_level, product_json, variant_json
from .paging import date_arg, int_arg, int_list, select_fields, str_list, v3_page
from .records import InventoryRec, ProductRec, StoreState, VariantRec

PRODUCT_BATCH_MAX = 10
VARIANT_BATCH_MAX = 50
# 413 titles as the specs give them (products_catalog.v3.yml, product-variants_catalog.v3.yml).
PRODUCT_413 = "The request payload is too large. The maximum items allowed in the array is 10."
VARIANT_413 = "The request payload is too large. The maximum items allowed in the array is 50"
_SORTS: dict[str, Callable[[ProductRec], Any]] = {
    "id": attrgetter("id"),
    "name": lambda p: p.name.lower(),
    "sku": lambda p: p.sku.lower(),
    "price": lambda p: p.price,
    "date_modified": lambda p: p.date_modified,
    "date_last_imported": lambda p: p.date_modified,
    "total_sold": lambda p: p.total_sold,
}


def _id_filters(req: Request, ids: list[int]) -> list[int]:
    one = int_arg(req, "id")
    id_in = int_list(req, "id:in")
    not_in = set(int_list(req, "id:not_in") or [])
    bounds = [
        (int_arg(req, k), op)
        for k, op in (("id:min", 0), ("id:max", 1), ("id:greater", 2), ("id:less", 3))
    ]
    if one is None and id_in is None and not not_in and all(b is None for b, _ in bounds):
        return ids  # no id filter: a full listing walks 10,000 products once per page
    out = []
    for pid in ids:
        if one is not None and pid != one:
            continue
        if id_in is not None and pid not in id_in:
            continue
        if pid in not_in:
            continue
        ok = True
        for bound, op in bounds:
            if bound is None:
                continue
            ok = ok and (
                pid >= bound
                if op == 0
                else pid <= bound
                if op == 1
                else pid > bound
                if op == 2
                else pid < bound
            )
        if ok:
            out.append(pid)
    return out


def list_products(ctx: Context, req: Request) -> Response:
    state = ctx.state
    include = set(str_list(req, "include") or [])
    modified_min = date_arg(req, "date_modified:min", ctx.now)
    modified_max = date_arg(req, "date_modified:max", ctx.now)
    skus = {s.lower() for s in str_list(req, "sku:in") or []}
    sku = req.query.get("sku", "").lower()
    name = req.query.get("name")
    keyword = req.query.get("keyword", "").lower()
    availability = req.query.get("availability")
    visible = req.query.get("is_visible")
    rows: list[ProductRec] = []
    ids = _id_filters(req, list(state.products))
    if (modified_min, modified_max, name, availability) == (None, None, None, None) and not (
        skus or sku or keyword or visible in ("true", "false")
    ):
        ids, rows = [], [state.products[pid] for pid in ids]  # no filter: every product
    for pid in ids:
        p = state.products[pid]
        if modified_min is not None and p.date_modified < modified_min:
            continue
        if modified_max is not None and p.date_modified > modified_max:
            continue
        if sku and p.sku.lower() != sku:
            continue
        if skus and p.sku.lower() not in skus:
            continue
        if name is not None and p.name != name:
            continue
        if keyword and keyword not in p.name.lower() and keyword not in p.sku.lower():
            continue
        if availability and p.availability != availability:
            continue
        if visible in ("true", "false") and p.is_visible != (visible == "true"):
            continue
        rows.append(p)
    sort = _SORTS.get(req.query.get("sort", "id"), _SORTS["id"])
    rows.sort(key=sort, reverse=req.query.get("direction") == "desc")
    page, meta = v3_page(req, rows)
    loc = state.default_location_id

    def doc(p: ProductRec) -> dict[str, Any]:
        return select_fields(
            product_json(state, p, include, default_location=loc), req, ("id", *include)
        )

    data: list[Any] | None = None
    if ctx.listing_cache is not None:
        shape = tuple(req.query.get(k) for k in ("include", "include_fields", "exclude_fields"))
        data = ctx.listing_cache.fragments(
            (("product", p.id, shape), partial(doc, p)) for p in page
        )
    if data is None:
        data = [doc(p) for p in page]
    return Response(200, {"data": data, "meta": meta})


def get_product(ctx: Context, req: Request) -> Response:
    product = ctx.state.products.get(req.int_param("product_id"))
    if product is None:
        raise v3_error(404, "The requested product was not found.")
    include = set(str_list(req, "include") or [])
    doc = select_fields(product_json(ctx.state, product, include), req, ("id", *include))
    return Response(200, {"data": doc, "meta": {}})


def _check_unique_sku(state: StoreState, sku: str, own: tuple[str, int]) -> None:
    lowered = sku.lower()
    for p in state.products.values():
        if p.sku.lower() == lowered and ("product", p.id) != own:
            raise f.FieldError("sku", f"SKU '{sku}' is already in use")
    for v in state.variants.values():
        # A simple product's base variant shares the product's SKU.
        if (
            v.sku.lower() == lowered
            and ("variant", v.id) != own
            and not (own[0] == "product" and v.product_id == own[1] and not v.option_values)
        ):
            raise f.FieldError("sku", f"SKU '{sku}' is already in use")


def _product_changes(
    state: StoreState, product: ProductRec, item: dict[str, Any]
) -> dict[str, Any]:
    """Validated new values for one batch item (nothing is applied on error)."""
    out: dict[str, Any] = {}
    for key in ("price", "cost_price", "weight"):
        if key in item:
            out[key] = f.number(item, key)
    for key in ("sale_price", "retail_price"):
        if key in item:
            f.number(item, key)  # accepted, not kept: the demo has no sale prices
    if "name" in item:
        out["name"] = f.text(item, "name", min_length=1, max_length=250)
        if any(p.name == out["name"] and p.id != product.id for p in state.products.values()):
            raise f.FieldError("name", f"The product name '{out['name']}' is already in use")
    if "sku" in item:
        out["sku"] = f.text(item, "sku", max_length=255)
        _check_unique_sku(state, out["sku"], ("product", product.id))
    if "inventory_tracking" in item:
        out["inventory_tracking"] = f.choice(
            item, "inventory_tracking", ("none", "product", "variant")
        )
    if "availability" in item:
        out["availability"] = f.choice(item, "availability", ("available", "disabled", "preorder"))
    for key, limit in (("availability_description", 255), ("preorder_message", 255), ("mpn", 255)):
        if key in item:
            out[key] = f.text(item, key, max_length=limit)
    for key in ("upc", "gtin"):
        if key in item:
            out[key] = f.text(item, key, max_length=14)
    for key in ("is_preorder_only", "is_visible"):
        if key in item:
            out[key] = f.boolean(item, key)
    if "preorder_release_date" in item:
        out["preorder_release_date"] = f.date_time(item, "preorder_release_date")
    if "inventory_warning_level" in item:
        out["inventory_warning_level"] = f.integer(item, "inventory_warning_level")
    if "inventory_level" in item:
        level = f.integer(item, "inventory_level")
        tracking = out.get("inventory_tracking", product.inventory_tracking)
        if tracking != "product" or not product.variant_ids:
            raise f.FieldError("inventory_level", "can only be set on products tracked by product")
        out["inventory_level"] = level
    return out


def ensure_inventory(state: StoreState, product: ProductRec) -> None:
    """Tracking switched on: every variant gets an inventory item at every location."""
    for vid in product.variant_ids:
        for loc in state.locations:
            state.inventory.setdefault((vid, loc), InventoryRec(variant_id=vid, location_id=loc))


def _apply_product(ctx: Context, product: ProductRec, changes: dict[str, Any]) -> bool:
    """Apply validated changes; True when stock records changed too."""
    state = ctx.state
    stock_changed = "inventory_level" in changes or "inventory_tracking" in changes
    level = changes.pop("inventory_level", None)
    for key, value in changes.items():
        setattr(product, key, value)
        if key == "sku" and product.base_variant_id is not None:
            state.variants[product.base_variant_id].sku = value
    if product.inventory_tracking != "none":
        ensure_inventory(state, product)
    if level is not None and product.variant_ids:
        stock = state.stock_variant(product.variant_ids[0])
        state.inventory[(stock, state.default_location_id)].on_hand = level
    product.date_modified = ctx.now()
    return stock_changed


def update_products(ctx: Context, req: Request) -> Response:
    body = req.json()
    if not isinstance(body, list) or not body:
        raise v3_error(422, "The request body must be a non-empty array of products.")
    if len(body) > PRODUCT_BATCH_MAX:
        raise v3_error(413, PRODUCT_413)
    state = ctx.state
    done: list[ProductRec] = []
    errors: dict[str, str] = {}
    stock_changed = False
    for index, item in enumerate(body):
        pid = item.get("id") if isinstance(item, dict) else None
        label = str(pid) if f.is_int(pid) else f"[{index}]"
        if not isinstance(item, dict) or not f.is_int(pid):
            errors[label] = "Each product needs an integer 'id'."
            continue
        product = state.products.get(pid)
        if product is None:
            errors[label] = f"Product {pid} was not found."
            continue
        try:
            changes = _product_changes(state, product, item)
        except f.FieldError as exc:
            errors[label] = f"{exc.field}: {exc.message}"
            continue
        stock_changed = _apply_product(ctx, product, changes) or stock_changed
        done.append(product)
    data = [select_fields(product_json(state, p, set()), req) for p in done]
    # Save only what changed: the catalog section of a large store takes a while to write.
    dirty = (
        frozenset({"catalog", "inventory"} if stock_changed else {"catalog"})
        if done
        else frozenset()
    )
    if not errors:
        return Response(200, {"data": data, "meta": {}}, dirty=dirty)
    if not done:
        raise v3_error(422, "No product in the batch could be updated.", errors)
    # Partial failure: 207 with the updated products and what failed (spec README).
    detail = {
        "status": 422,
        "title": "Some products could not be updated.",
        "type": "",
        "errors": errors,
    }
    return Response(207, {"data": data, "errors": detail, "meta": {}}, dirty=dirty)


def list_variants(ctx: Context, req: Request) -> Response:
    state = ctx.state
    ids = set(int_list(req, "id:in") or [])
    one = int_arg(req, "id")
    product_ids = set(int_list(req, "product_id:in") or [])
    sku = req.query.get("sku", "").lower()
    skus = {s.lower() for s in str_list(req, "sku:in") or []}
    upc = req.query.get("upc")
    fixed = req.params.get("product_id")
    if fixed is not None and int(fixed) not in state.products:
        raise v3_error(404, "The requested product was not found.")
    rows: list[VariantRec] = []
    for v in state.variants.values():
        if fixed is not None and v.product_id != int(fixed):
            continue
        if (one is not None and v.id != one) or (ids and v.id not in ids):
            continue
        if product_ids and v.product_id not in product_ids:
            continue
        if (sku and v.sku.lower() != sku) or (skus and v.sku.lower() not in skus):
            continue
        if upc is not None and v.upc != upc:
            continue
        rows.append(v)
    page, meta = v3_page(req, rows)
    data = [select_fields(variant_json(state, v), req) for v in page]
    return Response(200, {"data": data, "meta": meta})


def _variant_changes(
    state: StoreState, variant: VariantRec, item: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "product_id" in item and item["product_id"] != variant.product_id:
        raise f.FieldError(
            "product_id", f"variant {variant.id} belongs to product {variant.product_id}"
        )
    for key in ("price", "sale_price", "cost_price", "weight"):
        if key in item:
            out[key] = f.number(item, key, nullable=True)
    if "retail_price" in item:
        f.number(item, "retail_price", nullable=True)
    if "purchasing_disabled" in item:
        out["purchasing_disabled"] = f.boolean(item, "purchasing_disabled")
    for key, limit in (
        ("purchasing_disabled_message", 255),
        ("bin_picking_number", 255),
        ("mpn", 255),
    ):
        if key in item:
            out[key] = f.text(item, key, max_length=limit)
    for key in ("upc", "gtin"):
        if key in item:
            out[key] = f.text(item, key, max_length=14)
    if "sku" in item:
        out["sku"] = f.text(item, "sku", min_length=1, max_length=255)
        _check_unique_sku(state, out["sku"], ("variant", variant.id))
    if "inventory_warning_level" in item:
        out["inventory_warning_level"] = f.integer(item, "inventory_warning_level", nullable=False)
    if "inventory_level" in item:
        level = f.integer(item, "inventory_level")
        if state.products[variant.product_id].inventory_tracking != "variant":
            raise f.FieldError("inventory_level", "can only be set on products tracked by variant")
        out["inventory_level"] = level
    return out


def update_variants(ctx: Context, req: Request) -> Response:
    body = req.json()
    if not isinstance(body, list) or not body:
        raise v3_error(422, "The request body must be a non-empty array of variants.")
    if len(body) > VARIANT_BATCH_MAX:
        raise v3_error(413, VARIANT_413)
    state = ctx.state
    planned: list[tuple[VariantRec, dict[str, Any]]] = []
    batch_errors: list[dict[str, Any]] = []
    for index, item in enumerate(body):
        vid = item.get("id") if isinstance(item, dict) else None
        try:
            if not isinstance(item, dict) or not f.is_int(vid):
                raise f.FieldError("id", "is required to update a variant")
            variant = state.variants.get(vid)
            if variant is None:
                raise f.FieldError("id", f"variant {vid} was not found")
            planned.append((variant, _variant_changes(state, variant, item)))
        except f.FieldError as exc:
            ref = vid if f.is_int(vid) else index
            said = exc.message if exc.field == "id" else f"{exc.field} {exc.message}"
            field = "variant" if exc.field == "id" else exc.field
            batch_errors.append(
                {
                    "status": 422,
                    "title": f"Variant {ref}: {said}",
                    "type": "",
                    "errors": {field: exc.message, "id": ref},
                }
            )
    if batch_errors:
        # The demo store applies none of the batch when any item is invalid.
        return Response(422, {"batch_errors": batch_errors})
    now = ctx.now()
    for variant, changes in planned:
        level = changes.pop("inventory_level", None)
        for key, value in changes.items():
            setattr(variant, key, value)
        if level is not None:
            state.inventory[(variant.id, state.default_location_id)].on_hand = level
        state.products[variant.product_id].date_modified = now
    data = [variant_json(state, v) for v, _ in planned]
    stock = any("inventory_level" in item for item in body if isinstance(item, dict))
    return Response(
        200,
        {"data": data, "meta": {}},
        dirty=frozenset({"catalog", "inventory"} if stock else {"catalog"}),
    )


def register(router: Router) -> None:
    router.add("GET", "/v3/catalog/products", list_products)
    router.add("PUT", "/v3/catalog/products", update_products)
    router.add("GET", "/v3/catalog/products/{product_id}", get_product)
    router.add("GET", "/v3/catalog/products/{product_id}/variants", list_variants)
    router.add("GET", "/v3/catalog/variants", list_variants)
    router.add("PUT", "/v3/catalog/variants", update_variants)


__all__ = ["register", "ensure_inventory", "product_inventory_level"]
