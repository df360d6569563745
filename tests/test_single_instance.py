"""One writer per data dir: a second window or a writing command is told the app is running,
is offered the open window, and never touches the cache or the store meanwhile."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from backorder_desktop.cache import open_cache
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.instance import DataDirLock
from backorder_desktop.ui.single_instance import (
    InstanceServer,
    already_running_dialog,
    ask_running_instance_to_raise,
    bring_to_front,
)
from tests.support.cli import run_cli
from tests.support.outbox import enqueue_request
from tests.support.reliability import writes


def test_a_writing_command_refuses_while_another_instance_holds_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKORDER_LOCK_WAIT_S", "0.3")
    with DemoStore(seed=3, products=30) as store:
        base = ["--data-dir", str(tmp_path), "--api-url", store.api_url, "--store-hash",
                store.store_hash]  # fmt: skip
        assert run_cli(*base, "sync", token=store.token).code == 0
        sku = next(v.sku for v in store.state.variants.values() if store.state.tracked(v.id))
        before = writes(store)
        with DataDirLock(tmp_path).hold():  # the window, say
            refused = run_cli(*base, "set-backorder", "--sku", sku, "--limit", "3",
                              token=store.token)  # fmt: skip
            assert refused.code == 1
            assert "already running" in refused.err and f"process {os.getpid()}" in refused.err
            assert "Nothing was changed" in refused.err and "Traceback" not in refused.err
            assert run_cli(*base, "push", token=store.token).code == 1
            # Reading goes on beside the window.
            status = run_cli(*base, "status", "--json", token=store.token)
            assert status.code == 0 and status.json()["outbox"]["pending"] == 0
            assert run_cli(*base, "backorders", "--json", token=store.token).code == 0
            dry = run_cli(*base, "set-backorder", "--sku", sku, "--limit", "3", "--dry-run",
                          token=store.token)  # fmt: skip
            assert dry.code == 0, dry.err
        assert writes(store) == before  # nothing reached the store while it was held
        done = run_cli(*base, "set-backorder", "--sku", sku, "--limit", "3", token=store.token)
        assert done.code == 0, done.err
        assert writes(store) > before


def test_a_killed_holder_leaves_no_lock_behind(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path;"
         "from backorder_desktop.services.instance import DataDirLock;"
         "lock = DataDirLock(Path(sys.argv[1])).hold(); print('held', flush=True); time.sleep(60)",
         str(tmp_path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        lock = DataDirLock(tmp_path)
        assert not lock.acquire()
        assert lock.holder_pid() == holder.pid
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        assert lock.acquire()  # at once: the OS dropped the dead process's lock
        lock.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert (tmp_path / "instance.lock").stat().st_mode & 0o077 == 0


def test_a_reader_without_the_lock_leaves_rows_being_sent_alone(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = open_cache(path)
    enqueue_request(
        cache.outbox, "b1", "test", "PUT", "/v3/catalog/products", [{"id": 1, "name": "x"}]
    )
    assert len(cache.outbox.claim_due(10)) == 1  # another process is sending it right now
    reader = open_cache(path, recover=False)
    assert reader.outbox.counts()["sending"] == 1
    reader.close()
    cache.close()
    recovered = open_cache(path)  # the lock holder after a crash: maybe sent, send again
    assert recovered.outbox.counts()["sending"] == 0
    assert recovered.outbox.counts()["pending"] == 1
    recovered.close()


def test_a_second_window_is_told_and_the_first_comes_to_the_front(qtbot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    window.showMinimized()
    assert not ask_running_instance_to_raise(tmp_path)  # nobody running: nothing to ring
    server = InstanceServer(tmp_path)
    assert server.listen()
    server.raise_requested.connect(lambda: bring_to_front(window))
    try:
        for _ in range(2):  # and again later: the bell keeps working
            with qtbot.waitSignal(server.raise_requested, timeout=10_000):
                assert ask_running_instance_to_raise(tmp_path)
            assert not window.isMinimized() and window.isVisible()
            window.showMinimized()
    finally:
        server.close()
    assert stat.S_IMODE((tmp_path / "instance.raise").stat().st_mode) == 0o600


def test_a_second_headless_window_on_a_held_data_dir_exits_with_the_message(
    tmp_path: Path,
) -> None:
    with DataDirLock(tmp_path).hold():
        result = run_cli("--data-dir", str(tmp_path), "--screenshot", str(tmp_path / "x.png"))
    assert result.code == 1 and "already running" in result.err
    assert not (tmp_path / "x.png").exists()


def test_the_already_running_dialog_offers_the_open_window(qtbot) -> None:
    box = already_running_dialog("/home/sam/BackorderDesktop")
    qtbot.addWidget(box)
    assert "already open" in box.text() and "/home/sam/BackorderDesktop" in box.informativeText()
    buttons = {b.text(): b for b in box.buttons()}
    assert box.defaultButton() is buttons["Bring it to front"]
    assert all(b.accessibleName() for b in box.buttons()) and box.accessibleName()
