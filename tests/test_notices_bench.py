"""The notices benchmark runs end to end on a tiny store (figures are not asserted, behaviour is)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import bench_notices
from benchmarks.common import OUT_ENV, Size

TINY = Size(products=40, orders=60, latency_ms=0, rate_limit=(150, 30.0), repeat=1)


def test_notices_bench_measures_the_queue_with_etas_and_1000_notices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(OUT_ENV, str(tmp_path))
    data = bench_notices.run(TINY)
    dataset = data["dataset"]
    assert dataset["backorder_lines"] == data["tab_rows"] > 0
    # Every waiting SKU got inbound shipments, so most lines take their ETA from one.
    assert dataset["eta_sources"].get("shipment", 0) > 0
    assert dataset["inbound_shipments"] >= dataset["skus_with_shipments"]
    assert data["queue_with_etas_s"]["goal"] == 0.5
    assert data["render_1000_notices_s"]["goal"] == 2.0
    written = json.loads((tmp_path / "notices.json").read_text())
    assert written["dataset"] == dataset
