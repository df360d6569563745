"""BigCommerceClient: the one object the app talks to BigCommerce through (thread-safe)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx

from ..domain.models import InventoryRecord, Location, Metafield, Order, Product, Variant
from .results import BatchResult

JSON = dict[str, Any]


class BigCommerceClient:
    """Synchronous, thread-safe client for one store (API skeleton; implementation follows)."""

    def __init__(
        self,
        api_url: str,
        store_hash: str,
        token: str,
        *,
        timeout: float = 30.0,
        max_concurrency: int = 4,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        raise NotImplementedError

    @property
    def request_count(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> BigCommerceClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        raise NotImplementedError

    def iter_v3(
        self, path: str, params: dict[str, Any] | None = None, *, limit: int = 250
    ) -> Iterator[JSON]:
        raise NotImplementedError

    def iter_v2(
        self, path: str, params: dict[str, Any] | None = None, *, limit: int = 250
    ) -> Iterator[JSON]:
        raise NotImplementedError

    def check_connection(self) -> None:
        raise NotImplementedError

    def list_locations(self) -> list[Location]:
        raise NotImplementedError

    def iter_products(
        self, *, modified_since: datetime | None = None, ids: Sequence[int] | None = None
    ) -> Iterator[tuple[Product, list[Variant]]]:
        raise NotImplementedError

    def iter_inventory(self) -> Iterator[InventoryRecord]:
        raise NotImplementedError

    def iter_orders(
        self, *, status_ids: Sequence[int], modified_since: datetime | None = None
    ) -> Iterator[Order]:
        raise NotImplementedError

    def iter_metafields(
        self, resource_type: str, *, namespace: str, modified_since: datetime | None = None
    ) -> Iterator[Metafield]:
        raise NotImplementedError

    def put_location_settings(self, location_id: int, settings: list[JSON]) -> None:
        raise NotImplementedError

    def adjust_absolute(self, items: list[JSON], reason: str = "") -> None:
        raise NotImplementedError

    def update_products(self, batch: list[JSON]) -> BatchResult:
        raise NotImplementedError

    def update_variants(self, batch: list[JSON]) -> BatchResult:
        raise NotImplementedError

    def upsert_metafields(
        self, resource_type: str, creates: list[JSON], updates: list[JSON]
    ) -> BatchResult:
        raise NotImplementedError

    def update_order_status(
        self, order_id: int, status_id: int, staff_notes: str | None = None
    ) -> Order:
        raise NotImplementedError
