"""BigCommerceClient: the one object the app talks to BigCommerce through (thread-safe)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence, Sized
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx

from ..domain.models import InventoryRecord, Location, Metafield, Order, Product, Variant
from .error_mapping import parse_body, store_not_found_message
from .errors import BigCommerceError, NotFoundError, ValidationError
from .mapping import (
    METAFIELD_RESOURCE_TYPES,
    consignment_lines,
    map_location,
    map_metafield,
    map_order,
)
from .order_pages import changed_orders
from .paging import PageReader, iter_v2, iter_v3, iter_v3_pages, read_v2_page
from .paths import METAFIELD_PATHS
from .stock_identity import (
    ByProduct,
    StockAddresser,
    address_stock,
    is_stock_write,
    tracked_by_product_error,
    variant_ids_of,
)
from .transport import Transport
from .typed_pages import ProductPage, StockPage, read_products, read_stock

JSON = dict[str, Any]
P = TypeVar("P", bound=Sized)

# Batch limits of the API (bigcommerce-spec/README.md; more per request is HTTP 413).
PRODUCT_BATCH = 10
VARIANT_BATCH = 50
INVENTORY_BATCH = 2000
# The specs give no metafield batch maximum; 50 keeps each request small and well inside it.
METAFIELD_BATCH = 50
ID_FILTER_CHUNK = 250  # ids per `id:in` filter: one full page each, and a short URL
PRODUCT_FIELDS = (
    "name,sku,inventory_tracking,availability,price,preorder_release_date,preorder_message,"
    "availability_description,date_modified"
)
ORDER_INCLUDE = {"include": "consignments.line_items", "consignment_structure": "object"}
# Metafields are the store shared between laptops (DESIGN.md); each laptop may use its own API
# account, so the app's metafields must be readable and writable by other API accounts.
DEFAULT_METAFIELD_PERMISSION = "write"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def v3_date(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def v2_date(moment: datetime) -> str:
    return format_datetime(_utc(moment).replace(microsecond=0))  # RFC 2822, as V2 speaks


def _chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class BigCommerceClient:
    """Synchronous, thread-safe client for one store.

    Every request goes through one Transport (auth, pacing from the rate-limit headers,
    retries with backoff, redacted logging); lists are paged and mapped to the domain records
    of `domain.models`. Writes are typed operations (`operations.encode` makes the request,
    the services batch them to the limits below, `sync.push` sends them through `request`
    and `sync.partial` resends what a refusal did not name): the one write path.
    """

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
        self._transport = Transport(
            api_url,
            store_hash,
            token,
            timeout=timeout,
            max_concurrency=max_concurrency,
            max_retries=max_retries,
            backoff_base=backoff_base,
            transport=transport,
            sleep=sleep,
        )
        self.store_hash = store_hash
        self.max_concurrency = self._transport.max_concurrency
        # Which variants take stock writes by product_id (stock_identity.py).
        self.stock = StockAddresser()

    # -- plumbing -------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """Every HTTP request sent so far, retries included."""
        return self._transport.request_count

    @property
    def http(self) -> httpx.Client:
        """The underlying httpx client (tests add event hooks to it)."""
        return self._transport.http

    @property
    def rate_limit_waits(self) -> int:
        """How many times a request paused to stay inside the API quota."""
        return self._transport.limiter.waits

    def close(self) -> None:
        self._transport.close()

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
        """One API call (path like "/v3/catalog/products"); raises the typed errors.

        Stock writes are addressed per item as its product tracks inventory (stock_identity)."""
        if not is_stock_write(method, path):
            return self._transport.request(
                method, path, params=params, json=json, idempotent=idempotent
            )
        sent = address_stock(method, path, json, self.stock.resolve)
        try:
            return self._transport.request(
                method, path, params=params, json=sent, idempotent=idempotent
            )
        except ValidationError as exc:
            # The cache's idea of an item's tracking was wrong or missing (the merchant changed
            # it): the 422 refused the whole request, so ask the store and send it once more.
            if exc.status != 422 or not tracked_by_product_error(exc.message):
                raise
            if not self._learn_tracking(variant_ids_of(path, json)):
                raise
            again = address_stock(method, path, json, self.stock.resolve)
            if again == sent:
                raise
            return self._transport.request(
                method, path, params=params, json=again, idempotent=idempotent
            )

    @property
    def stock_addressing(self) -> ByProduct | None:
        """Where variants' tracking comes from when the store has not said (the cache)."""
        return self.stock.lookup

    @stock_addressing.setter
    def stock_addressing(self, lookup: ByProduct | None) -> None:
        self.stock.lookup = lookup

    def _learn_tracking(self, variant_ids: set[int]) -> bool:
        """Read these variants' products' tracking from the store (two small listings)."""
        if not variant_ids:
            return False
        owners: dict[int, int] = {}
        for chunk in _chunks(sorted(variant_ids), ID_FILTER_CHUNK):
            # Inventory items name each variant's product in their identity.
            params = {"variant_id:in": ",".join(map(str, chunk))}
            for data in self.iter_v3("/v3/inventory/items", params, limit=1000):
                ident = data.get("identity")
                ident = ident if isinstance(ident, dict) else {}
                vid, pid = ident.get("variant_id"), ident.get("product_id")
                if isinstance(vid, int) and isinstance(pid, int):
                    owners[vid] = pid
        tracking: dict[int, str] = {}
        for chunk in _chunks(sorted(set(owners.values())), ID_FILTER_CHUNK):
            params = {"id:in": ",".join(map(str, chunk)), "include_fields": "inventory_tracking"}
            for data in self.iter_v3("/v3/catalog/products", params):
                if isinstance(data.get("id"), int):
                    tracking[data["id"]] = str(data.get("inventory_tracking") or "none")
        for vid, pid in owners.items():
            self.stock.learn(pid, tracking.get(pid, "none"), [vid])
        return bool(owners)

    def iter_v3(
        self, path: str, params: dict[str, Any] | None = None, *, limit: int = 250
    ) -> Iterator[JSON]:
        return iter_v3(
            self._transport.request,
            path,
            params,
            limit=limit,
            max_concurrency=self.max_concurrency,
        )

    def _iter_pages(
        self, path: str, params: dict[str, Any] | None, read: PageReader[P], *, limit: int = 250
    ) -> Iterator[P]:
        """A V3 listing page by page, each turned into records by `read` on its page thread."""
        return iter_v3_pages(
            self._transport.request,
            path,
            params,
            limit=limit,
            max_concurrency=self.max_concurrency,
            read=read,
        )

    def iter_v2(
        self, path: str, params: dict[str, Any] | None = None, *, limit: int = 250
    ) -> Iterator[JSON]:
        return iter_v2(self._transport.request, path, params, limit=limit)

    # -- reads ----------------------------------------------------------------------------

    def check_connection(self) -> None:
        """One cheap request proving the URL, store hash, token and catalog scope are right."""
        try:
            response = self.request(
                "GET", "/v3/catalog/products", params={"limit": 1, "include_fields": "name"}
            )
        except NotFoundError as exc:
            # The product list always exists: a 404 here means the store does not.
            raise NotFoundError(store_not_found_message(self.store_hash), status=404) from exc
        body = parse_body(response)
        if not isinstance(body, dict) or "data" not in body:
            raise BigCommerceError(
                "The API URL answered, but not like BigCommerce's API: check the API URL."
            )

    def store_country(self) -> str:
        """The store's country ("United States"), from the V3 locale settings
        (settings.v3.yml `/settings/store/locale`, `store_country`); "" if it names none."""
        response = self.request("GET", "/v3/settings/store/locale")
        body = response.json() if response.content else {}
        data = body.get("data") if isinstance(body, dict) else None
        country = data.get("store_country") if isinstance(data, dict) else None
        return country.strip() if isinstance(country, str) else ""

    def list_locations(self) -> list[Location]:
        """Every location, the default one marked: from its record's `is_default` when the
        store sends it, else from `?is_default=true` (one more request; never "id 1")."""
        raw = list(self.iter_v3("/v3/inventory/locations"))
        locations = [map_location(d) for d in raw]
        if any("is_default" in d for d in raw if isinstance(d, dict)) or not locations:
            return locations
        defaults = {
            map_location(d).id
            for d in self.iter_v3("/v3/inventory/locations", {"is_default": "true"})
        }
        if len(defaults) != 1:  # a store that ignores the filter names none for sure
            defaults = {locations[0].id} if len(locations) == 1 else set()
        return [replace(loc, is_default=loc.id in defaults) for loc in locations]

    def iter_products(
        self, *, modified_since: datetime | None = None, ids: Sequence[int] | None = None
    ) -> Iterator[tuple[Product, list[Variant]]]:
        """Products with their variants in one listing (include=variants: no request per product)."""
        for page in self.iter_product_pages(modified_since=modified_since, ids=ids):
            yield from page.pairs()

    def iter_product_pages(
        self, *, modified_since: datetime | None = None, ids: Sequence[int] | None = None
    ) -> Iterator[ProductPage]:
        """`iter_products` a page at a time, read by typed_pages (a sync's 10,000 products and
        40,000 variants in 40 steps; the variants as fields until a record is asked for)."""
        params: dict[str, Any] = {"include": "variants", "include_fields": PRODUCT_FIELDS}
        if modified_since is not None:
            params["date_modified:min"] = v3_date(modified_since)
        if ids is None:
            chunks: list[dict[str, Any]] = [params]
        else:
            chunks = [
                {**params, "id:in": ",".join(str(i) for i in chunk)}
                for chunk in _chunks(sorted(set(ids)), ID_FILTER_CHUNK)
            ]
        for chunk_params in chunks:
            for page in self._iter_pages("/v3/catalog/products", chunk_params, read_products):
                for product, group in zip(page.products, page.groups, strict=True):
                    self.stock.learn(
                        product.id, product.inventory_tracking, [fields[0] for fields in group]
                    )
                yield page

    def iter_inventory(
        self, *, variant_ids: Sequence[int] | None = None
    ) -> Iterator[InventoryRecord]:
        """Stock per variant and location (native backorder fields included when the store has them).

        With `variant_ids`, only those variants (`variant_id:in`, in chunks of ID_FILTER_CHUNK).
        """
        for page in self.iter_inventory_pages(variant_ids=variant_ids):
            yield from page.records()

    def iter_inventory_pages(
        self, *, variant_ids: Sequence[int] | None = None
    ) -> Iterator[StockPage]:
        """`iter_inventory` a page at a time (a sync's 72,000 stock records in 36 steps, as
        fields until records are asked for)."""
        if variant_ids is None:
            chunks: list[dict[str, Any] | None] = [None]
        else:
            chunks = [
                {"variant_id:in": ",".join(str(i) for i in chunk)}
                for chunk in _chunks(sorted(set(variant_ids)), ID_FILTER_CHUNK)
            ]
        for params in chunks:
            yield from self._iter_pages("/v3/inventory/items", params, read_stock, limit=1000)

    def iter_orders(
        self,
        *,
        status_ids: Sequence[int],
        modified_since: datetime | None = None,
        unchanged: Mapping[int, datetime] | None = None,
    ) -> Iterator[Order]:
        """Orders with their lines (include=consignments.line_items: no request per order).

        Without `modified_since`: one listing per status, run concurrently. With it: ONE listing
        of every status changed since then; the caller drops orders no longer open. An order
        whose id and `date_modified` are in `unchanged` (the copy the caller already holds) is
        skipped without being mapped: a cursor's overlap lists the same orders again and again.
        """
        if modified_since is not None:
            params = {**ORDER_INCLUDE, "min_date_modified": v2_date(modified_since)}
            read = changed_orders(unchanged) if unchanged is not None else read_v2_page
            for data in iter_v2(
                self._transport.request, "/v2/orders", params, limit=250, read=read
            ):
                yield self._map_order(data)
            return
        statuses = list(dict.fromkeys(status_ids))
        if not statuses:
            return

        def listing(status_id: int) -> list[JSON]:
            return list(self.iter_v2("/v2/orders", {**ORDER_INCLUDE, "status_id": status_id}))

        seen: set[int] = set()
        workers = min(len(statuses), self.max_concurrency)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bc-orders") as pool:
            futures = [pool.submit(listing, status_id) for status_id in statuses]
            try:
                for future in futures:
                    for data in future.result():
                        order = self._map_order(data)
                        # An order whose status changed between two listings shows up twice.
                        if order.id not in seen:
                            seen.add(order.id)
                            yield order
            finally:
                for future in futures:
                    future.cancel()

    def _map_order(self, data: JSON) -> Order:
        """An order with every line: when a consignment gave its line items as links only
        (allowed for any kind, downloads included), one request reads the order's products."""
        order_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(order_id, int):
            return map_order(data)  # names what is wrong
        lines, links = consignment_lines(data.get("consignments"))
        if links:
            products = list(self.iter_v2(f"/v2/orders/{order_id}/products"))
            return map_order({**data, "consignments": None, "products": products})
        return map_order(data, line_items=lines)

    def iter_metafields(
        self, resource_type: str, *, namespace: str, modified_since: datetime | None = None
    ) -> Iterator[Metafield]:
        """Metafields of one namespace across all resources of a type (batch GET endpoint)."""
        path = self._metafield_path(resource_type)
        params: dict[str, Any] = {"namespace": namespace}
        if modified_since is not None:
            params["date_modified:min"] = v3_date(modified_since)
        for data in self.iter_v3(path, params):
            yield map_metafield(data, resource_type)

    # -- helpers --------------------------------------------------------------------------

    @staticmethod
    def _metafield_path(resource_type: str) -> str:
        if resource_type not in METAFIELD_RESOURCE_TYPES:
            raise ValueError(f"metafield resource_type must be one of {METAFIELD_RESOURCE_TYPES}")
        return METAFIELD_PATHS[resource_type]
