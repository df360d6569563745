"""Seeded generation of the catalog: products, options, variants and their starting stock."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from . import wordlists as words
from .records import (
    InventoryRec,
    OptionRec,
    OptionValueRec,
    ProductRec,
    StoreState,
    VariantOptionRec,
    VariantRec,
)

FIRST_PRODUCT_ID = 101
FIRST_VARIANT_ID = 100_001
PREORDER_MESSAGE = "Pre-order now: ships from %%DATE%%"


def _check_digit(digits: str) -> str:
    # GS1 check digit (UPC-A / EAN-13): weights 3,1 from the right.
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _upc(rng: random.Random) -> str:
    body = "0" + "".join(rng.choice("0123456789") for _ in range(10))
    return body + _check_digit(body)


def _gtin(rng: random.Random) -> str:
    body = "40" + "".join(rng.choice("0123456789") for _ in range(10))
    return body + _check_digit(body)


def _abbr(label: str) -> str:
    return "".join(ch for ch in label.upper() if ch.isascii() and ch.isalnum())[:3] or "X"


def _option_axes(rng: random.Random, scheme: str) -> list[tuple[str, list[str]]]:
    if scheme == "size":
        start = rng.randint(0, 2)
        return [("Size", list(words.SIZES[start : start + rng.randint(3, 5)]))]
    if scheme == "shoe":
        start = rng.randint(0, 3)
        return [("Size", list(words.SHOE_SIZES[start : start + rng.randint(3, 5)]))]
    if scheme == "colour":
        return [("Colour", rng.sample(words.COLOURS, rng.randint(2, 5)))]
    if scheme == "size_colour":
        start = rng.randint(0, 2)
        sizes = list(words.SIZES[start : start + rng.randint(2, 4)])
        return [("Size", sizes), ("Colour", rng.sample(words.COLOURS, rng.randint(2, 3)))]
    return []


def _product_name(rng: random.Random, index: int, noun: str, used: set[str]) -> str:
    if index < len(words.SPECIAL_NAMES):
        name = words.SPECIAL_NAMES[index]
    else:
        name = f"{rng.choice(words.ADJECTIVES)} {rng.choice(words.MATERIALS)} {noun}"
    base, n = name, 2
    while name in used:  # BigCommerce product names are unique per store
        name = f"{base} #{n}"
        n += 1
    used.add(name)
    return name


def generate_catalog(state: StoreState, rng: random.Random, count: int) -> None:
    """Fill products, variants and inventory (stock before orders are placed)."""
    now = state.created_at
    used_names: set[str] = set()
    option_id = 1
    value_id = 1
    sku_id = 1
    variant_id = FIRST_VARIANT_ID
    for index in range(count):
        pid = FIRST_PRODUCT_ID + index
        prefix, noun, scheme = words.PRODUCT_KINDS[index % len(words.PRODUCT_KINDS)]
        # Mix schemes so the variant count stays ~4 per product whatever the kind list says.
        roll = rng.random()
        if roll < 0.22:
            scheme = "none"
        elif scheme == "none" or roll < 0.5:
            scheme = rng.choice(("size", "shoe", "colour", "size_colour", "size_colour"))
        axes = _option_axes(rng, scheme)
        if axes:
            tracking = "variant" if rng.random() < 0.9 else "none"
        else:
            tracking = "product" if rng.random() < 0.85 else "none"
        availability = "available"
        if tracking != "none" and rng.random() < 0.05:
            availability = "preorder"
        elif rng.random() < 0.02:
            availability = "disabled"
        created = now - timedelta(days=rng.randint(60, 700), seconds=rng.randint(0, 86_399))
        modified = created + (now - timedelta(days=1) - created) * rng.random()
        price = round(rng.uniform(4.5, 249.99), 2)
        product = ProductRec(
            id=pid,
            name=_product_name(rng, index, noun, used_names),
            sku=f"{prefix}-{pid:05d}",
            price=price,
            cost_price=round(price * rng.uniform(0.35, 0.6), 2),
            weight=round(rng.uniform(0.1, 4.0), 2),
            inventory_tracking=tracking,
            availability=availability,
            date_created=created.replace(microsecond=0),
            date_modified=modified.replace(microsecond=0),
            availability_description=rng.choice(("", "Usually ships in 24 hours.")),
            inventory_warning_level=rng.choice((0, 3, 5)),
            upc=_upc(rng),
            gtin=_gtin(rng) if rng.random() < 0.6 else "",
            mpn=f"MPN-{pid}",
            brand_id=rng.randint(1, 12),
            categories=[rng.randint(18, 40)],
            description=f"<p>{noun} from our {rng.choice(words.MATERIALS).lower()} range.</p>",
        )
        if availability == "preorder":
            release = now + timedelta(days=rng.randint(10, 75))
            product.preorder_release_date = release.replace(hour=0, minute=0, second=0)
            product.preorder_message = PREORDER_MESSAGE
            product.availability_description = "Ships from %%DATE%%"
        for display_name, labels in axes:
            opt = OptionRec(id=option_id, display_name=display_name)
            option_id += 1
            for label in labels:
                opt.values.append(OptionValueRec(id=value_id, label=label))
                value_id += 1
            product.options.append(opt)
        combos: list[list[VariantOptionRec]] = [[]]
        for opt in product.options:
            combos = [
                c + [VariantOptionRec(opt.id, v.id, opt.display_name, v.label)]
                for c in combos
                for v in opt.values
            ]
        for combo in combos:
            sku = product.sku + "".join("-" + _abbr(o.label) for o in combo)
            variant = VariantRec(
                id=variant_id,
                product_id=pid,
                sku=sku,
                price=None
                if (not combo or rng.random() < 0.7)
                else round(price + rng.randint(1, 10), 2),
                upc=_upc(rng) if combo else product.upc,
                gtin=(_gtin(rng) if rng.random() < 0.5 else "") if combo else product.gtin,
                mpn=f"MPN-{pid}-{variant_id}" if combo else product.mpn,
                sku_id=None,
                inventory_warning_level=product.inventory_warning_level,
                bin_picking_number=f"{rng.choice('ABCDEF')}-{rng.randint(1, 40):02d}-{rng.randint(1, 6)}",
                option_values=combo,
            )
            if combo:
                variant.sku_id = sku_id
                sku_id += 1
            state.variants[variant_id] = variant
            product.variant_ids.append(variant_id)
            variant_id += 1
        if not combos[0]:
            product.base_variant_id = product.variant_ids[0]
        state.products[pid] = product
        if tracking != "none":
            _initial_stock(state, rng, product)
    state.next_ids.update(
        product=FIRST_PRODUCT_ID + count,
        variant=variant_id,
        option=option_id,
        option_value=value_id,
        sku_id=sku_id,
    )


def _initial_stock(state: StoreState, rng: random.Random, product: ProductRec) -> None:
    default_id = state.default_location_id
    for vid in product.variant_ids:
        for loc_id in state.locations:
            if product.availability == "preorder":
                qty = 0
            elif loc_id == default_id:
                roll = rng.random()
                qty = (
                    0
                    if roll < 0.08
                    else rng.randint(1, 5)
                    if roll < 0.28
                    else rng.randint(6, 40)
                    if roll < 0.8
                    else rng.randint(41, 200)
                )
            else:
                qty = rng.randint(0, 15) if rng.random() < 0.5 else 0
            state.inventory[(vid, loc_id)] = InventoryRec(
                variant_id=vid,
                location_id=loc_id,
                on_hand=qty,
                warning_level=state.variants[vid].inventory_warning_level,
                bin_picking_number=state.variants[vid].bin_picking_number,
            )


def release_date_text(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""
