"""Writes another laptop overtook: list them with both versions, keep mine or take theirs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backorder_desktop.cache import Cache
from backorder_desktop.cache.codec import utc_from_text
from backorder_desktop.cache.write_bases import (
    Base,
    ConflictItem,
    bases_for,
    conflicts,
    forget,
    set_bases,
)
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, Metafield


@dataclass(frozen=True, slots=True)
class OvertakenWrite:
    """One outbox row held back, with the metafields that differ."""

    row_id: int
    kind: str
    items: tuple[ConflictItem, ...]


def list_conflicts(cache: Cache) -> list[OvertakenWrite]:
    """Conflicts still waiting for the merchant (rows resolved or discarded are skipped)."""
    out = []
    for row_id, items in sorted(conflicts(cache).items()):
        row = cache.outbox.get(row_id)
        if row is None or row.state != "failed":
            continue
        out.append(OvertakenWrite(row_id, row.kind, tuple(items)))
    return out


def _find(cache: Cache, row_id: int) -> list[ConflictItem]:
    items = conflicts(cache).get(row_id)
    row = cache.outbox.get(row_id)
    if not items or row is None or row.state != "failed":
        raise ValueError(f"Change {row_id} is not waiting for a choice (see 'conflicts list').")
    return items


def _copy(item: ConflictItem, value: str, modified: str | None) -> Metafield:
    return Metafield(
        id=item.field_id,
        resource_type=item.resource_type,
        resource_id=item.resource_id,
        namespace=METAFIELD_NAMESPACE,
        key=item.key,
        value=value,
        date_modified=utc_from_text(modified),
    )


def keep_mine(cache: Cache, row_id: int) -> int:
    """Send this laptop's values after all: the row is based on theirs now and goes again.
    Returns how many metafields it overwrites."""
    with cache.transaction():
        items = _find(cache, row_id)
        bases = bases_for(cache, row_id)
        for item in items:
            bases[item.field_id] = Base(item.theirs, item.theirs_modified)
        forget(cache, row_id)
        set_bases(cache, row_id, bases)
        cache.metafields.upsert([_copy(i, i.mine, i.theirs_modified) for i in items])
        cache.outbox.retry(row_id)
    return len(items)


def take_theirs(cache: Cache, row_id: int) -> int:
    """Drop this laptop's values: the cache takes what BigCommerce holds. Items of the row that
    were refused for another reason stay failed. Returns how many metafields were dropped."""
    with cache.transaction():
        items = _find(cache, row_id)
        row = cache.outbox.get(row_id)
        assert row is not None
        ids = {i.field_id for i in items}
        rest = [i for i in row.body if isinstance(i, dict) and i.get("id") not in ids]
        cache.metafields.upsert([_copy(i, i.theirs, i.theirs_modified) for i in items])
        forget(cache, row_id)
        if rest:
            cache.outbox.replace_failed_body(row_id, rest)
        else:
            cache.outbox.discard(row_id)
    return len(items)


@dataclass(frozen=True, slots=True)
class ConflictRow:
    """One metafield of a held change, flattened for a table."""

    key: str  # "<row id>:<field id>"
    row_id: int
    record: str  # e.g. "variant 123", "store"
    item: ConflictItem

    @property
    def changed_at(self) -> datetime | None:
        return utc_from_text(self.item.theirs_modified)


_WHAT = {
    "eta": "ETA",
    "queue": "Priority / partial shipment",
    "allocations": "Units allocated",
    "release": "Release",
    "notices": "Notices sent",
    "backorder_status": "Backorder status",
}


def describe(cache: Cache, item: ConflictItem) -> tuple[str, str]:
    """(record, what) in the merchant's words: a SKU, an order number, a shipment."""
    what = _WHAT.get(item.key, item.key.split(":")[0].replace("_", " ").capitalize())
    if item.resource_type == "variant" and item.resource_id is not None:
        variant = cache.variants.get(item.resource_id)
        return (variant.sku if variant and variant.sku else f"Variant {item.resource_id}"), what
    if item.resource_type == "order":
        return f"Order #{item.resource_id}", what
    if item.resource_type == "product":
        return f"Product {item.resource_id}", what
    return "Store", what


def conflict_rows(cache: Cache) -> list[ConflictRow]:
    out = []
    for conflict in list_conflicts(cache):
        for item in conflict.items:
            record, what = describe(cache, item)
            record = f"{record}: {what}"
            out.append(
                ConflictRow(f"{conflict.row_id}:{item.field_id}", conflict.row_id, record, item)
            )
    return out


def resolve(cache: Cache, row_ids: list[int], *, mine: bool) -> int:
    """Keep mine (or take theirs) for each held change; returns metafields settled."""
    done = 0
    for row_id in sorted(set(row_ids)):
        done += keep_mine(cache, row_id) if mine else take_theirs(cache, row_id)
    return done
