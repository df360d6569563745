"""The headless commands (../shared/CLI.md) against the real demo store, in a subprocess."""

from __future__ import annotations

import socket
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from tests.support.cli import files_containing, run_cli

OPEN = (11, 9, 3, 7)


@pytest.fixture(scope="module")
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=3).start() as demo:
        yield demo


def store_args(store: DemoStore, data_dir: Path) -> list[str]:
    return [
        "--data-dir",
        str(data_dir),
        "--api-url",
        store.api_url,
        "--store-hash",
        store.store_hash,
    ]


def expected_queue(store: DemoStore) -> list[tuple[int, str, int, int]]:
    """The queue rule of DESIGN.md applied to the raw dataset, independently of the app's code."""
    state = store.state
    on_hand: dict[int, int] = defaultdict(int)
    for (variant_id, _location), record in state.inventory.items():
        on_hand[variant_id] += record.on_hand
    candidates = []
    for order in state.orders.values():
        if order.status_id not in OPEN:
            continue
        for line in order.lines:
            product = state.products.get(line.product_id)
            if product is None or product.inventory_tracking == "none":
                continue
            candidates.append((order.date_created, order.id, line.id, order, line, product))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    expected = []
    position: dict[str, int] = defaultdict(int)
    left = dict(on_hand)
    for _date, order_id, _line_id, _order, line, product in sorted(
        candidates, key=lambda c: (c[4].sku, c[0], c[1], c[2])
    ):
        if line.quantity_backordered is not None:
            waiting = line.quantity_backordered
        elif product.availability == "preorder":
            waiting = line.quantity - line.quantity_shipped
        else:
            unshipped = line.quantity - line.quantity_shipped
            covered = min(left.get(line.variant_id, 0), unshipped)
            left[line.variant_id] = left.get(line.variant_id, 0) - covered
            waiting = unshipped - covered
        if waiting > 0:
            position[line.sku] += 1
            expected.append((order_id, line.sku, waiting, position[line.sku]))
    return expected


def test_sync_then_backorders_lists_the_queue_in_documented_order(
    store: DemoStore, tmp_path: Path
) -> None:
    args = store_args(store, tmp_path)
    synced = run_cli(*args, "sync", "--json", token=store.token)
    assert synced.code == 0, synced.err
    summary = synced.json()
    assert set(summary) == {"products", "variants", "orders", "backorder_lines", "requests"}
    assert summary["products"] == len(store.state.products)
    assert summary["orders"] == len(store.state.open_orders())

    listed = run_cli(*args, "backorders", "--json", token=store.token)
    assert listed.code == 0, listed.err
    rows = listed.json()
    expected = expected_queue(store)
    assert len(expected) >= 20, "the demo dataset should have several dozen backordered lines"
    assert [
        (r["order_id"], r["sku"], r["qty_waiting"], r["queue_position"]) for r in rows
    ] == expected
    assert summary["backorder_lines"] == len(rows)
    first = rows[0]
    assert set(first) == {
        "order_id",
        "order_date",
        "customer_email",
        "sku",
        "variant_id",
        "qty_ordered",
        "qty_waiting",
        "queue_position",
        "priority",
        "eta",
        "notified_eta",
        "consent",
        "state",
    }
    assert {r["state"] for r in rows} == {"waiting"}  # nothing received yet: none ready
    assert {r["consent"] for r in rows} == {None}  # nobody was told of a delay yet
    order = store.state.orders[first["order_id"]]
    assert first["customer_email"] == order.billing_address.email

    one_sku = rows[-1]["sku"]
    filtered = run_cli(*args, "backorders", "--sku", one_sku, "--json", token=store.token).json()
    assert filtered and {r["sku"] for r in filtered} == {one_sku}

    status = run_cli(*args, "status", "--json", token=store.token).json()
    assert status["store_hash"] == store.store_hash
    assert status["backorder_lines"] == len(rows)
    assert status["outbox"] == {"pending": 0, "failed": 0} | {
        k: v for k, v in status["outbox"].items() if k not in ("pending", "failed")
    }
    assert status["last_sync"]

    pushed = run_cli(*args, "push", "--json", token=store.token)
    assert pushed.code == 0 and pushed.json() == {"sent": 0, "pending": 0, "failed": 0}

    assert files_containing(tmp_path, store.token) == []
    for result in (synced, listed, pushed):
        assert store.token not in result.out + result.err


def test_demo_mode_keeps_one_store_across_runs(tmp_path: Path) -> None:
    first = run_cli("--data-dir", str(tmp_path), "--demo", "sync")
    assert first.code == 0, first.err
    assert first.out.startswith("Synced store ")
    second = run_cli("--data-dir", str(tmp_path), "--demo", "backorders")
    assert second.code == 0, second.err
    assert "units waiting" in second.out
    status = run_cli("--data-dir", str(tmp_path), "--demo", "status", "--json").json()
    assert status["store_hash"] in first.out
    assert status["backorder_lines"] > 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("wrong token", "token"),
        ("unknown store", "store hash"),
        ("connection refused", "reach"),
        ("plain http to a remote host", "https"),
    ],
)
def test_connection_errors_exit_1_with_a_clear_message_and_write_nothing(
    store: DemoStore, tmp_path: Path, case: str, needle: str
) -> None:
    token = store.token
    api_url, store_hash = store.api_url, store.store_hash
    if case == "wrong token":
        token = "x" * 31 + "wrong"
    elif case == "unknown store":
        store_hash = "nosuchstore"
    elif case == "connection refused":
        api_url = f"http://127.0.0.1:{free_port()}"
    else:
        api_url = "http://api.example.com"
    result = run_cli(
        "--data-dir",
        str(tmp_path),
        "--api-url",
        api_url,
        "--store-hash",
        store_hash,
        "sync",
        token=token,
    )
    assert result.code == 1, (result.out, result.err)
    assert result.err.startswith("Error: ")
    assert needle in result.err.lower()
    assert "Traceback" not in result.err
    assert not (tmp_path / "stores").exists() or not any((tmp_path / "stores").iterdir())
    assert token not in result.out + result.err
    assert files_containing(tmp_path, token) == []


def test_missing_token_and_bad_arguments(tmp_path: Path) -> None:
    missing = run_cli("--data-dir", str(tmp_path), "--store-hash", "abc123", "sync")
    assert missing.code == 1 and "BIGCOMMERCE_ACCESS_TOKEN" in missing.err
    bad = run_cli("--data-dir", str(tmp_path), "sync", "--no-such-option")
    assert bad.code == 2
    rate = run_cli("demo-store", "--rate-limit", "lots")
    assert rate.code == 2 and "rate limit" in rate.err
