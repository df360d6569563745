"""What each queued metafield update was based on, and the conflicts found before sending it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..domain.models import Metafield
from .codec import utc_text

if TYPE_CHECKING:
    from .database import Cache

# Kept in app_state (local only): a base belongs to one outbox row and dies with it.
BASE_NAMESPACE = "write_base"
CONFLICT_NAMESPACE = "write_conflict"


@dataclass(frozen=True, slots=True)
class Base:
    """The copy of a metafield this laptop last read, before its own change."""

    value: str
    date_modified: str | None  # as the store wrote it (ISO text), or None
    resource_id: int | None = None


@dataclass(frozen=True, slots=True)
class ConflictItem:
    """One metafield another laptop changed after this laptop read it."""

    field_id: int
    resource_type: str
    resource_id: int | None
    key: str
    mine: str  # what this laptop wanted to write
    theirs: str  # what BigCommerce holds now
    theirs_modified: str | None
    base: str  # what this laptop had read


def record_bases(cache: Cache, row_id: int, fields: Iterable[Metafield]) -> None:
    """Remember the copies an update row overwrites (inside the caller's transaction)."""
    bases = {
        str(m.id): {
            "value": m.value,
            "date_modified": utc_text(m.date_modified) if m.date_modified else None,
            "resource_id": m.resource_id,
        }
        for m in fields
        if m.id > 0
    }
    if bases:
        cache.app_state.set(BASE_NAMESPACE, str(row_id), json.dumps(bases))


def bases_for(cache: Cache, row_id: int) -> dict[int, Base]:
    raw = cache.app_state.get(BASE_NAMESPACE, str(row_id))
    if not raw:
        return {}
    try:
        data = json.loads(raw)
        return {
            int(k): Base(str(v["value"]), v.get("date_modified"), v.get("resource_id"))
            for k, v in data.items()
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}  # a damaged row only loses the check, never the write


def set_bases(cache: Cache, row_id: int, bases: dict[int, Base]) -> None:
    payload = {str(k): asdict(v) for k, v in bases.items()}
    cache.app_state.set(BASE_NAMESPACE, str(row_id), json.dumps(payload))


def forget(cache: Cache, row_id: int) -> None:
    cache.app_state.delete(BASE_NAMESPACE, str(row_id))
    cache.app_state.delete(CONFLICT_NAMESPACE, str(row_id))


def record_conflicts(cache: Cache, row_id: int, items: list[ConflictItem]) -> None:
    cache.app_state.set(
        CONFLICT_NAMESPACE, str(row_id), json.dumps([asdict(i) for i in items], ensure_ascii=False)
    )


def conflicts(cache: Cache) -> dict[int, list[ConflictItem]]:
    """Conflicts per outbox row id, for rows that still wait for the merchant's choice."""
    out: dict[int, list[ConflictItem]] = {}
    for key, raw in cache.app_state.items(CONFLICT_NAMESPACE).items():
        try:
            items: list[Any] = json.loads(raw)
            out[int(key)] = [ConflictItem(**i) for i in items]
        except (ValueError, TypeError):
            continue
    return out
