"""Insights history kept in app_state: value waiting per day, and lines captured on backorder."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from ..domain.insights import ValuePoint
from .codec import utc_now, utc_text
from .state import APP_TABLE

if TYPE_CHECKING:
    from .database import Cache

# app_state lives through a cache rebuild (database.Cache.rebuild), so the history does too.
HISTORY_NAMESPACE = "insights_value"  # key: YYYY-MM-DD -> {"value", "lines", "units"}
CAPTURED_NAMESPACE = "insights_captured"  # key: order line id -> value backordered


def value_history(cache: Cache) -> list[ValuePoint]:
    out = []
    for key, text in cache.app_state.items(HISTORY_NAMESPACE).items():
        try:
            doc = json.loads(text)
            out.append(
                ValuePoint(
                    date.fromisoformat(key),
                    float(doc["value"]),
                    int(doc["lines"]),
                    int(doc["units"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue  # a hand-edited row must not break the report
    return sorted(out, key=lambda p: p.day)


def record_value(cache: Cache, point: ValuePoint) -> None:
    doc = {"value": point.value, "lines": point.lines, "units": point.units}
    cache.app_state.set(HISTORY_NAMESPACE, point.day.isoformat(), json.dumps(doc))


def captured_values(cache: Cache) -> dict[int, float]:
    out: dict[int, float] = {}
    for key, text in cache.app_state.items(CAPTURED_NAMESPACE).items():
        try:
            out[int(key)] = float(text)
        except ValueError:
            continue
    return out


def record_captured(cache: Cache, values: Mapping[int, float]) -> None:
    """Upsert many lines in one transaction (thousands of lines on a big store)."""
    if not values:
        return
    now = utc_text(utc_now())
    rows = [
        {
            "namespace": CAPTURED_NAMESPACE,
            "key": str(line_id),
            "value": f"{value:.2f}",
            "updated_at": now,
        }
        for line_id, value in values.items()
    ]
    with cache.transaction() as db:
        db.table(APP_TABLE).upsert_all(rows, pk=("namespace", "key"))
