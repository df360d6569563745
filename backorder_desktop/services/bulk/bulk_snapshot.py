"""What a bulk edit starts from: variant and product states read from the cache in one go."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from backorder_desktop.cache import Cache
from backorder_desktop.cache.backorder_queue import ETA_KEY
from backorder_desktop.cache.codec import date_from_text
from backorder_desktop.cache.metafields import placeholder_row
from backorder_desktop.domain.bulk import ProductState, VariantState
from backorder_desktop.domain.bulk_input import BulkInputError
from backorder_desktop.domain.models import Metafield
from backorder_desktop.services.queue import load_queue


@dataclass
class Snapshot:
    variants: dict[int, VariantState] = field(default_factory=dict)
    products: dict[int, ProductState] = field(default_factory=dict)


def store_is_native(cache: Cache) -> bool:
    """Whether the store has native backorders, as the last sync saw it.

    Inventory items of such a store carry `qty_backordered` (spec README, native backorders);
    a store without them never sends the field. An empty cache counts as native.
    """
    with cache.read() as db:
        row = db.execute("SELECT COUNT(*), COUNT(qty_backordered) FROM inventory").fetchone()
    total, with_field = int(row[0]), int(row[1])
    return total == 0 or with_field > 0


def location_id_for(cache: Cache, preferred: int | None) -> int:
    """The chosen location if the store has it, else the store's default location."""
    locations = cache.locations.all()
    if preferred is not None:
        if any(loc.id == preferred for loc in locations):
            return preferred
        if locations:
            raise BulkInputError(
                f"The store has no inventory location {preferred}; choose one of "
                + ", ".join(f"{loc.id} ({loc.label})" for loc in locations)
                + "."
            )
    default = cache.locations.default()
    return default.id if default is not None else 1


def resolve_skus(cache: Cache, skus: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Variant id per SKU (exact match first, then ignoring case) and the SKUs not found."""
    wanted = [s.strip() for s in skus if s.strip()]
    with cache.read() as db:
        rows = db.execute("SELECT sku, id FROM variants ORDER BY id").fetchall()
    exact: dict[str, int] = {}
    folded: dict[str, int] = {}
    for sku, vid in rows:
        exact.setdefault(sku, vid)
        folded.setdefault(str(sku).casefold(), vid)
    found: dict[str, int] = {}
    unknown: list[str] = []
    for sku in wanted:
        vid = exact.get(sku, folded.get(sku.casefold()))
        if vid is None:
            unknown.append(sku)
        else:
            found[sku] = vid
    return found, unknown


def eta_fields(fields: Iterable[Metafield]) -> dict[int, Metafield]:
    """The `eta` metafield per variant; a stored one wins over a placeholder (negative id)."""
    out: dict[int, Metafield] = {}
    for mf in fields:
        if mf.resource_id is None:
            continue
        known = out.get(mf.resource_id)
        if (
            known is None
            or (known.id < 0 <= mf.id)
            or ((known.id < 0) == (mf.id < 0) and mf.id > known.id)
        ):
            out[mf.resource_id] = mf
    return out


def load_snapshot(
    cache: Cache, variant_ids: Iterable[int], location_id: int, *, waiting: bool = True
) -> Snapshot:
    """States of the given variants and of every other variant of their products."""
    wanted = set(variant_ids)
    with cache.read():
        # Plain rows, not domain records: 10,000 variants must preview in well under a second.
        chosen = cache.rows_in("variants", "id", wanted)
        product_ids = {r["product_id"] for r in chosen}
        products = {p.id: p for p in cache.products.get_many(product_ids)}
        family = sorted(cache.rows_in("variants", "product_id", product_ids), key=lambda r: r["id"])
        ids = {r["id"] for r in family}
        limits = {
            r["variant_id"]: r["backorder_limit"]
            for r in cache.rows_in("inventory", "variant_id", ids)
            if r["location_id"] == location_id
        }
        waiting_rows = {
            int(r[0])
            for r in cache.db.execute(
                "SELECT id FROM outbox WHERE state IN ('pending', 'sending')"
            ).fetchall()
        }
        etas = eta_fields(
            m
            for m in cache.metafields.by_key("variant", ETA_KEY)
            if m.resource_id in ids
            # A placeholder whose create failed or was discarded is not in the store.
            and (m.id > 0 or placeholder_row(m.id) in waiting_rows)
        )
        queue = load_queue(cache) if waiting else []
    units: dict[int, int] = defaultdict(int)
    for line in queue:
        units[line.variant_id] += line.qty_waiting
    out = Snapshot()
    siblings: dict[int, list[int]] = defaultdict(list)
    for v in family:
        vid, pid = v["id"], v["product_id"]
        product = products.get(pid)
        if product is None:
            continue
        siblings[pid].append(vid)
        mf = etas.get(vid)
        options = v["option_label"]
        out.variants[vid] = VariantState(
            variant_id=vid,
            product_id=pid,
            sku=v["sku"],
            label=product.name + (f" ({options})" if options else ""),
            tracked=product.inventory_tracking != "none",
            limit=limits.get(vid),
            eta=date_from_text(mf.value) if mf is not None else None,
            eta_field_id=mf.id if mf is not None else None,
            waiting=units.get(vid, 0),
        )
    for pid, product in products.items():
        out.products[pid] = ProductState(
            product_id=pid,
            name=product.name,
            availability=product.availability,
            availability_description=product.availability_description,
            preorder_release_date=product.preorder_release_date,
            preorder_message=product.preorder_message,
            variant_ids=tuple(sorted(siblings.get(pid, []))),
        )
    return out
