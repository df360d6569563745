"""`set-backorder` in a subprocess against the real demo store (../shared/CLI.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.__main__ import main
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, UNLIMITED_BACKORDER_LIMIT
from tests.support.cli import run_cli


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=11).start() as demo:
        yield demo


@pytest.fixture
def synced(store: DemoStore, tmp_path: Path) -> list[str]:
    args = [
        "--data-dir",
        str(tmp_path / "data"),
        "--api-url",
        store.api_url,
        "--store-hash",
        store.store_hash,
    ]
    assert run_cli(*args, "sync", token=store.token).code == 0
    store.clear_requests()
    return args


def skus(store: DemoStore, n: int) -> list[tuple[str, int]]:
    state = store.state
    chosen = sorted(
        (v.sku, v.id)
        for v in state.variants.values()
        if state.products[v.product_id].inventory_tracking == "variant"
        and state.inventory[(v.id, 1)].backorder_limit is None
    )
    return chosen[:n]


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "logs" not in p.parts
    }


def eta_of(store: DemoStore, vid: int) -> str | None:
    for m in store.state.metafields.values():
        if m.resource_id == vid and m.key == "eta" and m.namespace == METAFIELD_NAMESPACE:
            return m.value
    return None


def test_dry_run_prints_the_plan_and_writes_nothing(
    store: DemoStore, synced: list[str], tmp_path: Path
) -> None:
    chosen = skus(store, 3)
    files_before = digest(tmp_path / "data")
    result = run_cli(
        *synced,
        "set-backorder",
        "--sku",
        ",".join(s for s, _ in chosen),
        "--unlimited",
        "--eta",
        "2027-04-01",
        "--dry-run",
        "--json",
        token=store.token,
    )
    assert result.code == 0, result.err
    doc = result.json()
    assert (doc["changed"], doc["unchanged"], doc["failed"], doc["dry_run"]) == (3, 0, [], True)
    assert doc["requests"] == 2  # one inventory settings request, one batch of new ETA fields
    changes = {(c["label"], c["field"]): c["after_text"] for c in doc["changes"]}
    for sku, _ in chosen:
        assert changes[(sku, "backorder_limit")] == "unlimited"
        assert changes[(sku, "eta")] == "2027-04-01"
    assert store.requests == [], "a dry run sends nothing to BigCommerce"
    assert digest(tmp_path / "data") == files_before, "a dry run writes nothing locally"

    human = run_cli(
        *synced,
        "set-backorder",
        "--sku",
        chosen[0][0],
        "--limit",
        "5",
        "--dry-run",
        token=store.token,
    )
    assert human.code == 0
    assert "Would change 1 variant(s)" in human.out and "Dry run: nothing was written." in human.out


def test_set_backorder_changes_the_store_and_reports_json(
    store: DemoStore, synced: list[str]
) -> None:
    chosen = skus(store, 4)
    result = run_cli(
        *synced,
        "set-backorder",
        "--sku",
        ",".join(s for s, _ in chosen),
        "--limit",
        "12",
        "--eta",
        "2027-05-02",
        "--message",
        "Ships by {eta:%b %d}",
        "--json",
        token=store.token,
    )
    assert result.code == 0, result.err
    doc = result.json()
    assert set(doc) >= {"changed", "unchanged", "requests", "failed"}
    assert (doc["changed"], doc["unchanged"], doc["failed"]) == (4, 0, [])
    state = store.state
    for _sku, vid in chosen:
        assert state.inventory[(vid, 1)].backorder_limit == 12
        assert eta_of(store, vid) == "2027-05-02"
        product = state.products[state.variants[vid].product_id]
        assert product.availability_description == "Ships by May 02"
    writes = [r for r in store.requests if r.method != "GET"]
    assert len(writes) == doc["requests"]

    again = run_cli(
        *synced,
        "set-backorder",
        "--sku",
        chosen[0][0],
        "--limit",
        "12",
        "--json",
        token=store.token,
    )
    assert (again.json()["changed"], again.json()["unchanged"]) == (0, 1)

    off = run_cli(
        *synced, "set-backorder", "--sku", chosen[0][0], "--off", "--clear-eta", token=store.token
    )
    assert off.code == 0, off.err
    assert state.inventory[(chosen[0][1], 1)].backorder_limit is None
    assert eta_of(store, chosen[0][1]) is None


@pytest.mark.parametrize(
    ("option", "says"),
    [
        (["--limit", "-2"], "cannot be negative"),
        (["--limit", "1.5"], "whole number"),
        (["--limit", "2147483648"], "more than BigCommerce accepts"),
        (["--limit", "3", "--eta", "2027-02-29"], "not a real date"),
        (["--limit", "3", "--message", "Ships {when}"], "only {eta}"),
        (["--limit", "3", "--unlimited"], "not allowed with"),
        (["--eta", "2027-01-01"], "one of the arguments --limit --unlimited --off is required"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], option: list[str], says: str
) -> None:
    # The real parser, in-process (a subprocess per case would only add start-up time).
    with pytest.raises(SystemExit) as exit_info:
        main(["--data-dir", "/nonexistent", "set-backorder", "--sku", "X", *option])
    assert exit_info.value.code == 2
    assert says in capsys.readouterr().err


def test_a_bad_limit_exits_2_and_sends_nothing(store: DemoStore, synced: list[str]) -> None:
    result = run_cli(*synced, "set-backorder", "--sku", "X", "--limit", "-1", token=store.token)
    assert result.code == 2 and "cannot be negative" in result.err
    assert store.requests == []


def test_unknown_skus_or_conflicts_change_nothing(store: DemoStore, synced: list[str]) -> None:
    (sku, vid), *_ = skus(store, 1)
    result = run_cli(
        *synced, "set-backorder", "--sku", f"{sku},NO-SUCH-SKU", "--limit", "3", token=store.token
    )
    assert result.code == 1
    assert "Unknown SKU(s): NO-SUCH-SKU" in result.err and "Nothing was changed" in result.err
    assert store.requests == []

    store.state.inventory[(vid, 1)].backorder_limit = 7  # edited in the control panel
    conflict = run_cli(*synced, "set-backorder", "--sku", sku, "--unlimited", token=store.token)
    assert conflict.code == 1
    assert "changed in BigCommerce since the last sync" in conflict.err
    assert store.state.inventory[(vid, 1)].backorder_limit == 7
    assert all(r.method == "GET" for r in store.requests)

    assert run_cli(*synced, "sync", token=store.token).code == 0
    after_sync = run_cli(*synced, "set-backorder", "--sku", sku, "--unlimited", token=store.token)
    assert after_sync.code == 0, after_sync.err
    assert store.state.inventory[(vid, 1)].backorder_limit == UNLIMITED_BACKORDER_LIMIT
