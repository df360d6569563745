"""Query-string helpers: V3 `meta.pagination`, V2 page slicing, and typed filter parsing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from .api import Request, api_error, v2_error, v3_error
from .dates import parse_date

T = TypeVar("T")


def int_arg(req: Request, name: str, default: int | None = None) -> int | None:
    raw = req.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(float(raw)) if "." in raw else int(raw)
    except ValueError:
        raise api_error(req.api, 400, f"The filter '{name}' must be an integer.") from None


def int_list(req: Request, name: str) -> list[int] | None:
    raw = req.query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise api_error(req.api, 400, f"The filter '{name}' must be a list of integers.") from None


def date_arg(req: Request, name: str, now: Callable[[], datetime]) -> datetime | None:
    """A date filter (`date_modified:min`, `min_date_created`), in each API's own error words."""
    raw = req.query.get(name)
    if raw is None:
        return None
    try:
        return parse_date(raw, now())
    except ValueError:
        if req.api == "v2":
            message = f"The filter '{name}' must be an RFC 2822 or ISO 8601 date."
            raise v2_error(400, message) from None
        raise v3_error(422, f"The filter '{name}' is not a valid date.") from None


Bound = tuple[datetime | None, str, bool]  # (the date given, the record's attribute, a minimum?)


def date_bounds(
    req: Request, now: Callable[[], datetime], filters: Sequence[tuple[str, str, bool]]
) -> list[Bound]:
    """The date filters given, as (name, attribute, minimum?) triples say how to read them."""
    return [(date_arg(req, name, now), attr, is_min) for name, attr, is_min in filters]


def within(record: Any, bounds: Sequence[Bound]) -> bool:
    """Whether the record's dates meet every bound given (inclusive)."""
    for bound, attr, is_min in bounds:
        if bound is not None:
            value = getattr(record, attr)
            if not (value >= bound if is_min else value <= bound):
                return False
    return True


def str_list(req: Request, name: str) -> list[str] | None:
    raw = req.query.get(name)
    if raw is None:
        return None
    return [part for part in raw.split(",") if part != ""]


def page_and_limit(req: Request, default_limit: int, max_limit: int) -> tuple[int, int]:
    """Page (1-based) and page size; a limit above the maximum is capped, not refused."""
    page = int_arg(req, "page", 1) or 1
    limit = int_arg(req, "limit", default_limit) or default_limit
    if page < 1 or limit < 1:
        raise api_error(req.api, 400, "The 'page' and 'limit' filters must be positive.")
    return page, min(limit, max_limit)


def v3_page(
    req: Request, items: Sequence[T], *, default_limit: int = 50, max_limit: int = 250
) -> tuple[Sequence[T], dict[str, Any]]:
    """One page of `items` and the V3 `meta` object (pagination with links)."""
    page, limit = page_and_limit(req, default_limit, max_limit)
    total = len(items)
    total_pages = (total + limit - 1) // limit
    chunk = items[(page - 1) * limit : page * limit]

    def link(number: int) -> str:
        query = dict(req.query)
        query.update(page=str(number), limit=str(limit))
        return "?" + urlencode(query, safe=":,")

    links: dict[str, str] = {"current": link(page)}
    if page > 1:
        links["previous"] = link(min(page - 1, max(total_pages, 1)))
    if page < total_pages:
        links["next"] = link(page + 1)
    meta = {
        "pagination": {
            "total": total,
            "count": len(chunk),
            "per_page": limit,
            "current_page": page,
            "total_pages": total_pages,
            "links": links,
        }
    }
    return chunk, meta


def v2_page(
    req: Request, items: Sequence[T], *, default_limit: int = 50, max_limit: int = 250
) -> Sequence[T]:
    page, limit = page_and_limit(req, default_limit, max_limit)
    return items[(page - 1) * limit : page * limit]


def select_fields(
    doc: dict[str, Any], req: Request, keep: Sequence[str] = ("id",)
) -> dict[str, Any]:
    """Apply `include_fields` / `exclude_fields` (the id always stays)."""
    include = str_list(req, "include_fields")
    exclude = str_list(req, "exclude_fields")
    if include:
        wanted = set(include) | set(keep)
        doc = {k: v for k, v in doc.items() if k in wanted}
    if exclude:
        dropped = set(exclude) - set(keep)
        doc = {k: v for k, v in doc.items() if k not in dropped}
    return doc
