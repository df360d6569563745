"""`doctor` on the demo store set up right, and set up each wrong way: it reports what is wrong,
says what to do, reads only, and leaves secrets and customer data out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.accounts import ALL_SCOPES
from backorder_desktop.domain.models import METAFIELD_NAMESPACE
from backorder_desktop.services.sync_control.doctor import DoctorReport, run_doctor
from backorder_desktop.ui.dialogs.store_check import StoreCheckDialog
from backorder_desktop.ui.shell import AppShell
from tests.support.cli import run_cli
from tests.support.demo_store_http import DemoApi
from tests.support.gui import SYNC_TIMEOUT_MS, make_shell, open_and_sync

CHECKS = {
    "scope: Products",
    "scope: Store Inventory",
    "scope: Store Locations",
    "scope: Orders",
    "scope: Information & Settings",
    "native backorders",
    "locations",
    "products tracked by product",
    "app records of other API accounts",
    "API rate limit",
    "clock",
}


def doctor(store: DemoStore) -> DoctorReport:
    with BigCommerceClient(store.api_url, store.store_hash, store.token) as client:
        return run_doctor(client)


def failing(report: DoctorReport) -> dict[str, Any]:
    return {c.name: c for c in report.checks if not c.ok}


def test_a_healthy_store_passes_every_check_and_the_cli_exits_0(tmp_path: Path) -> None:
    with DemoStore(seed=2, products=40, orders=30) as store:
        result = run_cli(
            "--data-dir", str(tmp_path), "--api-url", store.api_url,
            "--store-hash", store.store_hash, "doctor", "--json", token=store.token,
        )  # fmt: skip
        writes = [r for r in store.requests if r.method != "GET"]
        emails = {c.email for c in store.state.customers.values()}
    assert result.code == 0, result.out + result.err
    doc = result.json()
    assert doc["ok"] is True
    assert {c["name"] for c in doc["checks"]} == CHECKS
    assert all(set(c) == {"name", "ok", "found", "advice"} for c in doc["checks"])
    found = {c["name"]: c["found"] for c in doc["checks"]}
    assert found["native backorders"].startswith("on; fields seen:")
    assert "settings.backorder_limit" in found["native backorders"]
    assert "qty_backordered" in found["native backorders"]
    assert "default: Main warehouse (id 1)" in found["locations"]
    assert "(3 with options)" in found["products tracked by product"]
    assert found["API rate limit"].startswith("150 requests per 30 s")
    assert writes == []  # read-only
    assert store.token not in result.out and not any(e in result.out for e in emails)
    assert not (tmp_path / "stores").exists() or not any((tmp_path / "stores").iterdir())


def test_missing_scopes_are_named_with_what_to_do(tmp_path: Path) -> None:
    scopes = ALL_SCOPES - {"store_locations", "store_v2_orders"}
    with DemoStore(seed=2, products=40, orders=30, scopes=scopes) as store:
        result = run_cli(
            "--data-dir", str(tmp_path), "--api-url", store.api_url,
            "--store-hash", store.store_hash, "doctor", token=store.token,
        )  # fmt: skip
    assert result.code == 1
    assert "[!!] scope: Store Locations: missing" in result.out
    assert "set Store Locations to read-only" in result.out
    assert "[!!] scope: Orders: missing" in result.out
    assert "[ok] scope: Products: present" in result.out


@pytest.fixture
def small() -> Iterator[dict[str, Any]]:
    yield {"seed": 2, "products": 40, "orders": 30}


def test_native_backorders_off_is_reported(small: dict[str, Any]) -> None:
    with DemoStore(**small, native_backorders=False) as store:
        report = doctor(store)
    bad = failing(report)
    assert set(bad) == {"native backorders"}
    assert bad["native backorders"].found == "off; no backorder fields seen"
    assert "Settings > Inventory" in bad["native backorders"].advice


def test_another_accounts_app_records_are_reported(small: dict[str, Any]) -> None:
    with DemoStore(**small) as store:
        other = store.add_account("a-second-api-account-1234")
        order = next(iter(store.state.orders))
        with DemoApi(store, token=other) as api:
            body = [
                {
                    "resource_id": order,
                    "namespace": METAFIELD_NAMESPACE,
                    "key": "notices",
                    "value": "[]",
                    "permission_set": "write",
                }
            ]
            assert api.post("/v3/orders/metafields", body).status_code == 200
        report = doctor(store)
        with BigCommerceClient(store.api_url, store.store_hash, other) as client:
            from_b = run_doctor(client, own_client_id="a-second-api-account-1234")
    bad = failing(report)
    assert set(bad) == {"app records of other API accounts"}
    found = bad["app records of other API accounts"].found
    assert "from 2 API accounts" in found and "…t-1234 (1)" in found
    assert "one API account" in bad["app records of other API accounts"].advice
    # From the second account's side, the first account's records are the others.
    assert "app records of other API accounts" in failing(from_b)


def test_a_low_rate_limit_and_a_wrong_clock_are_reported(small: dict[str, Any]) -> None:
    with DemoStore(**small, rate_limit=(60, 30.0)) as store:
        store.clock_skew_s = -600.0  # the store's clock says ten minutes earlier
        report = doctor(store)
    bad = failing(report)
    assert set(bad) == {"API rate limit", "clock"}
    assert bad["API rate limit"].found.startswith("60 requests per 30 s")
    seconds = int(bad["clock"].found.split(" ")[3])
    assert 599 <= seconds <= 601  # the Date header has whole seconds
    assert bad["clock"].found.endswith("s ahead of BigCommerce")
    assert "automatically" in bad["clock"].advice


def test_the_default_location_is_the_one_the_store_names(small: dict[str, Any]) -> None:
    with DemoStore(**small, default_location=2) as store:
        report = doctor(store)
    assert report.ok
    found = {c.name: c.found for c in report.checks}
    assert "default: Downtown shop (id 2)" in found["locations"]


def test_help_menu_checks_the_store_off_the_gui_thread(qtbot: Any, tmp_path: Path) -> None:
    shell: AppShell = make_shell(tmp_path / "data")
    qtbot.addWidget(shell.window)
    try:
        with DemoStore(seed=2, products=40, orders=30, native_backorders=False) as store:
            open_and_sync(qtbot, shell, store)
            action = next(
                a
                for a in shell.window.menuBar().actions()[-1].menu().actions()
                if a.text() == "Check store connection…"
            )
            action.trigger()
            dialog = shell.records.store_check_dialog
            assert isinstance(dialog, StoreCheckDialog)
            assert dialog.summary.text().startswith("Checking")  # the GUI did not wait
            qtbot.waitUntil(lambda: dialog.report is not None, timeout=SYNC_TIMEOUT_MS)
        assert dialog.report is not None and not dialog.report.ok
        assert "1 check(s) need attention" in dialog.summary.text()
        assert "[!!] native backorders: off" in dialog.details.toPlainText()
        assert store.token not in dialog.details.toPlainText()
    finally:
        shell.stop()
