"""V3 catalog JSON: products and variants as products_catalog.v3.yml / product-variants describe."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .dates import iso
from .records import ProductRec, StoreState, VariantRec


def _slug(name: str) -> str:
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "/" + (re.sub(r"[^a-z0-9]+", "-", flat).strip("-") or "product") + "/"


def product_inventory_level(
    state: StoreState, product: ProductRec, default_location: int | None = None
) -> int:
    # The Catalog API reports stock at the default location only (products_catalog.v3.yml).
    if product.inventory_tracking == "none":
        return 0
    loc = state.default_location_id if default_location is None else default_location
    return sum(state.on_hand(vid, loc) for vid in product.variant_ids)


def variant_json(
    state: StoreState,
    variant: VariantRec,
    *,
    product: ProductRec | None = None,
    default_location: int | None = None,
) -> dict[str, Any]:
    """`product` and `default_location` save a listing looking them up once per variant."""
    if product is None:
        product = state.products[variant.product_id]
    if default_location is None:
        default_location = state.default_location_id
    tracked = product.inventory_tracking != "none"
    price = variant.price if variant.price is not None else product.price
    weight = variant.weight if variant.weight is not None else product.weight
    doc: dict[str, Any] = {
        "id": variant.id,
        "product_id": variant.product_id,
        "sku": variant.sku,
        "price": variant.price,
        "calculated_price": variant.sale_price if variant.sale_price is not None else price,
        "sale_price": variant.sale_price,
        "retail_price": None,
        "cost_price": variant.cost_price,
        "weight": variant.weight,
        "calculated_weight": weight,
        "width": None,
        "height": None,
        "depth": None,
        "is_free_shipping": False,
        "fixed_cost_shipping_price": None,
        "purchasing_disabled": variant.purchasing_disabled,
        "purchasing_disabled_message": variant.purchasing_disabled_message,
        "image_url": "",
        "upc": variant.upc,
        "gtin": variant.gtin,
        "mpn": variant.mpn,
        "inventory_level": state.on_hand(variant.id, default_location) if tracked else 0,
        "inventory_warning_level": variant.inventory_warning_level,
        "bin_picking_number": variant.bin_picking_number,
        "option_values": [
            {
                "id": o.value_id,
                "label": o.label,
                "option_id": o.option_id,
                "option_display_name": o.option_display_name,
            }
            for o in variant.option_values
        ],
    }
    if variant.sku_id is not None:
        # Base variants have no V2 SKU id; the schema has no null for it, so it is left out.
        doc["sku_id"] = variant.sku_id
    return doc


def _options_json(product: ProductRec) -> list[dict[str, Any]]:
    return [
        {
            "id": opt.id,
            "product_id": product.id,
            "display_name": opt.display_name,
            "type": "rectangles",
            "sort_order": n,
            "option_values": [
                {
                    "id": v.id,
                    "label": v.label,
                    "sort_order": i,
                    "value_data": None,
                    "is_default": False,
                }
                for i, v in enumerate(opt.values)
            ],
        }
        for n, opt in enumerate(product.options)
    ]


def product_json(
    state: StoreState,
    product: ProductRec,
    include: set[str],
    *,
    default_location: int | None = None,
) -> dict[str, Any]:
    if default_location is None:
        default_location = state.default_location_id
    doc: dict[str, Any] = {
        "id": product.id,
        "name": product.name,
        "type": product.type,
        "sku": product.sku,
        "description": product.description,
        "weight": product.weight,
        "width": 0,
        "depth": 0,
        "height": 0,
        "price": product.price,
        "cost_price": product.cost_price,
        "retail_price": 0,
        "sale_price": 0,
        "map_price": 0,
        "tax_class_id": 0,
        "product_tax_code": "",
        "calculated_price": product.price,
        "categories": list(product.categories),
        "brand_id": product.brand_id,
        "option_set_display": "right",
        "inventory_level": product_inventory_level(state, product, default_location),
        "inventory_warning_level": product.inventory_warning_level,
        "inventory_tracking": product.inventory_tracking,
        "reviews_rating_sum": 0,
        "reviews_count": 0,
        "total_sold": product.total_sold,
        "fixed_cost_shipping_price": 0,
        "is_free_shipping": False,
        "is_visible": product.is_visible,
        "is_featured": False,
        "related_products": [],
        "warranty": "",
        "bin_picking_number": "",
        "layout_file": "product.html",
        "upc": product.upc,
        "mpn": product.mpn,
        "gtin": product.gtin,
        "search_keywords": "",
        "availability": product.availability,
        "availability_description": product.availability_description,
        "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [],
        "sort_order": 0,
        "condition": "New",
        "is_condition_shown": False,
        "order_quantity_minimum": 0,
        "order_quantity_maximum": 0,
        "page_title": "",
        "meta_keywords": [],
        "meta_description": "",
        "view_count": 0,
        "preorder_release_date": (
            iso(product.preorder_release_date) if product.preorder_release_date else None
        ),
        "preorder_message": product.preorder_message,
        "is_preorder_only": product.is_preorder_only,
        "is_price_hidden": False,
        "price_hidden_label": "",
        "custom_url": {"url": _slug(product.name), "is_customized": False},
        "base_variant_id": product.base_variant_id,
        "open_graph_type": "product",
        "open_graph_title": "",
        "open_graph_description": "",
        "open_graph_use_meta_description": True,
        "open_graph_use_product_name": True,
        "open_graph_use_image": True,
        "date_created": iso(product.date_created),
        "date_modified": iso(product.date_modified),
    }
    if "variants" in include:
        variants = state.variants
        doc["variants"] = [
            variant_json(state, variants[v], product=product, default_location=default_location)
            for v in product.variant_ids
        ]
    if "options" in include:
        doc["options"] = _options_json(product)
    for empty in ("images", "custom_fields", "bulk_pricing_rules", "modifiers", "videos"):
        if empty in include:
            doc[empty] = []
    return doc
