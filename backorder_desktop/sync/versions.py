"""Versioned metafield updates: before a PUT, check BigCommerce still holds what was read."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from ..bigcommerce import reads
from ..bigcommerce.client import v3_date
from ..bigcommerce.mapping import map_metafield
from ..bigcommerce.operations import UPDATE, Operation
from ..cache import Cache, OutboxRow
from ..cache.codec import utc_from_text, utc_text
from ..cache.shared_allocations import ALLOCATIONS_KEY, merge
from ..cache.shared_choices import QUEUE_KEY
from ..cache.write_bases import Base, ConflictItem, bases_for
from ..domain.models import METAFIELD_NAMESPACE, Metafield
from .replies import operation_of

JSON = dict[str, Any]
PAGE = 250
QUEUE_DEFAULTS: dict[str, Any] = {"priority": 0, "partial": False}
BY_RESOURCE = frozenset({"variant", "product"})
CLOCK_MARGIN = timedelta(days=1)


def check_row(client: Any, cache: Cache, row: OutboxRow) -> tuple[list[JSON], list[ConflictItem]]:
    """Split a metafield update row into the items safe to send and those another laptop
    changed since this laptop read them. Rows without a recorded base are sent as they are.

    One listing (namespace + keys, modified since the oldest base) reads the current copies:
    a metafield not listed has not changed since it was read.
    """
    body = row.body if isinstance(row.body, list) else []
    op = operation_of(row)
    resource_type = op.metafield_type
    bases = bases_for(cache, row.id) if op.action == UPDATE and resource_type else {}
    checked = [i for i in body if isinstance(i, dict) and _id(i) in bases]
    if not checked or resource_type is None:
        return list(body), []
    current = _current(client, op, resource_type, checked, bases)
    ok: list[JSON] = []
    conflicts: list[ConflictItem] = []
    for item in body:
        field_id = _id(item) if isinstance(item, dict) else None
        base = bases.get(field_id) if field_id is not None else None
        now = current.get(field_id) if field_id is not None else None
        if base is None or now is None or not _changed(base, now, str(item.get("value", ""))):
            ok.append(item)
            continue
        merged = _merged(now, str(item.get("value", "")), base.value)
        if merged is not None:
            ok.append({**item, "value": merged})  # both laptops' entries, none lost
            continue
        conflicts.append(
            ConflictItem(
                field_id=now.id,
                resource_type=resource_type,
                resource_id=now.resource_id,
                key=now.key,
                mine=str(item.get("value", "")),
                theirs=now.value,
                theirs_modified=utc_text(now.date_modified) if now.date_modified else None,
                base=base.value,
            )
        )
    return ok, conflicts


def _merged(now: Metafield, mine: str, base: str) -> str | None:
    """Records that only accumulate (allocations) are merged instead of held as a conflict;
    an order's choices (priority, partial shipment) are merged field by field."""
    try:
        if now.key == ALLOCATIONS_KEY:
            return merge(now.value, mine)
        if now.key == QUEUE_KEY:
            return merge_fields(base, now.value, mine, QUEUE_DEFAULTS)
    except (ValueError, TypeError, AttributeError):
        return None  # unreadable: let the merchant choose
    return None


def merge_fields(base: str, theirs: str, mine: str, defaults: dict[str, Any]) -> str | None:
    """Three-way merge of a flat JSON record: each field this laptop changed takes its value,
    the others keep BigCommerce's; a field both changed differently is a conflict (None).
    A base of "" (never read: both laptops created the record) counts as the defaults."""
    was = {**defaults, **(json.loads(base) if base else {})}
    now, want = {**defaults, **json.loads(theirs)}, {**defaults, **json.loads(mine)}
    out = dict(now)
    for key in set(want) | set(now):
        if want.get(key) == was.get(key):
            continue  # not this laptop's change
        if now.get(key) not in (was.get(key), want.get(key)):
            return None  # both changed it, differently
        out[key] = want.get(key)
    return json.dumps(out, separators=(", ", ": "))


def _changed(base: Base, now: Metafield, mine: str) -> bool:
    # By content, not by date: V2/V3 dates have whole seconds, so two writes in one second
    # share a date_modified; the value read (or this laptop's own earlier write) is the version.
    return now.value not in (base.value, mine)


def _id(item: JSON) -> int | None:
    value = item.get("id")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _current(
    client: Any, op: Operation, resource_type: str, items: list[JSON], bases: dict[int, Base]
) -> dict[int, Metafield]:
    keys = sorted({str(i.get("key")) for i in items})
    params: JSON = {"namespace": METAFIELD_NAMESPACE, "key:in": ",".join(keys)}
    wanted = {_id(i) for i in items}
    owners = {bases[i].resource_id for i in wanted if i is not None and i in bases}
    if resource_type in BY_RESOURCE and None not in owners:
        # Variant and product listings filter by resource (spec: MetafieldResourceParam).
        params["resource_id:in"] = ",".join(str(o) for o in sorted(o for o in owners if o))
    else:
        # Orders: no resource filter; only what changed since (well before) the oldest read.
        # A base may carry this laptop's clock (an optimistic copy): the margin absorbs skew.
        stamps = [utc_from_text(b.date_modified) for b in bases.values() if b.date_modified]
        known = [s for s in stamps if s is not None]
        if resource_type != "store" and known and len(known) == len(stamps):
            params["date_modified:min"] = v3_date(min(known) - CLOCK_MARGIN)
    out: dict[int, Metafield] = {}
    # The one V3 pager, one page at a time: a check is one page or two.
    for d in reads.records_of(client, op, params, limit=PAGE):
        field = map_metafield(d, resource_type)
        if field.id in wanted:
            out[field.id] = field
    return out
