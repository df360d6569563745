"""The Insights tab: aging, value waiting, top SKUs, scorecards; a click filters the other tabs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.insights import InsightsReport, in_bucket, report_csv_rows
from ...services.exports import write_csv_file
from ..insights_charts import ChartBox
from ..plain_text import PlainLabel

MEASURES = ("Value", "Units", "Lines")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class InsightsPanel(QWidget):
    """Shows an InsightsReport; emits `filter_requested(tab, label, predicate)` on a click."""

    filter_requested = Signal(str, str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: InsightsReport | None = None
        self._drawn = True  # nothing to draw yet

        self.measure = QComboBox(self)
        self.measure.setAccessibleName(self.tr("Aging measure"))
        for name in MEASURES:
            self.measure.addItem(self.tr(name), name)
        self.measure.currentIndexChanged.connect(lambda _i: self._show_aging())
        self.png_button = QPushButton(self.tr("Save charts as PNG…"), self)
        self.png_button.setAccessibleName(self.tr("Save charts as PNG"))
        self.png_button.clicked.connect(lambda: self.export_png())
        self.csv_button = QPushButton(self.tr("Export figures as CSV…"), self)
        self.csv_button.setAccessibleName(self.tr("Export figures as CSV"))
        self.csv_button.clicked.connect(lambda: self.export_csv())
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 6, 6, 0)
        bar.addWidget(PlainLabel(self.tr("Aging by:"), self))
        bar.addWidget(self.measure)
        bar.addStretch(1)
        bar.addWidget(self.png_button)
        bar.addWidget(self.csv_button)

        self.summary = PlainLabel(self.tr("Sync the store to see insights."), self)
        self.summary.setAccessibleName(self.tr("Insights summary"))
        self.summary.setWordWrap(True)

        self.aging_chart = ChartBox(self.tr("Backorders by days waiting"), self.tr("Aging chart"))
        self.value_chart = ChartBox(self.tr("Value waiting over time"), self.tr("Value chart"))
        self.sku_chart = ChartBox(self.tr("Top backordered SKUs (units)"), self.tr("SKU chart"))
        self.suppliers = self._table(
            self.tr("Supplier scorecards"),
            [self.tr("Supplier"), self.tr("On time"), self.tr("Fill rate"), self.tr("Avg delay")],
        )
        self.overdue = self._table(
            self.tr("Overdue shipments"),
            [self.tr("Reference"), self.tr("Supplier"), self.tr("Expected"), self.tr("Days late")],
        )
        self.silent = self._table(
            self.tr("Customers not told"),
            [self.tr("Customer"), self.tr("Email"), self.tr("Days silent"), self.tr("Lines")],
        )
        self.suppliers.cellClicked.connect(self._on_supplier_clicked)
        self.overdue.cellClicked.connect(self._on_overdue_clicked)
        self.silent.cellClicked.connect(self._on_silent_clicked)
        self.tables = QTabWidget(self)
        self.tables.setAccessibleName(self.tr("Insights tables"))
        self.tables.addTab(self.suppliers, self.tr("Supplier scorecards"))
        self.tables.addTab(self.overdue, self.tr("Overdue shipments"))
        self.tables.addTab(self.silent, self.tr("Customers not told"))

        self.charts = QWidget(self)
        grid = QGridLayout(self.charts)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.aging_chart, 0, 0)
        grid.addWidget(self.value_chart, 0, 1)
        grid.addWidget(self.sku_chart, 1, 0)
        grid.addWidget(self.tables, 1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        inner = QVBoxLayout()
        inner.setContentsMargins(6, 4, 6, 6)
        inner.addWidget(self.summary)
        inner.addWidget(self.charts, 1)
        layout.addLayout(inner, 1)

    def _table(self, name: str, headers: Sequence[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setAccessibleName(name)
        table.setHorizontalHeaderLabels(list(headers))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setAccessibleName(self.tr("{0} rows").format(name))
        table.horizontalHeader().setAccessibleName(self.tr("{0} columns").format(name))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setToolTip(self.tr("Click a row to open the matching list"))
        return table

    # --- showing ------------------------------------------------------------------------------
    def set_report(self, report: InsightsReport | None) -> None:
        # Charts and tables are drawn when the tab is on screen: every sync brings a report,
        # and drawing one the merchant is not looking at held up the window for ~15 ms.
        self.report = report
        self._drawn = False
        if self.isVisible():
            self._draw()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._drawn:
            self._draw()

    def _draw(self) -> None:
        report = self.report
        self._drawn = True
        if report is None:
            return
        c = report.currency
        self.summary.setText(
            self.tr(
                "<b>Revenue at risk:</b> {0} {1} &nbsp;·&nbsp; <b>Captured on backorder:</b> "
                "{2} {1} &nbsp;·&nbsp; <b>Customers waiting:</b> {3} ({4} told nothing for "
                "more than {5} days) &nbsp;·&nbsp; <b>Overdue shipments:</b> {6}"
            ).format(
                f"{report.revenue_at_risk:,.2f}",
                c,
                f"{report.captured_on_backorder:,.2f}",
                report.customers_waiting,
                report.customers_not_told,
                report.not_told_days,
                len(report.overdue_shipments),
            )
        )
        self._show_aging()
        self.value_chart.set_title(
            self.tr("Value waiting over time ({0}, the last sync of each day)").format(c)
        )
        self.value_chart.show_line([(p.day, p.value) for p in report.history])
        top = list(reversed(report.top_skus))  # horizontal bars draw bottom-up: largest on top
        self.sku_chart.show_bars(
            [t.sku for t in top],
            [t.units for t in top],
            horizontal=True,
            on_click=lambda i: self._filter_sku(top[i].sku),
        )
        self._fill(
            self.suppliers,
            [
                (
                    s.name,
                    _pct(s.on_time_rate),
                    _pct(s.fill_rate),
                    "—" if s.avg_delay_days is None else f"{s.avg_delay_days:.1f} d",
                )
                for s in report.suppliers
            ],
        )
        self._fill(
            self.overdue,
            [
                (s.reference or s.id, s.supplier, s.expected.isoformat(), str(s.days_overdue))
                for s in report.overdue_shipments
            ],
        )
        self._fill(
            self.silent,
            [(p.name, p.email, str(p.days_silent), str(p.lines)) for p in report.silent_customers],
        )

    def changeEvent(self, event: QEvent) -> None:
        # Light/dark switch while the app runs: redraw the charts in the new palette.
        super().changeEvent(event)
        changed = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in changed:
            self.set_report(self.report)

    def _show_aging(self) -> None:
        if self.report is None:
            return
        measure = self.measure.currentData()
        values = [
            round(b.value) if measure == "Value" else b.units if measure == "Units" else b.lines
            for b in self.report.aging
        ]
        buckets = [b.bucket for b in self.report.aging]
        what = {
            "Value": self.tr("value waiting ({0})").format(self.report.currency),
            "Units": self.tr("units waiting"),
            "Lines": self.tr("order lines waiting"),
        }[measure]
        self.aging_chart.set_title(self.tr("Days waiting: {0}").format(what))
        self.aging_chart.show_bars(
            [self.tr("{0} d").format(b) for b in buckets],
            values,
            on_click=lambda i: self.filter_bucket(buckets[i]),
        )

    @staticmethod
    def _fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for col, text in enumerate(row):
                table.setItem(r, col, QTableWidgetItem(text))

    # --- clicks -> filtered lists ---------------------------------------------------------------
    def _emit(self, tab: str, label: str, predicate: Callable[[Any], bool]) -> None:
        self.filter_requested.emit(tab, label, predicate)

    def filter_bucket(self, bucket: str) -> None:
        self._emit(
            "backorders",
            self.tr("Waiting {0} days").format(bucket),
            lambda row: in_bucket(bucket, row.days_waiting),
        )

    def _filter_sku(self, sku: str) -> None:
        self._emit("backorders", self.tr("SKU {0}").format(sku), lambda row: row.line.sku == sku)

    def _on_silent_clicked(self, row: int, _col: int) -> None:
        if self.report and row < len(self.report.silent_customers):
            email = self.report.silent_customers[row].email.casefold()
            self._emit(
                "backorders",
                self.tr("Customer {0}").format(email),
                lambda r: r.line.customer_email.casefold() == email,
            )

    def _on_overdue_clicked(self, row: int, _col: int) -> None:
        if self.report and row < len(self.report.overdue_shipments):
            shipment = self.report.overdue_shipments[row]
            self._emit(
                "shipments",
                self.tr("Shipment {0}").format(shipment.reference or shipment.id),
                lambda r: r.id == shipment.id,
            )

    def _on_supplier_clicked(self, row: int, _col: int) -> None:
        if self.report and row < len(self.report.suppliers):
            card = self.report.suppliers[row]
            self._emit(
                "shipments",
                self.tr("Supplier {0}").format(card.name),
                lambda r: r.supplier_id == card.supplier_id,
            )

    # --- export ---------------------------------------------------------------------------------
    def export_png(self, path: Path | None = None) -> Path | None:
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save charts as PNG"), "insights.png", "PNG image (*.png)"
            )
            if not chosen:
                return None
            path = Path(chosen)
        if not self._drawn:
            self._draw()
        return path if self.charts.grab().save(str(path), "PNG") else None

    def export_csv(self, path: Path | None = None) -> Path | None:
        if self.report is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export figures as CSV"), "insights.csv", "CSV (*.csv)"
            )
            if not chosen:
                return None
            path = Path(chosen)
        return write_csv_file(path, report_csv_rows(self.report), bom=False)
