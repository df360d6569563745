"""Big lists let go of and sorted in slices, so a worker never holds the interpreter lock long.

The window's thread needs the lock every few milliseconds. A single bytecode that frees 100,000
records, or a `list.sort` comparing 40,000 tuples, runs in C without giving it up: 20-50 ms
during which the window cannot even repaint. Between slices other threads get their turn.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
SLICE = 2000


def free_in_slices(*containers: list[Any] | dict[Any, Any] | set[Any]) -> None:
    """Empty big lists, dicts and sets a slice at a time (their items are freed as they go)."""
    for container in containers:
        if isinstance(container, list):
            while container:
                del container[-SLICE:]
        else:
            while container:
                container.pop() if isinstance(container, set) else container.popitem()


def sorted_in_slices(
    items: Iterable[T], *, key: Callable[[T], Any], reverse: bool = False, size: int = 4 * SLICE
) -> list[T]:
    """`sorted(items, key=key, reverse=reverse)`, same order (stable), in short C calls:
    slices are sorted one by one and merged by a Python-level merge."""
    values = list(items)
    if len(values) <= size:
        return sorted(values, key=key, reverse=reverse)
    runs = [
        sorted(values[start : start + size], key=key, reverse=reverse)
        for start in range(0, len(values), size)
    ]
    return list(heapq.merge(*runs, key=key, reverse=reverse))
