"""The shipments, release and undo-release commands in a subprocess, against the demo store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from tests.support.cli import run_cli


@pytest.fixture(scope="module")
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=5) as demo:
        yield demo


def args_for(store: DemoStore, data_dir: Path) -> list[str]:
    return [
        "--data-dir",
        str(data_dir),
        "--api-url",
        store.api_url,
        "--store-hash",
        store.store_hash,
    ]


def shipment_keys(store: DemoStore) -> set[str]:
    return {
        m.key
        for m in store.state.metafields.values()
        if m.resource_type == "store" and m.key.startswith("shipment:")
    }


def test_add_list_receive_release_and_undo(store: DemoStore, tmp_path: Path) -> None:
    base = args_for(store, tmp_path)
    assert run_cli(*base, "sync", token=store.token).code == 0
    queue = run_cli(*base, "backorders", "--json", token=store.token).json()
    first = queue[0]
    sku = first["sku"]
    waiting = sum(line["qty_waiting"] for line in queue if line["sku"] == sku)
    orders = sorted({line["order_id"] for line in queue if line["sku"] == sku})

    added = run_cli(
        *base,
        "shipments",
        "add",
        "--supplier",
        "Nordström Textil AB",
        "--expected",
        "2031-01-15",
        "--line",
        f"{sku}:{waiting + 2}",
        "--ref",
        "PO-CLI-1",
        "--json",
        token=store.token,
    )
    assert added.code == 0, added.err
    doc = added.json()
    assert doc["reference"] == "PO-CLI-1" and doc["lines"][0]["qty_expected"] == waiting + 2
    assert f"shipment:{doc['id']}" in shipment_keys(store)

    listed = run_cli(*base, "shipments", "list", "--json", token=store.token).json()
    mine = next(s for s in listed if s["id"] == doc["id"])
    assert mine["status"] == "ordered" and mine["expected_date"] == "2031-01-15"
    assert mine["supplier"] == "Nordström Textil AB"

    before = {o: store.state.orders[o].status_id for o in store.state.orders}
    dry = run_cli(
        *base,
        "shipments",
        "receive",
        "PO-CLI-1",
        "--line",
        f"{sku}:{waiting}",
        "--dry-run",
        "--json",
        token=store.token,
    )
    assert dry.code == 0, dry.err
    plan = dry.json()
    assert sum(a["qty"] for a in plan["allocated"]) == waiting
    assert sorted({a["order_id"] for a in plan["allocated"]}) == orders
    assert plan["released"] == []
    assert {o: store.state.orders[o].status_id for o in store.state.orders} == before
    assert (
        json.loads(
            next(
                m.value for m in store.state.metafields.values() if m.key == f"shipment:{doc['id']}"
            )
        )["status"]
        == "ordered"
    )

    received = run_cli(
        *base,
        "shipments",
        "receive",
        doc["id"],
        "--line",
        f"{sku}:{waiting}",
        "--release",
        "--json",
        token=store.token,
    )
    assert received.code == 0, received.err
    result = received.json()
    assert set(result) == {"received", "allocated", "ready_orders", "released"}
    assert result["received"]["status"] == "partially_received"
    assert result["released"] == result["ready_orders"] and result["released"]
    for order_id in result["released"]:
        assert store.state.orders[order_id].status_id == 9

    target = result["released"][0]
    undone = run_cli(*base, "undo-release", str(target), "--json", token=store.token)
    assert undone.code == 0, undone.err
    assert store.state.orders[target].status_id == before[target]
    # Back where it was before the release: ready again (its units stayed reserved), so it
    # can be released again; `backorders` lists it as ready, not waiting.
    listed = run_cli(*base, "backorders", "--json", token=store.token)
    assert {x["state"] for x in listed.json() if x["order_id"] == target} == {"ready"}
    again = run_cli(*base, "release", "--order", str(target), "--json", token=store.token)
    assert again.code == 0
    assert again.json() == {"released": [target], "skipped": [], "dry_run": False}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--expected", "31/12/2031", "--line", "X:1"], "not a date like 2026-12-31"),
        (["--expected", "2031-02-30", "--line", "X:1"], "does not exist on the calendar"),
        (["--expected", "2031-02-01", "--line", "X:-3"], "cannot be negative"),
        (["--expected", "2031-02-01", "--line", "X:ten"], "must be a whole number"),
        (["--expected", "2031-02-01", "--line", "NO-SUCH-SKU:3"], "Not in the catalog"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    store: DemoStore, tmp_path: Path, extra: list[str], message: str
) -> None:
    base = args_for(store, tmp_path)
    assert run_cli(*base, "sync", token=store.token).code == 0
    keys = shipment_keys(store)
    outcome = run_cli(
        *base,
        "shipments",
        "add",
        "--supplier",
        "Acme Supply Co. <Wholesale>",
        *extra,
        token=store.token,
    )
    assert outcome.code == 1
    assert message in outcome.err and "Traceback" not in outcome.err
    assert shipment_keys(store) == keys
    status = run_cli(*base, "status", "--json", token=store.token).json()
    assert status["outbox"]["pending"] == 0


def test_receiving_an_unknown_code_or_bad_quantity_changes_nothing(
    store: DemoStore, tmp_path: Path
) -> None:
    base = args_for(store, tmp_path)
    assert run_cli(*base, "sync", token=store.token).code == 0
    sku = run_cli(*base, "backorders", "--json", token=store.token).json()[0]["sku"]
    added = run_cli(
        *base,
        "shipments",
        "add",
        "--supplier",
        "obrien-sons",
        "--expected",
        "2031-03-01",
        "--line",
        f"{sku}:4",
        "--json",
        token=store.token,
    ).json()
    for line, message in (
        ("UNKNOWN-CODE:1", "is not on shipment"),
        (f"{sku}:-1", "cannot be negative"),
        (f"{sku}:1.5", "must be a whole number"),
        (f"{sku}:9", "More than expected"),
    ):
        outcome = run_cli(
            *base, "shipments", "receive", added["id"], "--line", line, token=store.token
        )
        assert outcome.code == 1 and message in outcome.err, outcome.err
    listed = run_cli(*base, "shipments", "list", "--json", token=store.token).json()
    mine = next(s for s in listed if s["id"] == added["id"])
    assert mine["units_received"] == 0 and mine["status"] == "ordered"
