"""Checking a store connection before saving it: the token works, and which scopes are missing."""

from __future__ import annotations

from dataclasses import dataclass, field

from backorder_desktop.bigcommerce import BigCommerceClient, scopes
from backorder_desktop.bigcommerce.errors import ScopeError

# One cheap read per OAuth scope the app needs (README lists them), each needing exactly that
# scope (bigcommerce/scopes.py): a 403 means the API account lacks it. Write access cannot be
# probed without writing, so the README asks for "modify" (Store Locations: read-only).
SCOPE_PROBES: tuple[tuple[str, str, str], ...] = (
    (scopes.PRODUCTS, "GET", "/v3/catalog/products"),
    (scopes.STORE_INVENTORY, "GET", "/v3/inventory/items"),
    (scopes.STORE_LOCATIONS, "GET", "/v3/inventory/locations"),
    (scopes.ORDERS, "GET", "/v2/order_statuses"),
    (scopes.INFORMATION_SETTINGS, "GET", "/v3/settings/inventory"),
)


@dataclass(frozen=True)
class AccessReport:
    missing_scopes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing_scopes

    def summary(self) -> str:
        if self.ok:
            return "Connected: the token works and has every scope Backorder Desktop needs."
        wanted = ", ".join(f"{s} ({scopes.NEEDED.get(s, 'modify')})" for s in self.missing_scopes)
        return (
            f"Connected, but the API account lacks these scopes: {wanted}. Edit the API "
            "account in BigCommerce (Settings > API > Store-level API accounts), add them, "
            "and enter the new token."
        )


def check_store_access(client: BigCommerceClient) -> AccessReport:
    """Raise AuthError/NotFoundError/OfflineError when the store cannot be used at all."""
    missing: list[str] = []
    try:
        client.check_connection()  # the catalog: proves URL, store hash and token
    except ScopeError:
        missing.append(scopes.PRODUCTS)  # the token works; it cannot read products
    for scope, method, path in SCOPE_PROBES:
        if scope in missing:
            continue
        try:
            client.request(method, path, params={"limit": 1} if path.startswith("/v3/") else None)
        except ScopeError:
            missing.append(scope)
    return AccessReport(missing)
