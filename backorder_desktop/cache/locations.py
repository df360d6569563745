"""Inventory locations in the cache."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..domain.models import Location
from .core import CacheCore
from .rowsync import sync_rows

TABLE = "locations"


def to_row(loc: Location) -> dict[str, Any]:
    return {
        "id": loc.id,
        "code": loc.code,
        "label": loc.label,
        "is_default": int(loc.is_default),
    }


def from_row(r: dict[str, Any]) -> Location:
    return Location(id=r["id"], code=r["code"], label=r["label"], is_default=bool(r["is_default"]))


class LocationRepository:
    def __init__(self, core: CacheCore) -> None:
        self._core = core

    def all(self) -> list[Location]:
        return [from_row(r) for r in self._core.rows(TABLE, order_by="id")]

    def default(self) -> Location | None:
        locations = self.all()
        return next(
            (loc for loc in locations if loc.is_default), locations[0] if locations else None
        )

    def replace_all(self, locations: Sequence[Location]) -> bool:
        return sync_rows(self._core, TABLE, [to_row(x) for x in locations], ("id",), replace=True)

    def upsert(self, locations: Sequence[Location]) -> bool:
        return sync_rows(self._core, TABLE, [to_row(x) for x in locations], ("id",), replace=False)

    def delete(self, ids: Iterable[int]) -> bool:
        return self._core.delete_in(TABLE, "id", ids) > 0
