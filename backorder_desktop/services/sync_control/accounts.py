"""A warning when the store's shared records come from more than one API account."""

from __future__ import annotations

from backorder_desktop.cache import Cache
from backorder_desktop.cache.accounts import owners_seen

SAME_ACCOUNT = (
    "All laptops of a store must use the same API account: each account has its own "
    "250-records-per-order limit, and records one account keeps private are invisible to the "
    "others. To fix it, choose one store-level API account (BigCommerce: Settings > API) and "
    "enter its access token on every computer (File > Connect a store…), then delete the "
    "other account."
)


def account_warning(cache: Cache) -> str:
    """Empty when every record read so far was written by one account (this laptop's, if known)."""
    own, seen = owners_seen(cache)
    if own:
        others = [c for c in seen if c != own]
        what = "another API account"
    else:  # this laptop has not written yet: its own account is not known
        others = seen if len(seen) > 1 else []
        what = "more than one API account"
    if not others:
        return ""
    shown = ", ".join(f"…{c[-6:]}" for c in others[:3])
    return (
        f"Some Backorder Desktop records in BigCommerce were written by {what} "
        f"(client id {shown}). {SAME_ACCOUNT}"
    )
