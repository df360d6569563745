"""Crash safety: CLI commands (and the window) SIGKILLed at random moments, restarted, end in the
intended state.

Each scenario runs twice on two demo stores built from the same seed: once uninterrupted (the
intended result) and once killed again and again at random points (after the Nth write reached
the store, the Nth email reached the sink, or at a moment during start-up and queueing), each
restart re-running the same command. The final BigCommerce state and the mailbox must match.
The receipt-and-notices scenario runs twice: killing the command line, and killing the window
(tests/support/window_actions_child.py) doing the same work through its dialogs; both must end
where the uninterrupted command line ends.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from tests.support.cli import run_cli
from tests.support.fronts import FRONTS
from tests.support.reliability import (
    WINDOW,
    KillLog,
    after_mails,
    after_seconds,
    after_writes,
    cli_env,
    kill_until_done,
    mail_keys,
    snapshot_diff,
    store_snapshot,
    writes,
)

pytestmark = pytest.mark.slow
SEED = 20261126
# Shaped like the ids the receiving dialog makes ("r-" and 16 hex digits), so that the records
# of a receipt booked in the window compare equal to the command line's (ids are blanked).
RECEIPT = "r-00000000d0c10001"


def _base(store: DemoStore, data_dir: Path) -> list[str]:
    return ["--data-dir", str(data_dir), "--api-url", store.api_url, "--store-hash",
            store.store_hash]  # fmt: skip


def _orders(ids: set[int]) -> set[tuple[str, int]]:
    return {("order", i) for i in ids}


def _ok(*args: str, token: str) -> None:
    result = run_cli(*args, token=token)
    assert result.code == 0, result.err


def test_a_1000_variant_push_killed_at_random_points_ends_exactly_as_intended(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    log = KillLog()
    with DemoStore(seed=7, products=400) as want, DemoStore(seed=7, products=400) as got:
        skus = sorted(v.sku for v in want.state.variants.values())[:1000]
        command = ["set-backorder", "--sku", ",".join(skus), "--limit", "12", "--eta",
                   "2027-03-15", "--message", "Ships {eta}", "--json"]  # fmt: skip
        for store, folder in ((want, tmp_path / "want"), (got, tmp_path / "got")):
            _ok(*_base(store, folder), "sync", token=store.token)
        _ok(*_base(want, tmp_path / "want"), *command, token=want.token)
        intended_writes = writes(want)
        assert intended_writes >= 20  # 1,000 variants really take many batches

        got.faults.latency_ms = 20  # every request takes a moment: kills land mid-push
        got.clear_requests()
        triggers = [after_seconds(rng.uniform(0.3, 1.2)) for _ in range(2)]
        # Each restart is killed after its first to third write (plus up to 10 ms): the kills
        # land across the one push, mostly with a batch in flight.
        triggers += [after_writes(got, rng.choice((1, 2, 3))) for _ in range(9)]
        base = _base(got, tmp_path / "got")
        done = kill_until_done(
            base + command, cli_env(got.token), triggers, rng, log, "set-backorder",
            resume=[*base, "push"],
        )  # fmt: skip
        assert done.code == 0, done.err
        assert log.kills >= 9, log  # with the other scenario: 20 or more

        assert snapshot_diff(store_snapshot(want), store_snapshot(got)) == []
        # No write applied twice beyond the one batch in flight at each kill (absolute values
        # make those resends harmless: the state above is exact).
        assert writes(got) <= intended_writes + log.kills
        print(f"set-backorder: {log.kills} kills, {log.runs} runs, {writes(got)} writes "
              f"(intended {intended_writes})")  # fmt: skip
        status = run_cli(*base, "status", "--json", token=got.token).json()
        assert (status["outbox"]["pending"], status["outbox"]["failed"]) == (0, 0)


@pytest.mark.parametrize("front", FRONTS)
def test_receipt_release_and_notices_killed_at_random_points_send_each_email_once(
    tmp_path: Path, front: str
) -> None:
    rng = random.Random(SEED + 1)
    log = KillLog()
    with (
        DemoStore(seed=9) as want,
        DemoStore(seed=9) as got,
        MailSink() as want_mail,
        MailSink() as got_mail,
    ):
        rigs = ((want, want_mail, tmp_path / "want"), (got, got_mail, tmp_path / "got"))
        for store, _sink, folder in rigs:
            _ok(*_base(store, folder), "sync", token=store.token)
        lines = run_cli(*_base(want, tmp_path / "want"), "backorders", "--json",
                        token=want.token).json()  # fmt: skip
        waiting: dict[str, int] = {}
        for line in lines:
            waiting[line["sku"]] = waiting.get(line["sku"], 0) + line["qty_waiting"]
        skus = sorted(waiting)[:6]
        add = ["shipments", "add", "--supplier", "Acme", "--expected", "2027-01-10", "--ref",
               "PO-KILL"] + [f"--line={s}:{waiting[s] + 2}" for s in skus]  # fmt: skip
        receive = ["shipments", "receive", "PO-KILL", "--release", "--receipt-id", RECEIPT,
                   "--json"] + [f"--line={s}:{waiting[s] + 2}" for s in skus]  # fmt: skip

        def smtp(sink: MailSink) -> list[str]:
            return ["--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port), "--smtp-plain",
                    "--mail-from", "orders@shop.example"]  # fmt: skip

        for store, _sink, folder in rigs:
            _ok(*_base(store, folder), *add, token=store.token)
        base_want = _base(want, tmp_path / "want")
        _ok(*base_want, *receive, token=want.token)
        _ok(*base_want, *smtp(want_mail), "notify", "--json", token=want.token)
        intended_mail = mail_keys(want_mail)
        assert len(intended_mail) >= 10 and max(intended_mail.values()) == 1
        released = [o for o in want.state.orders.values() if o.status_id == 9]
        assert released  # the receipt really released orders

        got.faults.latency_ms = 10
        base = _base(got, tmp_path / "got")
        env = cli_env(got.token)
        notify = [*base, *smtp(got_mail), "notify", "--json"]
        if front == "cli":
            triggers = [after_seconds(rng.uniform(0.3, 1.0))]
            triggers += [after_writes(got, k) for k in (1, 1, 2, 3, 5)]
            done = kill_until_done(base + receive, env, triggers, rng, log, "receive --release",
                                   resume=[*base, "push"])  # fmt: skip
            assert done.code == 0, done.err
            # Killed after 0 to 3 more emails reached the sink, plus up to 10 ms: between the
            # claim, the DATA and the outcome of the next one.
            triggers = [after_mails(got_mail, rng.randint(0, 3)) for _ in range(9)]
            done = kill_until_done(notify, env, triggers, rng, log, "notify")
            assert done.code == 0, done.err
            _ok(*base, "push", token=got.token)
        else:
            # The window: each run opens it on the data dir (its start-up sync pushes what a
            # killed run left queued), receives in the receiving dialog and releases in the
            # release dialog what is still to do, or sends the due notices from Notify.
            child = [str(tmp_path / "got"), "--api-url", got.api_url, "--store-hash",
                     got.store_hash, "--smtp-port", str(got_mail.port), "--shipment", "PO-KILL",
                     *(f"--line={s}:{waiting[s] + 2}" for s in skus)]  # fmt: skip
            # The first kill lands in start-up or its sync (a window takes longer to open). Fewer
            # kills than the command line's: each window run costs seconds of start-up (the
            # suite's time budget), and the kills that matter land in pushes and sends.
            triggers = [after_seconds(rng.uniform(0.5, 2.5))]
            triggers += [after_writes(got, k) for k in (1, 2, 5)]
            done = kill_until_done([*child, "--receive"], env, triggers, rng, log,
                                   "window: receive, release", program=WINDOW)  # fmt: skip
            assert done.code == 0, done.err
            triggers = [after_mails(got_mail, rng.randint(0, 3)) for _ in range(6)]
            done = kill_until_done([*child, "--notify"], env, triggers, rng, log,
                                   "window: notify", program=WINDOW)  # fmt: skip
            assert done.code == 0, done.err

        got_keys = mail_keys(got_mail)
        assert max(got_keys.values()) == 1, "an email was sent twice"
        assert set(got_keys) <= set(intended_mail)
        # An email whose final dot left just before the kill is "unconfirmed": counted as sent
        # (never twice) and listed for the merchant. The sink (aiosmtpd) drops a message whose
        # client vanished before its 250, where a queueing MTA keeps it: such an email is
        # missing here but never silently, it must be in that list.
        missing = set(intended_mail) - set(got_keys)
        plan = run_cli(*notify[:-1], "--dry-run", "--json", token=got.token).json()
        flagged = {n["to"] for n in plan["unconfirmed"]}
        assert {to for to, _subject in missing} <= flagged, (missing, plan["unconfirmed"])
        assert plan["notices"] == []  # nothing left to send
        assert len(missing) <= 2
        # Everything else at BigCommerce is exactly as intended; an unconfirmed notice's order
        # says "probably sent" in its staff note and notice log, by design.
        unsure = {int(n["order_id"]) for n in plan["unconfirmed"]}
        want_state, got_state = store_snapshot(want), store_snapshot(got)
        for state in (want_state, got_state):
            state["orders"] = {k: v for k, v in state["orders"].items() if k not in unsure}
            state["metafields"] = Counter(
                {k: n for k, n in state["metafields"].items() if k[:2] not in _orders(unsure)}
            )
        assert snapshot_diff(want_state, got_state) == []
        assert log.kills >= (11 if front == "cli" else 9), log
        print(f"{front} receive+notify: {log.kills} kills, {log.runs} runs, {len(intended_mail)} emails, "
              f"{len(missing)} unconfirmed")  # fmt: skip
