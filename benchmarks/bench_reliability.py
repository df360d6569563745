"""Bench: what crash and fault safety cost on a 1,000-variant push (issue 9).

Three stores built from one seed take the same change (limit + ETA on 1,000 variants): a clean
push; a push under 10% 5xx and 5% dropped connections, re-run at once until the outbox is
empty (as `push` does); and a push interrupted with every batch claimed (a kill mid-send),
the cache reopened and pushed again, each create checked for its first copy. Figures:
benchmarks/out/reliability.json.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.bulk import VariantEdit
from backorder_desktop.services.bulk.bulk_edit import BulkRequest, apply
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store

from .common import LARGE, Size, machine, say, write_json

VARIANTS = 1_000
SEED = 9


def _session(store: DemoStore, folder: Path) -> StoreSession:
    return StoreSession(folder, StoreConnection(store.store_hash, store.api_url), store.token)


def _queue(session: StoreSession) -> list[int]:
    sync_store(session)
    ids = [v.id for v in session.cache.variants.all() if v.sku][:VARIANTS]
    edit = VariantEdit(limit=12, eta=date(2031, 5, 1))
    outcome = apply(session.client, session.cache, BulkRequest({v: edit for v in ids}))
    assert outcome.applied, "the bench's edit must apply"
    return ids


def _drain(session: StoreSession) -> tuple[int, float, int]:
    """Push until nothing is pending; returns (pushes, seconds, requests)."""
    before = session.client.request_count
    started = time.perf_counter()
    pushes = 0
    while True:
        pushes += 1
        session.cache.outbox.due_now()  # re-run at once, as the CLI's `push` does
        result = push_outbox(session)
        if result.pending == 0:
            assert result.failed == 0, "a fault must never fail a row for good"
            break
    return pushes, time.perf_counter() - started, session.client.request_count - before


def _limits(store: DemoStore, ids: list[int]) -> set[int | None]:
    """The limits the tracked variants among `ids` end with (untracked ones have none)."""
    inventory = store.state.inventory
    return {inventory[(v, 1)].backorder_limit for v in ids if (v, 1) in inventory}


def run(size: Size = LARGE) -> dict[str, Any]:
    products = min(size.products, 600)  # 1,000 variants need no more
    say(f"reliability: three demo stores of {products} products, a {VARIANTS}-variant push")
    figures: dict[str, Any] = {"machine": machine(), "variants": VARIANTS, "products": products}
    with tempfile.TemporaryDirectory(prefix="bench-reliability-") as tmp:
        for name in ("clean", "faults", "crash"):
            with DemoStore(seed=SEED, products=products, rate_limit=size.rate_limit) as store:
                store.faults.latency_ms = size.latency_ms
                with _session(store, Path(tmp) / name) as session:
                    ids = _queue(session)
                    rows = session.cache.outbox.counts()["pending"]
                    if name == "faults":
                        store.faults.error_rate, store.faults.drop_rate = 0.10, 0.05
                    if name == "crash":
                        session.cache.outbox.claim_due(rows)  # all in flight when killed
                        session.close_cache()  # the restart reopens the file
                    before = len(store.requests)
                    pushes, seconds, requests = _drain(session)
                    faults = sum(1 for r in store.requests[before:] if r.status in (0, 500, 503))
                    assert _limits(store, ids) == {12}, "the change must land exactly"
            figures[name] = {
                "outbox_rows": rows,
                "pushes": pushes,
                "requests": requests,
                "faults_injected": faults,
                "seconds": round(seconds, 3),
            }
            say(f"reliability {name}: {figures[name]}")
    path = write_json("reliability", figures)
    say(f"reliability -> {path}")
    return figures
