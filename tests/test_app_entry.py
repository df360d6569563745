"""The window's headless entry points, as the README and the installers use them."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtGui import QImage

from tests.support.cli import run_cli


def test_screenshot_renders_the_synced_window(tmp_path: Path) -> None:
    shot = tmp_path / "products.png"
    result = run_cli("--data-dir", str(tmp_path / "data"), "--demo", "--screenshot", str(shot))
    assert result.code == 0, result.err
    image = QImage(str(shot))
    assert image.width() == 1280 and image.height() == 800
    # Not a blank window: the rendered table has many distinct colours (text, grid, stripes).
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(120, 780, 12)}
    assert len(colours) > 5


def test_smoke_test_reports_cache_keyring_and_window(tmp_path: Path) -> None:
    result = run_cli("--data-dir", str(tmp_path), "--demo", "--smoke-test")
    assert result.code == 0, result.err
    report = json.loads(result.out.strip().splitlines()[-1])
    assert report["ok"] is True
    assert report["cache_opened"] and report["window_shown"]
    assert report["tabs"] == ["Products", "Open backorders", "Supplier shipments", "Insights"]
    assert report["insights_charts"] is True
    assert report["products"] > 0 and report["backorder_lines"] > 0
    assert report["keyring_backend"]
