"""Files the merchant exports (views, figures, pick lists): readable by the user only, and CSV
cells that a spreadsheet would run as formulas neutralised (domain.csv_safety)."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from backorder_desktop.cache.private_files import open_fd, open_private
from backorder_desktop.domain.csv_safety import SafeCsvWriter


def write_csv_file(path: Path, rows: Iterable[Sequence[object]], *, bom: bool = True) -> Path:
    """Write `rows` as CSV (UTF-8, with a byte order mark for spreadsheets unless `bom` is
    False), mode 0600, never through a symlink at `path`."""
    encoding = "utf-8-sig" if bom else "utf-8"
    with open_private(path, "w", encoding=encoding, newline="") as handle:
        SafeCsvWriter(csv.writer(handle)).writerows(rows)
    return path


def write_text_file(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    with open_private(path, "w", encoding=encoding, newline="") as handle:
        handle.write(text)
    return path


def private_file(path: Path) -> Path:
    """Create (or truncate) `path` with mode 0600 for a writer that opens it by name itself
    (Qt's PDF writer keeps an existing file's permissions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(open_fd(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC))
    return path
