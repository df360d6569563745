"""Lenient readers for JSON fields (numbers as strings, nulls, both date formats) with clear errors."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1  # what SQLite can store; anything larger is a broken record


class BadField(ValueError):
    """One field could not be read; the mapper adds the resource and id."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field} {detail}")
        self.field = field


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def to_int(value: Any, field: str, *, default: int | None = None) -> int:
    """An int from an int, an integral float or a numeric string; `default` when null/absent."""
    if type(value) is int:  # what JSON almost always holds (bool is not int here)
        if INT64_MIN <= value <= INT64_MAX:
            return value
        raise BadField(field, f"is {_shown(value)}, too large a number")
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise BadField(field, "is missing")
        return default
    if isinstance(value, bool):
        raise BadField(field, f"is {_shown(value)}, not a whole number")
    number: int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise BadField(field, f"is {_shown(value)}, not a whole number")
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                raise BadField(field, f"is {_shown(value)}, not a whole number") from None
            if not math.isfinite(as_float) or not as_float.is_integer():
                raise BadField(field, f"is {_shown(value)}, not a whole number") from None
            number = int(as_float)
    else:
        raise BadField(field, f"is {type(value).__name__}, not a whole number")
    if not INT64_MIN <= number <= INT64_MAX:
        raise BadField(field, f"is {_shown(value)}, too large a number")
    return number


def to_opt_int(value: Any, field: str) -> int | None:
    """None stays None (e.g. an unset backorder limit); anything else must be a whole number."""
    if type(value) is int and INT64_MIN <= value <= INT64_MAX:
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_int(value, field)


def to_float(value: Any, field: str, *, default: float | None = 0.0) -> float:
    if type(value) is float and math.isfinite(value):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise BadField(field, "is missing")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadField(field, f"is {_shown(value)}, not a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise BadField(field, f"is {_shown(value)}, not a number") from None
    if not math.isfinite(number):
        raise BadField(field, f"is {_shown(value)}, not a finite number")
    return number


def to_opt_float(value: Any, field: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_float(value, field)


def to_str(value: Any, field: str, *, default: str = "") -> str:
    if type(value) is str:
        return value
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise BadField(field, f"is {type(value).__name__}, not text")


def to_bool(value: Any, field: str, *, default: bool = False) -> bool:
    if value is True or value is False:
        return value
    if value is None:
        return default
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", ""):
        return value.strip().lower() in ("true", "1")
    raise BadField(field, f"is {_shown(value)}, not true/false")


# V2's one date shape, "Tue, 20 Nov 2012 00:00:00 +0000", read without the email parser (a
# large sync reads 3,400 of them); anything else it does not match goes to that parser.
_RFC2822 = re.compile(
    r"(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"
)
_ZONES: dict[tuple[str, str, str], timezone] = {}  # "+0000" -> its zone, made once
_MONTHS = {m: n for n, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def _rfc2822(text: str) -> datetime | None:
    match = _RFC2822.fullmatch(text)
    month = _MONTHS.get(match.group(2)) if match else None
    if match is None or month is None or match.group(3) < "1000":
        return None  # the email parser reads years below 100 as 19xx/20xx
    day, _, year, hour, minute, second, sign, off_h, off_m = match.groups()
    zone = _ZONES.get((sign, off_h, off_m))
    try:
        if zone is None:
            offset = timedelta(hours=int(off_h), minutes=int(off_m))
            zone = _ZONES[sign, off_h, off_m] = timezone(-offset if sign == "-" else offset)
        return datetime(int(year), month, int(day), int(hour), int(minute), int(second), 0, zone)
    except ValueError:
        return None  # e.g. 30 Feb: the email parser says what it makes of it


def to_datetime(value: Any, field: str) -> datetime | None:
    """ISO 8601 (V3) or RFC 2822 (V2) text, as an aware UTC datetime; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed: datetime | None = None
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = _rfc2822(text)
            if parsed is None:
                try:
                    parsed = parsedate_to_datetime(text)
                except (TypeError, ValueError, IndexError):
                    parsed = None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            parsed = datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            parsed = None
    if parsed is None:
        raise BadField(field, f"is {_shown(value)}, not a date")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def to_required_datetime(value: Any, field: str) -> datetime:
    parsed = to_datetime(value, field)
    if parsed is None:
        raise BadField(field, "is missing")
    return parsed


def as_dict(value: Any) -> dict[str, Any]:
    """A nested object, or {} when it is null or of another type."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
