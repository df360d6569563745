"""Seeded generation of customers and orders, with backordered lines consistent with stock."""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from datetime import datetime, timedelta

from . import wordlists as words
from .records import (
    UNLIMITED_BACKORDER_LIMIT,
    AddressRec,
    CustomerRec,
    LineRec,
    OrderRec,
    ShipmentItemRec,
    ShipmentRec,
    StoreState,
)

FIRST_ORDER_ID = 100
TAX_RATE = 0.1
SHIPPED_STATUSES = (2, 10, 4, 14)  # everything shipped (refunds come after shipping)
OPEN = (11, 9, 3, 7)
# Status weights by order age: recent orders are mostly open, old ones mostly done.
_RECENT = {11: 36, 7: 18, 9: 12, 3: 8, 1: 6, 0: 5, 12: 6, 5: 5, 6: 4}
_MIDDLE = {11: 20, 9: 12, 3: 14, 7: 8, 2: 14, 10: 12, 5: 5, 12: 3, 13: 2, 14: 3, 8: 3, 4: 3, 6: 3}
_OLD = {10: 30, 2: 20, 11: 9, 9: 6, 3: 9, 7: 4, 4: 5, 5: 6, 14: 5, 13: 2, 8: 2, 1: 2, 6: 2}


def _ascii(text: str) -> str:
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in flat.lower() if ch.isalnum())


def generate_customers(state: StoreState, rng: random.Random, count: int) -> None:
    for cid in range(1, count + 1):
        first = rng.choice(words.FIRST_NAMES)
        last = rng.choice(words.LAST_NAMES)
        city, region, zip_code = rng.choice(words.CITIES)
        state.customers[cid] = CustomerRec(
            id=cid,
            first_name=first,
            last_name=last,
            email=f"{_ascii(first)}.{_ascii(last)}{cid}@example.com",
            company=rng.choice(words.COMPANIES),
            phone=f"+1 555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
            street_1=f"{rng.randint(1, 999)} {rng.choice(words.STREETS)}",
            city=city,
            state=region,
            zip=zip_code,
        )
    state.next_ids["customer"] = count + 1


def address_for(customer: CustomerRec, address_id: int) -> AddressRec:
    return AddressRec(
        id=address_id,
        first_name=customer.first_name,
        last_name=customer.last_name,
        email=customer.email,
        company=customer.company,
        street_1=customer.street_1,
        city=customer.city,
        state=customer.state,
        zip=customer.zip,
        country=customer.country,
        country_iso2=customer.country_iso2,
        phone=customer.phone,
    )


def _pick_status(rng: random.Random, age_days: float) -> int:
    table = _RECENT if age_days < 3 else _MIDDLE if age_days < 14 else _OLD
    return rng.choices(list(table), weights=list(table.values()))[0]


