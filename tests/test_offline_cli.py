"""Scripts offline and with a revoked token: changes are queued with a clear note, nothing is
lost, and `push` sends them once the store answers (again) with a valid token."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.models import METAFIELD_NAMESPACE
from tests.support.cli import run_cli

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _shipments(store: DemoStore) -> int:
    return sum(
        1
        for m in store.state.metafields.values()
        if m.namespace == METAFIELD_NAMESPACE and m.key.startswith("shipment:")
    )


def test_a_change_made_offline_is_pushed_when_the_store_is_back(tmp_path: Path) -> None:
    with DemoStore(tmp_path / "store", seed=6, products=30, port=_free_port()) as store:
        base = ["--data-dir", str(tmp_path / "data"), "--api-url", store.api_url,
                "--store-hash", store.store_hash]  # fmt: skip
        assert run_cli(*base, "sync", token=store.token).code == 0
        sku = next(iter(store.state.variants.values())).sku
        before = _shipments(store)
        store.stop()

        added = run_cli(*base, "shipments", "add", "--supplier", "Acme", "--expected",
                        "2027-02-01", f"--line={sku}:4", token=store.token)  # fmt: skip
        assert added.code == 0, added.err
        assert "run 'push' later" in added.err
        status = run_cli(*base, "status", "--json", token=store.token).json()
        assert status["outbox"]["pending"] > 0  # kept, offline

        store.start()
        pushed = run_cli(*base, "push", "--json", token=store.token)
        assert pushed.code == 0, pushed.err
        assert pushed.json()["pending"] == 0 and pushed.json()["sent"] > 0
        assert _shipments(store) == before + 1


def test_a_revoked_token_keeps_the_change_queued_until_a_new_token(tmp_path: Path) -> None:
    with DemoStore(seed=6, products=30) as store:
        base = ["--data-dir", str(tmp_path), "--api-url", store.api_url, "--store-hash",
                store.store_hash]  # fmt: skip
        assert run_cli(*base, "sync", token=store.token).code == 0
        sku = next(iter(store.state.variants.values())).sku
        before = _shipments(store)
        old = store.token
        store.revoke_token()
        added = run_cli(*base, "shipments", "add", "--supplier", "Acme", "--expected",
                        "2027-02-01", f"--line={sku}:4", token=old)  # fmt: skip
        assert added.code == 0 and "run 'push' later" in added.err
        refused = run_cli(*base, "push", token=old)
        assert refused.code == 1 and "token" in refused.err.lower()
        assert _shipments(store) == before

        store.set_token("the-new-token-from-the-control-panel")
        pushed = run_cli(*base, "push", "--json", token="the-new-token-from-the-control-panel")
        assert pushed.code == 0 and pushed.json()["pending"] == 0
        assert _shipments(store) == before + 1


def test_set_backorder_with_changes_still_queued_exits_3_and_push_sends_them(
    tmp_path: Path,
) -> None:
    with DemoStore(tmp_path / "store", seed=6, products=30, port=_free_port()) as store:
        base = ["--data-dir", str(tmp_path / "data"), "--api-url", store.api_url,
                "--store-hash", store.store_hash]  # fmt: skip
        assert run_cli(*base, "sync", token=store.token).code == 0
        vid, sku = next(
            (v.id, v.sku)
            for v in store.state.variants.values()
            if store.state.products[v.product_id].inventory_tracking != "none"
        )
        store.stop()
        queued = run_cli(*base, "set-backorder", "--sku", sku, "--limit", "7", "--json",
                         token=store.token)  # fmt: skip
        assert queued.code == 3, queued.err  # accepted and kept, not in BigCommerce yet
        assert queued.json()["queued"] >= 1 and "queued" in queued.err
        store.start()
        pushed = run_cli(*base, "push", "--json", token=store.token)
        assert pushed.code == 0 and pushed.json()["pending"] == 0
        assert store.state.inventory[(vid, 1)].backorder_limit == 7
        again = run_cli(*base, "set-backorder", "--sku", sku, "--limit", "8", token=store.token)
        assert again.code == 0, again.err  # sent at once: the usual exit 0
