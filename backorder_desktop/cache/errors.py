"""Errors the cache raises, with messages a merchant can act on."""

from __future__ import annotations

from pathlib import Path


class CacheError(Exception):
    """The local cache file cannot be used."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class CacheCorruptError(CacheError):
    """The cache file failed SQLite's integrity check (or is not a database at all)."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The local cache file {path} is damaged ({detail}). Close the app, move that file "
            "aside and sync again to rebuild it from the store. Changes still waiting in its "
            "outbox were not sent and would have to be made again.",
            path,
        )
        self.detail = detail


class CacheTooNewError(CacheError):
    """The cache file was written by a newer version of the app."""

    def __init__(self, path: Path, found: int, known: int) -> None:
        super().__init__(
            f"The local cache file {path} has schema version {found}, but this version of "
            f"Backorder Desktop only knows up to {known}. Update the app, or use another data "
            "folder.",
            path,
        )
        self.found = found
        self.known = known


DISK_FULL_TEXTS = ("database or disk is full", "disk is full", "no space left on device")


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's "database or disk is full" (SQLITE_FULL) or the OS's ENOSPC."""
    errno = getattr(exc, "errno", None)
    if errno == 28:  # ENOSPC
        return True
    return any(t in str(exc).lower() for t in DISK_FULL_TEXTS)


class CacheDiskFullError(CacheError):
    """The disk holding the cache is full: nothing is damaged, nothing was lost."""

    def __init__(self, path: Path | None, detail: str = "") -> None:
        where = f" holding {path}" if path else ""
        super().__init__(
            f"The disk{where} is full. Nothing was lost: every change not yet sent and the "
            "record of e-mails sent are kept in the cache file (do not move or delete it). "
            "Free some space, then run the command again.",
            path,
        )
        self.detail = detail


class CacheUnreadableError(CacheError):
    """The file passed SQLite's check but does not hold what the app expects."""

    def __init__(self, path: Path | None, detail: str) -> None:
        where = f" {path}" if path else ""
        super().__init__(
            f"The local cache file{where} cannot be read as Backorder Desktop expects it "
            f"({detail}). Keep the file: it may hold changes not yet sent and the record of "
            "e-mails sent. Close the app and run it again; if this repeats, make a copy of the "
            "file for support, then start with another data folder and sync.",
            path,
        )
        self.detail = detail
