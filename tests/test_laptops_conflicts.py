"""Two laptops edit the same ETA between syncs: the second writer gets a conflict, not a silent
overwrite, and chooses (one demo store over HTTP, two data dirs). The scenario runs with the
second writer on the window and on the command line; the same again at the service level pins
what lies below both (the held outbox row's error, the queue without a refused token)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from backorder_desktop.cache.backorder_queue import ETA_KEY
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.bulk import VariantEdit
from backorder_desktop.services.bulk.bulk_edit import BulkRequest, apply
from backorder_desktop.services.sync_control.conflicts import keep_mine, list_conflicts, take_theirs
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store
from tests.support.fronts import CliFront, Held, make_front


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=11) as demo:
        yield demo


def laptop(store: DemoStore, path: Path) -> StoreSession:
    return StoreSession(path, StoreConnection(store.store_hash, store.api_url), store.token)


def store_eta(store: DemoStore, variant_id: int) -> str | None:
    for m in store.state.metafields.values():
        if m.resource_type == "variant" and m.resource_id == variant_id and m.key == ETA_KEY:
            return m.value
    return None


def set_eta(session: StoreSession, variant_id: int, eta: date) -> None:
    edit = VariantEdit(eta=eta)
    outcome = apply(session.client, session.cache, BulkRequest({variant_id: edit}))
    assert outcome.applied, outcome.conflicts


# The window both ways; the command line keeps its `conflicts keep-mine` (taking theirs is the
# same service call, run below the front ends in the test after this one).
@pytest.mark.parametrize(("front", "choice"), [("cli", "mine"), ("window", "mine"),
                                               ("window", "theirs")])  # fmt: skip
def test_a_queued_eta_overtaken_by_another_laptop_waits_for_the_merchant_to_choose(
    store: DemoStore, tmp_path: Path, front: str, choice: str, request: pytest.FixtureRequest
) -> None:
    a, b = CliFront(store, tmp_path / "a"), make_front(front, request, store, tmp_path / "b")
    a.sync()
    sku = a.queue()[0].sku
    (variant,) = [v.id for v in store.state.variants.values() if v.sku == sku]
    assert a.set_eta(sku, date(2031, 1, 10)).ok
    b.sync()
    # Between syncs, both laptops change the ETA. B's change is queued, but the store turns its
    # write away (B's token expired meanwhile); A's reaches BigCommerce first.
    store.faults.script("PUT", r"/v3/catalog/variants/metafields", "401")
    queued = b.set_eta(sku, date(2031, 3, 1))
    assert not queued.ok
    assert a.set_eta(sku, date(2031, 2, 1)).ok
    # B's queued write is based on 2031-01-10: it is held back, not sent over A's.
    pushed = b.push()
    assert not pushed.ok
    assert "another laptop changed the same records" in pushed.text
    assert b.outbox_failed() == 1
    assert store_eta(store, variant) == "2031-02-01"  # not silently overwritten
    assert b.held() == [Held(was="2031-01-10", theirs="2031-02-01", mine="2031-03-01")]
    b.choose(mine=choice == "mine")
    if choice == "theirs":
        assert store_eta(store, variant) == "2031-02-01"
        with laptop(store, tmp_path / "b") as b_cache:  # B holds theirs now, not its own
            (field,) = [
                m
                for m in b_cache.cache.metafields.by_key("variant", ETA_KEY)
                if m.resource_id == variant
            ]
            assert field.value == "2031-02-01"
    else:
        assert store_eta(store, variant) == "2031-03-01"
    assert b.held() == []
    assert b.outbox_failed() == 0


@pytest.mark.parametrize("choice", ["theirs", "mine"])
def test_second_writer_of_an_eta_gets_the_conflict_below_the_front_ends(
    store: DemoStore, tmp_path: Path, choice: str
) -> None:
    with laptop(store, tmp_path / "a") as a, laptop(store, tmp_path / "b") as b:
        sync_store(a)
        variant = next(v for v in a.cache.variants.all() if v.sku)
        set_eta(a, variant.id, date(2031, 1, 10))
        push_outbox(a)
        sync_store(a)
        sync_store(b)
        # Between syncs: both laptops change the ETA; A's write reaches BigCommerce first.
        set_eta(a, variant.id, date(2031, 2, 1))
        set_eta(b, variant.id, date(2031, 3, 1))
        assert push_outbox(a).failed == 0
        assert store_eta(store, variant.id) == "2031-02-01"
        result = push_outbox(b)
        assert result.failed == 1
        assert store_eta(store, variant.id) == "2031-02-01"  # not silently overwritten
        (conflict,) = list_conflicts(b.cache)
        (item,) = conflict.items
        assert (item.mine, item.theirs, item.base) == ("2031-03-01", "2031-02-01", "2031-01-10")
        row = b.cache.outbox.get(conflict.row_id)
        assert row is not None and "another laptop" in (row.last_error or "")
        if choice == "theirs":
            take_theirs(b.cache, conflict.row_id)
            assert push_outbox(b).failed == 0
            assert store_eta(store, variant.id) == "2031-02-01"
            (field,) = [
                m
                for m in b.cache.metafields.by_key("variant", ETA_KEY)
                if m.resource_id == variant.id
            ]
            assert field.value == "2031-02-01"
        else:
            keep_mine(b.cache, conflict.row_id)
            assert push_outbox(b).failed == 0
            assert store_eta(store, variant.id) == "2031-03-01"
        assert list_conflicts(b.cache) == []
        assert b.cache.outbox.counts()["failed"] == 0
