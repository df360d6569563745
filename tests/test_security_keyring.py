"""Only an OS keychain stores secrets; without one they stay in memory, and the app says so."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends.chainer import ChainerBackend
from keyrings.alt.file import PlaintextKeyring

from backorder_desktop.services import credentials
from backorder_desktop.services.credentials import (
    KeychainUnavailableError,
    delete_token,
    get_smtp_password,
    get_token,
    keychain_usable,
    save_smtp_password,
    save_token,
)
from tests.support.cli import files_containing, run_cli
from tests.support.gui import make_shell
from tests.support.memory_keyring import MemoryKeyring

TOKEN = "tok-0123456789-plaintext-must-never-hold-this"
PASSWORD = "smtp-pass-!-never-in-a-file"


@pytest.fixture
def plaintext(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlaintextKeyring]:
    """keyrings.alt's plaintext backend as the configured keyring, its file under tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "xdg" / "python_keyring" / "keyring_pass.cfg")
    # It works as a keyring (this is what the app used to do with it): a file with the secret.
    backend.set_password("probe", "probe", "probe-value")
    assert Path(backend.file_path).exists()
    Path(backend.file_path).unlink()
    keyring.set_keyring(backend)
    yield backend


def test_a_plaintext_keyring_is_refused_and_secrets_stay_in_memory(
    plaintext: PlaintextKeyring, tmp_path: Path
) -> None:
    assert not keychain_usable()
    with pytest.raises(KeychainUnavailableError, match="kept in memory for this session only"):
        save_token("abc123", TOKEN)
    with pytest.raises(KeychainUnavailableError, match="keyrings.alt.file.PlaintextKeyring"):
        save_smtp_password("smtp.example.com", "shop", PASSWORD)
    # Usable for the rest of this session...
    assert get_token("abc123") == TOKEN
    assert get_smtp_password("smtp.example.com", "shop") == PASSWORD
    # ...and written nowhere.
    assert not Path(plaintext.file_path).exists()
    assert files_containing(tmp_path, TOKEN) == []
    assert files_containing(tmp_path, PASSWORD) == []
    assert plaintext.get_password(credentials.SERVICE, "token:abc123") is None
    assert delete_token("abc123") is True and get_token("abc123") is None


def test_the_chainer_uses_only_its_os_keychain_member(
    plaintext: PlaintextKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trusted = MemoryKeyring()
    # keyring's chainer tries every viable backend by priority: a keychain that refuses a
    # write would let the plaintext file take it.
    monkeypatch.setattr(ChainerBackend, "backends", [plaintext, trusted])
    keyring.set_keyring(ChainerBackend())
    assert keychain_usable()
    save_token("abc123", TOKEN)
    assert trusted.get_password(credentials.SERVICE, "token:abc123") == TOKEN
    assert not Path(plaintext.file_path).exists()

    monkeypatch.setattr(ChainerBackend, "backends", [plaintext])
    keyring.set_keyring(ChainerBackend())
    assert not keychain_usable()
    with pytest.raises(KeychainUnavailableError):
        save_token("def456", TOKEN)
    assert files_containing(tmp_path, TOKEN) == []


def test_the_command_line_says_why_no_token_is_stored(tmp_path: Path) -> None:
    env = {
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "HOME": str(tmp_path / "home"),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        result = run_cli("--data-dir", str(tmp_path / "data"), "--store-hash", "abc123", "sync")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert result.code == 1
    assert "not an OS keychain" in result.err and "kept in memory" in result.err
    assert "Traceback" not in result.err


@pytest.fixture
def shell(qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    app_shell = make_shell(tmp_path / "data")
    qtbot.addWidget(app_shell.window)
    yield app_shell
    app_shell.stop()


def test_the_window_says_secrets_are_kept_in_memory(
    qtbot: Any, plaintext: PlaintextKeyring, shell: Any
) -> None:
    shell.start(demo=False)  # the keychain is asked off the GUI thread; the answer follows
    qtbot.waitUntil(
        lambda: "kept in memory for this session only" in shell.window.statusBar().currentMessage()
    )
