"""The request pipeline: store hash, auth, rate limit, faults, routing, persistence, recording."""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

try:
    import orjson
except ImportError:  # pragma: no cover (orjson is a dependency; the fallback keeps the store up)
    orjson = None  # type: ignore[assignment]

from . import catalog, inventory, inventory_write, metafields, orders, refunds
from .accounts import SCOPE_403, Account
from .api import ApiError, Context, Request, Response, Router, api_error
from .faults import FaultInjector
from .listing_cache import ListingCache
from .ratelimit import RateLimiter
from .records import StoreState

log = logging.getLogger("backorder_desktop.demo_store")
_PREFIX = re.compile(r"^/stores/([^/]+)(/v[23]/.*)$")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the store saw it; `path` has no /stores/{hash} prefix, status 0 = dropped."""

    method: str
    path: str
    query: dict[str, str]
    status: int


@dataclass(slots=True)
class Outcome:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    drop: bool = False


def build_router() -> Router:
    router = Router()
    for module in (catalog, metafields, inventory, inventory_write, orders, refunds):
        module.register(router)
    return router


def _encode(body: object) -> bytes:
    # orjson writes the same compact UTF-8 JSON about 10x faster (a full sync of the large
    # store is 64 MB of it); the standard encoder remains for what orjson refuses (e.g. an int
    # beyond 64 bits, non-string keys) and for an install without orjson.
    if orjson is not None:
        try:
            return orjson.dumps(body)
        except TypeError:
            pass
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Engine:
    """Turns one HTTP request into an Outcome. Thread-safe: the state is guarded by `lock`."""

    def __init__(
        self,
        state: StoreState,
        *,
        native_backorders: bool,
        limiter: RateLimiter,
        faults: FaultInjector,
        token: str,
        account: Account,
        persist: Callable[[frozenset[str]], None],
        api_url: Callable[[], str],
        now: Callable[[], datetime],
        cache_listings: bool = False,
    ) -> None:
        self.state = state
        self.lock = threading.RLock()
        self.native_backorders = native_backorders
        self.limiter = limiter
        self.faults = faults
        self.token = token
        self.account = account  # the primary token's API account
        self.other_accounts: dict[str, Account] = {}  # token -> a second API account's
        self._persist = persist
        self._api_url = api_url
        self._now = now
        self._router = build_router()
        self._listing_cache = ListingCache() if cache_listings and ListingCache.usable() else None
        self._records: list[RequestRecord] = []
        self._records_lock = threading.Lock()

    # -- request log -------------------------------------------------------------------------
    def records(self) -> list[RequestRecord]:
        with self._records_lock:
            return list(self._records)

    def clear_records(self) -> None:
        with self._records_lock:
            self._records.clear()

    def _record(self, method: str, path: str, query: dict[str, str], status: int) -> None:
        with self._records_lock:
            self._records.append(RequestRecord(method, path, dict(query), status))

    def _account_for(self, given: str) -> Account | None:
        if secrets.compare_digest(given.encode(), self.token.encode()):
            return self.account
        for token, account in list(self.other_accounts.items()):
            if secrets.compare_digest(given.encode(), token.encode()):
                return account
        return None

    # -- pipeline ----------------------------------------------------------------------------
    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Outcome:
        """`headers` keys must be lower case."""
        url = urlsplit(target)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        match = _PREFIX.match(url.path)
        path = match.group(2) if match else url.path
        api = "v2" if path.startswith("/v2/") else "v3"
        if self.faults.latency_ms > 0:
            time.sleep(self.faults.latency_ms / 1000)
        outcome = self._handle(method, path, query, headers, body, match, api)
        self._record(method, path, query, 0 if outcome.drop else outcome.status)
        return outcome

    def _error(self, err: ApiError, rate_headers: dict[str, str]) -> Outcome:
        headers = {"Content-Type": err.content_type, **rate_headers}
        return Outcome(err.status, headers, _encode(err.body))

    def _fault(self, kind: str, api: str, rate_headers: dict[str, str]) -> Outcome | None:
        if kind == "drop":
            return Outcome(0, drop=True)
        if kind == "slow":
            time.sleep(self.faults.slow_seconds)
            return None
        if kind == "429":
            return self._error(
                api_error(api, 429, "Too many requests: the rate limit was exceeded."),
                self.limiter.exhausted_headers(),
            )
        if kind == "401":
            return self._error(
                api_error(api, 401, "The access token is missing or invalid."), rate_headers
            )
        message = "Internal server error." if kind == "500" else "Service temporarily unavailable."
        return self._error(api_error(api, int(kind), message), rate_headers)

    def _handle(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: Mapping[str, str],
        body: bytes,
        match: re.Match[str] | None,
        api: str,
    ) -> Outcome:
        if match is None or match.group(1) != self.state.store_hash:
            # An unknown store hash answers 404 like an unknown path (spec README).
            return self._error(
                api_error(api, 404, "The requested store was not found."), self.limiter.peek()
            )
        account = self._account_for(headers.get("x-auth-token") or "")
        if account is None:
            return self._error(
                api_error(api, 401, "The access token is missing or invalid."), self.limiter.peek()
            )
        allowed, rate_headers = self.limiter.take()
        if not allowed:
            return self._error(
                api_error(api, 429, "Too many requests: the rate limit was exceeded."), rate_headers
            )
        if not account.allows(method, path):
            # BigCommerce's body names no scope (spec README, "Learned since").
            return self._error(api_error(api, 403, SCOPE_403), rate_headers)
        kind = self.faults.take(method, path, "before")
        if kind is not None:
            faulted = self._fault(kind, api, rate_headers)
            if faulted is not None:
                return faulted
        outcome = self._dispatch(method, path, query, headers, body, rate_headers, account)
        kind = self.faults.take(method, path, "after")
        if kind is not None:
            faulted = self._fault(kind, api, rate_headers)
            if faulted is not None:
                return faulted
        return outcome

    def _dispatch(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: Mapping[str, str],
        body: bytes,
        rate_headers: dict[str, str],
        account: Account,
    ) -> Outcome:
        request = Request(method.upper(), path, query, headers, body)
        try:
            handler, request.params = self._router.resolve(method, path)
            with self.lock:
                ctx = Context(
                    state=self.state,
                    lock=self.lock,
                    native_backorders=self.native_backorders,
                    api_url=self._api_url(),
                    now=self._now,
                    listing_cache=self._listing_cache,
                    client_id=account.client_id,
                )
                try:
                    response: Response = handler(ctx, request)
                finally:
                    if self._listing_cache is not None and request.method != "GET":
                        self._listing_cache.clear()  # any write may change any document
                if response.dirty:
                    self._persist(response.dirty)
        except ApiError as err:
            return self._error(err, rate_headers)
        except Exception:
            log.exception("demo store: %s %s failed", method, path)
            return self._error(api_error(request.api, 500, "Internal server error."), rate_headers)
        out_headers = dict(rate_headers)
        if response.body is None:
            return Outcome(response.status, out_headers, None)
        out_headers["Content-Type"] = response.content_type
        return Outcome(response.status, out_headers, _encode(response.body))
