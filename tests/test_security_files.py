"""Files: no symlink is followed, unsafe data dirs are refused, exports are private (issue 18)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from backorder_desktop.cache import open_cache
from backorder_desktop.cache.private_files import UnsafePathError
from backorder_desktop.services.instance import DataDirLock
from backorder_desktop.services.logs import setup_logging
from backorder_desktop.services.settings import Settings, load_settings, save_settings
from tests.support.cli import run_cli

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and O_NOFOLLOW")

PRECIOUS = "the user's own file: must stay as it is\n"


def _plant(link: Path, tmp_path: Path) -> Path:
    """A symlink at `link` to a file elsewhere that another user would like us to write."""
    target = tmp_path / "elsewhere" / f"{link.name}.target"
    target.parent.mkdir(exist_ok=True)
    target.write_text(PRECIOUS)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    return target


def test_lock_cache_settings_and_log_files_never_follow_a_symlink(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)

    lock_target = _plant(data / "instance.lock", tmp_path)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        DataDirLock(data).acquire()

    cache_target = _plant(data / "stores" / "abc123.sqlite", tmp_path)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        open_cache(data / "stores" / "abc123.sqlite")
    wal_target = _plant(data / "stores" / "def456.sqlite-wal", tmp_path)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        open_cache(data / "stores" / "def456.sqlite")

    settings_target = _plant(data / "settings.json", tmp_path)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        load_settings(data)
    assert (data / "settings.json").is_symlink()  # not moved aside as "corrupt"
    save_settings(data, Settings(smtp_host="smtp.example.com"))  # replaces the link, not its target
    assert not (data / "settings.json").is_symlink()

    log_target = _plant(data / "logs" / "backorder-desktop.log", tmp_path)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        setup_logging(data / "logs")

    for target in (lock_target, cache_target, wal_target, settings_target, log_target):
        assert target.read_text() == PRECIOUS


def test_a_data_dir_others_can_write_or_another_user_owns_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    result = run_cli("--data-dir", str(shared), "--demo", "status")
    assert result.code == 1
    assert "can be changed by other users" in result.err and "chmod 700" in result.err
    assert list(shared.iterdir()) == []  # nothing written there

    if os.geteuid() != 0:
        pytest.skip("handing a folder to another user needs root")
    foreign = tmp_path / "foreign"
    foreign.mkdir(mode=0o700)
    os.chown(foreign, 4242, 4242)
    result = run_cli("--data-dir", str(foreign), "--demo", "status")
    assert result.code == 1 and "belongs to another user" in result.err
    assert list(foreign.iterdir()) == []

    # The window refuses it too (headless run: the message on stderr, exit 1).
    window = run_cli("--data-dir", str(shared), "--smoke-test")
    assert window.code == 1 and "can be changed by other users" in window.err


def test_exports_and_pick_lists_are_readable_by_the_user_only(tmp_path: Path, qtbot) -> None:
    from backorder_desktop.services.exports import write_csv_file
    from backorder_desktop.ui.picklist_print import save_pdf

    old_umask = os.umask(0o022)
    try:
        csv_path = write_csv_file(tmp_path / "view.csv", [["sku"], ["A-1"]])
        existing = tmp_path / "old.pdf"
        existing.write_bytes(b"old")
        existing.chmod(0o644)
        pdf = save_pdf("<p>Pick list</p>", existing)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(csv_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert pdf.read_bytes().startswith(b"%PDF")
