"""Opening the cache file: permissions, WAL, migrations with backup, integrity errors."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
import sqlite_utils

from backorder_desktop.cache import (
    CacheCorruptError,
    CacheTooNewError,
    backup_path,
    open_cache,
)
from backorder_desktop.cache.schema import MIGRATIONS
from backorder_desktop.domain.models import Product
from tests.support.outbox import enqueue_request

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX only")


def _product(i: int, name: str = "") -> Product:
    return Product(
        id=i,
        name=name or f"Product {i}",
        sku=f"SKU-{i}",
        inventory_tracking="variant",
        availability="available",
        price=9.5,
    )


def test_creates_parent_folder_wal_foreign_keys_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "store.sqlite"
    with open_cache(path) as cache:
        assert path.exists()
        assert cache.db.journal_mode == "wal"
        assert cache.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert cache.schema_version == len(MIGRATIONS)
        tables = set(cache.db.table_names())
        assert {"products", "variants", "inventory", "orders", "order_lines"} <= tables
        assert {"outbox", "ledger", "sync_state", "app_state"} <= tables


@posix_only
def test_database_and_its_wal_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with open_cache(path) as cache:
        cache.products.replace_all([_product(1)])  # forces -wal and -shm into existence
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert name.exists(), name
            assert stat.S_IMODE(name.stat().st_mode) == 0o600, name


@posix_only
def test_existing_world_readable_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    open_cache(path).close()
    path.chmod(0o644)
    open_cache(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_reopening_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with open_cache(path) as cache:
        cache.products.replace_all([_product(1, "Café crème <small>")])
    with open_cache(path) as cache:
        assert [p.name for p in cache.products.all()] == ["Café crème <small>"]


def _add_notes_table(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    db.execute("INSERT INTO notes (text) SELECT name FROM products")


def test_migration_backs_up_old_file_first_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with open_cache(path) as cache:
        cache.products.replace_all([_product(1, "Old")])
        enqueue_request(cache.outbox, "b1", "test", "PUT", "/v3/catalog/products", [{"id": 1}])

    with open_cache(path, migrations=[*MIGRATIONS, _add_notes_table]) as cache:
        assert cache.schema_version == len(MIGRATIONS) + 1
        assert [r["text"] for r in cache.db.table("notes").rows] == ["Old"]
        assert cache.outbox.counts()["pending"] == 1  # durable data survived

    backup = backup_path(path, len(MIGRATIONS))
    assert backup.name == f"store.sqlite.bak-v{len(MIGRATIONS)}"
    old = sqlite3.connect(backup)
    try:
        assert old.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert old.execute("SELECT name FROM products").fetchall() == [("Old",)]
        assert "notes" not in {r[0] for r in old.execute("SELECT name FROM sqlite_master")}
    finally:
        old.close()
    if os.name == "posix":
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_new_file_needs_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    open_cache(path).close()
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == []


def test_failed_migration_leaves_the_file_at_its_old_version(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with open_cache(path) as cache:
        cache.products.replace_all([_product(1)])

    def broken(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE half_done (id INTEGER)")
        raise RuntimeError("migration bug")

    with pytest.raises(RuntimeError, match="migration bug"):
        open_cache(path, migrations=[*MIGRATIONS, broken])
    with open_cache(path) as cache:
        assert cache.schema_version == len(MIGRATIONS)
        assert "half_done" not in cache.db.table_names()
        assert cache.products.count() == 1


def test_file_from_a_newer_app_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    open_cache(path, migrations=[*MIGRATIONS, _add_notes_table]).close()
    with pytest.raises(CacheTooNewError) as info:
        open_cache(path)
    assert str(path) in info.value.message
    assert "Update the app" in info.value.message
    assert (info.value.found, info.value.known) == (len(MIGRATIONS) + 1, len(MIGRATIONS))


def test_file_that_is_not_a_database_raises_corrupt_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 200)
    with pytest.raises(CacheCorruptError) as info:
        open_cache(path)
    assert str(path) in str(info.value)
    assert info.value.path == path


def test_damaged_pages_raise_corrupt_error(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with open_cache(path) as cache:
        cache.products.replace_all([_product(i, f"Product {i} " * 20) for i in range(2000)])
        cache.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > page * 20
    for offset in range(page * 5, page * 20, 7):
        data[offset] = 0xAB
    path.write_bytes(bytes(data))
    with pytest.raises(CacheCorruptError) as info:
        open_cache(path)
    assert str(path) in info.value.message
    assert "sync again" in info.value.message
