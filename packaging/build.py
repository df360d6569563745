"""Builds the app with PyInstaller from build.spec, smoke-tests it, then archives it (Linux).

Run it with the Python of the build environment (PySide6-Essentials + PyInstaller only):
`make package` does that on Linux; the release workflow does it on Windows and macOS, where the
installers are made afterwards by packaging/windows/ and packaging/macos/. What a merchant gets
(the bundle folder; the .app on macOS) must stay within the size budget on every platform, and
on macOS the .app declares the macOS version its binaries actually need.
"""

from __future__ import annotations

import argparse
import json
import platform
import plistlib
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import icons  # noqa: E402
import macho  # noqa: E402
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


def over_budget(what: str, size: int, budget_mb: int) -> list[str]:
    """A problem when `what` is larger than its budget (decimal megabytes)."""
    size_mb = size / MB
    return [f"{what} is {size_mb:.1f} MB, budget {budget_mb} MB"] if size_mb > budget_mb else []


def apply_macos_minimum(app: Path) -> tuple[str | None, list[str]]:
    """Writes the highest minimum macOS of the .app's binaries (their LC_BUILD_VERSION) into its
    Info.plist, so Finder refuses to open the app on a Mac it cannot run on instead of it dying
    at launch; a minimum that disagrees with metadata.MACOS_MIN_VERSION (what the README and the
    release runners promise) is a problem to fix there."""
    required, where = macho.highest_minimum([app / "Contents"])
    if required is None or where is None:
        return None, [f"no binary in {app.name} declares a minimum macOS version"]
    plist_path = app / "Contents" / "Info.plist"
    info = plistlib.loads(plist_path.read_bytes())
    if info.get("LSMinimumSystemVersion") != required:
        info["LSMinimumSystemVersion"] = required
        plist_path.write_bytes(plistlib.dumps(info))
        if sys.platform == "darwin":
            # Info.plist is sealed by the bundle's (ad-hoc) signature: seal it again, or Gatekeeper
            # calls the downloaded app damaged. Ad-hoc and --deep, as PyInstaller signed it;
            # make_dmg.sh signs inside out with the real identity afterwards.
            subprocess.run(["codesign", "--force", "--deep", "--sign", "-", str(app)], check=True)
    problems = []
    if macho.version_key(required) != macho.version_key(metadata.MACOS_MIN_VERSION):
        problems.append(
            f"the app needs macOS {required} ({where.relative_to(app)}) but "
            f"metadata.MACOS_MIN_VERSION is {metadata.MACOS_MIN_VERSION}: update it, the README "
            "and packaging/runners.json"
        )
    return required, problems


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
    # What the installer carries: the .app on macOS (PyInstaller thins the universal2 wheels to
    # the build machine's architecture), the bundle folder elsewhere.
    if sys.platform == "darwin":
        app = DIST / f"{metadata.APP_NAME}.app"
        minimum, mac_problems = apply_macos_minimum(app)
        report["macos_minimum"] = minimum
        problems += mac_problems
        problems += over_budget(app.name, tree_size(app), BUNDLE_BUDGET_MB)
    else:
        problems += over_budget("bundle", tree_size(bundle), BUNDLE_BUDGET_MB)
    bundle_mb = tree_size(bundle) / MB
    if sys.platform.startswith("linux"):
        archive = make_archive(bundle)
        report["archive"] = archive.name
        report["archive_bytes"] = archive.stat().st_size
        problems += over_budget("archive", archive.stat().st_size, ARCHIVE_BUDGET_MB)
        print(
            f"archive: {archive.relative_to(metadata.ROOT)} ({archive.stat().st_size / MB:.1f} MB)"
        )
    print(f"bundle: {bundle.relative_to(metadata.ROOT)} ({bundle_mb:.1f} MB)")
    REPORT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if problems:
        raise SystemExit("; ".join(problems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
