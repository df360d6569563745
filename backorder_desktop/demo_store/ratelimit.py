"""The store's request quota: a fixed window, with BigCommerce's X-Rate-Limit-* headers."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    """`quota` requests per `window_s` seconds, shared by every client of the store (spec README)."""

    def __init__(
        self, quota: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.configure(quota, window_s)

    def configure(self, quota: int, window_s: float) -> None:
        if quota < 1 or window_s <= 0:
            raise ValueError("the rate limit needs a quota of at least 1 and a positive window")
        with self._lock:
            self.quota = quota
            self.window_s = float(window_s)
            self._start = self._clock()
            self._used = 0

    def _roll(self, now: float) -> None:
        if now >= self._start + self.window_s:
            self._start = now
            self._used = 0

    def _headers(self, now: float) -> dict[str, str]:
        reset_ms = max(0, math.ceil((self._start + self.window_s - now) * 1000))
        return {
            "X-Rate-Limit-Time-Window-Ms": str(int(self.window_s * 1000)),
            "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Requests-Left": str(max(0, self.quota - self._used)),
        }

    def take(self) -> tuple[bool, dict[str, str]]:
        """Count one request; False (and headers with 0 left) when the quota is spent."""
        with self._lock:
            now = self._clock()
            self._roll(now)
            if self._used >= self.quota:
                return False, self._headers(now)
            self._used += 1
            return True, self._headers(now)

    def spend(self, requests: int) -> None:
        """Count requests other apps made in the current window."""
        with self._lock:
            self._roll(self._clock())
            self._used = min(self.quota, self._used + max(0, requests))

    def peek(self) -> dict[str, str]:
        """Headers for a response that does not count against the quota."""
        with self._lock:
            now = self._clock()
            self._roll(now)
            return self._headers(now)

    def exhausted_headers(self) -> dict[str, str]:
        """Headers for an injected 429: nothing left until the window resets."""
        headers = self.peek()
        headers["X-Rate-Limit-Requests-Left"] = "0"
        return headers
