"""What every packaging script agrees on: app name, identifiers, icons, version (from the package)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

APP_NAME = "Backorder Desktop"
# The executable and the one-folder bundle (dist/backorder-desktop/); also the CLI's name.
EXE_NAME = "backorder-desktop"
# Windows only: a console twin of the windowed exe, for scripts and schedulers (a windowed exe
# has no stdout, so `sync --json` would print nothing and a caller could not read its exit code).
CONSOLE_EXE_NAME = "backorder-desktop-cli"
BUNDLE_ID = "com.backorderdesktop.BackorderDesktop"
PUBLISHER = "Backorder Desktop"
COPYRIGHT = "Copyright (c) Backorder Desktop"
# The oldest macOS the app runs on: the highest LC_BUILD_VERSION minimum of the binaries in the
# .app. The pinned PySide6 wheels are tagged macosx_13_0, but their binding libraries
# (QtCore.abi3.so and the other modules, libpyside6, libshiboken6) are built for macOS 15.0, so
# 15 it is. packaging/build.py checks the built .app against this value (docs/DECISIONS.md).
MACOS_MIN_VERSION = "15.0"

ICON_DIR = ROOT / "packaging" / "icons"
ICON_SVG = ROOT / "resources" / "icon.svg"
ICON_ICO = ICON_DIR / "backorder-desktop.ico"
ICON_ICNS = ICON_DIR / "backorder-desktop.icns"
ICON_PNG = ICON_DIR / "backorder-desktop.png"

# Every PySide6 module the Essentials wheel brings (and a few Addons ones, in case one is
# around). The bundle keeps those the app's code imports and excludes the rest, so a feature
# that starts using another Qt module (e.g. QtPrintSupport) gets it without touching this list.
QT_MODULES = (
    "QtConcurrent QtCore QtDBus QtDesigner QtGui QtHelp QtNetwork QtOpenGL QtOpenGLWidgets "
    "QtPrintSupport QtQml QtQuick QtQuickControls2 QtQuickTest QtQuickWidgets QtSql QtSvg "
    "QtSvgWidgets QtTest QtUiTools QtWidgets QtXml QtMultimedia QtMultimediaWidgets QtPdf "
    "QtPdfWidgets QtWebEngineCore QtWebEngineWidgets QtWebEngineQuick QtCharts QtGraphs "
    "QtDataVisualization Qt3DCore"
).split()


def qt_modules_used() -> set[str]:
    """The PySide6 modules imported anywhere in backorder_desktop/, plus the window's own.

    QtSvg is never excluded: the SVG icon engine and image plugins need its library (PyInstaller
    finds it as their dependency; the Python module is bundled only if the code imports it).
    """
    used = {"QtCore", "QtGui", "QtWidgets", "QtSvg"}
    for path in (ROOT / "backorder_desktop").rglob("*.py"):
        used.update(re.findall(r"\bPySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    return used


_QT_USED = qt_modules_used()
QT_EXCLUDES = [f"PySide6.{name}" for name in QT_MODULES if name not in _QT_USED]
# Not used at run time; tkinter would drag in Tcl/Tk.
OTHER_EXCLUDES = ["tkinter", "pytest", "hypothesis", "IPython", "numpy"]


def read_version() -> str:
    """`backorder_desktop.__version__`, read without importing the package (single source)."""
    text = (ROOT / "backorder_desktop" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("backorder_desktop/__init__.py has no __version__")
    return match.group(1)


VERSION = read_version()


def version_tuple(version: str = VERSION) -> tuple[int, int, int, int]:
    """Four numbers for the Windows version resource: '1.2.3rc1' -> (1, 2, 3, 0), '2.0b1' -> (2, 0, 0, 0)."""
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if not match:
        raise ValueError(f"{version!r} does not start with a version number")
    major, minor, patch = (int(part or 0) for part in match.groups())
    return major, minor, patch, 0


def windows_version_strings(version: str = VERSION, exe_name: str = EXE_NAME) -> dict[str, str]:
    """The string table of an exe's version resource; the Inno script reads ProductVersion."""
    return {
        "CompanyName": PUBLISHER,
        "FileDescription": APP_NAME,
        "FileVersion": version,
        "InternalName": exe_name,
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": f"{exe_name}.exe",
        "ProductName": APP_NAME,
        "ProductVersion": version,
    }


def macos_info_plist(version: str = VERSION) -> dict[str, object]:
    """Info.plist keys beyond PyInstaller's own; the .dmg script reads CFBundleShortVersionString."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "CFBundlePackageType": "APPL",
        "CFBundleInfoDictionaryVersion": "6.0",
        "LSMinimumSystemVersion": MACOS_MIN_VERSION,
        "LSApplicationCategoryType": "public.app-category.business",
        "NSHighResolutionCapable": True,
        "NSPrincipalClass": "NSApplication",
        "NSRequiresAquaSystemAppearance": False,  # follow the system's dark mode
        "NSHumanReadableCopyright": COPYRIGHT,
    }


def archive_stem(platform_tag: str, version: str = VERSION) -> str:
    """Name of a built artifact without its extension: backorder-desktop-<version>-linux-x86_64."""
    return f"{EXE_NAME}-{version}-{platform_tag}"


def package_requirements() -> list[str]:
    """The app's pinned dependencies plus the `package` extra (PyInstaller), from pyproject.

    The build environment gets these and not the app itself: PyInstaller takes the app from the
    checkout, so a stale installed copy can never end up in the bundle.
    """
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["package"]]


if __name__ == "__main__":
    import sys

    # `python packaging/metadata.py version` / `... requirements FILE` for the Makefile and CI.
    command = sys.argv[1] if len(sys.argv) > 1 else "version"
    if command == "version":
        print(VERSION)
    elif command == "requirements" and len(sys.argv) == 3:
        Path(sys.argv[2]).parent.mkdir(parents=True, exist_ok=True)
        Path(sys.argv[2]).write_text("\n".join(package_requirements()) + "\n", encoding="utf-8")
    else:
        raise SystemExit("usage: metadata.py version | requirements FILE")
