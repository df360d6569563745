"""The fewest requests a full read can take, and the fastest it could possibly finish.

Pure arithmetic on the store's counts (`store_process.dataset_counts`), so the floors are derived
from the data and the API's page sizes, not from what our client happened to do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

V3_PAGE = 250  # catalog, metafields, locations (bigcommerce-spec/README.md)
INVENTORY_PAGE = 1000  # /v3/inventory/items
V2_PAGE = 250  # /v2/orders


def v3_pages(count: int, page: int) -> int:
    """V3 lists carry meta.pagination.total_pages: an empty list is still one request."""
    return max(1, math.ceil(count / page))


def v2_pages(count: int) -> int:
    """V2 lists have no meta: the end shows as a short page, or a 204 after a full one."""
    return count // V2_PAGE + 1


def minimum_requests(dataset: dict[str, Any]) -> dict[str, int]:
    """Requests per resource for a full read: products with variants, inventory, open orders
    with their lines (one listing per open status), the app's metafields, locations."""
    out = {
        "locations": v3_pages(dataset["locations"], V3_PAGE),
        # Location records carry no is_default: the default is asked for once.
        "default location (is_default=true)": 1,
        "products (250 with variants)": v3_pages(dataset["products"], V3_PAGE),
        "inventory (1000)": v3_pages(dataset["tracked_variants"], INVENTORY_PAGE),
    }
    for status, count in dataset["open_orders_by_status"].items():
        out[f"open orders status {status} (250 with lines)"] = v2_pages(count)
    for resource, count in dataset["app_metafields"].items():
        out[f"{resource} metafields (250)"] = v3_pages(count, V3_PAGE)
    out["total"] = sum(out.values())
    return out


@dataclass(frozen=True)
class Floor:
    requests: int
    latency_s: float  # every request costs one round trip; `concurrency` of them overlap
    rate_limit_s: float  # the store's quota: full windows that must pass before the last request
    seconds: float  # the larger of the two

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "latency_floor_s": round(self.latency_s, 3),
            "rate_limit_floor_s": round(self.rate_limit_s, 3),
            "floor_s": round(self.seconds, 3),
        }


def floor(
    requests: int, *, latency_s: float, concurrency: int, quota: int, window_s: float
) -> Floor:
    """The fastest `requests` requests could finish.

    Latency: with `concurrency` requests in flight, ceil(requests / concurrency) round trips.
    Rate limit: a fixed window of `quota` requests per `window_s`; `requests` need
    ceil(requests / quota) windows, so all but the last must pass in full, plus one round trip.
    """
    latency_floor = math.ceil(requests / max(1, concurrency)) * latency_s
    windows = math.ceil(requests / quota) if quota > 0 else 1
    rate_floor = (windows - 1) * window_s + latency_s
    return Floor(requests, latency_floor, rate_floor, max(latency_floor, rate_floor))


def client_chain_round_trips(dataset: dict[str, Any], concurrency: int) -> int:
    """Round trips in our client's own order of work (for reference, not the floor).

    Every listing starts at once and they share the client's `concurrency` requests in flight
    (sync/fetch.py): a V3 listing asks page 1 first (it gives total_pages), then the rest; each
    open-order listing goes page after page. So: the requests spread over the slots, or the
    longest chain of dependent requests if that is longer.
    """
    requests = minimum_requests(dataset)["total"]
    longest = max(
        2 if v3_pages(dataset["products"], V3_PAGE) > 1 else 1,
        2 if v3_pages(dataset["tracked_variants"], INVENTORY_PAGE) > 1 else 1,
        max(v2_pages(n) for n in dataset["open_orders_by_status"].values()),
    )
    return max(math.ceil(requests / max(1, concurrency)), longest)
