"""A demo store, a real SMTP sink and a store session, wired the way the app sends notices."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink, SinkMessage
from backorder_desktop.domain.models import METAFIELD_NAMESPACE
from backorder_desktop.domain.shipments import Shipment, ShipmentLine
from backorder_desktop.mail.smtp import PLAIN, SmtpConfig
from backorder_desktop.mail.templates import NoticeRenderer
from backorder_desktop.services.notices.notify import (
    NoticeOptions,
    NoticePlan,
    SendReport,
    plan_notices,
    prepare_notices,
    refresh_notice_fields,
    send_notices,
)
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store
from tests.support.demo_store_http import DemoApi, order_body, stock_identity

SENDER = "orders@shop.example"
STORE_NAME = "Test Outdoor Shop"


@dataclass
class Rig:
    store: DemoStore
    sink: MailSink
    session: StoreSession
    data_dir: Path

    @property
    def config(self) -> SmtpConfig:
        return SmtpConfig("127.0.0.1", self.sink.port, PLAIN, sender=SENDER, sender_name=STORE_NAME)

    def sync(self) -> None:
        sync_store(self.session)

    def plan(self) -> NoticePlan:
        return plan_notices(self.session.cache)

    def notify(self, **send: Any) -> SendReport:
        """What `notify` does: re-read other laptops' notices, plan, render, send, push."""
        refresh_notice_fields(self.session)
        plan = self.plan()
        prepared = prepare_notices(plan.due, NoticeRenderer(), NoticeOptions(store_name=STORE_NAME))
        report = send_notices(self.session.cache, prepared, self.config, **send)
        push_outbox(self.session)
        return report

    def reopen(self) -> None:
        """A restart: a new session on the same data dir (the cache file is reopened)."""
        self.session.close()
        self.session = open_session(self.store, self.data_dir)


def open_session(store: DemoStore, data_dir: Path) -> StoreSession:
    return StoreSession(data_dir, StoreConnection(store.store_hash, store.api_url), store.token)


@contextmanager
def notice_rig(tmp_path: Path, seed: int = 11) -> Iterator[Rig]:
    with DemoStore(seed=seed) as store, MailSink() as sink:
        data_dir = tmp_path / "data"
        rig = Rig(store, sink, open_session(store, data_dir), data_dir)
        try:
            rig.sync()
            yield rig
        finally:
            rig.session.close()


def put_shipment(
    store: DemoStore, sid: str, expected: date, lines: dict[str, int], *, status: str = "ordered"
) -> None:
    """Create or replace the shared shipment record (a store metafield), as issue 6 writes it."""
    shipment = Shipment(
        sid,
        f"PO-{sid}",
        "sup-1",
        status,
        expected,
        tuple(ShipmentLine(sku, qty) for sku, qty in lines.items()),
    )
    key = f"shipment:{sid}"
    with DemoApi(store) as api:
        existing = [
            m
            for m in api.get("/v3/store/metafields", namespace=METAFIELD_NAMESPACE).json()["data"]
            if m["key"] == key
        ]
        if existing:
            reply = api.put(
                "/v3/store/metafields",
                [{"id": int(existing[0]["id"]), "value": shipment.to_json()}],
            )
        else:
            reply = api.post(
                "/v3/store/metafields",
                [
                    {
                        "namespace": METAFIELD_NAMESPACE,
                        "key": key,
                        "value": shipment.to_json(),
                        "permission_set": "write",
                    }
                ],
            )
        assert reply.status_code == 200, reply.text


def backorder_for(store: DemoStore, first: str, last: str, email: str, qty: int = 2) -> int:
    """Place an order that waits in full: a fresh variant with no stock and a backorder limit."""
    state = store.state
    waiting = {ln.variant_id for o in state.open_orders() for ln in o.lines}
    vid = next(
        v.id
        for v in state.variants.values()
        if state.tracked(v.id)
        and state.products[v.product_id].availability == "available"
        and v.id not in waiting
    )
    ident = stock_identity(store, vid)
    with DemoApi(store) as api:
        adjust = [{"location_id": 1, **ident, "quantity": 0, "qty_backordered": 0}]
        assert api.put("/v3/inventory/adjustments/absolute", {"items": adjust}).status_code == 200
        settings = {"settings": [{"identity": ident, "backorder_limit": 50}]}
        assert api.put("/v3/inventory/locations/1/items", settings).status_code == 200
        body = order_body(state.variants[vid].product_id, vid, qty)
        body["billing_address"].update(first_name=first, last_name=last, email=email)
        placed = api.post("/v2/orders", body)
        assert placed.status_code == 200, placed.text
        order_id = int(placed.json()["id"])
        assert api.put(f"/v2/orders/{order_id}", {"status_id": 11}).status_code == 200
    return order_id


def by_order_and_kind(messages: list[SinkMessage]) -> dict[tuple[int, str], list[SinkMessage]]:
    """Messages grouped by the order number in the subject and the notice kind."""
    out: dict[tuple[int, str], list[SinkMessage]] = {}
    for message in messages:
        out.setdefault((order_number(message), kind_of(message)), []).append(message)
    return out


def order_number(message: SinkMessage) -> int:
    subject = message.subject
    return int(subject.split("#", 1)[1].split()[0].rstrip(":"))


def kind_of(message: SinkMessage) -> str:
    subject = message.subject
    if "cancelled" in subject:
        return "cancelled"
    if subject.startswith("Good news"):
        return "earlier"
    if "delayed" in subject:
        return "delay"
    if "on its way" in subject and "Still" not in subject:
        return "released"
    if subject.startswith("Still"):
        return "check_in"
    return "confirmation"


def order_metafield(store: DemoStore, order_id: int, key: str) -> Any:
    for rec in store.state.metafields.values():
        if (rec.resource_type, rec.resource_id, rec.namespace, rec.key) == (
            "order",
            order_id,
            METAFIELD_NAMESPACE,
            key,
        ):
            return json.loads(rec.value)
    return None
