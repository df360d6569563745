"""Background work and big reloads never make the GUI thread wait on the garbage collector."""

from __future__ import annotations

import gc
import threading
import weakref
from dataclasses import dataclass

from backorder_desktop.ui.records_proxy import RecordsProxyModel
from backorder_desktop.ui.runtime_policy import RuntimePolicy
from backorder_desktop.ui.table_model import Column, RecordsTableModel
from backorder_desktop.ui.tasks import TaskRunner


@dataclass
class Row:
    id: int
    name: str


def test_a_task_runs_with_collection_paused_and_hands_over_frozen_results(qtbot) -> None:
    runner = TaskRunner(policy=RuntimePolicy())
    seen: dict[str, object] = {}
    results: list[list[Row]] = []

    def work(**_: object) -> list[Row]:
        seen["thread"] = threading.get_ident()
        seen["gc_enabled"] = gc.isenabled()
        return [Row(n, f"row {n}") for n in range(5000)]

    runner.run("make rows", work, on_success=results.append)
    qtbot.waitUntil(lambda: bool(results) and not runner.running, timeout=5000)
    assert seen["thread"] != threading.get_ident()  # off the GUI thread
    assert seen["gc_enabled"] is False  # no collection pauses every thread mid-task
    assert gc.isenabled()  # and collection is back afterwards
    # What the task made is out of the young generation: the next collection does not walk it.
    # Checked on the rows themselves: a count of frozen objects also drops when an earlier
    # test's window (its runner's idle collection, its deferred deletes) frees frozen garbage
    # while this one waits, which made the count flaky in a full parallel run.
    rows = results[0]
    assert gc.is_tracked(rows) and not any(o is rows for o in gc.get_objects())
    assert gc.get_freeze_count() >= 5000
    assert results[0][4999].name == "row 4999"


def test_replaced_rows_are_freed_a_slice_at_a_time_after_the_new_rows_show(qtbot) -> None:
    policy = RuntimePolicy()
    model = RecordsTableModel([Column("name", "Name", lambda r: r.name)], row_key=lambda r: r.id)
    proxy = RecordsProxyModel()
    proxy.setSourceModel(model)
    old = [Row(n, f"old {n}") for n in range(10_000)]
    probe = weakref.ref(old[0])
    model.set_rows(old)
    del old
    policy.release_later(*model.set_rows([Row(n, f"new {n}") for n in range(10_000)]))
    # The new rows show at once; the old ones are still being let go of, not all in one go.
    assert proxy.index(0, 0).data() == "new 0" and proxy.rowCount() == 10_000
    assert policy.pending_rows() > 0
    qtbot.waitUntil(lambda: policy.pending_rows() == 0, timeout=5000)
    assert probe() is None  # and in the end they are freed


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector can free it


def test_cycles_frozen_with_a_tasks_survivors_are_freed_when_the_app_is_idle(qtbot) -> None:
    runner = TaskRunner(policy=RuntimePolicy())
    probes: list[weakref.ref[Node]] = []

    def work(**_: object) -> int:
        probes.append(weakref.ref(Node()))  # garbage, but in a cycle: survives the task
        return 1

    done: list[int] = []
    runner.run("make a cycle", work, on_success=done.append)
    qtbot.waitUntil(lambda: bool(done) and not runner.running, timeout=5000)
    gc.collect()
    assert probes[0]() is not None  # frozen: ordinary collections no longer see it
    assert runner.collect_if_idle(force=True)
    assert probes[0]() is None
    assert not runner.collect_if_idle(force=True)  # nothing new since: no needless pause


def test_the_window_switches_threads_often_so_workers_cannot_starve_it(qtbot, tmp_path) -> None:
    import sys

    from tests.support.gui import make_shell

    sys.setswitchinterval(0.005)
    shell = make_shell(tmp_path / "data")  # built by the composition root, as the app is
    qtbot.addWidget(shell.window)
    # At Python's default 5 ms, a sync's listing threads kept the GUI thread waiting 40-70 ms.
    assert sys.getswitchinterval() <= 0.001
    # One policy object, owned by the composition root, holds every process-wide setting.
    assert shell.runner.policy.pause_collector
    shell.runner.policy.restore()
    assert sys.getswitchinterval() == 0.005
    shell.stop()
