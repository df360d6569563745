"""Bench: two laptops on one store (issue 7), with the store's latency and rate limit.

Laptop A sets ETAs on N variants; laptop B's incremental sync brings them in. Then both queue a
change of the same N ETAs: A's push pays the version check (one listing per 50-item batch), and
B's push finds all N overtaken and holds them as conflicts instead of writing over A's. Last,
B claims its due notices (create + read-back, 50 per request). Figures: benchmarks/out/laptops.json.
"""

from __future__ import annotations

import math
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from backorder_desktop.bigcommerce.client import METAFIELD_BATCH
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.bulk import VariantEdit
from backorder_desktop.mail.templates import NoticeRenderer
from backorder_desktop.services.bulk.bulk_edit import BulkRequest, apply
from backorder_desktop.services.notices.notice_claims import claim_notices
from backorder_desktop.services.notices.notify import NoticeOptions, plan_notices, prepare_notices
from backorder_desktop.services.sync_control.conflicts import list_conflicts
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store

from .common import LARGE, Size, machine, say, write_json

ETAS = 1_000


def _set(session: StoreSession, ids: list[int], eta: date) -> None:
    outcome = apply(
        session.client, session.cache, BulkRequest({v: VariantEdit(eta=eta) for v in ids})
    )
    assert outcome.applied, "the bench's edits must not conflict at apply time"


def _timed(session: StoreSession, work: Any) -> tuple[Any, float, int]:
    before = session.client.request_count
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started, session.client.request_count - before


def run(size: Size = LARGE) -> dict[str, Any]:
    say(f"laptops: demo store with {size.products} products, {size.orders} orders, two laptops")
    with (
        tempfile.TemporaryDirectory(prefix="bench-laptops-") as tmp,
        DemoStore(products=size.products, orders=size.orders, rate_limit=size.rate_limit) as store,
    ):
        store.faults.latency_ms = size.latency_ms
        connection = StoreConnection(store.store_hash, store.api_url)
        with (
            StoreSession(Path(tmp) / "a", connection, store.token) as a,
            StoreSession(Path(tmp) / "b", connection, store.token) as b,
        ):
            sync_store(a)
            sync_store(b)
            ids = [v.id for v in a.cache.variants.all() if v.sku][: min(ETAS, size.products)]
            _set(a, ids, date(2031, 1, 10))
            push_outbox(a)
            _, sync_s, sync_requests = _timed(b, lambda: sync_store(b))

            _set(a, ids, date(2031, 2, 1))
            _set(b, ids, date(2031, 3, 1))  # B read 2031-01-10: its change will be overtaken
            pushed, push_s, push_requests = _timed(a, lambda: push_outbox(a))
            held, held_s, held_requests = _timed(b, lambda: push_outbox(b))
            conflicts = sum(len(c.items) for c in list_conflicts(b.cache))
            batches = math.ceil(len(ids) / METAFIELD_BATCH)

            plan = plan_notices(b.cache)
            prepared = prepare_notices(
                plan.due, NoticeRenderer(), NoticeOptions(store_name="Bench")
            )
            claims, claim_s, claim_requests = _timed(b, lambda: claim_notices(b, prepared))
    figures = {
        "machine": machine(),
        "store": {
            "products": size.products,
            "orders": size.orders,
            "latency_ms": size.latency_ms,
            "rate_limit": list(size.rate_limit),
        },  # fmt: skip
        "etas": len(ids),
        "second_laptop_incremental_sync": {
            "seconds": round(sync_s, 3),
            "requests": sync_requests,
        },
        "versioned_push": {
            "rows": batches,
            "sent": pushed.sent,
            "requests": push_requests,
            "minimum_requests": 2 * batches,  # one PUT and one check listing per batch
            "seconds": round(push_s, 3),
        },
        "overtaken_push": {
            "conflicts": conflicts,
            "failed_rows": held.failed,
            "requests": held_requests,
            "seconds": round(held_s, 3),
        },
        "notice_claims": {
            "notices": len(prepared),
            "won": len(claims.won),
            "requests": claim_requests,
            "minimum_requests": 2 * math.ceil(len(prepared) / METAFIELD_BATCH),
            "seconds": round(claim_s, 3),
        },
    }
    path = write_json("laptops", figures)
    say(f"laptops: {figures['versioned_push']} / {figures['overtaken_push']} -> {path}")
    return figures
