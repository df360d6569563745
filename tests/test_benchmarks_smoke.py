"""The benchmark code runs end to end on a tiny store (figures are not asserted, behaviour is)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks import bench_sync
from benchmarks.bench_window import prepare
from benchmarks.common import OUT_ENV, QUIET_ENV, Size, child_env
from benchmarks.floors import floor, minimum_requests, v2_pages
from benchmarks.store_process import StoreProcess

REPO = Path(__file__).resolve().parent.parent
TINY = Size(products=40, orders=60, latency_ms=0, rate_limit=(150, 30.0), repeat=1)


def test_floors_follow_the_api_page_sizes() -> None:
    dataset = {
        "locations": 2,
        "products": 10_000,
        "tracked_variants": 35_837,
        "open_orders_by_status": {"11": 894, "9": 250, "3": 0, "7": 258},
        "app_metafields": {"variant": 94, "order": 0, "store": 4},
    }
    minimum = minimum_requests(dataset)
    # 40 product pages, 36 inventory pages, V2 needs a 204 after a full page: 4+2+1+2.
    assert minimum["products (250 with variants)"] == 40
    assert minimum["inventory (1000)"] == 36
    assert [v2_pages(n) for n in (894, 250, 0, 258)] == [4, 2, 1, 2]
    # Locations: one page, then the default location (?is_default=true).
    assert minimum["total"] == 1 + 1 + 40 + 36 + 9 + 3
    # 89 requests fit one 150-request window: latency sets the floor.
    assert floor(89, latency_s=0.05, concurrency=4, quota=150, window_s=30).seconds == 23 * 0.05
    # 1770 one at a time: eleven full windows must pass first.
    slow = floor(1770, latency_s=0.05, concurrency=1, quota=150, window_s=30)
    assert slow.rate_limit_s == pytest.approx(11 * 30 + 0.05)
    assert slow.seconds == slow.rate_limit_s


def test_sync_bench_reads_the_same_data_as_the_official_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("bigcommerce")
    monkeypatch.setenv(OUT_ENV, str(tmp_path))
    monkeypatch.setenv(QUIET_ENV, "0")
    data = bench_sync.run(TINY)

    ours, peer = data["ours"], data["official_client"]
    run = ours["runs"][0]
    # Our sync takes exactly the fewest requests the data allows.
    assert ours["requests"] == data["minimum_requests"]["total"]
    assert run["server"]["requests"] == ours["requests"]
    # Both read the same store: same products, variants, open orders and their lines.
    assert peer["read"]["products"] == run["rows"]["products"] == data["dataset"]["products"]
    assert peer["read"]["variants"] == run["rows"]["variants"]
    assert peer["read"]["open_orders"] == run["rows"]["orders"]
    assert peer["read"]["order_lines"] == run["rows"]["order_lines"]
    # The official client asks once per open order for its lines.
    per_order = peer["by_endpoint"].get("GET /v2/orders/{id}/products", 0)
    assert per_order == peer["read"]["open_orders"]
    assert peer["requests"] > ours["requests"]
    # The test bed's own floor replays exactly our requests, all answered.
    replayed = data["bytes_only_replay"]["runs"][0]
    assert replayed["requests"] == ours["requests"] and replayed["failures"] == []
    assert replayed["megabytes"] > 0
    saved = json.loads((tmp_path / "sync.json").read_text())
    assert saved["ours"]["requests"] == ours["requests"]


def _child(args: list[str], token: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=child_env(BIGCOMMERCE_ACCESS_TOKEN=token),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_window_benches_measure_the_real_window() -> None:
    with (
        StoreProcess(
            products=TINY.products, orders=TINY.orders, latency_ms=0, rate_limit=TINY.rate_limit
        ) as store,
        tempfile.TemporaryDirectory() as folder,
    ):
        data_dir = Path(folder)
        prepared = prepare(store, data_dir)
        assert prepared["products"] == TINY.products

        t0 = time.monotonic()
        paint = _child(["-m", "benchmarks.first_paint_child", repr(t0), str(data_dir)], store.token)
        assert paint["rows"] == prepared["variants"]  # the cached rows, painted
        assert 0 < paint["first_paint_s"] <= paint["rows_painted_s"]

        store.reset()
        inside = _child(
            ["-m", "benchmarks.window_child", str(data_dir), "--repeat", "1"], store.token
        )
    f = inside["filter"]
    # Typing narrows the Products table, one character at a time, to the SKU typed.
    assert len(f["matches_per_keystroke"]) == 6
    assert f["matches_per_keystroke"] == sorted(f["matches_per_keystroke"], reverse=True)
    assert f["matches_per_keystroke"][-1] >= 1
    assert inside["sort"]["rows"] == prepared["variants"]
    stall = inside["stall"]
    assert stall["sync_requests"] > 0 and stall["ticks"] > 0
    # The reload after the full sync reached every tab.
    assert any(c["call"].startswith("products.set_rows") for c in stall["set_rows_ms"])
    assert inside["max_rss_mb"] > 0
