"""Checking a store connection before saving it: the token works, and which scopes are missing."""

from __future__ import annotations

from dataclasses import dataclass, field

from backorder_desktop.bigcommerce import BigCommerceClient, reads, scopes
from backorder_desktop.bigcommerce.errors import ScopeError


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
    # One cheap read per scope the app needs (bigcommerce/reads.py): a 403 names what lacks.
    for scope in reads.PROBED_SCOPES:
        if scope in missing:
            continue
        try:
            reads.probe_scope(client, scope)
        except ScopeError:
            missing.append(scope)
    return AccessReport(missing)
