"""Conversions between domain values and the plain values stored in SQLite columns."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any


def dt_to_db(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def dt_from_db(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    return datetime.fromisoformat(str(value))


def date_from_text(value: str | None) -> date | None:
    """A date from an ISO string (a bare date or a timestamp); None when it is not one."""
    if not value:
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def bool_from_db(value: Any) -> bool:
    return bool(value)


def int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def json_dumps(value: Any) -> str:
    # Stable text so equal bodies compare equal and dumps stay readable.
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def json_loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_text(value: datetime) -> str:
    """A UTC timestamp in one fixed format, so the text sorts in time order (outbox, ledger)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_from_text(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
