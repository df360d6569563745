"""HTTP client pacing: slow down from the X-Rate-Limit-* headers before the quota runs out."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from backorder_desktop.bigcommerce.ratelimit import RateLimiter, reserve_for
from tests.support.client_mock import make_client, rl_headers, v3_list


class Blocked(Exception):
    pass


def _blocking_sleep(seconds: float) -> None:
    raise Blocked(seconds)


def _headers(left: int, quota: int = 100, reset_ms: int = 4000) -> dict[str, str]:
    return rl_headers(left=left, quota=quota, reset_ms=reset_ms)


def test_unknown_quota_does_not_hold_the_first_request() -> None:
    limiter = RateLimiter(sleep=_blocking_sleep)
    limiter.acquire()
    assert limiter.in_flight == 1


def test_requests_in_flight_count_against_what_is_left() -> None:
    limiter = RateLimiter(sleep=_blocking_sleep)
    limiter.acquire()
    limiter.release(_headers(left=10))  # reserve for quota 100 is 3
    for _ in range(6):  # 10 - 6 in flight = 4 > 3: still fits
        limiter.acquire()
    limiter.acquire()  # 10 - 6 = 4 before this one: fits, now 7 in flight
    with pytest.raises(Blocked):
        limiter.acquire()  # 10 - 7 = 3: would eat into the reserve


def test_waits_the_reset_time_then_assumes_a_fresh_window() -> None:
    sleeps: list[float] = []
    limiter = RateLimiter(sleep=sleeps.append)
    limiter.acquire()
    limiter.release(_headers(left=3, reset_ms=2000))
    limiter.acquire()
    assert len(sleeps) == 1
    assert 2.0 <= sleeps[0] <= 2.2
    limiter.release(_headers(left=99))
    limiter.acquire()
    assert len(sleeps) == 1


def test_stale_answer_does_not_raise_the_count_within_a_window() -> None:
    limiter = RateLimiter(sleep=_blocking_sleep)
    limiter.acquire()  # the first request goes alone and tells the quota
    limiter.release(_headers(left=60, reset_ms=5000))
    for _ in range(2):
        limiter.acquire()
    limiter.release(_headers(left=3, reset_ms=5000))
    limiter.release(_headers(left=50, reset_ms=5000))  # sent earlier, answered later
    with pytest.raises(Blocked):
        limiter.acquire()


def test_429_empties_the_quota_for_every_thread() -> None:
    sleeps: list[float] = []
    limiter = RateLimiter(sleep=sleeps.append)
    limiter.acquire()
    limiter.release(_headers(left=80, reset_ms=1500), status=429)
    limiter.acquire()
    assert len(sleeps) == 1 and 1.5 <= sleeps[0] <= 1.7


def test_a_nonsense_reset_header_cannot_freeze_the_app() -> None:
    sleeps: list[float] = []
    limiter = RateLimiter(sleep=sleeps.append)
    limiter.acquire()
    limiter.release(_headers(left=0, reset_ms=10**12))
    limiter.acquire()
    assert sleeps == [60.0]


def test_reserve_is_small_but_never_zero() -> None:
    assert reserve_for(3) == 1
    assert reserve_for(20) == 1
    assert reserve_for(150) == 5
    assert reserve_for(450) == 5


class WindowStore:
    """A fixed-window quota in real time, as BigCommerce announces it in its headers."""

    def __init__(self, quota: int, window_s: float, pages: int) -> None:
        self.quota, self.window_s, self.pages = quota, window_s, pages
        self.lock = threading.Lock()
        self.start = time.monotonic()
        self.used = 0
        self.statuses: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            now = time.monotonic()
            if now - self.start >= self.window_s:
                self.start, self.used = now, 0
            reset_ms = int((self.start + self.window_s - now) * 1000)
            if self.used >= self.quota:
                self.statuses.append(429)
                return httpx.Response(429, headers=rl_headers(0, self.quota, reset_ms))
            self.used += 1
            left = self.quota - self.used
            self.statuses.append(200)
        page = int(request.url.params["page"])
        time.sleep(0.005)
        body = v3_list([{"id": page}], page, self.pages)
        return httpx.Response(200, json=body, headers=rl_headers(left, self.quota, reset_ms))


def test_concurrent_listing_stays_inside_a_small_quota_without_any_429() -> None:
    store = WindowStore(quota=8, window_s=0.25, pages=24)
    h = make_client(store, max_concurrency=4, sleep=time.sleep)
    ids = [item["id"] for item in h.client.iter_v3("/v3/catalog/products")]
    assert ids == list(range(1, 25))
    assert 429 not in store.statuses
    assert h.client.request_count == 24
    assert h.client.rate_limit_waits >= 2  # it really had to pace across windows


def test_until_the_first_answer_one_request_goes_alone() -> None:
    import threading

    limiter = RateLimiter(sleep=_blocking_sleep)
    limiter.acquire()  # the first request: the quota is unknown
    second_started = threading.Event()

    def second() -> None:
        limiter.acquire()
        second_started.set()

    thread = threading.Thread(target=second, daemon=True)
    thread.start()
    assert not second_started.wait(0.3)  # held until the first answer tells the quota
    limiter.release(_headers(left=50))
    assert second_started.wait(5)
    thread.join(5)
