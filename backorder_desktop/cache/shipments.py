"""Suppliers, shipments and releases as the cache holds them (store and order metafields)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from ..domain.models import METAFIELD_NAMESPACE, Metafield
from ..domain.releases import RELEASE_KEY, ReleaseRecord
from ..domain.scorecard import ShipmentOutcome
from ..domain.shipment_rules import ARCHIVE_KEY_PREFIX, read_archive
from ..domain.shipments import (
    SHIPMENT_KEY_PREFIX,
    SUPPLIER_KEY_PREFIX,
    RecordFormatError,
    Shipment,
    Supplier,
)

if TYPE_CHECKING:
    from .database import Cache

log = logging.getLogger("backorder_desktop.cache")
_EPOCH = datetime(1970, 1, 1)


def newest_per_key(fields: Iterable[Metafield]) -> dict[tuple[int | None, str], Metafield]:
    """One metafield per (resource, key): an optimistic copy awaiting its create (negative id)
    and the store's own copy can both be cached for a moment; the newer one wins."""

    def rank(m: Metafield) -> tuple[datetime, int]:
        moment = m.date_modified.replace(tzinfo=None) if m.date_modified else _EPOCH
        return moment, m.id

    out: dict[tuple[int | None, str], Metafield] = {}
    for field in fields:
        key = (field.resource_id, field.key)
        known = out.get(key)
        if known is None or rank(field) > rank(known):
            out[key] = field
    return out


def load_suppliers(cache: Cache) -> list[Supplier]:
    """Suppliers by name; a record another tool broke is skipped (and logged), never fatal."""
    out = []
    for field in newest_per_key(
        cache.metafields.by_key_prefix("store", SUPPLIER_KEY_PREFIX)
    ).values():
        try:
            out.append(Supplier.from_json(field.value))
        except RecordFormatError as exc:
            log.warning("store metafield %s skipped: %s", field.key, exc)
    return sorted(out, key=lambda s: (s.name.casefold(), s.id))


def load_shipments(cache: Cache) -> list[Shipment]:
    """Every shipment record (key `shipment:<id>`), by expected date then reference."""
    out = []
    for field in newest_per_key(
        cache.metafields.by_key_prefix("store", SHIPMENT_KEY_PREFIX)
    ).values():
        try:
            out.append(Shipment.from_json(field.value))
        except RecordFormatError as exc:
            log.warning("store metafield %s skipped: %s", field.key, exc)
    return sorted(out, key=lambda s: (s.expected_date is None, s.expected_date, s.reference))


def shipment_ids(cache: Cache) -> set[str]:
    """The ids of the shipment records, without reading (or parsing) the records."""
    with cache.read() as db:
        cursor = db.execute(
            "SELECT DISTINCT key FROM metafields WHERE resource_type = 'store' "
            "AND namespace = ? AND substr(key, 1, ?) = ?",
            [METAFIELD_NAMESPACE, len(SHIPMENT_KEY_PREFIX), SHIPMENT_KEY_PREFIX],
        )
        return {str(key)[len(SHIPMENT_KEY_PREFIX) :] for (key,) in cursor.fetchall()}


def load_shipment(cache: Cache, shipment_id: str) -> Shipment | None:
    fields = newest_per_key(cache.metafields.by_key("store", SHIPMENT_KEY_PREFIX + shipment_id))
    for field in fields.values():
        try:
            return Shipment.from_json(field.value)
        except RecordFormatError as exc:
            log.warning("store metafield %s skipped: %s", field.key, exc)
    return None


def load_archive(cache: Cache) -> dict[str, list[ShipmentOutcome]]:
    """Archived shipment outcomes per archive key (`shipment_archive:<year>[-n]`)."""
    fields = newest_per_key(cache.metafields.by_key_prefix("store", ARCHIVE_KEY_PREFIX))
    return {key: read_archive(field.value) for (_, key), field in sorted(fields.items())}


def load_releases(cache: Cache) -> dict[int, ReleaseRecord]:
    """The release record per order id (order metafield `release`), undone ones included."""
    out: dict[int, ReleaseRecord] = {}
    for (order_id, _), field in newest_per_key(
        cache.metafields.by_key("order", RELEASE_KEY)
    ).items():
        if order_id is None:
            continue
        try:
            out[order_id] = ReleaseRecord.from_json(field.value)
        except RecordFormatError as exc:
            log.warning("order %s release record skipped: %s", order_id, exc)
    return out
