"""Which API accounts wrote the app's metafields: all laptops of a store must share one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..domain.models import Metafield

if TYPE_CHECKING:
    from .database import Cache

SEEN_NAMESPACE = "api_accounts"  # app_state: client id -> "1" for every owner seen
OWN_KEY = ("api_account", "own")  # app_state: the client id of this laptop's own creates


def note_owners(cache: Cache, fields: Iterable[Metafield]) -> None:
    """Remember the owners of metafields read from the store (inside the caller's transaction)."""
    known = set(cache.app_state.items(SEEN_NAMESPACE))
    for owner in {m.owner_client_id for m in fields if m.owner_client_id} - known:
        cache.app_state.set(SEEN_NAMESPACE, owner, "1")


def note_own(cache: Cache, fields: Iterable[Metafield]) -> None:
    """A create's reply names the account this laptop writes with."""
    for m in fields:
        if m.owner_client_id:
            if cache.app_state.get(*OWN_KEY) != m.owner_client_id:
                cache.app_state.set(*OWN_KEY, m.owner_client_id)
            note_owners(cache, [m])
            return


def owners_seen(cache: Cache) -> tuple[str | None, list[str]]:
    """(this laptop's account if known, every account seen writing the app's records)."""
    return cache.app_state.get(*OWN_KEY), sorted(cache.app_state.items(SEEN_NAMESPACE))
