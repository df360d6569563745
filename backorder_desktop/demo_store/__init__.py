"""The embedded demo store: a real HTTP server on 127.0.0.1 speaking the BigCommerce API.

```python
from backorder_desktop.demo_store import DemoStore

with DemoStore(tmp_path, seed=1, rate_limit=(150, 30.0)) as store:   # or DemoStore(...).start()
    store.api_url      # "http://127.0.0.1:PORT"; requests go to {api_url}/stores/{hash}/v3|v2/...
    store.store_hash   # stable per data dir; store.token: random per start, never written to disk
    store.faults.script("PUT", r"^/v3/catalog/variants$", "503", when="after")
    store.requests     # [RequestRecord(method, path, query, status)], path without /stores/{hash}
    store.state        # the dataset (records.StoreState, documented in records.py)
```

State lives in `data_dir/"demo-store"/` (None: memory only). A saved state wins over the
seed/products/orders arguments; `reset=True` regenerates it from the seed (with a new store hash
unless `store_hash` is given). The token is never saved. Endpoints: V3 catalog (products, variants), metafields (product, variant, order, store;
single and batch), inventory (items, locations, location items, adjustments), inventory
settings, and V2 orders (orders, products, shipments, shipping addresses, statuses, count).
Behaviour the specs leave implicit and this store chose:

- Page sizes above the maximum (250; 1000 for inventory) are capped, not refused.
- `PUT /v3/catalog/variants` applies nothing when any item is invalid (422 `batch_errors`);
  `PUT /v3/catalog/products` applies the valid items and answers 207 when some fail.
- Metafield batches apply the valid items and answer 422 with `data`, `errors`, `meta`.
- Store metafields have string `id` and `resource_id` (store_information.v3.yml types them so).
- `include=consignments[.line_items]` without `consignment_structure=object` gives the legacy
  one-element array; with it, the object.
- Inventory writes apply at once (the live API is asynchronous).
- "Unlimited" backorders: `UNLIMITED_BACKORDER_LIMIT` (2,147,483,647); `backorder_limit`
  None means backorders are off. `available_to_sell` is capped at that value.
- Order lines carry `quantity_backordered` on every line of an order with backordered units (0
  where stock covered the line) and not at all otherwise.
- `POST /v2/orders` takes `products` (catalog lines by product_id + variant_id or
  product_options, or custom lines), not `consignments`; the default status is 1 (Pending).
  A refused order (400/409) changes nothing and uses up no ids.
- Locations have no `is_default` field (locations.v3.yml has none); `?is_default=true` lists
  the default, which is id 1 unless `DemoStore(default_location=...)` says otherwise.
- Each token is an API account (accounts.py): scopes enforced per endpoint (403), metafields
  owned by the creating account (`owner_client_id`), duplicates per account, another's
  namespace, key or permission set (and product metafield value) refused with 403.
- Products tracked by product (some with options) keep one stock per location and take stock
  writes by `product_id` only: by variant id or SKU, 422 and nothing of the request applies.
- V2 `sort` accepts `field:asc` / `field:desc`; dates filter as RFC 2822, ISO 8601 or Unix time.
- Only tracked variants appear in `/v3/inventory/items`.
"""

from .engine import RequestRecord
from .faults import FaultInjector
from .records import UNLIMITED_BACKORDER_LIMIT, StoreState
from .store import DemoStore, DemoStoreConfig

__all__ = [
    "DemoStore",
    "DemoStoreConfig",
    "FaultInjector",
    "RequestRecord",
    "StoreState",
    "UNLIMITED_BACKORDER_LIMIT",
]
