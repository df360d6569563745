"""API accounts of the demo store: each token has a client id (metafield owner) and OAuth scopes.

BigCommerce checks a token's scopes per endpoint and answers HTTP 403 "You don't have a
required scope to access the endpoint" (spec README, "Learned since"). Listing locations needs
Store Locations; the rest of `/v3/inventory` Store Inventory; `/v3/settings` and store
metafields Information & Settings; orders and order metafields Orders; the catalog and its
metafields Products. A GET needs the read-only or the modify scope, anything else modify.

Payment actions (refund quotes, refunds) need Order Transactions. orders.v3.yml says "at least
one of store_v2_orders, store_v2_transactions"; the demo store takes the stricter reading of the
API-accounts guide (refunds belong to Order Transactions) so an account without it can be
tried; reading refunds also passes with an Orders scope, as the spec lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCOPE_403 = "You don't have a required scope to access the endpoint"

# Control-panel name -> (modify, read-only) OAuth parameter (the specs' securitySchemes tables).
SCOPES: dict[str, tuple[str, str]] = {
    "Products": ("store_v2_products", "store_v2_products_read_only"),
    "Orders": ("store_v2_orders", "store_v2_orders_read_only"),
    "Information & Settings": ("store_v2_information", "store_v2_information_read_only"),
    "Store Inventory": ("store_inventory", "store_inventory_read_only"),
    "Store Locations": ("store_locations", "store_locations_read_only"),
}
# Scopes the app can do without (it falls back when they are missing): not probed on connect.
OPTIONAL_SCOPES: dict[str, tuple[str, str]] = {
    "Order Transactions": ("store_v2_transactions", "store_v2_transactions_read_only"),
}
_EVERY = {**SCOPES, **OPTIONAL_SCOPES}
ALL_SCOPES = frozenset(modify for modify, _ in _EVERY.values())
KNOWN_PARAMS = frozenset(p for pair in _EVERY.values() for p in pair)

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/v3/orders/([0-9]+/)?payment_actions/"), "Order Transactions"),
    (re.compile(r"^/v3/inventory/locations/?$"), "Store Locations"),
    (re.compile(r"^/v3/inventory/"), "Store Inventory"),
    (re.compile(r"^/v3/settings/"), "Information & Settings"),
    (re.compile(r"^/v3/store/"), "Information & Settings"),
    (re.compile(r"^/v3/orders/"), "Orders"),
    (re.compile(r"^/v2/order"), "Orders"),
    (re.compile(r"^/v3/catalog/"), "Products"),
)


def required_scope(path: str) -> str | None:
    """The control-panel scope an endpoint needs (None: no rule, e.g. an unknown path)."""
    for regex, scope in _RULES:
        if regex.search(path):
            return scope
    return None


def parse_scopes(text: str) -> frozenset[str]:
    """`all`, or comma-separated OAuth parameters (store_locations_read_only, store_v2_orders...)."""
    names = {part.strip() for part in text.split(",") if part.strip()}
    if names == {"all"}:
        return ALL_SCOPES
    unknown = sorted(names - KNOWN_PARAMS)
    if unknown:
        raise ValueError(
            f"unknown scope(s) {', '.join(unknown)}; use 'all' or some of {sorted(KNOWN_PARAMS)}"
        )
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Account:
    """One store-level API account: its client id and the OAuth scopes its token carries."""

    client_id: str
    scopes: frozenset[str] = ALL_SCOPES

    def allows(self, method: str, path: str) -> bool:
        scope = required_scope(path)
        if scope is None:
            return True
        modify, read_only = _EVERY[scope]
        if modify in self.scopes:
            return True
        if scope == "Order Transactions" and method.upper() in ("GET", "HEAD"):
            return bool({"store_v2_orders", "store_v2_orders_read_only"} & self.scopes) or (
                read_only in self.scopes
            )
        return method.upper() in ("GET", "HEAD") and read_only in self.scopes
