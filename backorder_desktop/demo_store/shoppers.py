"""Live shoppers: web orders that land while staff work (on a seeded timer, or scripted)."""

from __future__ import annotations

import logging
import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .api import ApiError, Context
from .backorders import create_order
from .records import StoreState

log = logging.getLogger("backorder_desktop.demo_store")

# The status a paid web order starts in (Awaiting Fulfillment): it is open and may wait.
WEB_ORDER_STATUS = 11


@dataclass(frozen=True, slots=True)
class Sale:
    """One order a shopper placed: which variant, how many, and how many came from stock."""

    order_id: int
    variant_id: int
    location_id: int
    qty: int
    from_stock: int  # the rest was backordered (sold past zero)


@dataclass(slots=True)
class _Script:
    method: str
    path_regex: re.Pattern[str]
    variant_id: int
    qty: int
    times: int


class LiveShoppers:
    """Places orders through the store's own order code, as the storefront would.

    - `rate_per_min > 0` with `start()`: a seeded timer places an order every so often
      (exponential gaps), each for 1-2 units of a random tracked variant that can still be
      sold (from stock or within its backorder limit).
    - `buy(variant_id, qty)`: one order now (tests).
    - `script(method, path_regex, variant_id, qty)`: an order lands right before the next
      matching request is handled, e.g. between the app's read of stock and its write.
    - `sales`: every order placed so far, to check stock against afterwards.
    """

    def __init__(
        self,
        lock: threading.RLock,
        context: Callable[[], Context],
        persist: Callable[[frozenset[str]], None],
        *,
        seed: int = 1,
    ) -> None:
        self._lock = lock
        self._context = context
        self._persist = persist
        self._rng = random.Random(seed)
        self._scripts: list[_Script] = []
        self._sales: list[Sale] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.rate_per_min = 0.0
        self.variants: list[int] | None = None  # None: any sellable tracked variant

    @property
    def sales(self) -> list[Sale]:
        with self._lock:
            return list(self._sales)

    def sold(self, variant_id: int) -> int:
        """Units of the variant shoppers bought so far."""
        return sum(s.qty for s in self.sales if s.variant_id == variant_id)

    # -- the timer -----------------------------------------------------------------------------
    def start(self, rate_per_min: float, *, variants: list[int] | None = None) -> None:
        """Shoppers buy on a timer until `stop()` (about `rate_per_min` orders a minute)."""
        if rate_per_min <= 0:
            raise ValueError("the shoppers' rate must be positive")
        self.stop()
        self.rate_per_min, self.variants = rate_per_min, variants
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="live-shoppers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._rng.expovariate(self.rate_per_min / 60.0)):
            try:
                self.buy_random()
            except Exception:  # a shopper's failure must never stop the store
                log.exception("live shoppers: an order failed")

    def buy_random(self) -> Sale | None:
        with self._lock:
            state = self._context().state
            choices = self.variants or _sellable(state, self._context().native_backorders)
            if not choices:
                return None
            vid = self._rng.choice(sorted(choices))
            return self.buy(vid, self._rng.choice((1, 1, 2)))

    # -- one order -----------------------------------------------------------------------------
    def buy(self, variant_id: int, qty: int = 1) -> Sale | None:
        """Place one web order for `qty` units; None when the store refuses it (sold out)."""
        with self._lock:
            ctx = self._context()
            state = ctx.state
            variant = state.variants[variant_id]
            loc = state.default_location_id
            # A product tracked by product sells every variant from one record.
            rec = state.inventory.get((state.stock_variant(variant_id), loc))
            before = rec.on_hand if rec is not None else 0
            body = _order_body(state, variant.product_id, variant_id, qty, ctx.now())
            try:
                order = create_order(ctx, body)
            except ApiError:
                return None
            after = rec.on_hand if rec is not None else 0
            sale = Sale(order.id, variant_id, loc, qty, before - after)
            self._sales.append(sale)
            self._persist(frozenset({"orders", "inventory"}))
            return sale

    # -- scripted ------------------------------------------------------------------------------
    def script(
        self, method: str, path_regex: str, variant_id: int, qty: int = 1, times: int = 1
    ) -> None:
        """The next `times` requests matching get a shopper's order placed just before them."""
        with self._lock:
            self._scripts.append(
                _Script(method.upper(), re.compile(path_regex), variant_id, qty, times)
            )

    def before_request(self, method: str, path: str) -> None:
        """Called by the engine before it handles a request (faults have not been drawn)."""
        with self._lock:
            due = [
                s
                for s in self._scripts
                if s.times > 0 and s.method in ("*", method.upper()) and s.path_regex.search(path)
            ]
            for s in due:
                s.times -= 1
                self.buy(s.variant_id, s.qty)
            self._scripts = [s for s in self._scripts if s.times > 0]


def _sellable(state: StoreState, native: bool) -> list[int]:
    loc = state.default_location_id
    out = []
    for vid in state.variants:
        product = state.products[state.variants[vid].product_id]
        if product.inventory_tracking == "none" or product.availability == "preorder":
            continue
        rec = state.inventory.get((state.stock_variant(vid), loc))
        if rec is None:
            continue
        room = 0
        if native and rec.backorder_limit is not None:
            room = max(0, rec.backorder_limit - rec.qty_backordered)
        if rec.on_hand - rec.safety_stock > 0 or room > 0:
            out.append(vid)
    return out


def _order_body(
    state: StoreState, product_id: int, variant_id: int, qty: int, now: datetime
) -> dict[str, Any]:
    n = len(state.orders) + 1
    address = {
        "first_name": "Web",
        "last_name": f"Shopper {n}",
        "email": f"shopper{n}@example.com",
        "street_1": "1 Market Street",
        "city": "Austin",
        "state": "Texas",
        "zip": "78701",
        "country": "United States",
        "country_iso2": "US",
    }
    return {
        "status_id": WEB_ORDER_STATUS,
        "billing_address": address,
        "products": [{"product_id": product_id, "variant_id": variant_id, "quantity": qty}],
        "customer_message": f"placed by a live shopper at {now.isoformat()}",
    }
