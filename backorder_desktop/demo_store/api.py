"""Request, response, error and routing types shared by the demo store's endpoint modules."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .listing_cache import ListingCache
from .records import StoreState

STATUS_DOC = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"  # the Inventory API's error media type


class ApiError(Exception):
    """An error response; `body` is already in the API version's error shape."""

    def __init__(self, status: int, body: Any, content_type: str = JSON) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.content_type = content_type


def v3_error(
    status: int,
    title: str,
    errors: Mapping[str, Any] | None = None,
    *,
    content_type: str = JSON,
) -> ApiError:
    # V3 error bodies: {"status","title","type","errors"} (spec README, "Other behaviour").
    body = {"status": status, "title": title, "type": STATUS_DOC, "errors": dict(errors or {})}
    return ApiError(status, body, content_type)


def v2_error(status: int, message: str, details: Mapping[str, Any] | None = None) -> ApiError:
    # V2 error bodies are arrays of {"status","message"} (spec README, "Other behaviour").
    item: dict[str, Any] = {"status": status, "message": message}
    if details is not None:
        item["details"] = dict(details)
    return ApiError(status, [item])


def api_error(api: str, status: int, message: str) -> ApiError:
    return v2_error(status, message) if api == "v2" else v3_error(status, message)


@dataclass(slots=True)
class Request:
    method: str
    path: str  # without the /stores/{hash} prefix, e.g. "/v3/catalog/products"
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return "v2" if self.path.startswith("/v2/") else "v3"

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else None
        except (UnicodeDecodeError, ValueError) as exc:
            if self.api == "v2":
                raise v2_error(400, "The request body is not valid JSON.") from exc
            raise v3_error(400, "Input is invalid", {"body": "Syntax error"}) from exc

    def int_param(self, name: str) -> int:
        return int(self.params[name])


@dataclass(slots=True)
class Response:
    status: int
    body: Any = None  # JSON-able; None (with status 204) means no body
    content_type: str = JSON
    dirty: frozenset[str] = frozenset()  # state sections to persist (persist.SECTIONS)


@dataclass(slots=True)
class Context:
    """What an endpoint sees: the state (under `lock`), the clock and the store's switches."""

    state: StoreState
    lock: threading.RLock
    native_backorders: bool
    api_url: str
    now: Callable[[], datetime]
    listing_cache: ListingCache | None = None  # None: build every document (the default)
    # Inventory writes go through this when the store applies them later (asynchronously, as
    # BigCommerce does); None applies them at once.
    defer: Callable[[Callable[[], frozenset[str]]], None] | None = None
    client_id: str = "demo-store-client"  # the calling token's API account (metafield owner)

    @property
    def base_url(self) -> str:
        return f"{self.api_url}/stores/{self.state.store_hash}"


Handler = Callable[[Context, Request], Response]


class Router:
    """Maps (method, path) to a handler; path patterns use {name} for integer segments."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[0-9]+)", pattern)
        self._routes.append((method.upper(), re.compile(f"^{regex}$"), handler))

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """The handler and path params; ApiError 404 for unknown paths, 405 for other methods."""
        allowed = False
        for route_method, regex, handler in self._routes:
            match = regex.match(path)
            if match is None:
                continue
            if route_method == method.upper():
                return handler, match.groupdict()
            allowed = True
        api = "v2" if path.startswith("/v2/") else "v3"
        if allowed:
            raise api_error(api, 405, "The requested method is not allowed for this resource.")
        raise api_error(api, 404, "The requested resource was not found.")
