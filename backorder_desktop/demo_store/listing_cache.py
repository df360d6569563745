"""Serialised JSON of listed records, kept until the next write (opt-in: a benchmark's test bed)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover (then the store builds every document, as without it)
    orjson = None  # type: ignore[assignment]


class ListingCache:
    """Each listed record's JSON, encoded once and reused until any write request clears it.

    Building a product's document (with its variants) or an inventory item's is most of the
    demo store's CPU in a full sync; on the live API that is BigCommerce's servers' time, not
    the app's. Sound only while the state changes through the API alone (every request other
    than GET clears everything), which is why it is off unless asked for: tests change
    `DemoStore.state` directly. The benchmarks' store process (`benchmarks/store_process.py`)
    turns it on: nothing reaches its state but HTTP.
    """

    def __init__(self) -> None:
        self._docs: dict[Hashable, Any] = {}

    @staticmethod
    def usable() -> bool:
        return orjson is not None

    def fragments(self, wanted: Iterable[tuple[Hashable, Callable[[], Any]]]) -> list[Any] | None:
        """Each `(key, build)`'s document as already-encoded JSON (orjson Fragments), built on
        first use; None when one cannot be encoded so (the caller then builds them all)."""
        docs, out = self._docs, []
        try:
            for key, build in wanted:
                doc = docs.get(key)
                if doc is None:
                    doc = docs[key] = orjson.Fragment(orjson.dumps(build()))
                out.append(doc)
        except TypeError:  # e.g. an int beyond 64 bits: left to the standard encoder
            return None
        return out

    def clear(self) -> None:
        self._docs.clear()
