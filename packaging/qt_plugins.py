"""Which Qt plugins, translations and DLLs the bundle leaves out (applied from build.spec).

PyInstaller's PySide6 hooks collect every plugin of each type QtGui uses; each plugin then pulls
its own system libraries into the bundle (the GTK theme brings cairo and pango, the VNC and TUIO
plugins bring QtNetwork and Kerberos). A desktop window on X11, Wayland, Windows or macOS that
shows SVG icons needs none of these, and leaving them out keeps the Linux bundle under budget.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Any

# (plugin type, file-name pattern) pairs left out; the platform, style and input plugins a
# desktop session uses (xcb, wayland, windows, cocoa, offscreen) all stay.
LEFT_OUT = [
    ("platforms", "*linuxfb*"),
    ("platforms", "*vnc*"),
    ("platforms", "*vkkhrdisplay*"),
    ("platforms", "*eglfs*"),
    ("platforms", "*minimal*"),
    ("platformthemes", "*gtk3*"),
    ("generic", "*"),  # evdev/TUIO input for embedded devices, not desktops
    # The on-screen keyboard (Addons wheel, there for QtCharts) is for kiosks; it would pull
    # QtQuick, QtQml and QtVirtualKeyboard (~17 MB) into the bundle.
    ("platforminputcontexts", "*virtualkeyboard*"),
    ("egldeviceintegrations", "*"),
    ("imageformats", "*jpeg*"),
    ("imageformats", "*gif*"),
    ("imageformats", "*webp*"),
    ("imageformats", "*tiff*"),
    ("imageformats", "*tga*"),
    ("imageformats", "*wbmp*"),
    ("imageformats", "*icns*"),
    ("imageformats", "*pdf*"),
]


# Qt modules that render through OpenGL; with none of them imported, Qt never asks for OpenGL.
OPENGL_MODULES = {"QtOpenGL", "QtOpenGLWidgets", "QtQuick", "QtQuickWidgets", "QtQml", "Qt3DCore"}


def _normalised(destination: str) -> str:
    return "/" + destination.replace("\\", "/").lower().strip("/")


def left_out_data(destination: str) -> bool:
    """Qt's own translations (.qm): the app loads none (no QTranslator). PyInstaller puts them in
    PySide6/Qt/translations/ on Linux and macOS and in PySide6/translations/ on Windows."""
    path = _normalised(destination)
    return "/pyside6/qt/translations/" in path or "/pyside6/translations/" in path


def left_out_binary(destination: str, qt_modules_used: set[str]) -> bool:
    """opengl32sw.dll (Windows, ~20 MB): Mesa's software OpenGL, which Qt loads only when an
    OpenGL surface is asked for and the graphics driver cannot provide one. The app draws with
    QPainter (widgets and QtCharts without setUseOpenGL), so it is left out until the code
    imports a Qt module that renders through OpenGL (docs/DECISIONS.md)."""
    if _normalised(destination).endswith("/opengl32sw.dll"):
        return not (qt_modules_used & OPENGL_MODULES)
    return False


def left_out(plugin_type: str, file_name: str) -> bool:
    name = file_name.lower()
    return any(plugin_type == kind and fnmatch.fnmatch(name, pattern) for kind, pattern in LEFT_OUT)


def restrict_collected_plugins() -> None:
    """Wraps PyInstaller's QtLibraryInfo.collect_plugins (PyInstaller is pinned in pyproject)."""
    from PyInstaller.utils.hooks import qt

    original = qt.QtLibraryInfo.collect_plugins
    if getattr(original, "_backorder_restricted", False):
        return

    def collect_plugins(self: Any, plugin_type: str) -> list[tuple[str, str]]:
        return [
            (src, dest)
            for src, dest in original(self, plugin_type)
            if not left_out(plugin_type, os.path.basename(src))
        ]

    collect_plugins._backorder_restricted = True  # type: ignore[attr-defined]
    qt.QtLibraryInfo.collect_plugins = collect_plugins
