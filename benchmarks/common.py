"""Shared by the benchmarks: sizes, the output folder, machine facts, JSON output, small stats."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out"  # git-ignored
OUT_ENV = "BACKORDER_BENCH_OUT"  # tests write elsewhere, so they never overwrite real figures


@dataclass(frozen=True)
class Size:
    """How big the demo store is and how many times each measurement repeats."""

    products: int
    orders: int
    latency_ms: int
    rate_limit: tuple[int, float]
    repeat: int


LARGE = Size(products=10_000, orders=5_000, latency_ms=50, rate_limit=(150, 30.0), repeat=3)
# --quick: same shape, small enough that the whole run takes about a minute.
QUICK = Size(products=500, orders=300, latency_ms=50, rate_limit=(150, 30.0), repeat=1)


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": _commit(),
        "app_tree_dirty": _dirty(),
        # Other work on the machine skews every figure: the 1-minute load when the bench ended.
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def _memory_gb() -> float | None:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        return round(pages / 1024**3, 1)
    except (ValueError, OSError, AttributeError):
        return None


def _commit() -> str:
    """The app's commit; a snapshot made with `git archive` names it in BACKORDER_BENCH_COMMIT."""
    if os.environ.get("BACKORDER_BENCH_COMMIT"):
        return os.environ["BACKORDER_BENCH_COMMIT"]
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
        return out.stdout.strip()
    except OSError:
        return ""


def _dirty() -> bool | None:
    """Whether the app's files differ from the commit (others edit the shared tree meanwhile)."""
    if os.environ.get("BACKORDER_BENCH_COMMIT"):
        return False
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--", "backorder_desktop"],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        return bool(out.stdout.strip())
    except OSError:
        return None


def child_env(**extra: str) -> dict[str, str]:
    """Environment for bench child processes: offscreen Qt, this checkout importable."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def out_dir() -> Path:
    folder = Path(os.environ.get(OUT_ENV) or OUT)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_json(name: str, data: dict[str, Any]) -> Path:
    path = out_dir() / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cpu_busy(seconds: float = 3.0) -> float | None:
    """Share of the machine's CPU time that was busy over `seconds` (Linux /proc/stat)."""

    def snapshot() -> tuple[int, int] | None:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields), idle

    first = snapshot()
    time.sleep(seconds)
    second = snapshot()
    if first is None or second is None or second[0] == first[0]:
        return None
    return 1 - (second[1] - first[1]) / (second[0] - first[0])


QUIET_ENV = "BACKORDER_BENCH_QUIET_WAIT_S"  # 0: measure at once (--quick, tests)


def wait_for_quiet(
    busy_below: float = 0.15, max_wait_s: float | None = None, label: str = ""
) -> dict[str, Any]:
    """Wait until the machine is nearly idle before measuring: other people's test runs on the
    same 2 cores would otherwise be measured too. Gives up after `max_wait_s` (default 900 s,
    or BACKORDER_BENCH_QUIET_WAIT_S) and says so."""
    if max_wait_s is None:
        max_wait_s = float(os.environ.get(QUIET_ENV, "900"))
    if max_wait_s <= 0:
        return {"cpu_busy_before": None, "waited_s": 0, "quiet": None}
    started = time.monotonic()
    while True:
        busy = cpu_busy()
        waited = time.monotonic() - started
        if busy is None or busy < busy_below or waited > max_wait_s:
            quiet = busy is None or busy < busy_below
            if not quiet:
                say(
                    f"  (machine still {busy:.0%} busy after {waited:.0f} s: measuring {label} anyway)"
                )
            return {
                "cpu_busy_before": None if busy is None else round(busy, 2),
                "waited_s": round(waited),
                "quiet": quiet,
            }
        time.sleep(5)


def say(text: str) -> None:
    print(text, flush=True)
    sys.stdout.flush()
