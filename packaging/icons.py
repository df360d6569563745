"""Renders resources/icon.svg into the app icons: .ico (Windows), .icns (macOS) and .png (Linux).

Qt draws each size from the SVG; the ICO and ICNS containers are written here, so no external
tool (iconutil, ImageMagick, Pillow) is needed. `--check` only verifies that the committed icons
were made from the current SVG (its SHA-256, line endings normalised to LF, is recorded beside
them).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import metadata  # noqa: E402  (packaging/ is not a package)

SOURCE_HASH = metadata.ICON_DIR / "icon.svg.sha256"
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 256)
# ICNS element types holding PNG data; the @2x types share pixel sizes with the 1x ones.
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)
PNG_SIZE = 512


def svg_sha256() -> str:
    """The SVG's hash with CRLF read as LF: a Windows checkout that converted line endings holds
    the same drawing, so the committed icons are still current there."""
    return hashlib.sha256(metadata.ICON_SVG.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


class Renderer:
    """Draws the SVG at any size into straight (not premultiplied) ARGB pixels."""

    def __init__(self) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtSvg import QSvgRenderer

        self._app = QGuiApplication.instance() or QGuiApplication([])
        self._svg = QSvgRenderer(str(metadata.ICON_SVG))
        if not self._svg.isValid():
            raise SystemExit(f"{metadata.ICON_SVG} is not a valid SVG")
        self._cache: dict[int, object] = {}

    def image(self, size: int):  # -> QImage (Qt types stay local to this script)
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QImage, QPainter

        if size not in self._cache:
            image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            self._svg.render(painter)
            painter.end()
            self._cache[size] = image.convertToFormat(QImage.Format.Format_ARGB32)
        return self._cache[size]

    def png(self, size: int) -> bytes:
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice

        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not self.image(size).save(buffer, "PNG"):
            raise SystemExit(f"could not encode the {size}px icon as PNG")
        buffer.close()
        return bytes(data.data())

    def bgra_rows(self, size: int) -> list[bytes]:
        """Pixel rows top to bottom, 4 bytes a pixel in B, G, R, A order (ARGB32 little-endian)."""
        image = self.image(size)
        stride = image.bytesPerLine()
        raw = bytes(image.constBits())
        if sys.byteorder != "little":  # ARGB32 is native-endian words
            raise SystemExit("icon rendering expects a little-endian machine")
        return [raw[y * stride : y * stride + size * 4] for y in range(size)]


def dib_entry(rows: list[bytes], size: int) -> bytes:
    """A 32-bit BMP icon image: header, BGRA rows bottom-up, then the 1-bit AND mask.

    Small sizes are stored as BMP, not PNG: some Windows shell paths and resource editors
    still only read BMP entries below 256 px.
    """
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    mask_stride = ((size + 31) // 32) * 4
    xor = b"".join(reversed(rows))
    mask = bytearray()
    for row in reversed(rows):
        bits = bytearray(mask_stride)
        for x in range(size):
            if row[x * 4 + 3] == 0:  # fully transparent pixel
                bits[x // 8] |= 0x80 >> (x % 8)
        mask += bits
    return header + xor + bytes(mask)


def build_ico(renderer: Renderer) -> bytes:
    images = [
        (size, renderer.png(size) if size >= 256 else dib_entry(renderer.bgra_rows(size), size))
        for size in ICO_SIZES
    ]
    offset = 6 + 16 * len(images)
    directory = struct.pack("<HHH", 0, 1, len(images))
    for size, data in images:
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        directory += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return directory + b"".join(data for _, data in images)


def build_icns(renderer: Renderer) -> bytes:
    elements = b"".join(
        kind + struct.pack(">I", 8 + len(png)) + png
        for kind, png in ((kind, renderer.png(size)) for kind, size in ICNS_TYPES)
    )
    return b"icns" + struct.pack(">I", 8 + len(elements)) + elements


def generate() -> None:
    renderer = Renderer()
    metadata.ICON_DIR.mkdir(parents=True, exist_ok=True)
    metadata.ICON_ICO.write_bytes(build_ico(renderer))
    metadata.ICON_ICNS.write_bytes(build_icns(renderer))
    metadata.ICON_PNG.write_bytes(renderer.png(PNG_SIZE))
    SOURCE_HASH.write_text(svg_sha256() + "\n", encoding="utf-8")
    for path in (metadata.ICON_ICO, metadata.ICON_ICNS, metadata.ICON_PNG):
        print(f"wrote {path.relative_to(metadata.ROOT)} ({path.stat().st_size:,} bytes)")


def stale_reason() -> str | None:
    """Why the committed icons do not match the SVG, or None when they do."""
    for path in (metadata.ICON_ICO, metadata.ICON_ICNS, metadata.ICON_PNG, SOURCE_HASH):
        if not path.is_file():
            return f"{path.relative_to(metadata.ROOT)} is missing"
    if SOURCE_HASH.read_text(encoding="utf-8").strip() != svg_sha256():
        return f"{metadata.ICON_SVG.relative_to(metadata.ROOT)} changed since the icons were made"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the icons are current")
    args = parser.parse_args(argv)
    if args.check:
        reason = stale_reason()
        if reason:
            print(f"{reason}: run `python packaging/icons.py`", file=sys.stderr)
            return 1
        print("icons are current")
        return 0
    generate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
