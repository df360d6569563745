"""Where the app keeps its files: one data dir with a cache file per store, settings and logs."""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs

from backorder_desktop.cache import private_files

APP_NAME = "BackorderDesktop"
_SAFE_HASH = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create a folder readable only by the user (POSIX), or refuse an existing one owned by
    someone else or writable by others (UnsafePathError); the cache holds customer data."""
    return private_files.ensure_private_dir(path)


def validate_store_hash(store_hash: str) -> str:
    """The hash names a file, so only the characters BigCommerce uses are allowed."""
    if not _SAFE_HASH.match(store_hash):
        raise ValueError(
            f"'{store_hash}' is not a valid store hash: use the letters and digits from your "
            "API path, e.g. the 'abc123' in https://api.bigcommerce.com/stores/abc123/v3/"
        )
    return store_hash


def cache_path(data_dir: Path, store_hash: str) -> Path:
    return data_dir / "stores" / f"{validate_store_hash(store_hash)}.sqlite"


def log_dir(data_dir: Path) -> Path:
    return data_dir / "logs"
