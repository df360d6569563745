"""Insights figures on the real demo store vs expectations computed from its raw dataset."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.insights import record_snapshot, report
from tests.support.cli import run_cli
from tests.support.shipments import Env, demo_env

OPEN = (11, 9, 3, 7)
BUCKETS = [(0, 3), (4, 7), (8, 14), (15, 21), (22, 30), (31, 45), (46, 10**6)]
LABELS = ["0-3", "4-7", "8-14", "15-21", "22-30", "31-45", "46+"]


def expected_waiting(store: DemoStore, now: datetime) -> list[dict[str, Any]]:
    """Waiting lines by the queue rule of DESIGN.md, from the raw dataset (not the app's code)."""
    state = store.state
    left: dict[int, int] = defaultdict(int)
    for (variant_id, _loc), record in state.inventory.items():
        left[variant_id] += record.on_hand
    candidates = []
    for order in state.orders.values():
        if order.status_id not in OPEN:
            continue
        for line in order.lines:
            product = state.products.get(line.product_id)
            if product is None or product.inventory_tracking == "none":
                continue
            candidates.append(
                (line.sku, order.date_created, order.id, line.id, order, line, product)
            )
    out = []
    for _sku, created, _oid, _lid, order, line, product in sorted(candidates, key=lambda c: c[:4]):
        if line.quantity_backordered is not None:
            waiting = line.quantity_backordered
        elif product.availability == "preorder":
            waiting = line.quantity - line.quantity_shipped
        else:
            unshipped = line.quantity - line.quantity_shipped
            covered = min(left[line.variant_id], unshipped)
            left[line.variant_id] -= covered
            waiting = unshipped - covered
        if waiting > 0:
            out.append(
                {
                    "line_id": line.id,
                    "days": (now - created).days,
                    "units": waiting,
                    "value": waiting * line.price_inc_tax,
                    "email": order.billing_address.email.casefold(),
                    "native": line.quantity_backordered is not None,
                }
            )
    return out


def expected_aging(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for label, (first, last) in zip(LABELS, BUCKETS, strict=True):
        inside = [x for x in lines if first <= x["days"] <= last]
        out.append(
            {
                "bucket": label,
                "lines": len(inside),
                "units": sum(x["units"] for x in inside),
                "value": pytest.approx(sum(x["value"] for x in inside), abs=0.01),
            }
        )
    return out


def expected_suppliers(store: DemoStore, today: date) -> dict[str, dict[str, Any]]:
    """On-time rate, fill rate and delay from the shipment records the store holds."""
    records = [
        (m.key, json.loads(m.value))
        for m in store.state.metafields.values()
        if m.resource_type == "store" and m.namespace == "backorder_desktop"
    ]
    names = {d["id"]: d["name"] for key, d in records if key.startswith("supplier:")}
    docs = [d for key, d in records if key.startswith("shipment:")]
    delays: dict[str, list[int]] = defaultdict(list)
    filled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in docs:
        if "lines" not in d:
            continue
        expected = date.fromisoformat(d["expected_date"]) if d.get("expected_date") else None
        receipts = sorted(
            (r for r in d.get("receipts", []) if not r.get("reversed")), key=lambda r: r["at"]
        )
        # Judged by the day the whole shipment was in (or the last receipt of one finished
        # short); still incomplete and past due: late so far.
        want, done = sum(x["qty_expected"] for x in d["lines"]), None
        got_so_far = 0
        for r in receipts:
            got_so_far += r.get("accepted", 0) + r.get("rejected", 0)
            if got_so_far >= want:
                done = datetime.fromisoformat(r["at"]).date()
                break
        if done is None and receipts and d["status"] in ("received", "closed"):
            done = datetime.fromisoformat(receipts[-1]["at"]).date()
        if expected and done:
            delays[d["supplier_id"]].append((done - expected).days)
        elif expected and d["status"] in ("ordered", "in_transit", "partially_received"):
            if expected < today:
                delays[d["supplier_id"]].append((today - expected).days)
        if d["status"] in ("received", "closed"):
            filled[d["supplier_id"]][0] += sum(x.get("qty_received", 0) for x in d["lines"])
            filled[d["supplier_id"]][1] += sum(x["qty_expected"] for x in d["lines"])
    out = {}
    for sid, name in names.items():
        late = delays.get(sid, [])
        got, want = filled.get(sid, [0, 0])
        out[name] = {
            "name": name,
            "on_time_rate": pytest.approx(sum(d <= 0 for d in late) / len(late), abs=1e-4)
            if late
            else None,
            "fill_rate": pytest.approx(min(got / want, 1.0), abs=1e-4) if want else None,
            "avg_delay_days": pytest.approx(sum(max(0, d) for d in late) / len(late), abs=0.01)
            if late
            else None,
        }
    return out


@pytest.fixture(scope="module")
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=5).start() as demo:
        yield demo


def test_report_command_matches_the_dataset(store: DemoStore, tmp_path: Path) -> None:
    args = [
        "--data-dir",
        str(tmp_path),
        "--api-url",
        store.api_url,
        "--store-hash",
        store.store_hash,
    ]
    assert run_cli(*args, "sync", token=store.token).code == 0
    result = run_cli(*args, "report", "--json", token=store.token)
    assert result.code == 0, result.err
    now = datetime.now(UTC)
    got = result.json()
    lines = expected_waiting(store, now)
    assert len(lines) >= 20

    assert got["aging"] == expected_aging(lines)
    at_risk = sum(x["value"] for x in lines)
    assert got["revenue_at_risk"] == pytest.approx(at_risk, abs=0.01)
    # Fresh cache: every order in it is open, so what was captured is what is still waiting.
    assert got["captured_on_backorder"] == pytest.approx(at_risk, abs=0.01)
    customers = {x["email"] for x in lines}
    assert got["customers_waiting"] == len(customers)
    # Nobody has been told anything yet: silent since the newest of their waiting orders.
    newest = {e: min(x["days"] for x in lines if x["email"] == e) for e in customers}
    assert got["not_notified_over_days"] == {"7": sum(1 for d in newest.values() if d > 7)}
    suppliers = expected_suppliers(store, now.date())
    assert any(
        s["fill_rate"] is not None and s["on_time_rate"] is not None for s in suppliers.values()
    )
    assert {s["name"]: s for s in got["suppliers"]} == suppliers
    shipments = [
        json.loads(m.value)
        for m in store.state.metafields.values()
        if m.resource_type == "store" and m.key.startswith("shipment:")
    ]
    late = {
        d["reference"]
        for d in shipments
        if d["status"] in ("ordered", "in_transit", "partially_received")
        and d.get("expected_date")
        and date.fromisoformat(d["expected_date"]) < now.date()
    }
    assert late
    assert {s["reference"] for s in got["overdue_shipments"]} == late
    # The sync recorded today's point of the value-over-time chart.
    assert got["value_history"] == [
        {
            "date": now.date().isoformat(),
            "value": pytest.approx(at_risk, abs=0.01),
            "lines": len(lines),
            "units": sum(x["units"] for x in lines),
        }
    ]

    overdue = run_cli(*args, "report", "--not-told-days", "30", "--csv", token=store.token)
    assert overdue.code == 0, overdue.err
    table = list(csv.reader(io.StringIO(overdue.out)))
    assert table[0] == ["section", "item", "measure", "value"]
    assert ["aging", "46+", "lines", str(got["aging"][-1]["lines"])] in table
    told_30 = sum(1 for d in newest.values() if d > 30)
    assert ["totals", "", "customers_not_told_over_30_days", str(told_30)] in table
    bad = run_cli(*args, "report", "--not-told-days", "-3", token=store.token)
    assert bad.code == 2 and "negative" in bad.err


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    with demo_env(tmp_path, seed=5) as environment:
        yield environment


def test_sales_captured_stay_counted_after_the_order_ships(env: Env) -> None:
    record_snapshot(env.cache)
    before = report(env.cache)
    lines = expected_waiting(env.store, datetime.now(UTC))
    shipped_line = next(x for x in lines if x["native"])
    order = next(
        o
        for o in env.store.state.orders.values()
        if any(ln.id == shipped_line["line_id"] for ln in o.lines)
    )
    waiting_on_order = sum(
        x["value"] for x in lines if any(ln.id == x["line_id"] for ln in order.lines)
    )
    order.status_id = 2  # shipped in the store: it leaves the open orders
    order.date_modified = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    env.pull()
    record_snapshot(env.cache)
    after = report(env.cache)
    assert after.revenue_at_risk == pytest.approx(
        before.revenue_at_risk - waiting_on_order, abs=0.01
    )
    assert after.captured_on_backorder == pytest.approx(before.captured_on_backorder, abs=0.01)
    # Two syncs on one day: one point, the latest.
    assert [(p.day, p.value) for p in after.history] == [
        (datetime.now(UTC).date(), pytest.approx(after.revenue_at_risk, abs=0.01))
    ]
