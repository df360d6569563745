"""API accounts of the demo store: each token has a client id (metafield owner) and OAuth scopes.

BigCommerce checks a token's scopes per endpoint and answers HTTP 403 "You don't have a
required scope to access the endpoint" (spec README, "Learned since"). Listing locations needs
Store Locations; the rest of `/v3/inventory` Store Inventory; `/v3/settings` and store
metafields Information & Settings; orders and order metafields Orders; the catalog and its
metafields Products. A GET needs the read-only or the modify scope, anything else modify.
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
ALL_SCOPES = frozenset(modify for modify, _ in SCOPES.values())
KNOWN_PARAMS = frozenset(p for pair in SCOPES.values() for p in pair)

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
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
        modify, read_only = SCOPES[scope]
        if modify in self.scopes:
            return True
        return method.upper() in ("GET", "HEAD") and read_only in self.scopes
