"""The Insights benchmark runs end to end on a tiny store (figures are not asserted, behaviour is)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import bench_insights
from benchmarks.common import OUT_ENV, Size

TINY = Size(products=40, orders=60, latency_ms=0, rate_limit=(150, 30.0), repeat=1)


def test_insights_bench_measures_the_report_and_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(OUT_ENV, str(tmp_path))
    data = bench_insights.run(TINY)
    assert data["dataset"]["backorder_lines"] > 0
    assert data["revenue_at_risk"] > 0
    assert data["report_s"]["goal"] == 1.0
    written = json.loads((tmp_path / "insights.json").read_text())
    assert written["dataset"] == data["dataset"]
