"""Before a bulk edit is queued: re-read what it touches from BigCommerce and find conflicts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from backorder_desktop.bigcommerce import reads
from backorder_desktop.bigcommerce.mapping import map_inventory_item, map_metafield
from backorder_desktop.cache.backorder_queue import ETA_KEY
from backorder_desktop.cache.codec import date_from_text
from backorder_desktop.domain.bulk import (
    AVAILABILITY,
    DESCRIPTION,
    ETA,
    LIMIT,
    PREORDER_MESSAGE,
    RELEASE_DATE,
    ProductState,
    VariantEdit,
    VariantState,
)
from backorder_desktop.domain.bulk_input import Keep
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, Product, Variant
from backorder_desktop.services.bulk.bulk_snapshot import Snapshot, eta_fields

JSON = dict[str, Any]


class RereadClient(Protocol):
    @property
    def request_count(self) -> int: ...

    def iter_v3(
        self, path: str, params: dict[str, Any] | None = None, *, limit: int = 250
    ) -> Iterator[JSON]: ...

    def iter_products(
        self, *, modified_since: Any = None, ids: Sequence[int] | None = None
    ) -> Iterator[tuple[Product, list[Variant]]]: ...


@dataclass(frozen=True, slots=True)
class StaleValue:
    """A value BigCommerce holds that differs from what the app last saw (someone edited it)."""

    kind: str  # "variant" | "product"
    id: int
    label: str
    field: str
    cached: Any  # what the app saw at the last sync
    store: Any  # what BigCommerce holds now
    planned: Any  # what the edit would write

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.kind, self.id, self.field)


@dataclass(frozen=True, slots=True)
class Touches:
    """Which kinds of values an edit can change (only those are re-read)."""

    limits: bool
    etas: bool
    products: bool

    @staticmethod
    def of(edits: Iterable[VariantEdit], product_edits: bool, native: bool) -> Touches:
        limits = etas = products = product_edits
        for edit in edits:
            if not isinstance(edit.limit, Keep):
                limits = limits or native
                products = products or not native
            if not isinstance(edit.eta, Keep):
                etas = True
                products = products or not native
            if not isinstance(edit.message, Keep):
                products = True
                etas = True  # the message is built from the ETAs
                limits = limits or native  # ...of the backordered variants
        return Touches(limits, etas, products)


def reread(
    client: RereadClient,
    cached: Snapshot,
    variant_ids: Iterable[int],
    location_id: int,
    touches: Touches,
) -> Snapshot:
    """`cached` with the touched values of these variants (and their products) as the store has
    them now. Reads are batched: 250 ids per inventory or product request, and the `eta`
    metafields in one listing (the batch metafield endpoint filters by namespace and key)."""
    ids = sorted(set(variant_ids) & set(cached.variants))
    fresh = Snapshot(dict(cached.variants), dict(cached.products))
    if touches.limits:
        limits: dict[int, int | None] = {}
        seen: set[int] = set()
        for data in reads.inventory_items_of(client, ids, location_id=location_id):
            for record in map_inventory_item(data):
                if record.location_id == location_id:
                    limits[record.variant_id] = record.backorder_limit
                    seen.add(record.variant_id)
        for vid in ids:
            state = fresh.variants[vid]
            if vid in seen:
                fresh.variants[vid] = replace(state, limit=limits[vid])
            elif state.tracked:
                # No inventory item: the variant is gone or no longer tracked in BigCommerce.
                fresh.variants[vid] = replace(state, tracked=False, limit=None)
    if touches.etas:
        params = {"namespace": METAFIELD_NAMESPACE, "key": ETA_KEY}
        listing = reads.metafields(client, "variant", params)
        stored = eta_fields(
            m
            for m in (map_metafield(d, "variant") for d in listing)
            if m.namespace == METAFIELD_NAMESPACE and m.key == ETA_KEY
        )
        for vid, state in fresh.variants.items():
            mf = stored.get(vid)
            eta = date_from_text(mf.value) if mf is not None else None
            fresh.variants[vid] = replace(state, eta=eta, eta_field_id=mf.id if mf else None)
    if touches.products:
        pids = sorted({cached.variants[vid].product_id for vid in ids})
        for product, _variants in client.iter_products(ids=pids):
            known = fresh.products.get(product.id)
            if known is not None:
                fresh.products[product.id] = ProductState(
                    product_id=product.id,
                    name=product.name,
                    availability=product.availability,
                    availability_description=product.availability_description,
                    preorder_release_date=product.preorder_release_date,
                    preorder_message=product.preorder_message,
                    variant_ids=known.variant_ids,
                )
    return fresh


def merge(
    cached: Snapshot, store: Snapshot, in_flight: set[int], products_in_flight: set[int]
) -> Snapshot:
    """The baseline to plan from: the store's values, except where our own earlier change is
    still on its way (then the store lags behind and the app's copy is the truth)."""
    out = Snapshot(dict(store.variants), dict(store.products))
    for vid in in_flight:
        if vid in cached.variants:
            out.variants[vid] = cached.variants[vid]
    for pid in products_in_flight:
        if pid in cached.products:
            out.products[pid] = cached.products[pid]
    return out


def wanted_fields(
    edits: Mapping[int, VariantEdit],
    product_edits: Mapping[int, Mapping[str, Any]],
    variants: Mapping[int, VariantState],
    native: bool,
) -> set[tuple[str, int, str]]:
    """The (kind, id, field) values the merchant asked to set, changed or not."""
    out: set[tuple[str, int, str]] = set()
    for vid, edit in edits.items():
        state = variants.get(vid)
        if state is None:
            continue
        pid = state.product_id
        if not isinstance(edit.limit, Keep):
            out.add(("variant", vid, LIMIT) if native else ("product", pid, AVAILABILITY))
        if not isinstance(edit.eta, Keep):
            out.add(("variant", vid, ETA))
            if not native:
                out.add(("product", pid, RELEASE_DATE))
        if not isinstance(edit.message, Keep):
            out.add(("product", pid, DESCRIPTION if native else PREORDER_MESSAGE))
    for pid, fields in product_edits.items():
        out.update(("product", pid, name) for name in fields)
    return out


def find_conflicts(
    cached: Snapshot,
    store: Snapshot,
    planned: Mapping[tuple[str, int, str], Any],
    wanted: set[tuple[str, int, str]],
    *,
    in_flight: set[int],
    products_in_flight: set[int],
) -> list[StaleValue]:
    """Values the edit would set that differ between the app's copy and the store.

    A difference is no conflict when the store already holds what the edit would write, or when
    our own earlier change to that record is still waiting in the outbox.
    """
    out: list[StaleValue] = []
    for kind, ident, name in sorted(wanted | set(planned)):
        if kind == "variant":
            if ident in in_flight or ident not in cached.variants:
                continue
            mine_v, theirs_v = cached.variants[ident], store.variants[ident]
            was = mine_v.limit if name == LIMIT else mine_v.eta
            now = theirs_v.limit if name == LIMIT else theirs_v.eta
            label = mine_v.sku
        else:
            if ident in products_in_flight or ident not in cached.products:
                continue
            mine_p, theirs_p = cached.products[ident], store.products[ident]
            was, now, label = mine_p.value(name), theirs_p.value(name), mine_p.name
        if was == now:
            continue
        target = planned.get((kind, ident, name), was)
        if target != now:
            out.append(StaleValue(kind, ident, label, name, was, now, target))
    return out
