"""Consent answers (order metafield `consent`) and the delay policy (store metafield
`delay_policy`), shared by every laptop; the store's country as the last sync read it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..domain.consent import CONSENT_KEY, POLICY_KEY, POLICY_LABELS, Answer, effective_policy
from ..domain.consent import parse_answers as _parse
from ..domain.models import METAFIELD_NAMESPACE
from .shipments import newest_per_key

if TYPE_CHECKING:
    from .database import Cache

STORE_NAMESPACE = "store"  # app_state namespace for what the app learns about the store
COUNTRY_KEY = "country"  # /v3/settings/store/locale `store_country`


def consent_answers(cache: Cache) -> dict[int, list[Answer]]:
    fields = cache.metafields.by_key("order", CONSENT_KEY, namespace=METAFIELD_NAMESPACE)
    out: dict[int, list[Answer]] = {}
    for (resource_id, _), field in newest_per_key(fields).items():
        if resource_id is not None:
            out[resource_id] = _parse(field.value)
    return out


def chosen_policy(cache: Cache) -> str | None:
    """The policy the merchant chose ("us" / "none"); None: follow the store's country."""
    fields = cache.metafields.by_key("store", POLICY_KEY, namespace=METAFIELD_NAMESPACE)
    newest = newest_per_key(fields).values()
    if not newest:
        return None
    # A store field's optimistic copy (no resource id) and the store's (id 0): the newer wins.
    field = max(
        newest,
        key=lambda m: (m.date_modified.replace(tzinfo=None) if m.date_modified else datetime.min,
                       m.id),
    )  # fmt: skip
    value = field.value.strip()
    return value if value in POLICY_LABELS else None


def store_country(cache: Cache) -> str | None:
    return cache.app_state.get(STORE_NAMESPACE, COUNTRY_KEY)


def set_store_country(cache: Cache, country: str) -> None:
    cache.app_state.set(STORE_NAMESPACE, COUNTRY_KEY, country)


def delay_policy(cache: Cache) -> str:
    return effective_policy(chosen_policy(cache), store_country(cache))
