"""HTTP client paging: V3 page math with concurrent pages in order, V2 until a short page/204."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from backorder_desktop.bigcommerce import errors
from tests.support.client_mock import api_path, make_client, rl_headers, v3_list


def _catalog(total: int, *, delay: float = 0.0, track: dict | None = None):
    """A V3 list of `total` items paged by the request's limit."""
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        if track is not None:
            with lock:
                track["now"] = track.get("now", 0) + 1
                track["max"] = max(track.get("max", 0), track["now"])
        try:
            if delay:
                time.sleep(delay)
            limit = int(request.url.params["limit"])
            page = int(request.url.params["page"])
            pages = max(1, -(-total // limit))
            start = (page - 1) * limit
            items = [{"id": i + 1} for i in range(start, min(total, start + limit))]
            return httpx.Response(200, json=v3_list(items, page, pages), headers=rl_headers())
        finally:
            if track is not None:
                with lock:
                    track["now"] -= 1

    return handler


@pytest.mark.parametrize(
    ("total", "limit", "requests"),
    [(0, 250, 1), (1, 250, 1), (250, 250, 1), (251, 250, 2), (1000, 250, 4), (2001, 1000, 3)],
)
def test_v3_fetches_each_page_once_and_yields_everything_in_order(
    total: int, limit: int, requests: int
) -> None:
    h = make_client(_catalog(total))
    ids = [item["id"] for item in h.client.iter_v3("/v3/catalog/products", limit=limit)]
    assert ids == list(range(1, total + 1))
    assert h.client.request_count == requests
    pages = sorted(int(r.url.params["page"]) for r in h.requests)
    assert pages == list(range(1, requests + 1))
    assert {r.url.params["limit"] for r in h.requests} == {str(limit)}


def test_v3_pages_after_the_first_run_concurrently_but_bounded() -> None:
    track: dict = {}
    h = make_client(_catalog(250 * 12, delay=0.02, track=track), max_concurrency=3)
    ids = [item["id"] for item in h.client.iter_v3("/v3/catalog/products")]
    assert ids == list(range(1, 250 * 12 + 1))
    assert 1 < track["max"] <= 3


def test_v3_keeps_the_caller_params_on_every_page() -> None:
    h = make_client(_catalog(600))
    list(h.client.iter_v3("/v3/catalog/products", {"include": "variants"}))
    assert all(r.url.params["include"] == "variants" for r in h.requests)


def test_v3_stopping_early_does_not_fetch_the_whole_catalog() -> None:
    h = make_client(_catalog(250 * 40), max_concurrency=2)
    iterator = h.client.iter_v3("/v3/catalog/products")
    first = [next(iterator) for _ in range(10)]
    iterator.close()  # type: ignore[attr-defined]
    assert first[0]["id"] == 1
    assert h.client.request_count < 10


def test_v3_a_failing_page_raises_and_stops() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "3":
            return httpx.Response(422, json={"title": "bad page"})
        return _catalog(250 * 5)(request)

    h = make_client(handler)
    with pytest.raises(errors.ValidationError, match="bad page"):
        list(h.client.iter_v3("/v3/catalog/products"))


def test_v3_without_pagination_meta_falls_back_to_short_pages() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = 2 if page < 3 else 1
        return httpx.Response(200, json={"data": [{"id": page * 10 + i} for i in range(size)]})

    h = make_client(handler)
    ids = [i["id"] for i in h.client.iter_v3("/v3/x", limit=2)]
    assert ids == [10, 11, 20, 21, 30]
    assert h.client.request_count == 3


def _orders(total: int, *, empty_status: int = 204):
    def handler(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        page = int(request.url.params["page"])
        start = (page - 1) * limit
        items = [{"id": i + 1} for i in range(start, min(total, start + limit))]
        if not items:
            return httpx.Response(empty_status)
        return httpx.Response(200, json=items)

    return handler


@pytest.mark.parametrize(
    ("total", "requests"), [(0, 1), (5, 1), (250, 2), (251, 2), (500, 3), (730, 3)]
)
def test_v2_pages_until_a_short_page_or_204(total: int, requests: int) -> None:
    h = make_client(_orders(total))
    ids = [o["id"] for o in h.client.iter_v2("/v2/orders")]
    assert ids == list(range(1, total + 1))
    assert h.client.request_count == requests
    assert [api_path(r) for r in h.requests] == ["/v2/orders"] * requests


def test_v2_empty_json_array_also_ends_the_listing() -> None:
    h = make_client(_orders(250, empty_status=200))
    assert len(list(h.client.iter_v2("/v2/orders"))) == 250
    assert h.client.request_count == 2


def test_v2_a_server_ignoring_page_does_not_loop_forever() -> None:
    h = make_client(lambda r: httpx.Response(200, json=[{"id": 1}, {"id": 2}]))
    with pytest.raises(errors.BigCommerceError, match="same page"):
        list(h.client.iter_v2("/v2/orders", limit=2))
    assert h.client.request_count == 2


def test_a_list_entry_that_is_not_an_object_is_a_mapping_error() -> None:
    h = make_client(lambda r: httpx.Response(200, json=[1, 2]))
    with pytest.raises(errors.MappingError):
        list(h.client.iter_v2("/v2/orders"))
