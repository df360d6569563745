"""A damaged cache, a full disk and a data dir that cannot be written: clear words, nothing lost."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

import pytest

from backorder_desktop.cache import open_cache
from backorder_desktop.cache.schema import MIGRATIONS
from backorder_desktop.cli import parse_args, run
from backorder_desktop.services.paths import cache_path
from tests.support.cli import run_cli

HASH = "abc123"
BASE = ["--api-url", "http://127.0.0.1:9", "--store-hash", HASH]


def _damaged_but_valid_sqlite(data_dir: Path) -> Path:
    """A file SQLite's integrity check accepts, at the current schema version, without the
    app's tables (as a stray tool or a bad restore could leave it)."""
    path = cache_path(data_dir, HASH)
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE something_else (x INTEGER)")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("command", ["status", "backorders"])
def test_a_damaged_file_that_passes_the_check_gives_a_clear_error(
    tmp_path: Path, command: str
) -> None:
    path = _damaged_but_valid_sqlite(tmp_path)
    result = run_cli("--data-dir", str(tmp_path), *BASE, command, token="t" * 31)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "cannot be read as Backorder Desktop expects" in result.err
    assert "Keep the file" in result.err
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"something_else"}  # kept as it was: nothing dropped or rebuilt


def _args(tmp_path: Path, command: str) -> argparse.Namespace:
    return parse_args(["--data-dir", str(tmp_path), *BASE, command])


def test_a_full_disk_is_called_a_full_disk_and_the_file_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _args(tmp_path, "push")

    def full(_args: argparse.Namespace) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    args.handler = full
    assert run(args) == 1
    err = capsys.readouterr().err
    assert "disk" in err and "is full" in err and "Nothing was lost" in err
    assert "damaged" not in err and "move" not in err.replace("do not move", "")


def test_read_only_commands_run_where_the_log_folder_cannot_be_made(tmp_path: Path) -> None:
    with open_cache(cache_path(tmp_path, HASH)):
        pass  # an empty but valid cache
    # The data dir cannot take a log folder (a read-only folder or share; as root, a file
    # where the folder would be does the same).
    (tmp_path / "logs").write_text("not a folder")
    status = run_cli("--data-dir", str(tmp_path), *BASE, "status", "--json", token="t" * 31)
    assert status.code == 0, status.err
    assert status.json()["outbox"]["pending"] == 0
    writer = run_cli("--data-dir", str(tmp_path), *BASE, "push", token="t" * 31)
    assert writer.code == 1  # a writing command still says it cannot log or lock there


def test_status_takes_the_lock_before_migrating_and_reads_freely_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backorder_desktop.services.instance import DataDirLock

    path = cache_path(tmp_path, HASH)
    with open_cache(path, migrations=MIGRATIONS[:-1]):
        pass  # a cache written by the previous version
    monkeypatch.setenv("BACKORDER_LOCK_WAIT_S", "0.3")
    window = DataDirLock(tmp_path).hold()  # the window (a writer) holds the data dir
    try:
        waited = run_cli("--data-dir", str(tmp_path), *BASE, "status", token="t" * 31)
        assert waited.code == 1 and "Traceback" not in waited.err
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) - 1
        conn.close()  # not migrated under the window's feet
    finally:
        window.release()
    done = run_cli("--data-dir", str(tmp_path), *BASE, "status", "--json", token="t" * 31)
    assert done.code == 0, done.err
    window = DataDirLock(tmp_path).hold()
    try:  # migrated now: a reader runs beside the window again
        beside = run_cli("--data-dir", str(tmp_path), *BASE, "status", token="t" * 31)
        assert beside.code == 0, beside.err
    finally:
        window.release()
