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