def generate_orders(state: StoreState, rng: random.Random, count: int) -> None:
    now = state.created_at
    sellable = [p for p in state.products.values() if p.availability != "disabled"]
    regular = [v for p in sellable if p.availability == "available" for v in p.variant_ids]
    preorder = [v for p in sellable if p.availability == "preorder" for v in p.variant_ids]
    tracked_regular = [v for v in regular if state.tracked(v)]
    short_count = min(len(tracked_regular), max(12, count // 12))
    short = rng.sample(tracked_regular, short_count)
    short_set = set(short)
    dates = sorted(now - timedelta(seconds=rng.randint(600, 60 * 86_400)) for _ in range(count))
    for index, created in enumerate(dates):
        oid = FIRST_ORDER_ID + index
        if rng.random() < 0.02:
            # Imported orders (M-MIG) carry dates earlier than their id suggests.
            created = max(created - timedelta(days=rng.randint(1, 10)), now - timedelta(days=60))
        age = (now - created).total_seconds() / 86_400
        status = _pick_status(rng, age)
        customer = state.customers[rng.randint(1, len(state.customers))]
        addr_id = state.new_id("address")
        order = OrderRec(
            id=oid,
            customer_id=customer.id,
            status_id=status,
            date_created=created.replace(microsecond=0),
            date_modified=created.replace(microsecond=0),
            billing_address=address_for(customer, 0),
            shipping_address=address_for(customer, addr_id),
            external_source="M-MIG" if created < dates[index] else None,
            shipping_cost_ex_tax=rng.choice((0.0, 5.99, 9.99)),
            customer_message=rng.choice(
                ("", "", "Please gift wrap — merci!", "Leave at the <back> door")
            ),
        )
        chosen: set[int] = set()
        for _ in range(rng.choices((1, 2, 3, 4), weights=(50, 30, 15, 5))[0]):
            roll = rng.random()
            if status in OPEN and roll < 0.35:
                vid = rng.choice(short)
            elif status in OPEN and roll < 0.41 and preorder:
                vid = rng.choice(preorder)
            elif roll < 0.08:
                vid = rng.choice(short)
            else:
                vid = rng.choice(regular)
            if vid in chosen:
                continue
            chosen.add(vid)
            order.lines.append(_line(state, rng, order, vid))
        state.orders[oid] = order
    state.next_ids["order"] = FIRST_ORDER_ID + count
    _ensure_every_status(state, rng)
    _settle(state, rng, short_set)
    _finish_stock(state, rng, short)


def _line(state: StoreState, rng: random.Random, order: OrderRec, vid: int) -> LineRec:
    variant = state.variants[vid]
    product = state.products[variant.product_id]
    price = variant.price if variant.price is not None else product.price
    return LineRec(
        id=state.new_id("line"),
        order_id=order.id,
        product_id=product.id,
        variant_id=vid,
        sku=variant.sku,
        name=product.name,
        quantity=rng.choices((1, 2, 3, 5), weights=(60, 25, 10, 5))[0],
        price_ex_tax=price,
        price_inc_tax=round(price * (1 + TAX_RATE), 2),
        order_address_id=order.shipping_address.id,
        upc=variant.upc,
        weight=variant.weight if variant.weight is not None else product.weight,
        options=[(o.option_display_name, o.label) for o in variant.option_values],
    )


def _ensure_every_status(state: StoreState, rng: random.Random) -> None:
    present = {o.status_id for o in state.orders.values()}
    spare = [o for o in state.orders.values() if o.status_id in (10, 2, 11)]
    rng.shuffle(spare)
    for status in range(15):
        if status not in present and spare:
            spare.pop().status_id = status


def _settle(state: StoreState, rng: random.Random, short: set[int]) -> None:
    """Backorder fields, shipments and dates, in a way a real store would have recorded them."""
    native_since = state.native_backorders_since
    for order in state.orders.values():
        native = order.date_created >= native_since
        for line in order.lines:
            product = state.products[line.product_id]
            if line.variant_id not in short or not native or product.availability != "available":
                continue
            if order.status_id in OPEN:
                partial = line.quantity > 1 and rng.random() < 0.3
                line.quantity_backordered = line.quantity - 1 if partial else line.quantity
            elif order.status_id in (2, 10):
                line.quantity_backordered = line.quantity  # fulfilled since, kept on the line
        if order.has_backordered_units:
            # Keep pre-order lines off orders with backordered units: on such orders every line
            # carries the field, and a pre-order line with 0 would read as "not waiting".
            order.lines = [
                ln for ln in order.lines if state.products[ln.product_id].availability != "preorder"
            ]
            for line in order.lines:
                if line.quantity_backordered is None:
                    line.quantity_backordered = 0
        _ship(state, rng, order, short)
        last = order.date_shipped or order.date_created
        extra = timedelta(seconds=rng.randint(0, 3 * 86_400))
        order.date_modified = min(last + extra, state.created_at).replace(microsecond=0)


def _waiting_without_field(state: StoreState, line: LineRec, short: set[int]) -> bool:
    product = state.products[line.product_id]
    return line.quantity_backordered is None and (
        line.variant_id in short or product.availability == "preorder"
    )


def _ship(state: StoreState, rng: random.Random, order: OrderRec, short: set[int]) -> None:
    if order.status_id in SHIPPED_STATUSES:
        for line in order.lines:
            line.quantity_shipped = line.quantity
    elif order.status_id == 3:
        for line in order.lines:
            if not _waiting_without_field(state, line, short):
                line.quantity_shipped = line.quantity - (line.quantity_backordered or 0)
        if all(line.quantity_shipped == line.quantity for line in order.lines):
            if len(order.lines) > 1:
                order.lines[-1].quantity_shipped = 0
            else:
                order.lines[0].quantity_shipped = 0
        if not any(line.quantity_shipped for line in order.lines):
            order.status_id = 11  # nothing could ship: it is still awaiting fulfillment
    shipped = [line for line in order.lines if line.quantity_shipped]
    if not shipped:
        return
    when = min(order.date_created + timedelta(hours=rng.randint(4, 96)), state.created_at)
    order.shipments.append(
        ShipmentRec(
            id=state.new_id("shipment"),
            order_id=order.id,
            order_address_id=order.shipping_address.id,
            date_created=when.replace(microsecond=0),
            tracking_number=f"1Z{rng.randint(10**9, 10**10 - 1)}",
            shipping_provider="ups",
            shipping_method="Ground",
            items=[ShipmentItemRec(ln.id, ln.product_id, ln.quantity_shipped) for ln in shipped],
        )
    )
    if all(line.quantity_shipped == line.quantity for line in order.lines):
        order.date_shipped = when.replace(microsecond=0)


def _finish_stock(state: StoreState, rng: random.Random, short: list[int]) -> None:
    """Set on-hand, qty_backordered and limits so they agree with the open orders."""
    default_id = state.default_location_id
    backordered: dict[int, int] = defaultdict(int)
    demand_without_field: dict[int, int] = defaultdict(int)
    for order in state.open_orders():
        for line in order.lines:
            if line.quantity_backordered is not None:
                backordered[line.variant_id] += line.quantity_backordered
            elif state.tracked(line.variant_id):
                demand_without_field[line.variant_id] += line.quantity - line.quantity_shipped
    short_set = set(short)
    for (vid, loc_id), rec in state.inventory.items():
        product = state.products[state.variants[vid].product_id]
        if product.availability == "preorder":
            rec.on_hand = 0
            continue
        if vid in short_set:
            rec.on_hand = 0
            if loc_id == default_id and not backordered[vid] and demand_without_field[vid]:
                # Older orders without the field: stock short of what they still need.
                rec.on_hand = rng.randint(0, demand_without_field[vid] - 1)
            continue
        if loc_id == default_id and demand_without_field[vid]:
            # Regular items cover their older open orders, so nothing else appears to wait.
            rec.on_hand = max(rec.on_hand, demand_without_field[vid] + rng.randint(1, 10))
    for vid in short:
        rec = state.inventory[(vid, default_id)]
        rec.qty_backordered = backordered[vid]
        if backordered[vid] or rng.random() < 0.7:
            rec.backorder_limit = rng.choice(
                (UNLIMITED_BACKORDER_LIMIT, backordered[vid] + 5, backordered[vid] + 20, 50)
            )
            rec.backorder_limit = max(rec.backorder_limit, backordered[vid])
            rec.backorder_message_id = rng.choice((None, None, 2))
    for vid in rng.sample(list(state.variants), k=max(1, len(state.variants) // 25)):
        rec2 = state.inventory.get((vid, default_id))
        preorder = state.products[state.variants[vid].product_id].availability == "preorder"
        if (
            rec2 is not None
            and rec2.backorder_limit is None
            and vid not in short_set
            and not preorder
        ):
            rec2.backorder_limit = rng.choice((10, 25, UNLIMITED_BACKORDER_LIMIT))


def order_date_bounds(state: StoreState) -> tuple[datetime, datetime]:
    dates = [o.date_created for o in state.orders.values()]
    return min(dates), max(dates)
