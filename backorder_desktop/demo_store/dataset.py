"""Builds a fresh, seeded `StoreState`: locations, catalog, stock, orders, metafields, settings."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from . import wordlists as words
from .gen_catalog import generate_catalog
from .gen_orders import generate_customers, generate_orders
from .gen_shipments import generate_shipments
from .records import (
    APP_NAMESPACE,
    DEFAULT_LOCATION_ID,
    SUPPLIER_KEY_PREFIX,
    BackorderMessageRec,
    LocationRec,
    MetafieldRec,
    StoreState,
)

DEFAULT_PRODUCTS = 300
DEFAULT_ORDERS = 400
# The store switched native backorders on this long before the state was created: older open
# orders have no `quantity_backordered` on their lines.
NATIVE_BACKORDERS_AGE = timedelta(days=21)
DEMO_CLIENT_ID = "demo-store-client"

DEFAULT_INVENTORY_SETTINGS: dict[str, object] = {
    "product_out_of_stock_behavior": "do_nothing",
    "option_out_of_stock_behavior": "label_option",
    "update_stock_behavior": "order_placed",
    "edit_order_stock_adjustment": True,
    "refund_order_stock_adjustment": True,
    "stock_level_display": "show_when_low",
    "default_out_of_stock_message": "Currently out of stock",
    "hide_in_product_filtering": False,
    "show_pre_order_stock_levels": False,
    "show_out_of_stock_message": True,
    # Native backorder switches (spec README; settings.v3.backorders-pr1089.yml).
    "show_backorder_message": True,
    "show_quantity_on_backorder": False,
    "show_quantity_on_hand": True,
    "show_backorder_availability_prompt": True,
    "backorder_availability_prompt": "On backorder: we ship as soon as it arrives.",
}
# Fields that exist only when the store has native backorders.
BACKORDER_SETTING_KEYS = frozenset(
    {
        "show_backorder_message",
        "show_quantity_on_backorder",
        "show_quantity_on_hand",
        "show_backorder_availability_prompt",
        "backorder_availability_prompt",
    }
)


def generate_state(
    *,
    seed: int,
    products: int | None,
    orders: int | None,
    store_hash: str,
    now: datetime | None = None,
) -> StoreState:
    created = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    state = StoreState(
        store_hash=store_hash,
        created_at=created,
        native_backorders_since=created - NATIVE_BACKORDERS_AGE,
        seed=seed,
        inventory_settings=dict(DEFAULT_INVENTORY_SETTINGS),
    )
    rng = random.Random(seed)
    _locations(state)
    _backorder_messages(state)
    product_count = DEFAULT_PRODUCTS if products is None else max(1, products)
    order_count = DEFAULT_ORDERS if orders is None else max(0, orders)
    generate_catalog(state, rng, product_count)
    generate_customers(state, rng, max(40, order_count // 3))
    if order_count:
        generate_orders(state, rng, order_count)
    else:
        state.next_ids["order"] = 100
    _metafields(state, rng)
    generate_shipments(state, seed)
    _track_by_product(state)
    _digital_products(state)
    return state


DIGITAL_PRODUCTS = 2


def _digital_products(state: StoreState) -> None:
    """A couple of untracked products sold in open orders become downloads: their lines come in
    a digital consignment (orders.v2.oas2.yml, digitalConsignment_Get)."""
    sold = {line.product_id for order in state.open_orders() for line in order.lines}
    chosen = [
        p for p in state.products.values() if p.inventory_tracking == "none" and p.id in sold
    ][:DIGITAL_PRODUCTS]
    for product in chosen:
        product.type = "digital"


# Products with options whose stock is tracked by product: they take stock writes by
# product_id only (inventory.v3.yml, the 422 "tracked by product" example).
PRODUCT_TRACKED_WITH_OPTIONS = 3


def _track_by_product(state: StoreState) -> None:
    """Turn a few products with options and no orders into products tracked by product: their
    variants' stock becomes one stock per location (records.StoreState.stock_variant)."""
    ordered = {line.product_id for order in state.orders.values() for line in order.lines}
    chosen = [
        p
        for p in state.products.values()
        if p.inventory_tracking == "variant"
        and p.base_variant_id is None
        and p.availability == "available"
        and p.id not in ordered
    ][:PRODUCT_TRACKED_WITH_OPTIONS]
    for product in chosen:
        product.inventory_tracking = "product"
        first = product.variant_ids[0]
        for loc in state.locations:
            pool = state.inventory[(first, loc)]
            for vid in product.variant_ids[1:]:
                rec = state.inventory[(vid, loc)]
                pool.on_hand += rec.on_hand
                rec.on_hand = 0


