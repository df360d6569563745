"""Child process: the real window on a cached large store; filter, sort, memory and GUI stalls.

Run by `bench_window` as `python -m benchmarks.window_child DATA_DIR [--repeat N]` with the store's
token in BIGCOMMERCE_ACCESS_TOKEN (the app's own environment fallback). It builds `AppShell` the
way the app does, opens the saved store (cache present, start-up sync against the demo store),
then measures on the GUI thread and prints one JSON document.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from backorder_desktop.app import build_shell
from backorder_desktop.services.context import open_context
from backorder_desktop.ui.records_view import RecordsView
from backorder_desktop.ui.shell import AppShell

PROBE_MS = 5
STALL_NOTE_S = 0.016  # gaps longer than one 60 Hz frame are listed with what was happening
APP_PACKAGE = "backorder_desktop"


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wait_until(app: QApplication, predicate: Callable[[], bool], timeout_s: float) -> None:
    """Run a real Qt event loop (as app.exec does) until `predicate` holds."""
    if predicate():
        return
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(10)
    check.timeout.connect(
        lambda: loop.quit() if predicate() or time.monotonic() > deadline else None
    )
    check.start()
    loop.exec()
    check.stop()
    if not predicate():
        raise TimeoutError("the window did not reach the expected state in time")


def settle(app: QApplication, seconds: float = 0.05) -> None:
    """Let the event loop run for a while (paints, queued signals)."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def idle(shell: AppShell) -> bool:
    controller = shell.controller
    return (
        controller.last_rows is not None
        and not controller.syncing
        and not shell.runner.running
        and shell.window.products.model.rowCount() > 0
    )


