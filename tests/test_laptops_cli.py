"""Several laptops, one store: each laptop its own data dir, the laptop under test driven
through the window or the command line (tests/support/fronts.py), the others on the command line,
against one demo store over HTTP and one SMTP sink."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from tests.support.cli import Result, run_cli
from tests.support.fronts import FRONTS, CliFront, make_front


@pytest.fixture
def store() -> Iterator[DemoStore]:
    # Several laptops share one API account's quota; a roomier one keeps the scenarios fast
    # (waiting out 429s is covered by the rate-limit tests).
    with DemoStore(seed=5, rate_limit=(1000, 30.0)) as demo:
        yield demo


def on(store: DemoStore, data_dir: Path, *args: str) -> Result:
    base = ["--data-dir", str(data_dir), "--api-url", store.api_url, "--store-hash",
            store.store_hash]  # fmt: skip
    return run_cli(*base, *args, token=store.token)


@pytest.mark.slow
@pytest.mark.parametrize("front", FRONTS)
def test_three_laptops_press_notify_at_once_and_each_notice_goes_once(
    store: DemoStore, tmp_path: Path, front: str, request: pytest.FixtureRequest
) -> None:
    with MailSink() as sink:
        a = make_front(front, request, store, tmp_path / "a", sink)
        b, c = (CliFront(store, tmp_path / name, sink) for name in ("b", "c"))
        for laptop in (a, b, c):
            laptop.sync()
        due = b.ok("notify", "--dry-run")["notices"]
        assert len(due) >= 10
        # B and C press Notify on their command lines while A presses it (its window's
        # Notify, or its own command line).
        with ThreadPoolExecutor(2) as pool:
            others = [pool.submit(laptop.notify) for laptop in (b, c)]
            reports = [a.notify(), *(f.result() for f in others)]
        # Every notice went exactly once, whichever laptop won its claim.
        assert sum(r.sent for r in reports) == len(due)
        per_recipient = Counter(rcpt for m in sink.messages() for rcpt in m.rcpt_tos)
        assert per_recipient == Counter(n["to"] for n in due)
        # Pressing again sends nothing more.
        assert b.notify().sent == 0
        assert len(sink.messages()) == len(due)
        if front != "cli":
            return  # what follows involves no window: the command-line run checks it
        # A fresh laptop learns from BigCommerce alone that everyone was told.
        fresh = CliFront(store, tmp_path / "fresh", sink)
        fresh.sync()
        assert fresh.ok("notify", "--dry-run")["notices"] == []


@pytest.mark.slow
@pytest.mark.parametrize("front", FRONTS)
def test_a_ships_b_receives_and_releases_a_releases_the_rest_c_rebuilds_it_all(
    store: DemoStore, tmp_path: Path, front: str, request: pytest.FixtureRequest
) -> None:
    # B, at the dock, is the laptop under test.
    a, c = CliFront(store, tmp_path / "a"), CliFront(store, tmp_path / "c")
    b = make_front(front, request, store, tmp_path / "b")
    a.sync()
    b.sync()
    waiting: dict[str, int] = {}
    for line in a.queue():
        waiting[line.sku] = waiting.get(line.sku, 0) + line.qty_waiting
    skus = sorted(waiting)[:4]
    lines = [f"--line={s}:{waiting[s]}" for s in skus]

    # A records the shipment; B sees it after its next sync.
    added = a.run("shipments", "add", "--supplier", "Acme", "--expected", "2031-01-15",
                  "--ref", "PO-TWO", *lines, "--json")  # fmt: skip
    assert added.code == 0, added.err
    assert "PO-TWO" not in b.shipments()
    b.sync()
    assert b.shipments()["PO-TWO"] == "ordered"

    # B receives everything at the dock and releases one of the orders it filled.
    received = b.receive("PO-TWO", {s: waiting[s] for s in skus}, release=False)
    ready = received.ready_orders
    assert len(ready) >= 2
    first = ready[0]
    assert b.release([first]) == [first]

    # A sees the receipt and the release, and releases the other ready orders (not B's again).
    a.sync()
    assert a.shipments()["PO-TWO"] == "received"
    assert sorted(a.ready()) == sorted(ready[1:])
    assert sorted(a.release(None)) == sorted(ready[1:])
    for order_id in ready:
        assert store.state.orders[order_id].status_id == 9  # released, each once
    b.sync()
    assert b.ready() == []
    assert b.release(None) == []

    if front != "cli":
        return  # what follows involves no window (A and C): the command-line run checks it
    # C, a new laptop with an empty data dir, rebuilds the same picture from BigCommerce alone.
    a.sync()
    c.sync()
    for command in (["shipments", "list"], ["backorders"]):
        assert c.ok(*command) == a.ok(*command)
    assert c.ready() == []


def eta_in_store(store: DemoStore, sku: str) -> str | None:
    (variant,) = [v.id for v in store.state.variants.values() if v.sku == sku]
    for m in store.state.metafields.values():
        if m.resource_type == "variant" and m.resource_id == variant and m.key == "eta":
            return m.value
    return None


@pytest.mark.parametrize("front", FRONTS)
def test_eta_edited_on_both_laptops_the_second_writer_is_stopped_and_chooses(
    store: DemoStore, tmp_path: Path, front: str, request: pytest.FixtureRequest
) -> None:
    a, b = CliFront(store, tmp_path / "a"), make_front(front, request, store, tmp_path / "b")
    a.sync()
    sku = a.queue()[0].sku
    assert a.set_eta(sku, date(2031, 1, 10)).ok
    b.sync()
    # Between syncs: A changes the ETA, then B (who last read 2031-01-10) changes it too.
    assert a.set_eta(sku, date(2031, 2, 1)).ok
    late = b.set_eta(sku, date(2031, 3, 1))
    assert not late.ok
    assert "changed in BigCommerce since the last sync" in late.text
    assert "2031-02-01" in late.text  # theirs, beside what B had read
    assert eta_in_store(store, sku) == "2031-02-01"  # A's write stands
    assert b.held() == []
    # B takes in A's value, then decides to set its own after all: a deliberate overwrite.
    b.sync()
    assert b.set_eta(sku, date(2031, 3, 1)).ok
    a.sync()
    assert eta_in_store(store, sku) == "2031-03-01"


@pytest.mark.parametrize("front", FRONTS)
def test_records_written_by_another_api_account_are_pointed_out(
    store: DemoStore, tmp_path: Path, front: str, request: pytest.FixtureRequest
) -> None:
    first = on(store, tmp_path / "a", "sync")
    assert first.code == 0 and "API account" not in first.err
    # A laptop set up with its own API account wrote one of the records.
    record = next(m for m in store.state.metafields.values() if m.namespace == "backorder_desktop")
    record.owner_client_id = "second-account-7f3k2q"
    record.permission_set = "write"  # app_only records of another account are invisible
    warned = make_front(front, request, store, tmp_path / "b").sync()
    assert "more than one API account" in warned and "…7f3k2q" in warned
    assert "same API account" in warned
