"""Several laptops, one store, from the CLI: each laptop is its own `--data-dir`, every run a
subprocess, against one demo store over HTTP and one SMTP sink."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from tests.support.cli import Result, run_cli


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=5) as demo:
        yield demo


def on(store: DemoStore, data_dir: Path, *args: str) -> Result:
    base = ["--data-dir", str(data_dir), "--api-url", store.api_url, "--store-hash",
            store.store_hash]  # fmt: skip
    return run_cli(*base, *args, token=store.token)


def test_two_laptops_press_notify_at_once_and_each_notice_goes_once(
    store: DemoStore, tmp_path: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with MailSink() as sink:
        smtp = ["--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port), "--smtp-plain",
                "--mail-from", "orders@shop.example"]  # fmt: skip
        assert on(store, a, "sync").code == 0
        assert on(store, b, "sync").code == 0
        due = on(store, a, *smtp, "notify", "--dry-run", "--json").json()["notices"]
        assert len(due) >= 10
        with ThreadPoolExecutor(2) as pool:
            runs = list(pool.map(lambda d: on(store, d, *smtp, "notify", "--json"), [a, b]))
        for run in runs:
            assert run.code == 0, run.err
        reports = [r.json() for r in runs]
        # Every notice went exactly once, whichever laptop won its claim.
        assert sum(r["sent"] for r in reports) == len(due)
        per_recipient = Counter(rcpt for m in sink.messages() for rcpt in m.rcpt_tos)
        assert per_recipient == Counter(n["to"] for n in due)
        # A third press on either laptop (after the records went out) sends nothing more.
        assert on(store, b, *smtp, "notify", "--json").json()["sent"] == 0
        assert on(store, a, *smtp, "notify", "--json").json()["sent"] == 0
        assert len(sink.messages()) == len(due)
