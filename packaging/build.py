"""Builds the app with PyInstaller from build.spec, smoke-tests it, then archives it (Linux).

Run it with the Python of the build environment (PySide6-Essentials + PyInstaller only):
`make package` does that on Linux; the release workflow does it on Windows and macOS, where the
installers are made afterwards by packaging/windows/ and packaging/macos/. The Linux bundle and
archive must stay within the size budgets below.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import icons  # noqa: E402
import metadata  # noqa: E402
import smoke  # noqa: E402

MB = 1_000_000
BUNDLE_BUDGET_MB = 150
ARCHIVE_BUDGET_MB = 60
DIST = metadata.ROOT / "dist"
WORK = metadata.ROOT / "build" / "pyinstaller"
REPORT = DIST / "package-report.json"


def tree_size(path: Path) -> int:
    """Bytes on disk of a folder's files (symlinks counted once, as the link)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def check_environment() -> None:
    """The `pyside6` meta wheel must not be in the build env. PySide6-Addons may be (the Insights
    tab uses its QtCharts): PyInstaller bundles only the Qt modules the code imports and
    metadata.QT_EXCLUDES keeps WebEngine, Qml, 3D... out; the size budget below still holds."""
    from importlib import metadata as dist_metadata

    names = {d.metadata["Name"].lower().replace("_", "-") for d in dist_metadata.distributions()}
    if "pyside6-essentials" not in names:
        raise SystemExit("PySide6-Essentials is not installed in this environment")
    unwanted = sorted(names & {"pyside6"})
    if unwanted:
        raise SystemExit(
            f"{', '.join(unwanted)} installed here: build from an environment with "
            "PySide6-Essentials only (make package creates one in build/package-venv)"
        )


def platform_tag() -> str:
    machine = platform.machine().lower().replace("amd64", "x86_64").replace("aarch64", "arm64")
    system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, "linux")
    return f"{system}-{machine}"


def pyinstaller() -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        f"--distpath={DIST}",
        f"--workpath={WORK}",
        str(metadata.ROOT / "build.spec"),
    ]
    print("building:", " ".join(command[2:]), flush=True)
    subprocess.run(command, check=True, cwd=metadata.ROOT)


def make_archive(bundle: Path) -> Path:
    archive = DIST / f"{metadata.archive_stem(platform_tag())}.tar.gz"

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(archive, "w:gz", compresslevel=9) as tar:
        tar.add(bundle, arcname=bundle.name, filter=normalise)
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-smoke-test", action="store_true", help="build only")
    args = parser.parse_args(argv)

    reason = icons.stale_reason()
    if reason:
        raise SystemExit(f"{reason}: run `python packaging/icons.py` and commit the icons")
    check_environment()
    started = time.monotonic()
    pyinstaller()
    built_s = time.monotonic() - started
    bundle = DIST / metadata.EXE_NAME
    report: dict[str, object] = {
        "version": metadata.VERSION,
        "platform": platform_tag(),
        "build_seconds": round(built_s, 1),
        "bundle_bytes": tree_size(bundle),
    }
    if sys.platform == "darwin":
        report["app_bytes"] = tree_size(DIST / f"{metadata.APP_NAME}.app")

    # Smoke-test before packaging: a bundle that cannot start is never archived.
    if not args.skip_smoke_test:
        smoke_report = smoke.smoke_test(DIST)
        report["smoke_test"] = smoke_report
        print("frozen app smoke test passed:", json.dumps(smoke_report), flush=True)

    problems = []
    bundle_mb = tree_size(bundle) / MB
    # The budgets hold for the Linux bundle CI builds on every submission; macOS wheels are
    # universal2 (two architectures per binary), so the .app is larger by design.
    if sys.platform.startswith("linux"):
        if bundle_mb > BUNDLE_BUDGET_MB:
            problems.append(f"bundle is {bundle_mb:.1f} MB, budget {BUNDLE_BUDGET_MB} MB")
        archive = make_archive(bundle)
        report["archive"] = archive.name
        report["archive_bytes"] = archive.stat().st_size
        archive_mb = archive.stat().st_size / MB
        if archive_mb > ARCHIVE_BUDGET_MB:
            problems.append(f"archive is {archive_mb:.1f} MB, budget {ARCHIVE_BUDGET_MB} MB")
        print(f"archive: {archive.relative_to(metadata.ROOT)} ({archive_mb:.1f} MB)")
    print(f"bundle: {bundle.relative_to(metadata.ROOT)} ({bundle_mb:.1f} MB)")
    REPORT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if problems:
        raise SystemExit("; ".join(problems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
