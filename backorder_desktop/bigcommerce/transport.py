"""One authenticated HTTP channel to a store: URL checks, pacing, retries, counting, logging."""

from __future__ import annotations

import ipaddress
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from .. import __version__
from .error_mapping import error_from_response
from .errors import BigCommerceError, InsecureUrlError, OfflineError
from .ratelimit import RateLimiter
from .redaction import LOGGER_NAME, redact, register_token

log = logging.getLogger(LOGGER_NAME)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_BACKOFF_S = 30.0
_STORE_HASH_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Raised before a single byte of the request left the machine: always safe to try again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def is_loopback(host: str) -> bool:
    """Only a literal loopback address (127.0.0.0/8, ::1): `localhost` and `*.localhost` are
    names that a hosts file, a resolver or a DNS server may send anywhere."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(api_url: str) -> httpx.URL:
    """The parsed API root; https anywhere, http only for this machine (InsecureUrlError)."""
    try:
        url = httpx.URL(api_url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise InsecureUrlError(f"The API URL '{api_url}' is not a valid URL ({exc}).") from None
    if url.scheme == "https" and url.host:
        return url
    if url.scheme == "http" and url.host and is_loopback(url.host):
        return url
    raise InsecureUrlError(
        f"The API URL '{api_url}' is not secure: use https:// (plain http:// is allowed only "
        "for a store on this machine by its address, such as the demo store on 127.0.0.1 or "
        "[::1]; not by a name like localhost). The access token would otherwise travel "
        "unencrypted."
    )


class Transport:
    """Sends requests under `{api_url}/stores/{store_hash}`; thread-safe."""

    def __init__(
        self,
        api_url: str,
        store_hash: str,
        token: str,
        *,
        timeout: float,
        max_concurrency: int,
        max_retries: int,
        backoff_base: float,
        transport: httpx.BaseTransport | None,
        sleep: Callable[[float], None],
    ) -> None:
        url = check_api_url(api_url)
        if not _STORE_HASH_RE.match(store_hash or ""):
            raise BigCommerceError(
                f"'{store_hash}' is not a store hash: it is the short code (letters and digits) "
                "in https://api.bigcommerce.com/stores/<hash>/v3/."
            )
        if not token:
            raise BigCommerceError("No access token was given for the store.")
        register_token(token)
        self.store_hash = store_hash
        self.base_url = str(url).rstrip("/") + f"/stores/{store_hash}"
        self.max_concurrency = max(1, max_concurrency)
        self.max_retries = max(0, max_retries)
        self.backoff_base = max(0.0, backoff_base)
        self._sleep = sleep
        self._random = random.Random()
        self.limiter = RateLimiter(sleep=sleep)
        self._slots = threading.BoundedSemaphore(self.max_concurrency)
        self._count_lock = threading.Lock()
        self._request_count = 0
        self.http = httpx.Client(
            headers={
                "X-Auth-Token": token,
                "Accept": "application/json",
                "User-Agent": f"backorder-desktop/{__version__}",
            },
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=self.max_concurrency,
                max_keepalive_connections=self.max_concurrency,
            ),
            transport=transport,
            follow_redirects=False,  # a redirect could carry the token to another host
            # HTTP(S)_PROXY / ALL_PROXY from the environment are for the network: a request to
            # this machine must not travel to a proxy with the token (NO_PROXY is often unset).
            trust_env=not is_loopback(url.host),
        )

    @property
    def request_count(self) -> int:
        with self._count_lock:
            return self._request_count

    def close(self) -> None:
        self.http.close()

    def backoff(self, failures: int) -> float:
        """Seconds before retry number `failures` (1-based): exponential with jitter."""
        ceiling = min(MAX_BACKOFF_S, self.backoff_base * (2 ** (failures - 1)))
        return ceiling * self._random.uniform(0.5, 1.0)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        method = method.upper()
        if not (path.startswith("/v2/") or path.startswith("/v3/")):
            raise ValueError(f"API paths start with /v2/ or /v3/, not {path!r}")
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        url = self.base_url + path
        failures = 0  # 5xx answers and network errors, retried only when safe
        limited = 0  # 429 answers: nothing was applied, always safe to retry
        while True:
            outcome = self._send_once(method, url, path, params, json)
            if isinstance(outcome, httpx.TransportError):
                safe = idempotent or isinstance(outcome, _NOT_SENT)
                if safe and failures < self.max_retries:
                    failures += 1
                    self._wait_before_retry(method, path, failures, type(outcome).__name__)
                    continue
                raise self._offline_error(method, path, outcome, idempotent, failures) from None
            status = outcome.status_code
            if status < 300:
                return outcome
            if status == 429 and limited < self.max_retries:
                limited += 1  # the limiter now holds every thread until the window resets
                log.warning("%s %s: 429 rate limited, waiting for the quota window", method, path)
                continue
            if status >= 500 and idempotent and failures < self.max_retries:
                failures += 1
                self._wait_before_retry(method, path, failures, f"HTTP {status}")
                continue
            raise error_from_response(outcome, method, path, store_hash=self.store_hash)

    def _send_once(
        self, method: str, url: str, path: str, params: dict[str, Any] | None, body: Any
    ) -> httpx.Response | httpx.TransportError:
        with self._slots:
            self.limiter.acquire()
            with self._count_lock:
                self._request_count += 1
            started = time.monotonic()
            try:
                response = self.http.request(method, url, params=params, json=body)
            except httpx.TransportError as exc:
                self.limiter.release(None)
                log.warning(
                    "%s %s -> %s after %d ms",
                    method,
                    path,
                    type(exc).__name__,
                    (time.monotonic() - started) * 1000,
                )
                return exc
            except BaseException:
                self.limiter.release(None)  # e.g. a closed client: never leak an in-flight slot
                raise
            self.limiter.release(response.headers, status=response.status_code)
        # The body is read. httpx leaves a response in a reference cycle with its stream
        # (Response.stream -> BoundSyncStream -> Response), so only the garbage collector could
        # free it and the page it holds; the window pauses the collector during a sync and
        # freezes what survives (ui/tasks.py): 64 MB per full sync of a large store stayed.
        response.stream = httpx.ByteStream(b"")
        log.info(
            "%s %s -> %d in %d ms",
            method,
            path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    def _wait_before_retry(self, method: str, path: str, failures: int, why: str) -> None:
        delay = self.backoff(failures)
        log.warning(
            "%s %s failed (%s); retry %d of %d in %.2f s",
            method,
            path,
            why,
            failures,
            self.max_retries,
            delay,
        )
        self._sleep(delay)

    def _offline_error(
        self, method: str, path: str, exc: httpx.TransportError, idempotent: bool, retried: int
    ) -> OfflineError:
        reason = redact(str(exc) or type(exc).__name__)
        if not idempotent and not isinstance(exc, _NOT_SENT):
            return OfflineError(
                f"The connection to BigCommerce dropped before it answered {method} {path}; "
                f"the change may or may not have been applied ({reason})."
            )
        tries = f" after {retried + 1} attempts" if retried else ""
        return OfflineError(
            f"Cannot reach BigCommerce{tries} ({reason}). Check the internet connection; "
            "the app keeps working from its cache."
        )
