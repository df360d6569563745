"""Walks V3 (meta.pagination) and V2 (until a short page or 204) list endpoints."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sized
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import httpx

from .error_mapping import parse_body
from .errors import BigCommerceError, MappingError

JSON = dict[str, Any]
Send = Callable[..., httpx.Response]  # Transport.request
P = TypeVar("P", bound=Sized)
# A page's answer -> its records (anything with a length: the page's list entries) and meta.
PageReader = Callable[[httpx.Response, str], tuple[P, Any]]


def read_json_page(response: httpx.Response, path: str) -> tuple[list[JSON], Any]:
    """A V3 list page as parsed objects and its meta ([] and None for an empty answer)."""
    body = parse_body(response)
    if response.status_code == 204 or body is None:
        return [], None
    if not isinstance(body, dict) or not isinstance(body.get("data", []), list):
        raise BigCommerceError(f"BigCommerce answered GET {path} with an unexpected shape.")
    return _objects(body.get("data") or [], path), body.get("meta")


def _v3_page(
    send: Send, path: str, params: dict[str, Any], page: int, read: PageReader[P]
) -> tuple[P, Any]:
    # Runs on a page thread: what `read` makes of the body (records, for the bulk listings)
    # is made while the next pages are still on the network.
    return read(send("GET", path, params={**params, "page": page}), path)


def _objects(items: list[Any], path: str) -> list[JSON]:
    for item in items:
        if not isinstance(item, dict):
            raise MappingError(path, None, f"a list entry is {type(item).__name__}, not an object")
    return items


def _total_pages(meta: Any) -> int | None:
    pagination = meta.get("pagination") if isinstance(meta, dict) else None
    if not isinstance(pagination, dict):
        return None
    total = pagination.get("total_pages")
    try:
        return int(total) if total is not None else None
    except (TypeError, ValueError):
        return None


def iter_v3(
    send: Send,
    path: str,
    params: dict[str, Any] | None,
    *,
    limit: int,
    max_concurrency: int,
) -> Iterator[JSON]:
    """Page 1 first (it tells how many pages there are), then the rest concurrently, in order."""
    for data in iter_v3_pages(
        send, path, params, limit=limit, max_concurrency=max_concurrency, read=read_json_page
    ):
        yield from data


def iter_v3_pages(
    send: Send,
    path: str,
    params: dict[str, Any] | None,
    *,
    limit: int,
    max_concurrency: int,
    read: PageReader[P],
) -> Iterator[P]:
    """`iter_v3`'s pages, each turned into a page of records by `read` on the page's thread
    (the length of what `read` returns is the page's list entries); empty pages are skipped."""
    base = {**(params or {}), "limit": limit}
    data, meta = _v3_page(send, path, base, 1, read)
    if data:
        yield data
    total_pages = _total_pages(meta)
    if total_pages is None:
        # No pagination meta (not what the spec promises): fall back to short-page detection.
        page = 1
        while len(data) >= limit:
            page += 1
            data, _ = _v3_page(send, path, base, page, read)
            if data:
                yield data
        return
    if total_pages <= 1:
        return
    pages = iter(range(2, total_pages + 1))
    workers = max(1, min(max_concurrency, total_pages - 1))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bc-page")
    pending: deque[Future[tuple[P, Any]]] = deque()

    def submit_next() -> bool:
        page = next(pages, None)
        if page is None:
            return False
        pending.append(pool.submit(_v3_page, send, path, base, page, read))
        return True

    try:
        # A bounded window of pages in flight keeps memory flat on huge catalogs.
        while len(pending) < workers * 2 and submit_next():
            pass
        while pending:
            data, _ = pending.popleft().result()
            submit_next()
            if data:
                yield data
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


# A V2 page's answer -> (records to yield, how many the page held, the first one's id).
V2Reader = Callable[[httpx.Response, str], tuple[list[JSON], int, Any]]


def read_v2_page(response: httpx.Response, path: str) -> tuple[list[JSON], int, Any]:
    """A V2 list page as parsed objects ([] for an empty answer: HTTP 204 or no body)."""
    body = parse_body(response)
    if response.status_code == 204 or body is None or body == []:
        return [], 0, None
    if not isinstance(body, list):
        raise BigCommerceError(f"BigCommerce answered GET {path} with an unexpected shape.")
    items = _objects(body, path)
    return items, len(items), items[0].get("id")


def iter_v2(
    send: Send,
    path: str,
    params: dict[str, Any] | None,
    *,
    limit: int,
    read: V2Reader = read_v2_page,
) -> Iterator[JSON]:
    """V2 lists are bare arrays without meta; an empty page is HTTP 204 (spec README)."""
    base = {**(params or {}), "limit": limit}
    page = 1
    previous_first: Any = object()
    while True:
        response = send("GET", path, params={**base, "page": page})
        items, count, first = read(response, path)
        if not count:
            return
        if first is not None and first == previous_first:
            # A server that ignores `page` would otherwise loop forever.
            raise BigCommerceError(f"BigCommerce returned the same page twice for GET {path}.")
        previous_first = first
        yield from items
        if count < limit:
            return
        page += 1
