"""HTTP client transport: URL safety, auth header, retry decisions, 429 handling, counting."""

from __future__ import annotations

import httpx
import pytest

from backorder_desktop.bigcommerce import BigCommerceClient, errors
from tests.support.client_mock import STORE, TOKEN, api_path, make_client, rl_headers


@pytest.mark.parametrize(
    "url",
    [
        "http://api.bigcommerce.com",
        "http://192.168.1.10:8080",
        "http://10.0.0.1",
        "ftp://127.0.0.1",
        "not a url",
        "http://127.0.0.1.evil.example",
        "http://localhost:9000",  # a name: a hosts file or resolver decides where it goes
        "http://shop.localhost",
    ],
)
def test_plain_http_to_another_machine_is_refused_before_any_request(url: str) -> None:
    with pytest.raises(errors.InsecureUrlError) as caught:
        BigCommerceClient(url, STORE, TOKEN)
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8123", "http://127.5.6.7", "http://[::1]:8080"],
)
def test_plain_http_is_accepted_for_loopback(url: str) -> None:
    BigCommerceClient(url, STORE, TOKEN).close()


def test_bad_store_hash_is_refused_with_a_readable_message() -> None:
    with pytest.raises(errors.BigCommerceError, match="store hash"):
        BigCommerceClient("https://api.bigcommerce.com", "abc/../x", TOKEN)


def test_requests_go_under_the_store_with_the_token_header() -> None:
    h = make_client(lambda r: httpx.Response(200, json={"data": []}))
    h.client.request("GET", "/v3/catalog/products", params={"limit": 5})
    h.client.request("GET", "/v2/orders")
    urls = [str(r.url) for r in h.requests]
    assert urls == [
        f"https://api.bigcommerce.com/stores/{STORE}/v3/catalog/products?limit=5",
        f"https://api.bigcommerce.com/stores/{STORE}/v2/orders",
    ]
    assert all(r.headers["X-Auth-Token"] == TOKEN for r in h.requests)
    assert all(r.headers["Accept"] == "application/json" for r in h.requests)


def _flaky(statuses: list[int | type[Exception]]) -> tuple[list[int], object]:
    """A handler answering with the given statuses (or raising) in turn, then 200."""
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        if statuses:
            outcome = statuses.pop(0)
            if isinstance(outcome, type):
                raise outcome("boom", request=request)
            return httpx.Response(
                outcome, json={"title": "oops"}, headers=rl_headers(reset_ms=2500)
            )
        return httpx.Response(200, json={"data": []}, headers=rl_headers())

    return seen, handler


def test_get_is_retried_after_5xx_with_growing_backoff() -> None:
    _, handler = _flaky([500, 503, 502])
    h = make_client(handler, backoff_base=0.5, max_retries=4)
    response = h.client.request("GET", "/v3/catalog/products")
    assert response.status_code == 200
    assert h.client.request_count == 4
    assert len(h.sleeps) == 3
    # Exponential with jitter in [0.5, 1] x base x 2^(n-1).
    for n, delay in enumerate(h.sleeps, start=1):
        assert 0.5 * 0.5 * 2 ** (n - 1) <= delay <= 0.5 * 2 ** (n - 1)


def test_5xx_beyond_the_retries_raises_server_error() -> None:
    _, handler = _flaky([500] * 10)
    h = make_client(handler, max_retries=2)
    with pytest.raises(errors.ServerError) as caught:
        h.client.request("GET", "/v3/catalog/products")
    assert h.client.request_count == 3
    assert "try again later" in caught.value.message.lower()
    assert "oops" in caught.value.message  # BigCommerce's own words


def test_post_is_not_retried_after_5xx() -> None:
    _, handler = _flaky([500])
    h = make_client(handler)
    with pytest.raises(errors.ServerError):
        h.client.request("POST", "/v3/catalog/products/metafields", json=[{"key": "k"}])
    assert h.client.request_count == 1
    assert h.sleeps == []


def test_post_marked_idempotent_is_retried() -> None:
    _, handler = _flaky([503])
    h = make_client(handler)
    h.client.request("POST", "/v3/x", json={}, idempotent=True)
    assert h.client.request_count == 2


def test_put_is_retried_after_a_dropped_connection() -> None:
    _, handler = _flaky([httpx.RemoteProtocolError, httpx.ReadTimeout])
    h = make_client(handler)
    assert h.client.request("PUT", "/v3/catalog/variants", json=[]).status_code == 200
    assert h.client.request_count == 3


