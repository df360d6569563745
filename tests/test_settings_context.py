"""One context for window and CLI: a release status chosen in the window is the one the
headless `release` and `shipments receive --release` use, with no --data-dir anywhere."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backorder_desktop.app import build_shell
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.services.context import open_context
from backorder_desktop.ui.dialogs.settings import SettingsDialog
from backorder_desktop.ui.shell import AppShell
from tests.support.cli import run_cli

AWAITING_FULFILLMENT = 11


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The platform's default folders, moved under tmp_path (the CLI subprocess inherits it)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    return tmp_path


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=5) as demo:
        yield demo


@pytest.fixture
def shell(qtbot: Any, home: Path) -> Iterator[AppShell]:
    context = open_context(argparse.Namespace(data_dir=None))  # as app.run_gui does
    app_shell = build_shell(context, interactive=False)
    qtbot.addWidget(app_shell.window)
    yield app_shell
    app_shell.stop()


def test_release_status_chosen_in_the_window_is_used_by_the_cli_without_data_dir(
    qtbot: Any, home: Path, shell: AppShell, store: DemoStore
) -> None:
    dialog = SettingsDialog(shell.settings, [], shell.window)
    dialog.release.setCurrentIndex(dialog.release.findData(AWAITING_FULFILLMENT))
    with qtbot.waitSignal(shell.controller.settings_saved):
        shell.controller.save_settings(dialog.result_settings())
    assert shell.settings is shell.controller.settings  # one live copy
    assert shell.controller.settings.release_status_id == AWAITING_FULFILLMENT
    folder = shell.settings_folder
    saved = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
    assert saved["release_status_id"] == AWAITING_FULFILLMENT
    assert folder.is_relative_to(home / "config-home")

    base = ["--api-url", store.api_url, "--store-hash", store.store_hash]
    assert run_cli(*base, "sync", token=store.token).code == 0
    # The cache went to the default data dir, not beside the settings.
    assert list((home / "data-home").rglob("*.sqlite"))
    queue = run_cli(*base, "backorders", "--json", token=store.token).json()
    skus = list(dict.fromkeys(line["sku"] for line in queue))
    first, second = skus[0], skus[1]
    waiting = {s: sum(li["qty_waiting"] for li in queue if li["sku"] == s) for s in (first, second)}
    added = run_cli(
        *base,
        "shipments",
        "add",
        "--supplier",
        "Acme",
        "--expected",
        "2031-01-15",
        "--line",
        f"{first}:{waiting[first]}",
        "--line",
        f"{second}:{waiting[second]}",
        "--json",
        token=store.token,
    )
    assert added.code == 0, added.err
    shipment = added.json()["id"]

    received = run_cli(
        *base,
        "shipments",
        "receive",
        shipment,
        "--line",
        f"{first}:{waiting[first]}",
        "--release",
        "--json",
        token=store.token,
    )
    assert received.code == 0, received.err
    released = received.json()["released"]
    assert released
    assert {store.state.orders[o].status_id for o in released} == {AWAITING_FULFILLMENT}

    booked = run_cli(
        *base,
        "shipments",
        "receive",
        shipment,
        "--line",
        f"{second}:{waiting[second]}",
        "--json",
        token=store.token,
    )
    assert booked.code == 0, booked.err
    ready = [o for o in booked.json()["ready_orders"] if o not in released]
    assert ready
    result = run_cli(*base, "release", "--all-ready", "--json", token=store.token)
    assert result.code == 0, result.err
    assert set(ready) <= set(result.json()["released"])
    assert {store.state.orders[o].status_id for o in ready} == {AWAITING_FULFILLMENT}


def test_the_context_is_resolved_once_per_run(home: Path) -> None:
    args = argparse.Namespace(data_dir=None)
    first = open_context(args)
    assert open_context(args) is first
    assert first.data_dir.is_relative_to(home / "data-home")
    assert first.settings_folder.is_relative_to(home / "config-home")
    assert first.log_file is not None and first.log_file.is_relative_to(first.data_dir)
    explicit = open_context(argparse.Namespace(data_dir=str(home / "mine")))
    assert explicit.data_dir == explicit.settings_folder == home / "mine"