# --- filter and sort -----------------------------------------------------------------------------
def sku_fragment(view: RecordsView) -> str:
    """Six characters from the middle of a real SKU: digits first, as someone types a number."""
    rows = view.model.rows()
    sku = rows[len(rows) // 2].sku
    start = next((n for n, ch in enumerate(sku) if ch.isdigit()), 0)
    fragment = sku[start : start + 6]
    return fragment if len(fragment) == 6 else sku[:6]


def _keystroke(app: QApplication, view: RecordsView, text: str) -> tuple[float, float, int]:
    """Seconds to filter (set_search + rowCount) and to filter and paint; rows shown."""
    started = time.perf_counter()
    view.search.setText(text)
    view.apply_search_now()  # what the 150 ms debounce timer calls
    count = view.proxy.rowCount()
    filtered = time.perf_counter()
    view.table.viewport().repaint()
    app.processEvents()
    return filtered - started, time.perf_counter() - started, count


def measure_filter(app: QApplication, view: RecordsView, repeat: int) -> dict[str, Any]:
    """Type a SKU fragment one character at a time, then delete it again with backspace."""
    fragment = sku_fragment(view)
    n = len(fragment)
    typing: list[list[float]] = [[] for _ in range(n)]
    typing_paint: list[list[float]] = [[] for _ in range(n)]
    deleting: list[list[float]] = [[] for _ in range(n)]
    matches: list[int] = []
    for _ in range(repeat):
        view.search.clear()
        view.apply_search_now()
        settle(app)
        matches = []
        for k in range(1, n + 1):
            filtered, painted, count = _keystroke(app, view, fragment[:k])
            typing[k - 1].append(filtered)
            typing_paint[k - 1].append(painted)
            matches.append(count)
        for k in range(n - 1, -1, -1):  # backspace: the list grows back to every row
            filtered, _painted, _count = _keystroke(app, view, fragment[:k])
            deleting[n - 1 - k].append(filtered)
    settle(app)

    def ms(values: list[list[float]]) -> list[float]:
        return [round(statistics.median(v) * 1000, 1) for v in values]

    return {
        "fragment": fragment,
        "source_rows": view.model.rowCount(),
        "matches_per_keystroke": matches,
        "filter_ms_per_keystroke": ms(typing),
        "filter_and_paint_ms_per_keystroke": ms(typing_paint),
        "filter_ms_max": round(max(max(v) for v in typing) * 1000, 1),
        "filter_and_paint_ms_max": round(max(max(v) for v in typing_paint) * 1000, 1),
        "backspace_ms_per_keystroke": ms(deleting),
        "backspace_ms_max": round(max(max(v) for v in deleting) * 1000, 1),
        "repeat": repeat,
        "debounce_ms": view._debounce.interval(),
    }


def measure_sort(app: QApplication, view: RecordsView, repeat: int) -> dict[str, Any]:
    """A click on a column header, as the header does it: `setSortIndicator` (one sort).

    `QTableView.sortByColumn` is not used: with sorting enabled it sorts twice in Qt 6.
    """
    header = view.table.horizontalHeader()
    out: dict[str, Any] = {}
    for column_index, column in enumerate(view.model.columns):
        if view.table.isColumnHidden(column_index):
            continue
        times: dict[str, list[float]] = {"ascending": [], "descending": []}
        for _ in range(repeat):
            for label, order in (
                ("ascending", Qt.SortOrder.AscendingOrder),
                ("descending", Qt.SortOrder.DescendingOrder),
            ):
                started = time.perf_counter()
                header.setSortIndicator(column_index, order)
                sorted_at = time.perf_counter()
                view.table.viewport().repaint()
                app.processEvents()
                times[label].append(time.perf_counter() - started)
                times.setdefault(f"{label}_without_paint", []).append(sorted_at - started)
        out[column.title] = {k: round(statistics.median(v) * 1000, 1) for k, v in times.items()}
    worst = max(max(v["ascending"], v["descending"]) for v in out.values())
    return {"ms_per_column": out, "ms_max": worst, "rows": view.model.rowCount(), "repeat": repeat}


# --- GUI-thread stalls ---------------------------------------------------------------------------
class StallProbe(QObject):
    """A 5 ms timer on the GUI thread; the longest gap between two firings is the worst stall."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.last = 0.0
        self.gaps: list[float] = []
        self.long_gaps: list[tuple[float, float]] = []

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        gap = now - self.last
        self.gaps.append(gap)
        if gap > STALL_NOTE_S:
            self.long_gaps.append((self.last, now))
        self.last = now


class GcWatch:
    """Times every garbage collection (any thread's allocation can start one; all threads wait)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float, float]] = []  # (generation, start, end)
        self._started = 0.0

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._started = now
        else:
            self.pauses.append((int(info.get("generation", -1)), self._started, now))

    def within(self, start: float, end: float) -> list[tuple[int, float]]:
        return [(g, e - s) for g, s, e in self.pauses if s < end and e > start]


class Timeline:
    """What the window did when (sync stages, row reloads, each tab's set_rows) on one clock."""

    def __init__(self, shell: AppShell) -> None:
        self.spans: list[tuple[str, float, float]] = []
        self.marks: list[tuple[str, float]] = []
        controller = shell.controller
        self._stage = ""
        controller.sync_started.connect(lambda: self.mark("sync started"))
        controller.sync_progressed.connect(self._on_progress)
        controller.sync_finished.connect(lambda _r: self.mark("sync finished"))
        controller.rows_loaded.connect(lambda _r: self.mark("rows loaded (all tabs set)"))
        for name, view in shell.window.views().items():
            self._wrap(view, f"{name}.set_rows")

    def mark(self, what: str) -> None:
        self.marks.append((what, time.perf_counter()))

    def _on_progress(self, stage: str, _done: Any, _total: Any) -> None:
        if stage != self._stage:
            self._stage = stage
            self.mark(f"sync stage {stage}")

    def _wrap(self, view: RecordsView, name: str) -> None:
        inner = view.set_rows

        def timed(rows: Any) -> None:
            started = time.perf_counter()
            try:
                inner(rows)
            finally:
                count = len(getattr(rows, "rows", rows))  # a list, or the app's prepared rows
                self.spans.append((f"{name}({count} rows)", started, time.perf_counter()))

        view.set_rows = timed  # type: ignore[method-assign]

    def during(self, start: float, end: float, gcs: GcWatch) -> str:
        parts = [name for name, s, e in self.spans if s < end and e > start]
        parts += [f"gc gen{g} {d * 1000:.0f} ms" for g, d in gcs.within(start, end) if d > 0.005]
        before = [what for what, t in self.marks if t <= start]
        where = f"after '{before[-1]}'" if before else "before the sync started"
        return f"{where}: {', '.join(parts)}" if parts else where


def _frames(frame: Any) -> list[tuple[str, str, int]]:
    """(file stem, function, line) from outermost to innermost; cheap (no source lookups)."""
    out = []
    while frame is not None:
        code = frame.f_code
        out.append((code.co_filename, code.co_name, frame.f_lineno))
        frame = frame.f_back
    out.reverse()
    return out


def _where(frames: list[tuple[str, str, int]], depth: int) -> str:
    ours = [f for f in frames if APP_PACKAGE in f[0]]
    inner = frames[-1]
    path = " > ".join(f"{Path(f[0]).stem}.{f[1]}:{f[2]}" for f in ours[-depth:])
    return f"{path or '(no app frame)'} | in {Path(inner[0]).stem}.{inner[1]}"


class StallSampler(threading.Thread):
    """While the probe is 20 ms or more late, samples every thread's Python stack (each 10 ms).

    The GUI thread's own stack says what it was running; the other threads' stacks say what
    else was running in the process (holding the GIL, or waiting on the network) meanwhile.
    """

    def __init__(self, probe: StallProbe, gui_thread_id: int) -> None:
        super().__init__(daemon=True, name="stall-sampler")
        self.probe = probe
        self.gui = gui_thread_id
        self.gui_samples: Counter[str] = Counter()
        self.other_samples: Counter[str] = Counter()
        self.stop_event = threading.Event()

    def run(self) -> None:
        me = threading.get_ident()
        names = {t.ident: t.name for t in threading.enumerate()}
        while not self.stop_event.wait(0.010):
            if time.perf_counter() - self.probe.last < 0.020:
                continue
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                frames = _frames(frame)
                if ident == self.gui:
                    self.gui_samples[_where(frames, 4)] += 1
                    continue
                if not any(APP_PACKAGE in f[0] for f in frames):
                    continue  # idle pool threads
                if ident not in names:
                    names = {t.ident: t.name for t in threading.enumerate()}
                name = names.get(ident, "?").split("_")[0]
                self.other_samples[f"[{name}] {_where(frames, 2)}"] += 1


def _gc_summary(gcs: GcWatch, probe: StallProbe) -> dict[str, Any]:
    full = [e - s for g, s, e in gcs.pauses if g == 2]
    late = [(s, e) for s, e in probe.long_gaps if e - s > 0.050]
    explained = sum(1 for s, e in late if any(d > 0.020 for _, d in gcs.within(s, e)))
    return {
        "collections": len(gcs.pauses),
        "full_collections": len(full),
        "full_collection_ms_max": round(max(full) * 1000, 1) if full else 0.0,
        "full_collection_ms_total": round(sum(full) * 1000, 1),
        "all_collections_ms_total": round(sum(e - s for _, s, e in gcs.pauses) * 1000, 1),
        "gaps_over_50ms_with_a_gc_over_20ms": f"{explained} of {len(late)}",
        "tracked_objects_after": len(gc.get_objects()),
    }


def measure_stalls(
    app: QApplication, shell: AppShell, *, sample: bool, timeout_s: float
) -> dict[str, Any]:
    """Full sync in the app's TaskRunner, then the rows reload; the probe runs throughout."""
    timeline = Timeline(shell)
    probe = StallProbe()
    sampler = StallSampler(probe, threading.get_ident()) if sample else None
    controller = shell.controller
    results: list[Any] = []
    reloaded: list[bool] = []
    controller.sync_finished.connect(results.append)

    def on_rows(_rows: Any) -> None:
        if results:
            reloaded.append(True)

    controller.rows_loaded.connect(on_rows)
    gcs = GcWatch().__enter__()
    session = controller.session
    waits_before = session.client.rate_limit_waits if session is not None else 0
    probe.start()
    if sampler is not None:
        sampler.start()
    started = time.perf_counter()
    task = controller.refresh(full=True)
    if task is None:
        raise RuntimeError("a sync was already running")
    wait_until(app, lambda: bool(results) or task.done, timeout_s)
    if not results:
        raise RuntimeError("the full sync failed")
    result = results[0]
    if not result.changed:
        # Nothing changed since the cache was filled, so the controller skips the reload; do
        # what it does after a sync that changed something, so the reload is measured too.
        controller.reload_rows()
    wait_until(app, lambda: bool(reloaded) and idle(shell), timeout_s)
    settle(app, 0.2)  # let the tabs paint the new rows
    ended = time.perf_counter()
    probe.stop()
    gcs.__exit__()
    if sampler is not None:
        sampler.stop_event.set()
        sampler.join()
    gaps = sorted(probe.gaps)
    long_gaps = sorted(probe.long_gaps, key=lambda g: g[1] - g[0], reverse=True)
    report: dict[str, Any] = {
        "seconds": round(ended - started, 2),
        "sync_requests": result.requests,
        "rate_limit_waits": (session.client.rate_limit_waits if session is not None else 0)
        - waits_before,
        "sync_changed": sorted(result.changed),
        "probe_interval_ms": PROBE_MS,
        "ticks": len(gaps),
        "longest_gap_ms": round(gaps[-1] * 1000, 1) if gaps else None,
        "p99_gap_ms": round(gaps[int(len(gaps) * 0.99)] * 1000, 1) if gaps else None,
        "gaps_over_50ms": sum(1 for g in gaps if g > 0.050),
        "longest_gaps": [
            {
                "ms": round((e - s) * 1000, 1),
                "at_s": round(s - started, 2),
                "during": timeline.during(s, e, gcs),
            }
            for s, e in long_gaps[:8]
        ],
        "set_rows_ms": [
            {"call": name, "ms": round((e - s) * 1000, 1)} for name, s, e in timeline.spans
        ],
        "timeline_s": [(what, round(t - started, 2)) for what, t in timeline.marks],
        "gc": _gc_summary(gcs, probe),
    }
    if sampler is not None:
        for key, samples in (
            ("gui_thread_when_late", sampler.gui_samples),
            ("other_threads_when_late", sampler.other_samples),
        ):
            total = sum(samples.values()) or 1
            report[key] = [
                {"share": round(n / total, 2), "stack": stack}
                for stack, n in samples.most_common(10)
            ]
    return report


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--only-stall", action="store_true")
    parser.add_argument(
        "--sample", action="store_true", help="with --only-stall: say what the GUI thread ran"
    )
    parser.add_argument("--only-filter", action="store_true")
    args = parser.parse_args()

    app = QApplication(sys.argv[:1])
    shell = build_shell(open_context(args), interactive=False)
    opened = time.perf_counter()
    shell.start(demo=False)
    wait_until(app, lambda: idle(shell), args.timeout)
    settle(app, 0.3)
    report: dict[str, Any] = {
        "open_to_idle_s": round(time.perf_counter() - opened, 2),
        "rows": {name: view.model.rowCount() for name, view in shell.window.views().items()},
        "max_rss_mb_after_open": round(max_rss_mb(), 1),
    }
    products = shell.window.products
    shell.window.show_tab("products")
    # Rows in the order the app gives them (nobody has clicked a column yet).
    if args.only_filter:
        report["filter"] = measure_filter(app, products, args.repeat)
        shell.stop()
        sys.stdout.write(json.dumps(report) + "\n")
        return 0
    report["stall"] = measure_stalls(app, shell, sample=args.sample, timeout_s=args.timeout)
    report["max_rss_mb_after_full_sync"] = round(max_rss_mb(), 1)
    if args.only_stall:
        shell.stop()
        sys.stdout.write(json.dumps(report) + "\n")
        return 0
    report["filter"] = measure_filter(app, products, args.repeat)
    report["sort"] = measure_sort(app, products, args.repeat)
    # The same again with a column sorted (the model re-sorts after every reload), and every
    # thread's stack sampled while the GUI thread is late, to say what caused each stall.
    products.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    report["stall_sorted_sampled"] = measure_stalls(app, shell, sample=True, timeout_s=args.timeout)
    report["max_rss_mb"] = round(max_rss_mb(), 1)
    shell.stop()
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
