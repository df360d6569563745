"""The Insights tab on the real demo store (pytest-qt, offscreen): charts, clicks, exports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCharts import QAbstractBarSeries
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPalette

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.insights import bucket_of
from backorder_desktop.ui.shell import AppShell
from tests.support.gui import open_and_sync, unnamed_controls

pytestmark = pytest.mark.demo_store(seed=5)


def bar_values(view) -> list[float]:
    series = [s for s in view.chart().series() if isinstance(s, QAbstractBarSeries)]
    assert len(series) == 1
    bars = series[0].barSets()[0]
    return [bars.at(i) for i in range(bars.count())]


def test_a_click_on_an_aging_bar_lists_those_backorders(
    qtbot, shell: AppShell, store: DemoStore, tmp_path: Path
) -> None:
    open_and_sync(qtbot, shell, store)
    window = shell.window
    window.show_tab("insights")
    panel = window.insights_panel
    report = panel.report
    assert report is not None and report.revenue_at_risk > 0
    assert unnamed_controls(panel) == []
    assert f"{report.revenue_at_risk:,.2f}" in panel.summary.text()

    # Aging by units: one bar per bucket, the report's figures.
    panel.measure.setCurrentIndex(panel.measure.findData("Units"))
    assert bar_values(panel.aging_chart) == [b.units for b in report.aging]

    # Click the tallest bar, where it is drawn on screen.
    index = max(range(len(report.aging)), key=lambda i: report.aging[i].units)
    bucket = report.aging[index]
    chart = panel.aging_chart.chart()
    series = chart.series()[0]
    qtbot.waitUntil(lambda: chart.plotArea().width() > 0)
    at = chart.mapToPosition(QPointF(index, bucket.units / 2), series)
    point = panel.aging_chart.mapFromScene(chart.mapToScene(at))
    qtbot.mouseClick(panel.aging_chart.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(point))

    assert window.tabs.currentWidget() is window.backorders_panel
    view = window.backorders
    shown = view.visible_rows()
    assert len(shown) == bucket.lines > 0
    assert all(bucket_of(row.days_waiting) == bucket.bucket for row in shown)
    assert sum(row.line.qty_waiting for row in shown) == bucket.units
    assert view.filter_box.currentText() == f"Waiting {bucket.bucket} days"
    # Back to every row with the filter box, as with any quick filter.
    view.filter_box.setCurrentIndex(0)
    assert len(view.visible_rows()) == len(shell.controller.last_rows.backorders)

    # A supplier row opens that supplier's shipments.
    window.show_tab("insights")
    card = next(c for c in report.suppliers if c.on_time_rate is not None)
    panel.suppliers.cellClicked.emit(report.suppliers.index(card), 0)
    assert window.tabs.currentWidget() is window.shipments_panel
    rows = window.shipments.visible_rows()
    assert rows and all(r.supplier_id == card.supplier_id for r in rows)

    # Exports: the charts as a PNG, the figures as CSV.
    png = panel.export_png(tmp_path / "insights.png")
    assert png is not None and not QImage(str(png)).isNull()
    exported = panel.export_csv(tmp_path / "figures.csv")
    assert exported is not None
    with exported.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert ["aging", bucket.bucket, "units", str(bucket.units)] in table


def test_charts_follow_a_dark_palette(qtbot, shell: AppShell, store: DemoStore) -> None:
    open_and_sync(qtbot, shell, store)
    panel = shell.window.insights_panel
    app = QGuiApplication.instance()
    old = app.palette()
    dark = QPalette(old)
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.Base, "#2b2b2b"),
        (QPalette.ColorRole.Text, "#e8e8e8"),
    ):
        dark.setColor(role, colour)
    try:
        app.setPalette(dark)  # while another tab is shown: the charts redraw when shown
        shell.window.show_tab("insights")
        chart = panel.aging_chart.chart()
        qtbot.waitUntil(lambda: chart.backgroundBrush().color().name() == "#2b2b2b")
        assert chart.titleBrush().color().name() == "#e8e8e8"
        bars = chart.series()[0].barSets()[0]
        assert bars.color().lightness() > 128  # light bars on the dark background
    finally:
        app.setPalette(old)
