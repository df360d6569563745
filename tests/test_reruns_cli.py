"""Commands run again after a failure or a kill book nothing twice; a reused id is refused."""

from __future__ import annotations

from pathlib import Path

from backorder_desktop.demo_store import DemoStore
from tests.support.cli import run_cli


def _base(store: DemoStore, data_dir: Path) -> list[str]:
    return ["--data-dir", str(data_dir), "--api-url", store.api_url,
            "--store-hash", store.store_hash]  # fmt: skip


def _shipments(store: DemoStore) -> int:
    return sum(1 for m in store.state.metafields.values() if m.key.startswith("shipment:"))


def test_reruns_of_shipments_add_and_receive_book_once_and_a_reused_id_is_refused(
    tmp_path: Path,
) -> None:
    with DemoStore(seed=6, products=30) as store:
        base = _base(store, tmp_path)
        assert run_cli(*base, "sync", token=store.token).code == 0
        queue = run_cli(*base, "backorders", "--json", token=store.token).json()
        ordered = {line["variant_id"] for line in queue}
        vid, sku = next(
            (v.id, v.sku)
            for v in store.state.variants.values()
            if v.id not in ordered  # nobody waits for it: every received unit goes to stock
            and store.state.products[v.product_id].inventory_tracking != "none"
            and store.state.products[v.product_id].availability != "preorder"
        )
        before = _shipments(store)
        add = [*base, "shipments", "add", "--supplier", "Acme", "--expected", "2031-03-01",
               "--line", f"{sku}:30", "--json"]  # fmt: skip
        first = run_cli(*add, token=store.token)
        again = run_cli(*add, token=store.token)  # e.g. the script saw no answer and retried
        assert first.code == again.code == 0, again.err
        assert first.json()["id"] == again.json()["id"] and "earlier run" in again.err
        assert _shipments(store) == before + 1
        shipment_id = first.json()["id"]

        on_hand = store.state.inventory[(vid, 1)].on_hand
        receive = [*base, "shipments", "receive", shipment_id, "--line", f"{sku}:10"]
        assert run_cli(*receive, token=store.token).code == 0
        rerun = run_cli(*receive, token=store.token)  # killed after its first write, run again
        assert rerun.code == 0 and "nothing booked again" in rerun.out
        assert store.state.inventory[(vid, 1)].on_hand == on_hand + 10

        booked = run_cli(*receive, "--receipt-id", "dock-7", token=store.token)
        assert booked.code == 0  # an explicit id: a second, identical delivery
        assert store.state.inventory[(vid, 1)].on_hand == on_hand + 20
        other = [*base, "shipments", "receive", shipment_id, "--line", f"{sku}:5",
                 "--receipt-id", "dock-7"]  # fmt: skip
        refused = run_cli(*other, token=store.token)
        assert refused.code == 1 and "another delivery" in refused.err
        assert store.state.inventory[(vid, 1)].on_hand == on_hand + 20
