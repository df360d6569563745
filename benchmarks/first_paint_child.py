"""Child process: starts the real app on a data dir and reports when its window first paints.

Run by `bench_window` as `python -m benchmarks.first_paint_child T0 DATA_DIR`, where T0 is the
parent's `time.monotonic()` just before it started this process (CLOCK_MONOTONIC is one clock for
every process on the machine, so the figures include interpreter start and every import). The app
itself runs unchanged through `backorder_desktop.__main__.main(["--data-dir", DATA_DIR])`; this
script only creates the QApplication first (the app reuses an existing one) and watches paint
events on it. Prints one JSON line and exits once the Products table has painted its rows.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

T0 = float(sys.argv[1])
STARTED = time.monotonic()  # after the interpreter is up, before any import of ours

from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget  # noqa: E402

IMPORTED_QT = time.monotonic()


class PaintWatch(QObject):
    """Notes the first paint of the main window and the first paint of the Products rows."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: dict[str, float] = {}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            window = watched.window()
            if isinstance(window, QMainWindow):
                now = time.monotonic()
                self.marks.setdefault("first_paint", now)
                products = getattr(window, "products", None)
                if (
                    products is not None
                    and watched is products.table.viewport()
                    and products.model.rowCount() > 0
                    and "rows_painted" not in self.marks
                ):
                    self.marks["rows_painted"] = now
                    self.marks["rows"] = products.model.rowCount()
                    # Leave once this paint is done; the app's own shutdown runs as usual.
                    from PySide6.QtCore import QTimer

                    QTimer.singleShot(0, QApplication.quit)
        return False


def main() -> int:
    data_dir = sys.argv[2]
    app = QApplication(sys.argv[:1])
    watch = PaintWatch()
    app.installEventFilter(watch)
    app_made = time.monotonic()

    from backorder_desktop.__main__ import main as app_main

    code = app_main(["--data-dir", data_dir])
    marks = watch.marks
    report = {
        "exit_code": code,
        "interpreter_start_s": STARTED - T0,
        "qt_import_s": IMPORTED_QT - T0,
        "qapplication_s": app_made - T0,
        "first_paint_s": marks["first_paint"] - T0 if "first_paint" in marks else None,
        "rows_painted_s": marks["rows_painted"] - T0 if "rows_painted" in marks else None,
        "rows": marks.get("rows"),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "platform": os.environ.get("QT_QPA_PLATFORM", ""),
    }
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
