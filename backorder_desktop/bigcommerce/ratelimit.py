"""Client-side pacing from BigCommerce's X-Rate-Limit-* headers, shared by every thread.

The quota (150 requests per 30 s on Standard/Plus) is shared with every other app on the store
(bigcommerce-spec/README.md, "Rate limits"), so the client slows down BEFORE it runs out: a
request may start only while `requests_left - requests_in_flight` stays above a small reserve;
otherwise the thread waits `X-Rate-Limit-Time-Reset-Ms`, after which a fresh window is assumed.
Until a first answer has told the quota, one request goes alone: a sync's fan-out must not spend
a quota other apps have nearly used up (issue 17: 3 requests left must not mean a 429).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

from .redaction import LOGGER_NAME

log = logging.getLogger(LOGGER_NAME)

H_WINDOW = "x-rate-limit-time-window-ms"
H_RESET = "x-rate-limit-time-reset-ms"
H_QUOTA = "x-rate-limit-requests-quota"
H_LEFT = "x-rate-limit-requests-left"

# Never sleep less than this (a reset of 0 ms must not become a busy loop) nor more than this
# (a nonsense header must not freeze the app).
MIN_WAIT_S = 0.05
MAX_WAIT_S = 60.0
# Extra wait past the announced reset, so clock skew does not land us one request early.
RESET_MARGIN_S = 0.05
DEFAULT_WAIT_S = 1.0


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(float(raw.strip()))
    except ValueError:
        return None


def reserve_for(quota: int) -> int:
    """Requests kept back for other apps and for retries: 1 on tiny quotas, up to 5."""
    return max(1, min(5, quota // 30))


class RateLimiter:
    """Gate every request through `acquire()` and feed every response's headers to `release()`."""

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._answered = threading.Condition(self._lock)  # a response (or failure) came back
        self._probed = False  # an answer came back: requests may go concurrently from now on
        self._quota: int | None = None
        self._left: int | None = None  # None: not known yet, do not pace
        self._reset_at = 0.0  # clock time when the current window ends
        self._window_s: float | None = None
        self._in_flight = 0
        self._generation = 0  # bumped whenever a waiting thread assumes a fresh window
        self.waits = 0  # how many times a thread paused for the quota (for tests and logs)

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def acquire(self) -> None:
        """Block until one more request fits in the quota, then count it as in flight."""
        while True:
            with self._lock:
                while not self._probed and self._in_flight > 0:
                    # The quota is not known yet: wait for the first answer, which tells it.
                    self._answered.wait(MAX_WAIT_S)
                if self._fits():
                    self._in_flight += 1
                    return
                wait = self._wait_seconds()
                generation = self._generation
                self.waits += 1
            log.info("pacing: %.2f s until the API quota window resets", wait)
            self._sleep(wait)
            with self._lock:
                if self._generation == generation:
                    # First thread back: the window has reset, the quota is full again. The
                    # next responses' headers correct this if another app used some of it.
                    self._generation += 1
                    self._left = self._quota
                    self._reset_at = self._clock()

    def release(self, headers: Mapping[str, str] | None, *, status: int | None = None) -> None:
        """The request finished (headers None: no response at all)."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if headers is not None:
                self._observe(headers, status)
            self._probed = True
            self._answered.notify_all()

    def _fits(self) -> bool:
        if self._left is None:
            return True
        quota = self._quota if self._quota is not None else self._left
        return self._left - self._in_flight > reserve_for(quota)

    def _wait_seconds(self) -> float:
        remaining = self._reset_at - self._clock()
        if remaining <= 0:
            remaining = self._window_s if self._window_s else DEFAULT_WAIT_S
        return min(MAX_WAIT_S, max(MIN_WAIT_S, remaining + RESET_MARGIN_S))

    def _observe(self, raw_headers: Mapping[str, str], status: int | None) -> None:
        headers = {key.lower(): value for key, value in raw_headers.items()}
        quota = _int_header(headers, H_QUOTA)
        left = _int_header(headers, H_LEFT)
        reset_ms = _int_header(headers, H_RESET)
        if reset_ms is None and status == 429:
            retry_after = _int_header(headers, "retry-after")  # seconds, the HTTP standard way
            reset_ms = None if retry_after is None else retry_after * 1000
        window_ms = _int_header(headers, H_WINDOW)
        if quota is not None and quota > 0:
            self._quota = quota
        if window_ms is not None and window_ms > 0:
            self._window_s = window_ms / 1000
        if status == 429:
            left = 0  # whatever the header says, nothing is left in this window
        if left is None:
            return
        now = self._clock()
        # Answers arrive out of order across threads: within one window the count only goes
        # down, so a late answer carrying a higher "left" is stale, unless the window ended.
        if self._left is None or left <= self._left or now >= self._reset_at:
            self._left = left
            if reset_ms is not None and reset_ms >= 0:
                self._reset_at = now + reset_ms / 1000
            elif self._window_s:
                self._reset_at = now + self._window_s
