"""What a pull changed, by resource and key, for the window to re-read only that."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..cache import Cache
from ..domain.changes import Changes
from ..domain.models import Metafield
from ..domain.shipments import SHIPMENT_KEY_PREFIX
from .fetch import Fetched

Owner = int | str  # a resource id; a store metafield's key


@dataclass
class Touched:
    """Keys the pull's write changed, noted while it writes (inside its transaction)."""

    stock: set[int] = field(default_factory=set)  # variants whose stock rows moved
    owners: dict[str, set[Owner]] = field(default_factory=lambda: defaultdict(set))
    parts: set[str] = field(default_factory=set)  # "products", "metafields:order", ...

    def note_merged(self, cache: Cache, resource_type: str, fields: Sequence[Metafield]) -> None:
        """Records merged since a cursor (with an overlap, so some come again unchanged): the
        owners of those new or different from the cached copy."""
        cached = {
            row["id"]: (row["resource_id"], row["key"], row["namespace"], row["value"])
            for row in cache.rows_in("metafields", "id", [f.id for f in fields])
        }
        for f in fields:
            if cached.get(f.id) != (f.resource_id, f.key, f.namespace, f.value):
                self.owners[resource_type].add(_owner(resource_type, f.key, f.resource_id))

    def note_whole(self, cache: Cache, resource_type: str, fields: Sequence[Metafield]) -> None:
        """A whole listing (before it replaces what is cached): the owners of the records that
        differ from the cached ones, added or gone."""
        with cache.read() as db:
            cursor = db.execute(
                "SELECT resource_id, key, namespace, value FROM metafields WHERE resource_type = ?",
                [resource_type],
            )
            cached = {(rid, key, ns, value) for rid, key, ns, value in cursor.fetchall()}
        listed = {(f.resource_id, f.key, f.namespace, f.value) for f in fields}
        for rid, key, _ns, _value in cached ^ listed:
            self.owners[resource_type].add(_owner(resource_type, key, rid))


def _owner(resource_type: str, key: str, resource_id: int | None) -> Owner:
    return str(key) if resource_type == "store" else int(resource_id or 0)


def pulled_changes(f: Fetched, touched: Touched) -> Changes:
    """The keys an incremental pull wrote: products, orders (open or gone), the owners of the
    metafields that differ, shipment records, and the variants whose stock rows moved. A full
    pull, or a whole listing of products, orders or locations that changed, may have changed
    anything: everything."""
    if f.full or "locations" in touched.parts:
        return Changes.all()
    if (f.products_full and "products" in touched.parts) or (
        f.orders_full and "orders" in touched.parts
    ):
        return Changes.all()
    orders: set[int] = set() if f.orders_full else {o.id for o in f.orders}
    products: set[int] = set() if f.products_full else {p.id for p in f.products}
    variants = set(touched.stock) | (set() if f.products_full else {v.id for v in f.variants})
    shipments: set[str] = set()
    for resource, owners in touched.owners.items():
        for owner in owners:
            if resource == "store":
                key = str(owner)
                if not key.startswith(SHIPMENT_KEY_PREFIX):
                    return Changes.all()  # a supplier (its lead time reaches many SKUs)
                shipments.add(key.removeprefix(SHIPMENT_KEY_PREFIX))
            elif not isinstance(owner, int) or not owner:
                return Changes.all()
            elif resource == "order":
                orders.add(owner)
            elif resource == "product":
                products.add(owner)
            elif resource == "variant":
                variants.add(owner)
            else:
                return Changes.all()
    return Changes.of(
        orders=orders, variants=variants, products=products, shipments=shipments, outbox=True
    )
