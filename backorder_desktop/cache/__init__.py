"""Local SQLite cache through sqlite-utils: schema, migrations, repositories, outbox, ledger."""

from .database import Cache, backup_path, open_cache
from .errors import CacheCorruptError, CacheError, CacheTooNewError
from .ledger import LedgerEntry
from .outbox import OutboxRow

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
