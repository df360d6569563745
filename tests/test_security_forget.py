"""Forget a store: its token, the mail password and its cache go; so on uninstall (issue 18)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from backorder_desktop.cli import parse_args, run
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.credentials import (
    get_smtp_password,
    get_token,
    save_smtp_password,
    save_token,
)
from backorder_desktop.services.paths import cache_path
from backorder_desktop.services.settings import Settings, StoreEntry, load_settings, save_settings
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import open_and_sync
from tests.support.memory_keyring import MemoryKeyring

ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.demo_store(seed=3, products=12, orders=4)


def test_file_forget_this_store_deletes_token_password_and_cache(
    qtbot: Any, shell: AppShell, store: DemoStore, fresh_keychain: MemoryKeyring
) -> None:
    shell.settings.smtp_host, shell.settings.smtp_user = "smtp.example.com", "shop"
    save_token(store.store_hash, store.token)
    save_smtp_password("smtp.example.com", "shop", "mail-secret")
    open_and_sync(qtbot, shell, store)
    cache = cache_path(shell.data_dir, store.store_hash)
    assert cache.exists()

    asked: list[tuple[str, bool]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        # Irreversible: Enter must not confirm it.
        asked.append((box.text(), box.defaultButton() is box.button(QMessageBox.StandardButton.No)))
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(0, answer)
    action = next(a for a in shell.window.actions() if a.text() == "Forget this store…")
    with qtbot.waitSignal(shell.store_forgotten, timeout=10_000):
        action.trigger()

    assert asked and "Test store" in asked[0][0] and asked[0][1] is True
    assert get_token(store.store_hash) is None
    assert get_smtp_password("smtp.example.com", "shop") == ""
    assert fresh_keychain._store == {}
    assert not cache.exists() and not Path(f"{cache}-wal").exists()
    saved, _ = load_settings(shell.settings_folder)
    assert saved.stores == [] and saved.current_store is None
    assert shell.window.products.model.rowCount() == 0


def test_forget_keeps_the_mail_password_while_another_store_remains(
    tmp_path: Path, fresh_keychain: MemoryKeyring
) -> None:
    settings = Settings(smtp_host="smtp.example.com", smtp_user="shop")
    settings.add_store(StoreEntry("abc123", "https://api.bigcommerce.com", "A"))
    settings.add_store(StoreEntry("def456", "https://api.bigcommerce.com", "B"))
    save_settings(tmp_path, settings)
    for store_hash in ("abc123", "def456", "zzz999"):
        save_token(store_hash, f"token-{store_hash}")
        path = cache_path(tmp_path, store_hash)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"cache")
    save_smtp_password("smtp.example.com", "shop", "mail-secret")

    args = parse_args(["--data-dir", str(tmp_path), "--store-hash", "abc123", "forget"])
    assert run(args) == 0
    assert get_token("abc123") is None and get_token("def456") == "token-def456"
    assert get_smtp_password("smtp.example.com", "shop") == "mail-secret"
    assert not cache_path(tmp_path, "abc123").exists()

    # The uninstaller's command: every store it knows (settings and cache files) and the password.
    assert run(parse_args(["--data-dir", str(tmp_path), "forget", "--all", "--json"])) == 0
    assert fresh_keychain._store == {}
    assert not list((tmp_path / "stores").glob("*.sqlite"))
    assert json.loads((tmp_path / "settings.json").read_text())["stores"] == []


def test_the_windows_uninstaller_forgets_before_removing_the_program() -> None:
    code = (ROOT / "packaging" / "windows" / "backorder-desktop.iss").read_text(encoding="utf-8")
    code = code.split("[Code]", 1)[1]
    before_files_go = code.split("usUninstall then", 1)[1].split("usPostUninstall", 1)[0]
    assert re.search(
        r"Exec\(ExpandConstant\('\{app\}\\\{#AppExeName\}'\), 'forget --all'", before_files_go
    )
    assert "DelTree" in code.split("usPostUninstall", 1)[1]
    assert parse_args(["forget", "--all"]).all is True
