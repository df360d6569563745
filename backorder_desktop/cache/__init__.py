"""Local SQLite cache through sqlite-utils: schema, migrations, repositories, outbox, ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import CacheCorruptError, CacheError, CacheTooNewError

if TYPE_CHECKING:
    from .database import Cache, backup_path, open_cache
    from .ledger import LedgerEntry
    from .outbox import OutboxRow

# Loaded on first use: importing the errors (every front end classifies them) must not pull
# in sqlite-utils, so that `--version` and the command parser stay quick.
_LAZY = {
    "Cache": "database",
    "backup_path": "database",
    "open_cache": "database",
    "LedgerEntry": "ledger",
    "OutboxRow": "outbox",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Cache",
    "CacheCorruptError",
    "CacheError",
    "CacheTooNewError",
    "LedgerEntry",
    "OutboxRow",
    "backup_path",
    "open_cache",
]
