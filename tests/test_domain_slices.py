"""Sorting and freeing in slices gives exactly what the one-shot versions give."""

from __future__ import annotations

import random
import weakref

import pytest

from backorder_desktop.domain.slices import free_in_slices, sorted_in_slices


class Record:
    def __init__(self, name: str, n: int) -> None:
        self.name, self.n = name, n


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("count", [0, 7, 8000, 25_001])
def test_sorted_in_slices_is_sorted_and_stable(count: int, reverse: bool) -> None:
    rng = random.Random(count)
    # Few distinct names: many ties, so a merge that loses stability shows.
    items = [Record(rng.choice("abcdeé"), n) for n in range(count)]
    expected = sorted(items, key=lambda r: r.name.casefold(), reverse=reverse)
    got = sorted_in_slices(items, key=lambda r: r.name.casefold(), reverse=reverse, size=1000)
    assert [id(r) for r in got] == [id(r) for r in expected]


def test_free_in_slices_empties_and_frees() -> None:
    items = [Record("x", n) for n in range(10_000)]
    probe = weakref.ref(items[0])
    by_id = {r.n: r for r in items}
    ids = {r.n for r in items}
    free_in_slices(items, by_id, ids)
    assert items == [] and by_id == {} and ids == set()
    assert probe() is None
