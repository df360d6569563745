"""One connected store: its HTTP client and its cache file, built once and shared by CLI and GUI."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.cache import Cache
from backorder_desktop.services.instance import open_store_cache
from backorder_desktop.services.logs import register_secret
from backorder_desktop.services.paths import cache_path, ensure_private_dir

DEFAULT_API_URL = "https://api.bigcommerce.com"


@dataclass(frozen=True, slots=True)
class StoreConnection:
    store_hash: str
    api_url: str = DEFAULT_API_URL


class StoreSession:
    """The client and cache of one store. Close it when done."""

    def __init__(
        self, data_dir: Path, connection: StoreConnection, token: str, *, recover: bool = True
    ) -> None:
        """`recover=False`: a reader without the data dir lock (services.instance) leaves the
        outbox rows another process may be sending alone."""
        register_secret(token)
        self._recover = recover
        self.data_dir = data_dir
        self.connection = connection
        self.cache_path = cache_path(data_dir, connection.store_hash)
        # Built first: an insecure URL is refused before anything touches the disk.
        self.client = BigCommerceClient(connection.api_url, connection.store_hash, token)
        self.client.stock_addressing = self.tracked_by_product
        self._cache: Cache | None = None

    def tracked_by_product(self, variant_ids: Collection[int]) -> dict[int, int]:
        """{variant_id: product_id} of the variants whose product tracks stock by product: the
        client sends their stock writes by product_id (bigcommerce/stock_identity.py)."""
        cache = self.cache
        variants = [v for v in (cache.variants.get(vid) for vid in variant_ids) if v is not None]
        products = {p.id: p for p in cache.products.get_many({v.product_id for v in variants})}
        return {
            v.id: v.product_id
            for v in variants
            if v.product_id in products and products[v.product_id].inventory_tracking == "product"
        }

    @property
    def cache_exists(self) -> bool:
        return self.cache_path.exists()

    @property
    def cache(self) -> Cache:
        if self._cache is None:
            ensure_private_dir(self.cache_path.parent)
            self._cache = open_store_cache(self.data_dir, self.cache_path, recover=self._recover)
        return self._cache

    def discard_new_cache(self) -> None:
        """Remove a cache file this session created but never filled (first sync failed)."""
        self.close_cache()
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.cache_path) + suffix).unlink(missing_ok=True)

    def close_cache(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def close(self) -> None:
        self.close_cache()
        self.client.close()

    def __enter__(self) -> StoreSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
