"""Crash and fault rigs: a CLI killed at chosen moments, and the store state worth comparing."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from tests.support.cli import Result, run_cli

WRITES = frozenset({"POST", "PUT", "DELETE", "PATCH"})
# What runs (after `python`): the command line, or the window doing the same work through its
# dialogs (tests/support/window_actions_child.py).
CLI = ("-m", "backorder_desktop")
WINDOW = ("-m", "tests.support.window_actions_child")
_VOLATILE = (
    re.compile(r"\b[0-9a-f]{12,32}\b"),  # notice, batch and receipt ids
    re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?"),
    re.compile(r"\b\d{1,2}:\d{2}\b"),  # times in staff notes
)


def normalise(text: str) -> str:
    """A value with its run-specific parts (ids, timestamps) blanked out."""
    for pattern in _VOLATILE:
        text = pattern.sub("~", text)
    return text


def store_snapshot(store: DemoStore) -> dict[str, Any]:
    """What the merchant's writes change at BigCommerce, minus ids and timestamps."""
    state = store.state
    return {
        "inventory": {
            key: (rec.on_hand, rec.qty_backordered, rec.backorder_limit)
            for key, rec in state.inventory.items()
        },
        "products": {
            pid: (
                p.availability,
                p.preorder_release_date.date().isoformat() if p.preorder_release_date else None,
                p.preorder_message,
                p.availability_description,
            )
            for pid, p in state.products.items()
        },
        "orders": {oid: (o.status_id, normalise(o.staff_notes)) for oid, o in state.orders.items()},
        # A Counter: a metafield created twice shows up as a count of 2.
        "metafields": Counter(
            (m.resource_type, m.resource_id, m.namespace, normalise(m.key), normalise(m.value))
            for m in state.metafields.values()
        ),
    }


def snapshot_diff(want: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Readable differences (first few per section), empty when equal."""
    out = []
    for section in want:
        a, b = want[section], got[section]
        keys = sorted(set(a) | set(b), key=repr)
        bad = [k for k in keys if a.get(k) != b.get(k)]
        out += [f"{section} {k!r}: want {a.get(k)!r} got {b.get(k)!r}" for k in bad[:5]]
    return out


def writes(store: DemoStore) -> int:
    return sum(1 for r in store.requests if r.method in WRITES)


def mail_keys(sink: MailSink) -> Counter[tuple[str, str]]:
    """(recipient, subject) of every email the sink holds, counted (a duplicate counts 2)."""
    return Counter((",".join(m.rcpt_tos), m.subject) for m in sink.messages())


@dataclass
class KillLog:
    kills: int = 0
    runs: int = 0
    where: list[str] = field(default_factory=list)


def cli_env(token: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["BIGCOMMERCE_ACCESS_TOKEN"] = token
    env.update(extra or {})
    return env


def run_killed(
    args: list[str],
    env: dict[str, str],
    trigger: Callable[[], bool],
    *,
    delay: float,
    log: KillLog,
    label: str,
    timeout: float = 60,
    program: tuple[str, ...] = CLI,
) -> bool:
    """Start the CLI (or `program`); once `trigger()` holds, wait `delay` s and SIGKILL it.
    False when the command finished on its own first (no kill)."""
    proc = subprocess.Popen(
        [sys.executable, *program, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log.runs += 1
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None:
            if trigger():
                time.sleep(delay)
                if proc.poll() is not None:
                    return False
                proc.kill()
                proc.wait()
                log.kills += 1
                log.where.append(label)
                return True
            if time.monotonic() > deadline:
                raise AssertionError(f"{label}: the command ran past {timeout} s")
            time.sleep(0.0005)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


Trigger = Callable[[], Callable[[], bool]]  # made right before the run it watches


def after_writes(store: DemoStore, count: int) -> Trigger:
    """Once the store has taken `count` more writes (the next may be in flight)."""

    def make() -> Callable[[], bool]:
        base = writes(store)
        return lambda: writes(store) - base >= count

    return make


def after_mails(sink: MailSink, count: int) -> Trigger:
    def make() -> Callable[[], bool]:
        base = len(sink.messages())
        return lambda: len(sink.messages()) - base >= count

    return make


def after_seconds(seconds: float) -> Trigger:
    """At a moment in time: start-up, reading the cache, the queueing transaction."""

    def make() -> Callable[[], bool]:
        start = time.monotonic()
        return lambda: time.monotonic() - start >= seconds

    return make


def kill_until_done(
    args: list[str],
    env: dict[str, str],
    triggers: list[Trigger],
    rng: random.Random,
    log: KillLog,
    label: str,
    *,
    resume: list[str] | None = None,
    program: tuple[str, ...] = CLI,
) -> Result:
    """Kill the command once per trigger, restarting it each time, then let it finish.

    With `resume` (e.g. `push`), every other restart runs that instead (and is killed too), as
    a merchant finishing the job either way would.
    """
    for index, trigger in enumerate(triggers):
        command = resume if resume is not None and index % 2 == 1 else args
        name = label if command is args else f"{label} (resumed by {command[-1]})"
        run_killed(
            command, env, trigger(), delay=rng.uniform(0, 0.01), log=log, label=name,
            program=program,
        )  # fmt: skip
    log.runs += 1
    if program == CLI:
        return run_cli(*args, token=env["BIGCOMMERCE_ACCESS_TOKEN"])
    proc = subprocess.run(
        [sys.executable, *program, *args], capture_output=True, text=True, env=env,
        stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip
    return Result(proc.returncode, proc.stdout, proc.stderr)
