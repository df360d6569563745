"""QtCharts views for the Insights tab: bar and line charts that follow the light/dark palette."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QMargins, Qt, QTime
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import QWidget

from .plain_text import rich_escaped
from .theme import is_dark

BAR_LIGHT = QColor("#2f6db5")
BAR_DARK = QColor("#7cb4f0")
LINE_LIGHT = QColor("#b0490b")
LINE_DARK = QColor("#ffb074")


class ChartBox(QChartView):
    """One chart; `show_bars` / `show_line` replace what it shows."""

    def __init__(self, title: str, accessible_name: str, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.legend().hide()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setMargins(QMargins(4, 4, 4, 4))
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(accessible_name)
        self.setMinimumHeight(220)
        self._title = title

    def set_title(self, title: str) -> None:
        self._title = title
        self.chart().setTitle(title)

    def _reset(self) -> QChart:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        # The theme picks text and grid colours; the background follows the window's own
        # palette so the chart sits in the tab instead of a white box on a dark desktop.
        chart.setTheme(
            QChart.ChartTheme.ChartThemeDark if is_dark() else QChart.ChartTheme.ChartThemeLight
        )
        palette = QGuiApplication.palette()
        chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        chart.setTitleBrush(palette.color(QPalette.ColorRole.Text))
        chart.setTitle(self._title)
        return chart

    def _style_axis(self, axis: QValueAxis | QBarCategoryAxis | QDateTimeAxis) -> None:
        palette = QGuiApplication.palette()
        axis.setLabelsBrush(palette.color(QPalette.ColorRole.Text))
        grid = palette.color(QPalette.ColorRole.Mid)
        axis.setGridLineColor(grid)

    def show_bars(
        self,
        categories: Sequence[str],
        values: Sequence[float],
        *,
        horizontal: bool = False,
        label_format: str = "@value",
        on_click: Callable[[int], None] | None = None,
    ) -> QBarSet:
        chart = self._reset()
        bars = QBarSet(self._title)
        bars.append([float(v) for v in values])
        bars.setColor(BAR_DARK if is_dark() else BAR_LIGHT)
        bars.setBorderColor(bars.color())
        bars.setLabelColor(QGuiApplication.palette().color(QPalette.ColorRole.Text))
        series = QHorizontalBarSeries() if horizontal else QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsFormat(label_format)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        names = QBarCategoryAxis()
        # Qt Charts renders axis labels as HTML: SKUs and names are escaped to show as typed.
        names.append([rich_escaped(c) for c in categories])
        amounts = QValueAxis()
        top = max([float(v) for v in values] or [0.0])
        amounts.setRange(0, top * 1.2 if top > 0 else 1)
        amounts.setLabelFormat("%.0f")
        amounts.applyNiceNumbers()
        for axis in (names, amounts):
            self._style_axis(axis)
        chart.addAxis(
            names, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom
        )
        chart.addAxis(
            amounts, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft
        )
        series.attachAxis(names)
        series.attachAxis(amounts)
        if on_click is not None:
            bars.clicked.connect(on_click)
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        return bars

    def show_line(self, points: Sequence[tuple[date, float]]) -> None:
        chart = self._reset()
        colour = LINE_DARK if is_dark() else LINE_LIGHT
        line = QLineSeries()
        dots = QScatterSeries()
        dots.setMarkerSize(8)
        line.setColor(colour)
        dots.setColor(colour)
        dots.setBorderColor(colour)
        for day, value in points:
            x = float(_msecs(day))
            line.append(x, value)
            dots.append(x, value)
        chart.addSeries(line)
        chart.addSeries(dots)
        days = QDateTimeAxis()
        days.setFormat("d MMM")
        if points:
            first, last = points[0][0], points[-1][0]
            # One point still gets a readable axis: a day either side.
            days.setRange(_qdatetime(first, -1), _qdatetime(last, 1))
            days.setTickCount(min(7, max(3, len(points) + 2)))
        amounts = QValueAxis()
        top = max([v for _d, v in points] or [0.0])
        amounts.setRange(0, top * 1.2 if top > 0 else 1)
        amounts.setLabelFormat("%.0f")
        amounts.applyNiceNumbers()
        for axis in (days, amounts):
            self._style_axis(axis)
        chart.addAxis(days, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(amounts, Qt.AlignmentFlag.AlignLeft)
        for series in (line, dots):
            series.attachAxis(days)
            series.attachAxis(amounts)


def _qdatetime(day: date, shift_days: int = 0) -> QDateTime:
    return QDateTime(QDate(day.year, day.month, day.day).addDays(shift_days), QTime(12, 0))


def _msecs(day: date) -> int:
    return _qdatetime(day).toMSecsSinceEpoch()
