"""Reads batch-write replies (200, 207, 422 partial, 422 batch_errors) into per-item outcomes."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Any

from .error_mapping import bigcommerce_message
from .errors import ItemError
from .results import BatchResult

JSON = dict[str, Any]
Ident = Callable[[JSON], Hashable]
_NUMBER = re.compile(r"\d+")


def by_id(item: JSON) -> Hashable:
    return _norm(item.get("id"))


def metafield_create_key(item: JSON) -> Hashable:
    return (_norm(item.get("resource_id")), str(item.get("namespace")), str(item.get("key")))


def metafield_store_key(item: JSON) -> Hashable:
    # A store metafield's resource_id in replies is the store's id, never sent by us.
    return (str(item.get("namespace")), str(item.get("key")))


def _norm(value: Any) -> Hashable:
    # Ids come back as numbers or as numeric strings (store metafields: "id": "69").
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value if isinstance(value, Hashable) else repr(value)


def item_id_of(item: JSON) -> int | str | None:
    for key in ("id", "resource_id", "variant_id", "product_id"):
        value = item.get(key)
        if isinstance(value, int | str) and not isinstance(value, bool):
            return value
    name = item.get("key")
    return str(name) if name is not None else None


def error_pairs(body: Any) -> list[tuple[str | None, str]]:
    """(key, message) for every error in any batch error shape; key may name an item."""
    entries: list[Any]
    if isinstance(body, list):
        entries = body
    elif isinstance(body, dict):
        if isinstance(body.get("batch_errors"), list):
            entries = body["batch_errors"]
        elif isinstance(body.get("errors"), list):
            entries = body["errors"]
        elif isinstance(body.get("errors"), dict) and isinstance(
            body["errors"].get("errors"), dict
        ):
            entries = [body["errors"]]  # 207: errors is one errorMultiStatus object
        else:
            entries = [body]
    else:
        return []
    pairs: list[tuple[str | None, str]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        details = entry.get("errors")
        ref = _entry_ref(entry, details)
        if ref is not None:
            # One error per item, the item named by an id field: its title says what is wrong.
            others = {k: v for k, v in as_details(details).items() if k not in _REF_KEYS}
            title = entry.get("title")
            said = bigcommerce_message({"title": title} if title else {"errors": others})
            pairs.append((ref, said or "BigCommerce refused this item."))
        elif isinstance(details, dict) and details:
            pairs.extend((str(k), bigcommerce_message(v, str(v))) for k, v in details.items())
        else:
            text = bigcommerce_message(entry)
            if text:
                pairs.append((None, text))
    return pairs


_REF_KEYS = ("id", "variant_id", "product_id")


def as_details(details: Any) -> dict[str, Any]:
    return details if isinstance(details, dict) else {}


def _entry_ref(entry: JSON, details: Any) -> str | None:
    """The item id an error entry is about, when it says so in an id field."""
    for source in (as_details(details), entry):
        for key in _REF_KEYS:
            value = source.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value)
            if isinstance(value, str) and value.isdigit():
                return value
    return None


def assign_errors(
    items: list[JSON], pairs: list[tuple[str | None, str]], ident: Ident
) -> tuple[dict[int, list[str]], list[str]]:
    """Which item (by position) each error names; the errors that name none."""
    position = {ident(item): i for i, item in enumerate(items)}
    named: dict[int, list[str]] = {}
    unnamed: list[str] = []
    for key, message in pairs:
        index = _index_for(key, message, items, position)
        if index is None:
            unnamed.append(f"{key}: {message}" if key and not key.isdigit() else message)
        else:
            text = message if not key or key.isdigit() else f"{key}: {message}"
            named.setdefault(index, []).append(text)
    return named, unnamed


def _index_for(
    key: str | None, message: str, items: list[JSON], position: dict[Hashable, int]
) -> int | None:
    numbers = [int(n) for n in _NUMBER.findall(key or "")]
    for number in numbers:  # an item id wins over a position
        for candidate, index in position.items():
            if candidate == number or (isinstance(candidate, tuple) and candidate[0] == number):
                return index
    for number in numbers:  # "variants.1.price", "1": a position in the request array
        if 0 <= number < len(items):
            return number
    if not numbers:
        for number in (int(n) for n in _NUMBER.findall(message)):
            for candidate, index in position.items():
                if candidate == number:
                    return index
    return None


def reply_result(items: list[JSON], body: Any, ident: Ident) -> BatchResult:
    """A 200/207/partial-422 reply: `data` holds what was saved, `errors` why the rest was not."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        # No per-item reply (an empty 200): everything sent was accepted.
        return BatchResult(succeeded=[dict(item) for item in items])
    saved = [entry for entry in data if isinstance(entry, dict)]
    saved_keys = {ident(entry) for entry in saved}
    missing = [i for i, item in enumerate(items) if ident(item) not in saved_keys]
    pairs = error_pairs({"errors": body.get("errors")}) if body.get("errors") else []
    named, unnamed = assign_errors(items, pairs, ident)
    # An error that names an item fails it even if data echoes it (207: partly saved).
    failed_positions = sorted(set(missing) | set(named))
    fallback = "; ".join(unnamed) or "BigCommerce did not save this item and gave no reason."
    failed = [
        ItemError(item_id_of(items[i]), "; ".join(named.get(i, [])) or fallback, items[i])
        for i in failed_positions
    ]
    failed_keys = {ident(items[i]) for i in failed_positions}
    return BatchResult(
        succeeded=[entry for entry in saved if ident(entry) not in failed_keys], failed=failed
    )


def refused_items(
    items: list[JSON], body: Any, ident: Ident, fallback: str
) -> tuple[list[ItemError], list[JSON]]:
    """A whole-request refusal (422/409): the items it names fail; the rest may be re-sent."""
    named, unnamed = assign_errors(items, error_pairs(body), ident)
    if not named:  # nothing identifies the culprit: every item carries the store's reason
        reason = "; ".join(unnamed) or fallback
        return [ItemError(item_id_of(item), reason, item) for item in items], []
    failed = [ItemError(item_id_of(items[i]), "; ".join(named[i]), items[i]) for i in sorted(named)]
    innocent = [item for i, item in enumerate(items) if i not in named]
    return failed, innocent
