"""Opening the cache file: permissions, WAL, integrity check, backup, then migrations."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from .core import CacheCore, lazy_database
from .errors import (
    CacheCorruptError,
    CacheDiskFullError,
    CacheError,
    CacheTooNewError,
    CacheUnreadableError,
    is_disk_full,
)
from .inventory import InventoryRepository
from .ledger import LedgerRepository
from .locations import LocationRepository
from .metafields import MetafieldRepository
from .orders import OrderRepository
from .outbox import Outbox
from .private_files import open_fd, refuse_symlink
from .products import ProductRepository
from .replies import ReplyRepository
from .schema import MIGRATIONS, Migration, create_cache_tables, drop_cache_tables
from .state import AppStateRepository, SyncStateRepository
from .variants import VariantRepository

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger("backorder_desktop.cache")

_POSIX = os.name == "posix"


class Cache(CacheCore):
    """The local database of one store: rebuildable cache tables plus the app's durable tables."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        super().__init__(db, path)
        self.products = ProductRepository(self)
        self.variants = VariantRepository(self)
        self.locations = LocationRepository(self)
        self.inventory = InventoryRepository(self)
        self.orders = OrderRepository(self)
        self.metafields = MetafieldRepository(self)
        self.outbox = Outbox(self)
        self.ledger = LedgerRepository(self)
        self.sync_state = SyncStateRepository(self)
        self.app_state = AppStateRepository(self)
        self.replies = ReplyRepository(self)

    @property
    def schema_version(self) -> int:
        with self.read() as db:
            return _user_version(db.conn)

    def rebuild(self) -> None:
        """Drop and recreate the cache tables; the outbox, ledger and app state stay.

        The sync cursors are forgotten with the rows they described, so the next sync is full.
        """
        with self.transaction() as db:
            drop_cache_tables(db)
            create_cache_tables(db)
            self.sync_state.clear_cursors()

    @contextmanager
    def writer(self) -> Iterator[Cache]:
        """The same file through a second connection, for one long write such as a sync's.

        In WAL mode the window's reads on this connection go on seeing the last committed
        state while the writer's transaction is open, instead of waiting for this
        connection's lock; the writer's rows appear to them all at once when it commits.
        Closed on leaving. A cache without a file (in memory) gets itself back.
        """
        with self.read() as db:
            files = [row[2] for row in db.conn.execute("PRAGMA database_list") if row[1] == "main"]
        if not files or not files[0]:
            yield self
            return
        conn = sqlite3.connect(files[0], timeout=10.0, check_same_thread=False)
        try:
            db = lazy_database(conn)
            conn.execute("PRAGMA foreign_keys = ON")
            # A first sync writes ~25 MB in one transaction: room for it in memory, so fewer
            # pages spill to the WAL before the commit (freed when this connection closes).
            db.execute("PRAGMA cache_size = -32768")
            db.execute("PRAGMA temp_store = MEMORY")  # the staged rows (cache/staging.py)
            yield Cache(db, self.path)
        finally:
            conn.close()

    def close(self) -> None:
        with self.read() as db:
            db.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_cache(
    path: Path, *, migrations: Sequence[Migration] = MIGRATIONS, recover: bool = True
) -> Cache:
    """Open (or create) the cache file at `path`, migrated to the latest schema.

    Raises CacheCorruptError when the file fails SQLite's integrity check, CacheTooNewError
    when a newer app wrote it. Rows a crash left `sending` in the outbox go back to pending,
    unless `recover` is False: a reader that does not hold the data dir lock must not take
    back rows another process is sending right now (services.instance).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _create_private(path)
    try:
        # check_same_thread=False: the sync worker and the GUI share it under CacheCore's lock.
        conn = sqlite3.connect(str(path), timeout=10.0, check_same_thread=False)
    except sqlite3.Error as exc:
        raise CacheError(f"Cannot open the local cache file {path}: {exc}", path) from exc
    try:
        _check_integrity(conn, path)
        db = lazy_database(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        _enable_wal(conn)
        _private_sidecars(path)
        _migrate(db, path, migrations)
        cache = Cache(db, path)
        reset = cache.outbox.reset_sending() if recover else 0
        if reset:
            log.info("outbox: %d interrupted rows back to pending", reset)
        return cache
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise cache_error(exc, path) from exc
    except BaseException:
        conn.close()
        raise


def _enable_wal(conn: sqlite3.Connection) -> None:
    # What sqlite_utils' enable_wal does, without importing it for a reader (cache/core.py).
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode=wal")


def cache_error(exc: sqlite3.DatabaseError, path: Path | None) -> CacheError:
    """What an SQLite error past the integrity check means for the merchant."""
    if is_disk_full(exc):
        return CacheDiskFullError(path, str(exc))
    return CacheUnreadableError(path, str(exc))


def needs_migration(path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> bool:
    """An existing cache file at an older schema (read without writing anything)."""
    if not path.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10.0)
    except sqlite3.Error:
        return False
    try:
        return _user_version(conn) < len(migrations)
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _create_private(path: Path) -> None:
    # Create the file ourselves with mode 0600 before SQLite does: it holds customer names and
    # emails. SQLite gives the -wal and -shm files the main file's permissions.
    if not _POSIX:
        path.touch(exist_ok=True)
        return
    fd = open_fd(path, os.O_RDWR | os.O_CREAT)  # refuses a symlink planted as the cache file
    os.close(fd)
    for suffix in ("-wal", "-shm", "-journal"):  # SQLite opens these itself
        refuse_symlink(Path(f"{path}{suffix}"))


def _private_sidecars(path: Path) -> None:
    if not _POSIX:
        return
    for suffix in ("-wal", "-shm"):
        sidecar = Path(f"{path}{suffix}")
        if sidecar.exists():
            sidecar.chmod(0o600)


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:  # e.g. "file is not a database"
        if is_disk_full(exc):  # a full disk is not a damaged file: never advise moving it
            raise CacheDiskFullError(path, str(exc)) from exc
        raise CacheCorruptError(path, str(exc)) from exc
    problems = [str(r[0]) for r in rows if r[0] != "ok"]
    if problems:
        raise CacheCorruptError(path, "; ".join(problems[:3]))


def _migrate(db: sqlite_utils.Database, path: Path, migrations: Sequence[Migration]) -> None:
    current = _user_version(db.conn)
    target = len(migrations)
    if current > target:
        raise CacheTooNewError(path, current, target)
    if current == target:
        return
    if current > 0:
        backup = backup_path(path, current)
        _backup(db.conn, backup)
        log.info("cache schema v%d -> v%d; backup at %s", current, target, backup)
    for version in range(current, target):
        # Each step and its version number commit together: a crash mid-way resumes from there.
        with db.atomic():
            migrations[version](db)
            db.execute(f"PRAGMA user_version = {version + 1:d}")


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.bak-v{version}")


def _backup(conn: sqlite3.Connection, target: Path) -> None:
    target.unlink(missing_ok=True)
    _create_private(target)
    dest = sqlite3.connect(str(target))
    try:
        conn.backup(dest)
    finally:
        dest.close()
