"""The frozen app: build time, bundle and archive size (budgets 150/60 MB), start-up time.

Builds with `make package` (PyInstaller in build/package-venv, smoke-tested before archiving),
then times the frozen executable's `--version` against `python -m backorder_desktop --version`
from the checkout, and its `--smoke-test` (demo store, first sync, window shown).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .common import REPO, Size, child_env, machine, say, write_json

DIST = REPO / "dist"
BUNDLE = DIST / "backorder-desktop"
MB = 1_000_000


def _size(path: Path) -> int:
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def _largest(limit: int = 8) -> list[tuple[str, float]]:
    """The biggest pieces of the bundle, one level into _internal/ and PySide6/Qt."""
    internal = BUNDLE / "_internal"
    pieces = [p for p in internal.iterdir() if p.name != "PySide6"]
    pieces += [p for p in (internal / "PySide6").iterdir() if p.name != "Qt"]
    pieces += list((internal / "PySide6" / "Qt" / "lib").iterdir())
    pieces += [internal / "PySide6" / "Qt" / "plugins"]
    sizes = sorted(
        ((str(p.relative_to(internal)), _size(p) / MB) for p in pieces), key=lambda x: -x[1]
    )
    return [(name, round(mb, 1)) for name, mb in sizes[:limit]]


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def run(size: Size) -> dict[str, Any]:
    say("package: make package (PyInstaller build, frozen smoke test, archive)")
    started = time.perf_counter()
    subprocess.run(
        ["make", "--no-print-directory", "package"], cwd=REPO, check=True, env=child_env()
    )
    make_seconds = time.perf_counter() - started
    report = json.loads((DIST / "package-report.json").read_text(encoding="utf-8"))
    exe = BUNDLE / "backorder-desktop"
    env = child_env()
    repeat = max(3, size.repeat * 3)
    frozen = [_timed([str(exe), "--version"], env) for _ in range(repeat)]
    source = [
        _timed([sys.executable, "-m", "backorder_desktop", "--version"], env) for _ in range(repeat)
    ]
    with tempfile.TemporaryDirectory(prefix="bench-package-") as folder:
        smoke_seconds = _timed([str(exe), "--data-dir", folder, "--smoke-test"], env)
    result = {
        "machine": machine(),
        "make_package_seconds": round(make_seconds, 1),
        "pyinstaller_seconds": report["build_seconds"],
        "bundle_mb": round(report["bundle_bytes"] / MB, 1),
        "archive_mb": round(report["archive_bytes"] / MB, 1),
        "budgets_mb": {"bundle": 150, "archive": 60},
        "largest_mb": _largest(),
        "frozen_version_seconds_median": round(statistics.median(frozen), 3),
        "source_version_seconds_median": round(statistics.median(source), 3),
        "frozen_smoke_test_seconds": round(smoke_seconds, 2),
    }
    say(
        f"  bundle {result['bundle_mb']} MB (budget 150), archive {result['archive_mb']} MB "
        f"(budget 60); make package {result['make_package_seconds']} s "
        f"(PyInstaller {result['pyinstaller_seconds']} s)"
    )
    say(
        f"  --version: frozen {result['frozen_version_seconds_median']} s, source "
        f"{result['source_version_seconds_median']} s (median of {repeat}); frozen --smoke-test "
        f"{result['frozen_smoke_test_seconds']} s"
    )
    say("  largest: " + ", ".join(f"{name} {mb} MB" for name, mb in result["largest_mb"]))
    write_json("package", result)
    return result
