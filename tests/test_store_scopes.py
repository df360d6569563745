"""OAuth scopes as BigCommerce enforces them: the demo store's 403, and the app naming the
missing scope as the control panel shows it, in the CLI, the window and the connect dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backorder_desktop.bigcommerce import BigCommerceClient, scopes
from backorder_desktop.bigcommerce.reads import SCOPE_PROBES
from backorder_desktop.cli.parser import build_parser
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.accounts import ALL_SCOPES, SCOPE_403, SCOPES, required_scope
from backorder_desktop.services.sync_control.connect import check_store_access
from backorder_desktop.ui.dialogs.connect import ConnectDialog
from backorder_desktop.ui.shell import AppShell
from tests.support.cli import run_cli
from tests.support.demo_store_http import DemoApi
from tests.support.gui import SYNC_TIMEOUT_MS
from tests.support.openapi import require_specs

CONTROL_PANEL_NAMES = tuple(SCOPES)  # Products, Orders, Information & Settings, Store Inventory...


def without(scope: str) -> frozenset[str]:
    """Every scope but this one (neither modify nor read-only)."""
    return frozenset(ALL_SCOPES - set(SCOPES[scope]))


@pytest.fixture(scope="module")
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=3, products=30, orders=20) as demo:
        yield demo


def test_the_demo_store_answers_bigcommerces_403_for_a_missing_scope(store: DemoStore) -> None:
    require_specs()
    store.set_scopes(without("Store Locations"))
    try:
        with DemoApi(store, validate=True) as api:
            refused = api.get("/v3/inventory/locations")
            assert refused.status_code == 403
            assert refused.json()["title"] == SCOPE_403
            # The rest of the Inventory API needs Store Inventory, which the token has.
            assert api.get("/v3/inventory/items", limit=1).status_code == 200
            assert api.get("/v3/inventory/locations/1/items", limit=1).status_code == 200
        store.set_scopes({"store_v2_orders_read_only"})
        with DemoApi(store, validate=True) as api:
            assert api.get("/v2/order_statuses").status_code == 200  # read-only reads
            order = next(iter(store.state.orders))
            changed = api.put(f"/v2/orders/{order}", {"staff_notes": "x"})
            assert changed.status_code == 403  # ...but does not modify
            assert changed.json() == [{"status": 403, "message": SCOPE_403}]
    finally:
        store.set_scopes(ALL_SCOPES)


def test_demo_store_scopes_option_parses_bigcommerces_parameters() -> None:
    args = build_parser().parse_args(
        ["demo-store", "--scopes", "store_v2_products,store_locations_read_only"]
    )
    assert args.scopes == {"store_v2_products", "store_locations_read_only"}
    with pytest.raises(SystemExit):
        build_parser().parse_args(["demo-store", "--scopes", "store_everything"])


def test_each_probe_needs_exactly_its_scope() -> None:
    for scope, _, path in SCOPE_PROBES:
        assert scopes.scope_for(path) == scope == required_scope(path)
    assert {scope for scope, _, _ in SCOPE_PROBES} == set(CONTROL_PANEL_NAMES)


@pytest.mark.parametrize("missing", CONTROL_PANEL_NAMES)
def test_the_connect_check_names_exactly_the_missing_scope(store: DemoStore, missing: str) -> None:
    store.set_scopes(without(missing))
    try:
        with BigCommerceClient(store.api_url, store.store_hash, store.token) as client:
            report = check_store_access(client)
    finally:
        store.set_scopes(ALL_SCOPES)
    assert report.missing_scopes == [missing]
    assert missing in report.summary()


@pytest.mark.parametrize("missing", CONTROL_PANEL_NAMES)
def test_the_cli_names_the_missing_scope_as_the_control_panel_shows_it(
    store: DemoStore, tmp_path: Path, missing: str
) -> None:
    store.set_scopes(without(missing))
    try:
        result = run_cli(
            "--data-dir",
            str(tmp_path),
            "--api-url",
            store.api_url,
            "--store-hash",
            store.store_hash,
            "sync",
            token=store.token,
        )
    finally:
        store.set_scopes(ALL_SCOPES)
    assert result.code == 1, result.out
    assert f'"{missing}" scope' in result.err
    assert "/v3/" not in result.err and "/v2/" not in result.err  # no endpoint paths


def test_the_window_names_the_missing_scope(qtbot: Any, shell: AppShell, store: DemoStore) -> None:
    from backorder_desktop.services.settings import StoreEntry

    store.set_scopes(without("Store Locations"))
    try:
        entry = StoreEntry(store.store_hash, store.api_url, "Shop")
        shell.settings.add_store(entry)
        with qtbot.waitSignal(shell.controller.sync_failed, timeout=SYNC_TIMEOUT_MS) as failed:
            shell.controller.open_store(entry, store.token)
    finally:
        store.set_scopes(ALL_SCOPES)
    message = failed.args[0]
    assert '"Store Locations" scope (read-only)' in message
    assert "/v3/inventory/locations" not in message


def test_the_connect_dialog_lists_missing_scopes(
    qtbot: Any, shell: AppShell, store: DemoStore
) -> None:
    store.set_scopes(without("Store Locations") & without("Orders"))
    try:
        dialog = ConnectDialog(shell.runner)
        qtbot.addWidget(dialog)
        texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.result)))
        assert "Store Locations set to read-only" in texts
        assert "same API account" in texts
        dialog.store_hash.setText(store.store_hash)
        dialog.token_edit.setText(store.token)
        dialog.api_url.setText(store.api_url)
        dialog.run_test()
        qtbot.waitUntil(lambda: dialog.last_report is not None, timeout=SYNC_TIMEOUT_MS)
    finally:
        store.set_scopes(ALL_SCOPES)
    assert dialog.last_report is not None
    assert dialog.last_report.missing_scopes == ["Store Locations", "Orders"]
    assert "Store Locations (read-only), Orders (modify)" in dialog.result.text()
