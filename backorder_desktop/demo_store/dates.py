"""Date formats of the BigCommerce API: ISO 8601 in V3, RFC 2822 in V2, and filter parsing."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime


def now_utc() -> datetime:
    # Whole seconds: V2 dates carry no fractions, so filters must compare on seconds too.
    return datetime.now(UTC).replace(microsecond=0)


def iso(value: datetime) -> str:
    """V3 style, e.g. 2018-08-15T14:49:05+00:00."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def rfc2822(value: datetime) -> str:
    """V2 style, e.g. Wed, 10 Jan 2018 21:05:30 +0000."""
    return format_datetime(value.astimezone(UTC).replace(microsecond=0))


def parse_date(text: str, now: datetime) -> datetime:
    """Parse a date filter value: ISO 8601, RFC 2822, a date only, or a Unix timestamp.

    A date without a time takes the time of the request, as the catalog spec documents for
    `date_modified:min` (products_catalog.v3.yml, DateModifiedMinParam).
    Raises ValueError when the text is none of these.
    """
    raw = text.strip()
    if not raw:
        raise ValueError("empty date")
    if raw.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(raw), UTC)
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        day = datetime.fromisoformat(raw)
        return day.replace(hour=now.hour, minute=now.minute, second=now.second, tzinfo=UTC)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"not a date: {text!r}") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_optional_iso(value: object) -> datetime | None:
    """A date-time field in a request body (e.g. preorder_release_date); None stays None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0)
