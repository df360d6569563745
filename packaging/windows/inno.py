"""Makes the Windows installer: Inno Setup at a pinned version, ISCC.exe found, the script compiled.

Run on Windows after `python packaging/build.py` (the release workflow does):
    python packaging/windows/inno.py             installs Inno Setup INNO_SETUP_VERSION, compiles
    python packaging/windows/inno.py --no-install  uses the Inno Setup already installed
ISCC.exe is looked up where the Inno Setup installer recorded it (the registry), then in the
Program Files folders and on PATH; a missing compiler or another version fails the run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import metadata  # noqa: E402  (packaging/ is not a package)

# Inno Setup 6 (the script's syntax); Chocolatey's package of the same version.
INNO_SETUP_VERSION = "6.7.1"
SCRIPT = metadata.ROOT / "packaging" / "windows" / "backorder-desktop.iss"
# The uninstall key Inno Setup 6's own installer writes (its AppId is "Inno Setup 6").
UNINSTALL_KEY = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\Inno Setup 6_is1"


def installer_path(version: str = metadata.VERSION) -> Path:
    """The installer the script writes (OutputDir and OutputBaseFilename in the .iss)."""
    return metadata.ROOT / "dist" / f"{metadata.archive_stem('windows-x86_64', version)}-setup.exe"


def registry_locations() -> list[str]:
    """InstallLocation of Inno Setup 6 from the registry: per machine (both views), per user."""
    if sys.platform != "win32":
        return []
    import winreg

    found = []
    for hive in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        for view in (winreg.KEY_WOW64_32KEY, winreg.KEY_WOW64_64KEY):
            try:
                with winreg.OpenKey(hive, UNINSTALL_KEY, 0, winreg.KEY_READ | view) as key:
                    found.append(str(winreg.QueryValueEx(key, "InstallLocation")[0]))
            except OSError:
                continue
    return found


def candidate_folders(environ: dict[str, str], registered: Iterable[str]) -> list[Path]:
    """Where ISCC.exe may be, most trusted first: what the installer registered, then the
    default folders under Program Files (x86) and Program Files."""
    folders = [Path(location) for location in registered if location]
    for variable in ("ProgramFiles(x86)", "ProgramFiles", "LOCALAPPDATA"):
        if environ.get(variable):
            base = Path(environ[variable])
            folders.append(
                base / "Programs" / "Inno Setup 6"
                if variable == "LOCALAPPDATA"
                else base / "Inno Setup 6"
            )
    return folders


def find_iscc(folders: Iterable[Path], path: str | None) -> Path | None:
    """The first ISCC.exe in `folders`, else the one on PATH."""
    for folder in folders:
        for name in ("ISCC.exe", "iscc.exe"):
            if (folder / name).is_file():
                return folder / name
    on_path = shutil.which("ISCC", path=path) or shutil.which("iscc", path=path)
    return Path(on_path) if on_path else None


def file_version(exe: Path) -> str:
    """The ProductVersion of a Windows executable (read by PowerShell, which every runner has)."""
    command = f"(Get-Item -LiteralPath '{exe}').VersionInfo.ProductVersion"
    result = subprocess.run(
        ["powershell", "-NoProfile", "-NonInteractive", "-Command", command],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def same_version(found: str, wanted: str) -> bool:
    """'6.7.1' matches a ProductVersion of '6.7.1', '6.7.1.0' or '6.7.1 (u)'."""
    match = re.match(r"\s*(\d+(?:\.\d+)*)", found)
    parts = [int(p) for p in match.group(1).split(".")] if match else []
    want = [int(p) for p in wanted.split(".")]
    return parts[: len(want)] == want and not any(parts[len(want) :])


def install() -> None:
    """Chocolatey (preinstalled on GitHub's Windows images) installs the pinned version, replacing
    whatever version the image came with."""
    subprocess.run(
        [
            "choco", "install", "innosetup", f"--version={INNO_SETUP_VERSION}",
            "--allow-downgrade", "--yes", "--no-progress", "--limit-output",
        ],
        check=True,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-install", action="store_true", help="use the installed Inno Setup")
    args = parser.parse_args(argv)
    if sys.platform != "win32":
        raise SystemExit("inno.py runs on Windows (Inno Setup is a Windows program)")
    if not args.no_install:
        install()
    iscc = find_iscc(
        candidate_folders(dict(os.environ), registry_locations()), os.environ.get("PATH")
    )
    if iscc is None:
        raise SystemExit(
            "ISCC.exe not found: Inno Setup 6 is not installed (registry, Program Files, PATH)"
        )
    version = file_version(iscc)
    if not same_version(version, INNO_SETUP_VERSION):
        raise SystemExit(f"{iscc} is Inno Setup {version}, the release pins {INNO_SETUP_VERSION}")
    print(f"Inno Setup {version}: {iscc}", flush=True)
    subprocess.run([str(iscc), "/Qp", str(SCRIPT)], check=True)
    installer = installer_path()
    if not installer.is_file():
        raise SystemExit(f"ISCC finished but {installer.relative_to(metadata.ROOT)} is missing")
    print(f"installer: {installer.relative_to(metadata.ROOT)} ({installer.stat().st_size:,} bytes)")
    if os.environ.get("GITHUB_OUTPUT"):
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as output:
            output.write(f"installer={installer.relative_to(metadata.ROOT).as_posix()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
