"""Smoke test of the frozen app: `--version`, `--smoke-test`, then headless sync and queue.

Runs the built executable the way a merchant's machine would (no venv, no source checkout on
the path, fresh data folders) and fails unless it prints the package version, its smoke report
says ok (cache opened, demo store synced, keychain backend bundled, window shown), and the
headless `sync` and `backorders` commands agree on the demo store.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import metadata  # noqa: E402

TIMEOUT_S = 300


def frozen_executable(dist: Path, *, console: bool = True) -> Path:
    """The built app's executable on this platform (the console twin on Windows if asked)."""
    if sys.platform == "darwin":
        return dist / f"{metadata.APP_NAME}.app" / "Contents" / "MacOS" / metadata.EXE_NAME
    if sys.platform == "win32":
        name = metadata.CONSOLE_EXE_NAME if console else metadata.EXE_NAME
        return dist / metadata.EXE_NAME / f"{name}.exe"
    return dist / metadata.EXE_NAME / metadata.EXE_NAME


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.pop("BIGCOMMERCE_ACCESS_TOKEN", None)  # the demo store needs none; never pass a real one
    if (
        sys.platform.startswith("linux")
        and not env.get("DISPLAY")
        and not env.get("WAYLAND_DISPLAY")
    ):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def run(exe: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(exe), *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        stdin=subprocess.DEVNULL,
    )


def last_json_line(text: str) -> dict[str, Any] | None:
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                document = json.loads(line)
            except ValueError:
                continue
            if isinstance(document, dict):
                return document
    return None


def smoke_test(
    dist: Path, *, console: bool = True, require_keychain: bool = False
) -> dict[str, Any]:
    """Runs both checks; raises SystemExit with what went wrong, returns the app's report."""
    exe = frozen_executable(dist, console=console)
    if not exe.is_file():
        raise SystemExit(f"no frozen app at {exe}: build it first")
    with tempfile.TemporaryDirectory(prefix="backorder-smoke-") as tmp:
        work = Path(tmp)
        version = run(exe, "--version", cwd=work)
        expected = f"{metadata.EXE_NAME} {metadata.VERSION}"
        if version.returncode != 0 or version.stdout.strip() != expected:
            raise SystemExit(
                f"--version: exit {version.returncode}, printed {version.stdout.strip()!r}, "
                f"expected {expected!r}\n{version.stderr}"
            )
        proc = run(exe, "--data-dir", str(work / "data"), "--smoke-test", cwd=work)
        report = last_json_line(proc.stdout)
        if proc.returncode != 0 or not report or not report.get("ok"):
            raise SystemExit(
                f"--smoke-test failed: exit {proc.returncode}\nstdout:\n{proc.stdout}\n"
                f"stderr:\n{proc.stderr[-4000:]}"
            )
        # The headless side too, as a script or scheduler runs it (CLI.md): sync, then the queue.
        sync = run(exe, "--data-dir", str(work / "cli"), "--demo", "sync", "--json", cwd=work)
        queue = run(
            exe, "--data-dir", str(work / "cli"), "--demo", "backorders", "--json", cwd=work
        )
    for name, done in (("sync", sync), ("backorders", queue)):
        if done.returncode != 0:
            raise SystemExit(f"--demo {name} --json: exit {done.returncode}\n{done.stderr[-4000:]}")
    synced, lines = json.loads(sync.stdout), json.loads(queue.stdout)
    if not synced.get("variants") or len(lines) != synced.get("backorder_lines"):
        raise SystemExit(f"headless commands disagree: sync {synced}, {len(lines)} queue lines")
    report["headless"] = {"variants": synced["variants"], "backorder_lines": len(lines)}
    if require_keychain and not report.get("keychain_usable"):
        raise SystemExit(
            f"the frozen app found no usable keychain (backend {report.get('keyring_backend')}); "
            "a keychain daemon runs here, so the bundled backend does not work"
        )
    report["version"] = version.stdout.strip()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=metadata.ROOT / "dist")
    parser.add_argument(
        "--windowed",
        action="store_true",
        help="Windows: test the windowed exe, not the console twin",
    )
    parser.add_argument(
        "--require-keychain",
        action="store_true",
        help="fail unless the app can use the keychain (run where a keychain daemon is unlocked)",
    )
    args = parser.parse_args(argv)
    report = smoke_test(
        args.dist, console=not args.windowed, require_keychain=args.require_keychain
    )
    print(json.dumps(report, indent=2))
    print("frozen app smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
