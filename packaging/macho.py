"""Reads the macOS version a Mach-O binary requires (LC_BUILD_VERSION / LC_VERSION_MIN_MACOSX).

Pure Python, so it runs anywhere: the tests read it from a Mach-O header they build, and
packaging/build.py on macOS sets the bundle's LSMinimumSystemVersion to the highest minimum of
the binaries inside it (a newer Qt or Python wheel can raise it without anyone noticing).

    python packaging/macho.py PATH...   prints each Mach-O's minimum, then the highest
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

FAT_MAGIC = 0xCAFEBABE  # fat headers are always big-endian
FAT_MAGIC_64 = 0xCAFEBABF
MH_MAGIC = 0xFEEDFACE  # 32-bit, as read in the file's own byte order
MH_MAGIC_64 = 0xFEEDFACF
LC_VERSION_MIN_MACOSX = 0x24
LC_BUILD_VERSION = 0x32
PLATFORM_MACOS = 1
CPU_TYPES = {7: "i386", 0x01000007: "x86_64", 12: "arm", 0x0100000C: "arm64"}


class NotMachO(ValueError):
    """The bytes are not a Mach-O (thin or fat) file."""


def version_text(packed: int) -> str:
    """A packed xxxx.yy.zz version as '15.0' or '13.5.1' (a zero patch is left out)."""
    major, minor, patch = packed >> 16, (packed >> 8) & 0xFF, packed & 0xFF
    return f"{major}.{minor}.{patch}" if patch else f"{major}.{minor}"


def version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _thin_minimum(data: bytes, offset: int) -> tuple[str, str | None]:
    """(architecture, minimum macOS or None) of the thin Mach-O at `offset`."""
    for endian in "<>":
        (magic,) = struct.unpack_from(f"{endian}I", data, offset)
        if magic in (MH_MAGIC, MH_MAGIC_64):
            break
    else:
        raise NotMachO(f"no Mach-O header at offset {offset}")
    cputype, _, _, ncmds, _, _ = struct.unpack_from(f"{endian}iiIIII", data, offset + 4)
    cursor = offset + (32 if magic == MH_MAGIC_64 else 28)
    minimum = None
    for _ in range(ncmds):
        cmd, size = struct.unpack_from(f"{endian}II", data, cursor)
        if cmd == LC_BUILD_VERSION:
            platform, minos = struct.unpack_from(f"{endian}II", data, cursor + 8)
            if platform == PLATFORM_MACOS:
                minimum = version_text(minos)
        elif cmd == LC_VERSION_MIN_MACOSX:
            (minos,) = struct.unpack_from(f"{endian}I", data, cursor + 8)
            minimum = version_text(minos)
        if size < 8:
            raise NotMachO(f"load command of {size} bytes at offset {cursor}")
        cursor += size
    return CPU_TYPES.get(cputype, hex(cputype)), minimum


def minimums(data: bytes) -> dict[str, str | None]:
    """The minimum macOS of each architecture in a thin or fat (universal) Mach-O."""
    if len(data) < 8:
        raise NotMachO("too short")
    (magic,) = struct.unpack_from(">I", data, 0)
    if magic in (FAT_MAGIC, FAT_MAGIC_64):
        (count,) = struct.unpack_from(">I", data, 4)
        if count > 32:  # a Java class file shares the magic; it has a large "count"
            raise NotMachO("Java class file, not a fat Mach-O")
        entry = 32 if magic == FAT_MAGIC_64 else 20
        result = {}
        for index in range(count):
            at = 8 + index * entry
            if magic == FAT_MAGIC_64:
                offset = struct.unpack_from(">Q", data, at + 8)[0]
            else:
                offset = struct.unpack_from(">I", data, at + 8)[0]
            arch, minimum = _thin_minimum(data, offset)
            result[arch] = minimum
        return result
    arch, minimum = _thin_minimum(data, 0)
    return {arch: minimum}


def is_macho(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4)
    if len(head) < 4:
        return False
    return struct.unpack(">I", head)[0] in (FAT_MAGIC, FAT_MAGIC_64) or struct.unpack("<I", head)[
        0
    ] in (MH_MAGIC, MH_MAGIC_64)


def scan(paths: Iterable[Path]) -> Iterator[tuple[Path, dict[str, str | None]]]:
    """Every Mach-O under the given files and folders with its minimums (symlinks skipped)."""
    for root in paths:
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in candidates:
            if path.is_symlink() or not path.is_file() or not is_macho(path):
                continue
            try:
                yield path, minimums(path.read_bytes())
            except NotMachO:
                continue


def highest_minimum(paths: Iterable[Path]) -> tuple[str | None, Path | None]:
    """The highest minimum macOS any binary under `paths` declares, and one binary declaring it."""
    best: str | None = None
    where: Path | None = None
    for path, found in scan(paths):
        for minimum in found.values():
            if minimum and (best is None or version_key(minimum) > version_key(best)):
                best, where = minimum, path
    return best, where


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    roots = [Path(arg) for arg in argv]
    for path, found in scan(roots):
        print(f"{path}: " + ", ".join(f"{arch} {minimum}" for arch, minimum in found.items()))
    best, where = highest_minimum(roots)
    print(f"highest minimum: macOS {best} ({where})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
