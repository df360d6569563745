"""Which OAuth scope an endpoint needs, named as BigCommerce's control panel shows it.

A missing scope is HTTP 403 "You don't have a required scope to access the endpoint", a body
that names no scope (bigcommerce-spec/README.md, "Learned since"), so the app names it from the
endpoint: listing locations needs Store Locations, the rest of `/v3/inventory` Store Inventory,
`/v3/settings` and store metafields Information & Settings, orders and order metafields Orders,
the catalog and its metafields Products.
"""

from __future__ import annotations

import re

STORE_LOCATIONS = "Store Locations"
STORE_INVENTORY = "Store Inventory"
INFORMATION_SETTINGS = "Information & Settings"
ORDERS = "Orders"
PRODUCTS = "Products"
# Refund quotes and refunds (orders.v3.yml, Payment Actions). Optional: without it the app
# cancels waiting lines and leaves the refund to the control panel (services/dock/cancelling.py).
ORDER_TRANSACTIONS = "Order Transactions"

# Control-panel name -> the level the app needs (README, "Connecting a real store").
NEEDED: dict[str, str] = {
    PRODUCTS: "modify",
    STORE_INVENTORY: "modify",
    STORE_LOCATIONS: "read-only",
    ORDERS: "modify",
    INFORMATION_SETTINGS: "modify",
}

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/v3/orders/([0-9]+/)?payment_actions/"), ORDER_TRANSACTIONS),
    (re.compile(r"^/v3/inventory/locations/?$"), STORE_LOCATIONS),
    (re.compile(r"^/v3/inventory/"), STORE_INVENTORY),
    (re.compile(r"^/v3/settings/"), INFORMATION_SETTINGS),
    (re.compile(r"^/v3/store/"), INFORMATION_SETTINGS),
    (re.compile(r"^/v3/orders/"), ORDERS),
    (re.compile(r"^/v2/order"), ORDERS),
    (re.compile(r"^/v3/catalog/"), PRODUCTS),
)


def scope_for(path: str) -> str | None:
    """The control-panel scope the endpoint at `path` ("/v3/...", "/v2/...") needs."""
    path = path.split("?", 1)[0]
    for regex, scope in _RULES:
        if regex.search(path):
            return scope
    return None


def level_for(scope: str, method: str) -> str:
    """ "read-only" is enough to read; writing needs "modify"."""
    if method.upper() in ("GET", "HEAD"):
        return "read-only"
    return NEEDED.get(scope, "modify")


def missing_scope_advice(scope: str, level: str) -> str:
    return (
        f"In the BigCommerce control panel open Settings > API > Store-level API accounts, "
        f"edit this app's account, set {scope} to {level}, save, and enter the new access "
        "token (changing scopes makes a new one)."
    )
