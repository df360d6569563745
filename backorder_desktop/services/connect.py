"""Checking a store connection before saving it: the token works, and which scopes are missing."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..bigcommerce import BigCommerceClient
from ..bigcommerce.errors import ScopeError

# One cheap read per OAuth scope the app needs (README lists them). A 403 means the API account
# lacks that scope. Write access cannot be probed without writing, so the README asks for "modify".
SCOPE_PROBES: tuple[tuple[str, str, str], ...] = (
    ("Products", "GET", "/v3/catalog/products"),
    ("Store Inventory", "GET", "/v3/inventory/locations"),
    ("Orders", "GET", "/v2/order_statuses"),
    ("Information & Settings", "GET", "/v3/settings/inventory"),
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
        return (
            "Connected, but the API account lacks these scopes: "
            + ", ".join(self.missing_scopes)
            + ". Edit the API account in BigCommerce (Settings > API) and add them."
        )


def check_store_access(client: BigCommerceClient) -> AccessReport:
    """Raise AuthError/NotFoundError/OfflineError when the store cannot be used at all."""
    client.check_connection()
    missing: list[str] = []
    for scope, method, path in SCOPE_PROBES:
        try:
            client.request(method, path, params={"limit": 1} if method == "GET" else None)
        except ScopeError:
            missing.append(scope)
    return AccessReport(missing)