def test_post_after_a_dropped_connection_is_not_repeated() -> None:
    _, handler = _flaky([httpx.RemoteProtocolError])
    h = make_client(handler)
    with pytest.raises(errors.OfflineError, match="may or may not have been applied"):
        h.client.request("POST", "/v2/orders", json={})
    assert h.client.request_count == 1


def test_post_is_retried_when_the_connection_was_never_made() -> None:
    # Connection refused: nothing left the machine, so even a POST is safe to send again.
    _, handler = _flaky([httpx.ConnectError, httpx.ConnectError])
    h = make_client(handler)
    assert h.client.request("POST", "/v2/orders", json={}).status_code == 200
    assert h.client.request_count == 3


def test_unreachable_store_raises_offline_error_after_retries() -> None:
    _, handler = _flaky([httpx.ConnectError] * 10)
    h = make_client(handler, max_retries=3)
    with pytest.raises(errors.OfflineError) as caught:
        h.client.request("GET", "/v3/catalog/products")
    assert "cannot reach bigcommerce" in caught.value.message.lower()
    assert h.client.request_count == 4


def test_429_waits_the_reset_time_and_does_not_use_up_the_retries() -> None:
    # Two 429s and then four 5xx: with max_retries=4 it still succeeds, because a 429 is not
    # a failure (nothing was applied) and has its own allowance.
    _, handler = _flaky([429, 429, 500, 500, 500, 500])
    h = make_client(handler, max_retries=4, backoff_base=0.01)
    assert h.client.request("POST", "/v3/x", json={}, idempotent=True).status_code == 200
    assert h.client.request_count == 7
    # The two 429 waits are the announced reset (2.5 s) plus a small margin.
    reset_waits = [s for s in h.sleeps if s >= 2.5]
    assert len(reset_waits) == 2
    assert all(s < 3 for s in reset_waits)


def test_429_is_retried_even_for_post() -> None:
    _, handler = _flaky([429])
    h = make_client(handler)
    assert h.client.request("POST", "/v2/orders", json={}).status_code == 200
    assert h.client.request_count == 2


def test_429_that_never_clears_raises_rate_limited_error() -> None:
    _, handler = _flaky([429] * 20)
    h = make_client(handler, max_retries=3)
    with pytest.raises(errors.RateLimitedError) as caught:
        h.client.request("GET", "/v3/catalog/products")
    assert h.client.request_count == 4
    assert "quota" in caught.value.message


def test_request_count_is_thread_safe() -> None:
    import concurrent.futures

    h = make_client(lambda r: httpx.Response(200, json={}))
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: h.client.request("GET", "/v3/x"), range(200)))
    assert h.client.request_count == 200 == len(h.requests)


def test_context_manager_closes_the_client() -> None:
    h = make_client(lambda r: httpx.Response(200, json={}))
    with h.client as client:
        client.request("GET", "/v3/x")
    assert h.client.http.is_closed


def test_paths_outside_the_api_are_refused() -> None:
    h = make_client(lambda r: httpx.Response(200))
    with pytest.raises(ValueError):
        h.client.request("GET", "https://evil.example/v3/x")
    assert h.requests == []


def test_paths_are_relative_to_the_store() -> None:
    h = make_client(lambda r: httpx.Response(200, json={}))
    h.client.request("DELETE", "/v3/catalog/products/metafields", json=[1, 2])
    assert api_path(h.requests[0]) == "/v3/catalog/products/metafields"


def test_a_redirect_is_not_followed_with_the_token() -> None:
    # A redirect could carry the X-Auth-Token header to another host.
    h = make_client(
        lambda r: httpx.Response(301, headers={"Location": "https://evil.example/steal"})
    )
    with pytest.raises(errors.BigCommerceError, match="301"):
        h.client.request("GET", "/v3/catalog/products")
    assert len(h.requests) == 1


def test_a_closed_client_refuses_requests_without_leaking_quota() -> None:
    h = make_client(lambda r: httpx.Response(200, json={}, headers=rl_headers(left=10)))
    h.client.request("GET", "/v3/x")
    h.client.close()
    with pytest.raises(RuntimeError):
        h.client.request("GET", "/v3/x")
    assert h.client._transport.limiter.in_flight == 0
