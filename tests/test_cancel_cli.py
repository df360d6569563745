"""The demo store's refund endpoints against the official spec, and the `cancel` command."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from backorder_desktop.demo_store import DemoStore
from tests.support.cli import run_cli
from tests.support.demo_store_http import DemoApi
from tests.support.openapi import require_specs


def test_refund_quotes_refunds_and_over_refunds_follow_the_orders_spec() -> None:
    require_specs()
    with DemoStore(seed=3, products=30, orders=20) as store:
        order = next(o for o in store.state.orders.values() if o.status_id in (9, 11) and o.lines)
        line = order.lines[0]
        items = [{"item_type": "PRODUCT", "item_id": line.id, "quantity": line.quantity}]
        with DemoApi(store, validate=True) as api:
            quote = api.post(
                f"/v3/orders/{order.id}/payment_actions/refund_quotes", {"items": items}
            )
            assert quote.status_code == 201
            data = quote.json()["data"]
            assert data["total_refund_amount"] == round(line.price_inc_tax * line.quantity, 2)
            method = data["refund_methods"][0]
            payments = [
                {"provider_id": p["provider_id"], "amount": p["amount"], "offline": p["offline"]}
                for p in method
            ]
            path = f"/v3/orders/{order.id}/payment_actions/refunds"
            wrong = [{**payments[0], "amount": payments[0]["amount"] + 1}]
            refused = api.post(path, {"items": items, "payments": wrong})
            assert refused.status_code == 422 and store.state.orders[order.id].refunds == []
            made = api.post(path, {"items": items, "payments": payments})
            assert made.status_code == 201
            assert store.state.orders[order.id].status_id in (4, 14)
            # The same units once more: an over-refund, refused, nothing changes.
            again = api.post(path, {"items": items, "payments": payments})
            assert again.status_code == 422
            assert "left to refund" in again.json()["data"][0]["title"]
            over = api.post(
                f"/v3/orders/{order.id}/payment_actions/refund_quotes", {"items": items}
            )
            assert over.status_code == 422
            listed = api.get(path).json()["data"]
            assert len(listed) == 1 and listed[0]["items"][0]["quantity"] == line.quantity
            products = api.get(f"/v2/orders/{order.id}/products").json()
            refunded = {p["id"]: p["quantity_refunded"] for p in products}
            assert refunded[line.id] == line.quantity


def test_cancel_command_prints_the_contract_json(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert run_cli("--data-dir", data, "--demo", "sync").code == 0
    lines = run_cli("--data-dir", data, "--demo", "--json", "backorders").json()
    counts = Counter(x["order_id"] for x in lines)
    order_id = next(o for o, n in sorted(counts.items()) if n >= 2)
    mine = [x for x in lines if x["order_id"] == order_id]
    sku = mine[0]["sku"]
    dry = run_cli(
        "--data-dir", data, "--demo", "--json", "cancel", "--order", str(order_id),
        "--line", f"{sku}:1", "--dry-run",
    )  # fmt: skip
    assert dry.code == 0, dry.err
    assert dry.json()["cancelled"] == [{"order_id": order_id, "sku": sku, "qty": 1}]
    done = run_cli(
        "--data-dir", data, "--demo", "--json", "cancel", "--order", str(order_id),
        "--line", f"{sku}:1", "--reason", "Out of production",
    )  # fmt: skip
    assert done.code == 0, done.err
    doc = done.json()
    assert set(doc) == {"cancelled", "refunds", "order_status", "notices_queued"}
    assert doc["cancelled"] == [{"order_id": order_id, "sku": sku, "qty": 1}]
    (refund,) = doc["refunds"]
    assert refund["order_id"] == order_id and refund["status"] == "refunded"
    assert refund["currency"] == "USD" and refund["amount"] > 0
    assert doc["order_status"][str(order_id)] in (11, 9, 3, 7)
    assert doc["notices_queued"] == 1
    after = run_cli("--data-dir", data, "--demo", "--json", "backorders").json()
    waiting = {(x["order_id"], x["sku"]): x["qty_waiting"] for x in after}
    assert waiting.get((order_id, sku), 0) == mine[0]["qty_waiting"] - 1
    bad = run_cli(
        "--data-dir", data, "--demo", "cancel", "--order", str(order_id), "--line", "NOPE"
    )
    assert bad.code == 1 and "no waiting line of SKU NOPE" in bad.err
