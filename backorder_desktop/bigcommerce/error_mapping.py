"""Turns an HTTP error response into the typed error a caller can act on."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

try:
    import orjson
except ImportError:  # pragma: no cover (orjson is a dependency; the standard parser suffices)
    orjson = None  # type: ignore[assignment]

from .errors import (
    AuthError,
    BigCommerceError,
    ItemError,
    NotFoundError,
    RateLimitedError,
    ScopeError,
    ServerError,
    ValidationError,
)
from .redaction import redact
from .scopes import level_for, missing_scope_advice, scope_for

VALIDATION_STATUSES = frozenset({400, 409, 413, 422})
MAX_TEXT = 300
# OAuth scope names as BigCommerce spells them, e.g. store_v2_orders_read_only.
_SCOPE_RE = re.compile(r"\bstore_[a-z0-9_]+\b")


# Every digit becomes "0", everything else a space: a run of 19 zeros marks a number that may
# not fit 64 bits (or just a long digit string: that costs the slower parser, nothing else).
_DIGITS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_DIGITS = b"0" * 19


def parse_body(response: httpx.Response) -> Any:
    """The decoded JSON body, or None when there is none or it is not JSON."""
    try:
        raw = response.content
    except httpx.ResponseNotRead:
        return None
    return parse_json(raw)


def parse_json(raw: bytes) -> Any:
    """Decoded JSON text, or None when it is empty or not JSON."""
    if not raw:
        return None
    if orjson is not None and _LONG_DIGITS not in raw.translate(_DIGITS):
        # orjson parses a large sync's 64 MB of pages about twice as fast. It reads integers
        # beyond 64 bits as floats, so text with a run of 19+ digits (checked above, cheaply)
        # goes to the standard parser, as does whatever orjson refuses (NaN, UTF-16, ...).
        try:
            return orjson.loads(raw)
        except ValueError:
            pass
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return redact(value.strip())
    return redact(json.dumps(value, ensure_ascii=False))


def _detail_items(errors: Any, item_id: Any = None) -> list[ItemError]:
    """V3 `errors` objects map a field (or an item id/index) to a message."""
    out: list[ItemError] = []
    if isinstance(errors, dict):
        for key, message in errors.items():
            out.append(ItemError(str(key), _text(message)))
    elif isinstance(errors, list):
        for entry in errors:
            if isinstance(entry, dict):
                out.extend(item_errors_of(entry))
            else:
                out.append(ItemError(item_id, _text(entry)))
    return out


def item_errors_of(body: Any) -> list[ItemError]:
    """Per-item reasons in any of BigCommerce's error shapes (V2 arrays, V3 objects, batches)."""
    if isinstance(body, list):  # V2: [{"status", "message", "details": {...}}]
        out: list[ItemError] = []
        for entry in body:
            if not isinstance(entry, dict):
                continue
            details = entry.get("details")
            nested = details.get("errors") if isinstance(details, dict) else None
            if isinstance(nested, list) and nested:
                for err in nested:  # e.g. the 409 OutOfStock list (spec README)
                    if isinstance(err, dict):
                        ident = err.get("variant_id", err.get("product_id"))
                        msg = _text(err.get("message")) or _text(entry.get("message"))
                        out.append(ItemError(ident, msg))
            else:
                out.append(ItemError(None, _text(entry.get("message"))))
        return out
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("batch_errors"), list):
        out = []
        for entry in body["batch_errors"]:
            if isinstance(entry, dict):
                details = _detail_items(entry.get("errors"))
                out.extend(details or [ItemError(None, _text(entry.get("title")))])
        return out
    return _detail_items(body.get("errors"))


def bigcommerce_message(body: Any, fallback: str = "") -> str:
    """BigCommerce's own words from an error body, shortened and without secrets."""
    parts: list[str] = []
    if isinstance(body, list):
        parts = [_text(e.get("message")) for e in body if isinstance(e, dict)]
    elif isinstance(body, dict):
        for key in ("title", "message", "detail"):
            if body.get(key):
                parts.append(_text(body[key]))
        if not parts and isinstance(body.get("batch_errors"), list):
            parts = [_text(e.get("title")) for e in body["batch_errors"] if isinstance(e, dict)]
        if isinstance(body.get("errors"), dict):
            parts.extend(f"{k}: {_text(v)}" for k, v in list(body["errors"].items())[:5])
    text = "; ".join(p for p in parts if p) or fallback.strip()
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return redact(text)


def _raw_text(response: httpx.Response) -> str:
    try:
        text = response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return ""
    # An HTML error page says nothing useful to a merchant.
    return "" if text.lstrip().startswith("<") else text


def error_from_response(
    response: httpx.Response, method: str, path: str, *, store_hash: str = ""
) -> BigCommerceError:
    status = response.status_code
    body = parse_body(response)
    said = bigcommerce_message(body, _raw_text(response) if body is None else "")
    suffix = f" (BigCommerce says: {said})" if said else ""
    where = f"{method} {path}"

    if status == 401:
        return AuthError(
            "The store rejected the access token: it may be wrong, expired or revoked. "
            f"Enter a new API token for the store.{suffix}",
            status=status,
        )
    if status == 403:
        return scope_error(method, path, said, suffix)
    if status == 404:
        if "store" in said.lower() and "not found" in said.lower():
            return NotFoundError(store_not_found_message(store_hash) + suffix, status=status)
        return NotFoundError(f"BigCommerce found nothing at {where}.{suffix}", status=status)
    if status in VALIDATION_STATUSES:
        items = item_errors_of(body)
        lead = {
            413: "The request was too large for BigCommerce",
            409: "BigCommerce refused the change because of a conflict",
        }.get(status, "BigCommerce refused the request")
        return ValidationError(
            f"{lead} ({where}){': ' + said if said else '.'}",
            status=status,
            item_errors=items,
            body=body,
        )
    if status == 429:
        return RateLimitedError(
            "BigCommerce's API quota for this store is used up (other apps share it). "
            f"Try again in a minute.{suffix}",
            status=status,
        )
    if status >= 500:
        return ServerError(
            f"BigCommerce had a problem (HTTP {status}) answering {where}. "
            f"Try again later.{suffix}",
            status=status,
        )
    return BigCommerceError(f"Unexpected HTTP {status} from {where}.{suffix}", status=status)


def scope_error(method: str, path: str, said: str, suffix: str) -> ScopeError:
    """A 403 names the scope as the control panel shows it: BigCommerce's body does not."""
    scope = scope_for(path)
    lowered = said.lower()
    if "account" in lowered and "scope" not in lowered:
        # Metafields belong to the API account that made them (spec README): not a scope.
        return ScopeError(
            f"BigCommerce refused {method} {path}: the record belongs to another API account. "
            f"Use the same API account on every computer of this store.{suffix}",
            status=403,
        )
    if scope is None:
        match = _SCOPE_RE.search(said) if said else None
        what = f"the permission '{match.group(0)}'" if match else "a permission (OAuth scope)"
        return ScopeError(
            f"The access token lacks {what} needed for {method} {path}. Edit the store's API "
            f"account to grant it, then enter the new token.{suffix}",
            status=403,
            scope=match.group(0) if match else None,
        )
    level = level_for(scope, method)
    return ScopeError(
        f'The API account lacks the "{scope}" scope ({level}). '
        + missing_scope_advice(scope, level),
        status=403,
        scope=scope,
    )


def store_not_found_message(store_hash: str) -> str:
    return (
        f"BigCommerce does not know the store '{store_hash}': the store hash may be wrong "
        "(it is the 'abc123' in https://api.bigcommerce.com/stores/abc123/v3/)."
    )
