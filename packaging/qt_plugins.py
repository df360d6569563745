"""Which Qt plugins the bundle leaves out, applied to PyInstaller's Qt hooks from build.spec.

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
