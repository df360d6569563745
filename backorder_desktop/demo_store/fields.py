"""Validation of request-body fields; each check raises FieldError naming the field."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeGuard

from .dates import parse_optional_iso


class FieldError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def number(
    doc: dict[str, Any], key: str, *, nullable: bool = False, minimum: float = 0
) -> float | None:
    value = doc[key]
    if value is None:
        if nullable:
            return None
        raise FieldError(key, "must be a number")
    if not is_number(value) or value < minimum:
        raise FieldError(key, f"must be a number of at least {minimum:g}")
    return float(value)


def integer(
    doc: dict[str, Any],
    key: str,
    *,
    nullable: bool = False,
    minimum: int | None = 0,
    maximum: int = 2_147_483_647,
) -> int | None:
    value = doc[key]
    if value is None and nullable:
        return None
    if not is_int(value) or (minimum is not None and value < minimum) or value > maximum:
        low = "any" if minimum is None else str(minimum)
        raise FieldError(key, f"must be an integer from {low} to {maximum}")
    return int(value)


def text(doc: dict[str, Any], key: str, *, max_length: int = 255, min_length: int = 0) -> str:
    value = doc[key]
    if not isinstance(value, str):
        raise FieldError(key, "must be a string")
    if not min_length <= len(value) <= max_length:
        raise FieldError(key, f"must be {min_length} to {max_length} characters long")
    return value


def boolean(doc: dict[str, Any], key: str) -> bool:
    value = doc[key]
    if not isinstance(value, bool):
        raise FieldError(key, "must be true or false")
    return value


def choice(doc: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = doc[key]
    if value not in allowed:
        raise FieldError(key, f"must be one of {', '.join(allowed)}")
    return str(value)


def date_time(doc: dict[str, Any], key: str) -> datetime | None:
    try:
        return parse_optional_iso(doc[key])
    except ValueError:
        raise FieldError(
            key, "must be an ISO 8601 date-time, e.g. 2026-05-01T00:00:00+00:00"
        ) from None
