"""Fault injection: bulk edit, receive, release and notify against a store answering 10% of
requests with 500/503 and dropping 5% of connections reach exactly the intended state.

The commands run in-process (the same `main` as the console script) so that the waits between
retries can be shortened: a re-run of the command or of `push` stands for the merchant trying
again later. Retries and re-runs are allowed; a change applied twice, a lost one or a duplicate
email is not.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from backorder_desktop.__main__ import main
from backorder_desktop.bigcommerce import transport
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from backorder_desktop.sync import push as push_module
from tests.support.reliability import mail_keys, snapshot_diff, store_snapshot

pytestmark = pytest.mark.slow


def _cli(capsys: pytest.CaptureFixture[str], args: list[str], tries: int = 1) -> tuple[int, Any]:
    code, out = 1, ""
    for _ in range(tries):
        code = main(args)
        out = capsys.readouterr().out
        if code == 0:
            break
    try:
        return code, json.loads(out) if out.strip() else None
    except ValueError:
        return code, out


def _drain(capsys: pytest.CaptureFixture[str], base: list[str]) -> int:
    """`push` until nothing is pending (each run may stop at a 5xx); returns the runs taken."""
    for run in range(1, 60):
        code, doc = _cli(capsys, [*base, "push", "--json"])
        if isinstance(doc, dict) and doc["pending"] == 0:
            assert doc["failed"] == 0, doc
            return run
    raise AssertionError("the outbox never drained")


def test_jobs_under_5xx_and_dropped_connections_reach_the_intended_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Waiting is the clock's job, not the test's: back-offs are cut to nothing.
    monkeypatch.setattr(transport.Transport, "backoff", lambda self, failures: 0.0)
    monkeypatch.setattr(push_module, "retry_delay", lambda attempts, error: 0.0)
    with (
        DemoStore(seed=12, products=120) as want,
        DemoStore(seed=12, products=120) as got,
        MailSink() as want_mail,
        MailSink() as got_mail,
    ):
        runs: Counter[str] = Counter()
        intended: Counter[tuple[str, str]] = Counter()
        for store, sink, faulty in ((want, want_mail, False), (got, got_mail, True)):
            monkeypatch.setenv("BIGCOMMERCE_ACCESS_TOKEN", store.token)
            folder = tmp_path / ("got" if faulty else "want")
            base = ["--data-dir", str(folder), "--api-url", store.api_url, "--store-hash",
                    store.store_hash]  # fmt: skip
            smtp = ["--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port), "--smtp-plain",
                    "--mail-from", "orders@shop.example"]  # fmt: skip
            assert _cli(capsys, [*base, "sync", "--json"])[0] == 0
            lines = _cli(capsys, [*base, "backorders", "--json"])[1]
            waiting: Counter[str] = Counter()
            for line in lines:
                waiting[line["sku"]] += line["qty_waiting"]
            skus = sorted(waiting)[:5]
            bulk = sorted(v.sku for v in store.state.variants.values())[:300]
            if faulty:
                store.faults.error_rate = 0.10
                store.faults.drop_rate = 0.05
            steps = [
                ["set-backorder", "--sku", ",".join(bulk), "--limit", "9", "--eta",
                 "2027-02-01", "--json"],
                ["shipments", "add", "--supplier", "Acme", "--expected", "2027-01-05", "--ref",
                 "PO-F", "--json", *[f"--line={s}:{waiting[s] + 1}" for s in skus]],
                ["shipments", "receive", "PO-F", "--receipt-id", "dock-f", "--json",
                 *[f"--line={s}:{waiting[s] + 1}" for s in skus]],
                ["release", "--all-ready", "--json"],
                [*smtp, "notify", "--json"],
            ]  # fmt: skip
            for step in steps:
                code, doc = _cli(capsys, [*base, *step], tries=1 if not faulty else 8)
                assert code == 0, (step[0], doc)
                drained = _drain(capsys, base)
                if faulty:
                    runs[step[0] if step[0] != "--smtp-host" else "notify"] += 1
                    runs["push"] += drained
            if faulty:
                store.faults.clear()
                # Nothing is left to send, and a last run sends no email twice.
                assert _cli(capsys, [*base, *smtp, "notify", "--json"])[1]["sent"] == 0
                _drain(capsys, base)
            else:
                intended = mail_keys(sink)
        faults = sum(1 for r in got.requests if r.status in (0, 500, 503))
        assert faults >= 10, "the faults really happened"
        assert snapshot_diff(store_snapshot(want), store_snapshot(got)) == []
        assert mail_keys(got_mail) == intended and max(intended.values()) == 1
        released = sum(1 for o in got.state.orders.values() if o.status_id == 9)
        assert released > 0
        with capsys.disabled():
            print(f"faults injected: {faults}; runs: {dict(runs)}")


def test_late_answers_dropped_replies_and_a_429_storm_on_writes_still_land_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Faults AFTER the store applied a write (answer too late for the client's timeout, or the
    connection dropped with no answer), and a storm of 429s: every change lands exactly once."""
    from datetime import date

    from backorder_desktop.bigcommerce import BigCommerceClient
    from backorder_desktop.cache import open_cache
    from backorder_desktop.domain.bulk import VariantEdit
    from backorder_desktop.services.bulk.bulk_edit import BulkRequest, apply
    from backorder_desktop.sync.pull import pull
    from backorder_desktop.sync.push import push

    monkeypatch.setattr(transport.Transport, "backoff", lambda self, failures: 0.0)
    with DemoStore(seed=13, products=60) as store:
        cache = open_cache(tmp_path / "c.sqlite")
        client = BigCommerceClient(store.api_url, store.store_hash, store.token, timeout=1.0)
        monkeypatch.setattr(client._transport.limiter, "_sleep", lambda s: None)
        try:
            pull(client, cache)
            vids = [v.id for v in cache.variants.all() if v.sku][:120]
            edit = VariantEdit(limit=4, eta=date(2027, 6, 1))
            assert apply(client, cache, BulkRequest({v: edit for v in vids})).applied
            store.faults.slow_seconds = 2.0
            store.faults.script("POST", r"metafields", "slow", when="after")  # applied, late
            store.faults.script("POST", r"metafields", "drop", when="after")  # applied, no answer
            store.faults.script("PUT", r"locations/1/items", "429", times=6)
            for _ in range(20):
                cache.outbox.due_now()
                if push(client, cache).pending == 0:
                    break
            counts = cache.outbox.counts()
            assert (counts["pending"], counts["failed"]) == (0, 0)
            assert store.faults.pending == 0  # every scripted fault was met
            etas = Counter(
                m.resource_id
                for m in store.state.metafields.values()
                if m.resource_type == "variant" and m.key == "eta"
            )
            assert set(etas) >= set(vids) and max(etas.values()) == 1  # none created twice
            limits = {
                store.state.inventory[(v, 1)].backorder_limit
                for v in vids
                if (v, 1) in store.state.inventory
            }
            assert limits == {4}
        finally:
            client.close()
            cache.close()
