"""Child process: a merchant's action to its updated rows on screen, in the real window.

Run by `bench_reload` as `python -m benchmarks.actions_child DATA_DIR [--repeat N]` (token in
BIGCOMMERCE_ACCESS_TOKEN). It builds `AppShell` as the app does, opens the cached large store
and waits until idle, then for each action (a priority change, an ETA on one SKU, a receipt of
3 lines) times, on the GUI thread: the click (`controller.run_action`) -> the action's report
back on the GUI thread (the service: its cache transaction, and for the ETA and the receipt
the reads from the store they make first) -> the changed rows patched into the tables and
painted (the table of the tab the action is made from). "to rows" is the part this work
changed: from the report to the painted rows, in wall time and in the process's CPU time.
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from backorder_desktop.app import build_shell
from backorder_desktop.domain.bulk_types import VariantEdit
from backorder_desktop.domain.receiving import ReceiptLine
from backorder_desktop.services.backorders import change_priority
from backorder_desktop.services.bulk.bulk_apply import bulk_apply
from backorder_desktop.services.bulk.bulk_edit import BulkRequest
from backorder_desktop.services.context import open_context
from backorder_desktop.services.dock.dock_actions import receive
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.ui.shell import AppShell

from .window_child import idle, max_rss_mb, settle, wait_until


def _timed_action(
    app: QApplication, shell: AppShell, name: str, tab: str, work: Any
) -> dict[str, Any]:
    """`tab`: where the merchant acts (shown); its table is painted once patched."""
    shell.window.show_tab(tab)
    settle(app, 0.2)
    shown = shell.window.views()[tab]
    controller = shell.controller
    marks: dict[str, float] = {}
    patched: list[Any] = []
    views = shell.window.views()
    resets = {n: v.model.resets for n, v in views.items()}

    def on_patched(rows: Any) -> None:
        marks["patched"] = time.perf_counter()
        patched.append(rows)
        shown.table.viewport().repaint()  # what the merchant sees: the table in front
        marks["painted"] = time.perf_counter()
        marks["painted_cpu"] = time.process_time()

    controller.rows_patched.connect(on_patched)
    try:
        start = time.perf_counter()
        controller.run_action(
            name,
            work,
            on_success=lambda _r: marks.update(
                reported=time.perf_counter(), reported_cpu=time.process_time()
            ),
            push=False,
        )
        wait_until(app, lambda: bool(patched) and idle(shell), 120)
    finally:
        controller.rows_patched.disconnect(on_patched)
    patch = patched[0].patch
    return {
        "total_ms": round((marks["painted"] - start) * 1000, 1),
        "service_ms": round((marks["reported"] - start) * 1000, 1),
        "to_rows_ms": round((marks["painted"] - marks["reported"]) * 1000, 1),
        # CPU time of the process over the same span (both threads): what a busy machine
        # (other people's test runs on the same cores) does not inflate.
        "to_rows_cpu_ms": round((marks["painted_cpu"] - marks["reported_cpu"]) * 1000, 1),
        "rows_reread": patch.reread,
        "tables_reset": sum(v.model.resets - resets[n] for n, v in views.items()),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    shell = build_shell(open_context(args), interactive=False)
    shell.start(demo=False)
    wait_until(app, lambda: idle(shell), 600)
    settle(app, 0.5)
    session = shell.controller.session
    assert session is not None
    rows = shell.controller.last_rows
    assert rows is not None
    by_sku: dict[str, list[Any]] = {}
    for row in rows.backorders:
        by_sku.setdefault(row.line.sku, []).append(row)
    busiest = sorted(by_sku.values(), key=len, reverse=True)
    report: dict[str, Any] = {
        "rows": {name: view.model.rowCount() for name, view in shell.window.views().items()},
        "priority": [],
        "eta": [],
        "receipt": [],
    }
    for n in range(args.repeat):
        order = busiest[n][-1].line.order_id
        report["priority"].append(
            _timed_action(
                app,
                shell,
                "priority",
                "backorders",
                lambda s, o=order: change_priority(s.cache, [o], +1),
            )
        )
        settle(app, 0.3)
        line = busiest[n][0].line
        eta = date.today() + timedelta(days=30 + n)
        request = BulkRequest({line.variant_id: VariantEdit(eta=eta)}, summary="bench ETA")
        report["eta"].append(
            _timed_action(
                app,
                shell,
                "eta",
                "products",
                lambda s, r=request: bulk_apply(s, r, push=False).result,
            )
        )
        settle(app, 0.3)
        skus = [group[0].line.sku for group in busiest[3 + 3 * n : 6 + 3 * n]]
        shipment, _ = add_shipment(
            session.cache,
            supplier="Bench Supply",
            expected=date.today() + timedelta(days=3),
            lines=[(sku, 50) for sku in skus],
        )
        lines = [ReceiptLine(sku, 2) for sku in skus]
        report["receipt"].append(
            _timed_action(
                app,
                shell,
                "receipt",
                "shipments",
                lambda s, i=shipment.id, x=lines, k=n: receive(s, i, x, receipt_id=f"bench-{k}"),
            )
        )
        settle(app, 0.3)
    for action in ("priority", "eta", "receipt"):
        runs = report[action]
        report[f"{action}_to_rows_ms_median"] = statistics.median(r["to_rows_ms"] for r in runs)
        report[f"{action}_to_rows_ms_max"] = max(r["to_rows_ms"] for r in runs)
        report[f"{action}_total_ms_median"] = statistics.median(r["total_ms"] for r in runs)
        report[f"{action}_to_rows_cpu_ms_median"] = statistics.median(
            r["to_rows_cpu_ms"] for r in runs
        )
    report["max_rss_mb"] = round(max_rss_mb(), 1)
    shell.stop()
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
