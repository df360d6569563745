"""BigCommerce REST client: auth, rate limits, retries, pagination, batching, JSON <-> domain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import errors
from .errors import ItemError
from .results import BatchResult

if TYPE_CHECKING:
    from .client import BigCommerceClient


def __getattr__(name: str) -> Any:
    # The client (and httpx) load on first use: the errors alone must stay cheap to import.
    if name != "BigCommerceClient":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .client import BigCommerceClient

    globals()[name] = BigCommerceClient
    return BigCommerceClient


__all__ = ["BatchResult", "BigCommerceClient", "ItemError", "errors"]