def _locations(state: StoreState) -> None:
    when = state.created_at - timedelta(days=800)
    state.locations[DEFAULT_LOCATION_ID] = LocationRec(
        DEFAULT_LOCATION_ID,
        "WH-MAIN",
        "Main warehouse",
        "Ships every web order",
        True,
        True,
        when,
        when,
    )
    state.locations[2] = LocationRec(
        2, "SHOP-1", "Downtown shop", "Walk-in shop on Königsallee", False, True, when, when
    )
    state.next_ids["location"] = 3


def _backorder_messages(state: StoreState) -> None:
    when = state.created_at - timedelta(days=30)
    state.backorder_messages[1] = BackorderMessageRec(
        1, "Default", "On backorder: ships as soon as it arrives.", True, when, when
    )
    state.backorder_messages[2] = BackorderMessageRec(
        2, "Made to order", "Made to order — ships in 2–3 weeks.", False, when, when
    )


def new_metafield(
    state: StoreState,
    resource_type: str,
    resource_id: int,
    namespace: str,
    key: str,
    value: str,
    when: datetime,
    permission_set: str = "app_only",
    description: str = "",
) -> MetafieldRec:
    rec = MetafieldRec(
        id=state.new_id("metafield"),
        resource_type=resource_type,
        resource_id=resource_id,
        namespace=namespace,
        key=key,
        value=value,
        permission_set=permission_set,
        date_created=when,
        date_modified=when,
        description=description,
        owner_client_id=DEMO_CLIENT_ID,
    )
    state.metafields[rec.id] = rec
    return rec


def _metafields(state: StoreState, rng: random.Random) -> None:
    now = state.created_at

    def recently() -> datetime:
        return now - timedelta(seconds=rng.randint(3_600, 6 * 86_400))

    # Manual ETAs on backordered variants (about a third of the variants with a limit).
    with_limit = sorted(vid for (vid, _), rec in state.inventory.items() if rec.qty_backordered > 0)
    for vid in with_limit[::3]:
        eta = (now + timedelta(days=rng.randint(5, 45))).date().isoformat()
        new_metafield(state, "variant", vid, APP_NAMESPACE, "eta", eta, recently())
    for sid, name, email, lead in words.SUPPLIERS:
        doc = {"id": sid, "name": name, "email": email, "lead_time_days": lead}
        new_metafield(
            state,
            "store",
            0,
            APP_NAMESPACE,
            SUPPLIER_KEY_PREFIX + sid,
            json.dumps(doc, ensure_ascii=False),
            recently(),
        )
    # Metafields of other apps, so namespace filters matter.
    new_metafield(
        state, "store", 0, "store_info", "opening_hours", "Mo–Fr 9–17", recently(), "read"
    )
    for pid in list(state.products)[::10]:
        shelf = f"{rng.choice('ABCDEF')}{rng.randint(1, 30)}"
        new_metafield(
            state, "product", pid, "Warehouse Locations", "shelf", shelf, recently(), "read"
        )
    for oid in list(state.orders)[::30]:
        new_metafield(
            state, "order", oid, "gift", "message", "Joyeux anniversaire ♥", recently(), "write"
        )
