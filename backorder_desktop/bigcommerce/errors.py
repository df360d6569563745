"""Typed errors of the BigCommerce client, each with a message a merchant can read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ItemError:
    """Why one item of a batch (or one field of a request) was refused."""

    item_id: int | str | None
    message: str
    item: dict[str, Any] | None = None  # the request item it belongs to, when known


class BigCommerceError(Exception):
    """Base of every error the client raises; `.message` is fit to show the merchant."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


class AuthError(BigCommerceError):
    """HTTP 401: the token is wrong, expired or revoked."""


class ScopeError(BigCommerceError):
    """HTTP 403: the token lacks an OAuth scope; `.scope` names it when the store says."""

    def __init__(self, message: str, *, status: int | None = 403, scope: str | None = None) -> None:
        super().__init__(message, status=status)
        self.scope = scope


class NotFoundError(BigCommerceError):
    """HTTP 404: the resource (or, at the store root, the store hash) does not exist."""


class ValidationError(BigCommerceError):
    """HTTP 400/409/413/422: the store refused the request; `.item_errors` say why, per item."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        item_errors: list[ItemError] | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message, status=status)
        self.item_errors: list[ItemError] = list(item_errors or [])
        self.body = body  # the decoded error body, for callers that match errors to items


class RateLimitedError(BigCommerceError):
    """HTTP 429 still after the allowed waits: the store's API quota is used up."""


class ServerError(BigCommerceError):
    """HTTP 5xx after the allowed retries (or at once for a request that is unsafe to repeat)."""


class OfflineError(BigCommerceError):
    """No answer: connection refused, DNS failure, timeout or dropped connection."""


class InsecureUrlError(BigCommerceError):
    """The API URL is not https (plain http is allowed only for this machine's loopback)."""


class MappingError(BigCommerceError):
    """A record from the store has a shape the app cannot read (names the resource and id)."""

    def __init__(self, resource: str, record_id: object, detail: str) -> None:
        ident = f"{resource} (no id)" if record_id is None else f"{resource} {record_id}"
        super().__init__(f"BigCommerce sent {ident} in a shape the app cannot read: {detail}")
        self.resource = resource
        self.record_id = record_id
        self.detail = detail
