"""BigCommerce REST client: auth, rate limits, retries, pagination, batching, JSON <-> domain."""

from . import errors
from .client import BigCommerceClient
from .errors import ItemError
from .results import BatchResult

__all__ = ["BatchResult", "BigCommerceClient", "ItemError", "errors"]
